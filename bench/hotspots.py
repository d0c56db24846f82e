"""Where the time goes: cProfile of the compiled quote, the explained quote and a settlement, per function.

    python -m bench.hotspots [--cases 2000] [--rows 50000] [--top 15]

For each program, the plain quote (`Quoter.figures`) and the explained quote (`Quoter.quote`, with
next steps) over the generated cases, on plans made beforehand; then an in-process settlement of
`--rows` ad_agency transactions read from CSV. Each table lists the functions with the most time
of their own (tottime), their share of the total, and their cumulative time. cProfile slows
pure-Python code about twofold, evenly enough for shares to hold.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.data import PROGRAMS, Cases, quote_cases, write_settlement_files
from bench.quotes import compile_ruleset
from runtime import io as rio
from runtime.decisions import Settler
from runtime.decisions.quote import Quoter
from runtime.explain import render_table
from runtime.loaded import Runtime


def _group(file: str) -> str:
    """Where a function lives, in a few groups: generated code, dataclass __init__, Fraction, a runtime module."""
    if file.startswith("<ppl:"):
        return "generated entry functions (<ppl:…>)"
    if file == "<string>":
        return "dataclass __init__ (<string>)"
    if file.startswith("~") or not file.startswith("/"):
        return "built-ins (C)"
    parts = Path(file).parts
    if "runtime" in parts:
        return "runtime/" + "/".join(parts[parts.index("runtime") + 1:])
    return "/".join(parts[-2:])


def _where(key: tuple[str, int, str]) -> str:
    file, line, name = key
    short = "/".join(Path(file).parts[-2:]) if file.startswith("/") else file
    return f"{short}:{line} {name}" if line else name


def profile(title: str, run: Callable[[], object], items: int, top: int) -> list[str]:
    """Profile one call of `run`, doing `items` items; the top functions by own time, as table lines."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in entries.values())
    rows = [["function", "calls/item", "own µs/item", "own %", "cum µs/item"]]
    ranked = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for key, (_, calls, tt, ct, _) in ranked:
        rows.append([_where(key), f"{calls / items:.1f}", f"{tt / items * 1e6:.2f}", f"{tt / total:.1%}",
                     f"{ct / items * 1e6:.2f}"])
    groups: dict[str, float] = {}
    for (file, _, _), (_, _, tt, _, _) in entries.items():
        groups[_group(file)] = groups.get(_group(file), 0.0) + tt
    by_file = [["where (own time)", "µs/item", "%"]]
    by_file += [[name, f"{tt / items * 1e6:.2f}", f"{tt / total:.1%}"]
                for name, tt in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:top]]
    head = f"{title}: {total / items * 1e6:.1f} µs per item under the profiler"
    return [head, *render_table(rows, right=range(1, 5)), "", *render_table(by_file, right=[1, 2]), ""]


def main(argv: list[str] | None = None) -> int:
    """Print the profiles."""
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    out: list[str] = []
    for program in PROGRAMS:
        rt = Runtime(compile_ruleset(program), "compiled")
        cases = quote_cases(program, args.cases)
        txns, partners, volumes = cases.transactions, cases.partners, cases.volumes
        quoter, explainer = Quoter(rt, partners, volumes, next_steps=False), Quoter(rt, partners, volumes)
        for t in txns:  # warm up: make the plans
            quoter.figures(t)
            explainer.quote(t)

        def plain(quoter: Quoter = quoter, cases: Cases = cases) -> None:
            for t in cases.transactions:
                quoter.figures(t)

        def explained(explainer: Quoter = explainer, cases: Cases = cases) -> None:
            for t in cases.transactions:
                explainer.quote(t)

        out += profile(f"{program}: quote", plain, len(txns), args.top)
        out += profile(f"{program}: explained quote", explained, len(txns), args.top)
    with tempfile.TemporaryDirectory(prefix="ppl-profile-") as tmp:
        partners_path, transactions_path = write_settlement_files(Path(tmp), args.rows)
        rt = Runtime(compile_ruleset("ad_agency"), "compiled")
        partners_ = rio.read_partners(partners_path, rt.ruleset)
        writer = rio.SettlementWriter(Path(tmp) / "out", rt.ruleset, partners_)
        settler = Settler(rt, partners_, rio.parse_period("FY2026", rt.ruleset.fiscal_year_start),
                          on_line=writer.on_line, on_reject=writer.on_reject)

        def settle() -> None:
            with rio.read_transactions(transactions_path, rt.ruleset) as reader:
                rio.feed(settler, reader)
            writer.finish(settler.finish())

        out += profile(f"settlement of {args.rows:,} ad_agency rows (read, quote, accumulate, write)", settle,
                       args.rows, args.top)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
