"""The benchmark suite: `make bench` (full) or `make bench-quick` (`python -m bench.run [--quick]`).

Measures, in one run and on the same generated data:
  1. quote throughput per example program: compiled runtime, hand-written Python, interpreter, ZEN;
  2. the explained quote (next-step hints, every figure with its rule) against hand-written Python;
  3. settlement of a large generated file (1 M and 3 M rows; fewer in quick mode) in a child process:
     wall time, rows/s and peak memory;
  4. load time: check + compile + load of each program;
  5. import time: `import runtime` in a fresh interpreter, against a bare start;
  6. the service: `ppl serve` on loopback under a load client in another process (bench/serve_load.py):
     quotes/s and p50/p99 latency at 1, 8 and 64 clients and in batches, against the in-process quote rate.
Progress goes to standard error; the tables, then one JSON object on one line, to standard output.
Ratios are throughput ratios: the compiled runtime's quotes per second over the other's (higher is better).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from dataclasses import dataclass
from typing import Any

from bench import columnar, imports, quotes, serve_load, settlement
from bench.data import PROGRAMS
from bench.timing import best_of
from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir_json
from runtime.explain import render_table
from runtime.loaded import Runtime


@dataclass(frozen=True, slots=True)
class Config:
    """How much to measure."""

    name: str
    cases: int  # generated transactions per program for the quote races
    repeats: int  # timed passes per contender (best is kept)
    load_repeats: int
    import_runs: int  # fresh interpreters per statement for the import time (the median is kept)
    settle_sizes: tuple[int, int]  # rows: the first is reported as `1m`, the second as `3m`
    columnar_sizes: tuple[int, ...] = (1_000_000, 10_000_000)  # settlement from Parquet on both engines
    serve: serve_load.Config = serve_load.FULL  # phases of the service benchmark


FULL = Config("full", 2_000, 7, 5, 21, (1_000_000, 3_000_000))
QUICK = Config("quick", 400, 3, 3, 7, (20_000, 60_000), (20_000,), serve_load.QUICK)
TARGETS = (("quote_vs_handwritten", ">=", 0.8), ("quote_vs_zen", ">=", 20.0), ("explain_vs_handwritten", ">=", 0.2),
           ("columnar_vs_row", ">=", 5.0))


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Best seconds of each stage of getting a program ready, and the first (cold) total."""

    check_s: float
    compile_s: float
    load_s: float
    artifact_s: float  # reading the compiled artifact (JSON) and loading it: what a deployed service does
    first_total_s: float

    @property
    def total_s(self) -> float:
        """check + compile + load."""
        return self.check_s + self.compile_s + self.load_s


def measure_load(program: str, repeats: int) -> LoadResult:
    """Time check, compile and load of programs/<program>.yaml, `repeats` times each."""
    path = str(quotes.ROOT / "programs" / f"{program}.yaml")
    first_check, check_s = best_of(lambda: check([path]), repeats)
    parsed = check([path]).programs[0]
    first_compile, compile_s = best_of(lambda: compile_program(parsed), repeats)
    ruleset = compile_program(parsed)
    first_load, load_s = best_of(lambda: Runtime(ruleset, "compiled"), repeats)
    text = ir_json.dumps(ruleset)
    _, artifact_s = best_of(lambda: Runtime(ir_json.loads(text), "compiled"), repeats)
    return LoadResult(check_s, compile_s, load_s, artifact_s, first_check + first_compile + first_load)


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _quote_tables(results: list[quotes.ProgramResult], config: Config) -> list[str]:
    out = [f"Quote throughput: quotes/s, best of {config.repeats} passes over {config.cases:,} generated cases "
           "(µs per quote in brackets)"]
    names = ("handwritten", "compiled", "compiled_cold", "interpreted", "zen", "zen+adapter", "zen_decision")
    rows = [["program", "hand-written", "compiled", "compiled, cold", "reference path", "zen", "zen+adapter",
             "zen create_decision"]]
    for r in results:
        rows.append([r.program, *(f"{_rate(r.quote[n].rate)} ({r.quote[n].per_item_us:.2f})" for n in names)])
    out += render_table(rows, right=range(1, 8))
    out += ["  compiled: one Quoter's plans, made in the verification pass; compiled, cold: a new Quoter each pass, "
            "so its plans are made again (generated code is kept per runtime); reference path: the interpreted "
            "runtime without plans"]
    out += ["", "Ratios (compiled runtime's throughput over the other's)"]
    rows = [["program", "vs hand-written", "vs interpreter", "vs zen", "vs zen+adapter", "zen trivial graph/s"]]
    for r in results:
        c = r.quote["compiled"].rate
        rows.append([r.program, _ratio(c / r.quote["handwritten"].rate), _ratio(c / r.quote["interpreted"].rate),
                     _ratio(c / r.quote["zen"].rate), _ratio(c / r.quote["zen+adapter"].rate),
                     _rate(r.zen_trivial.rate)])
    out += render_table(rows, right=range(1, 6))
    out += ["", "Explained quote (next-step hints, every figure with its rule): quotes/s (µs per quote)"]
    rows = [["program", "hand-written", "compiled", "compiled/hand-written"]]
    for r in results:
        hand, runtime = r.explain["handwritten"], r.explain["compiled"]
        rows.append([r.program, f"{_rate(hand.rate)} ({hand.per_item_us:.1f})",
                     f"{_rate(runtime.rate)} ({runtime.per_item_us:.1f})", _ratio(runtime.rate / hand.rate)])
    out += render_table(rows, right=range(1, 4))
    return out


def _settle_table(runs: list[settlement.SettleRun]) -> list[str]:
    out = [f"Settlement: {settlement.PROGRAM}, {settlement.PERIOD}, {runs[-1].statements} partners, "
           "streamed in a child process (lines and rejects written to CSV); peak RSS is the child's VmHWM"]
    rows = [["rows", "CSV MB", "accepted", "rejected", "wall s", "rows/s", "streaming s", "statements s",
             "peak RSS MB", "generate s"]]
    for run in runs:
        rate = _rate(run.rows_per_s) if run.rows else "—"
        rows.append([f"{run.rows:,}" if run.rows else "0 (baseline)", f"{run.csv_mb:.0f}", f"{run.accepted:,}",
                     f"{run.rejected:,}", f"{run.wall_s:.1f}", rate, f"{run.stream_s:.1f}", f"{run.finish_s:.2f}",
                     f"{run.peak_mb:.1f}", f"{run.generate_s:.1f}"])
    return out + render_table(rows, right=range(0, 10))


def _load_table(loads: dict[str, LoadResult], config: Config) -> list[str]:
    out = [f"Load time: ms, best of {config.load_repeats} (the first, cold, check + compile + load in brackets)"]
    rows = [["program", "check", "compile", "load", "check+compile+load", "artifact → loaded"]]
    for program, r in loads.items():
        rows.append([program, f"{r.check_s * 1e3:.1f}", f"{r.compile_s * 1e3:.1f}", f"{r.load_s * 1e3:.1f}",
                     f"{r.total_s * 1e3:.1f} ({r.first_total_s * 1e3:.1f})", f"{r.artifact_s * 1e3:.1f}"])
    return out + render_table(rows, right=range(1, 6))


def summary(results: list[quotes.ProgramResult], runs: list[settlement.SettleRun], loads: dict[str, LoadResult],
            config: Config) -> dict[str, Any]:
    """The JSON object: the headline keys (minimum over programs), per-program values, settlement and load."""
    def by_program(ratio: Any) -> dict[str, float]:
        return {r.program: round(ratio(r), 4) for r in results}

    out: dict[str, Any] = {}
    for key, ratio in (
            ("quote_vs_handwritten", lambda r: r.quote["compiled"].rate / r.quote["handwritten"].rate),
            ("quote_vs_interpreter", lambda r: r.quote["compiled"].rate / r.quote["interpreted"].rate),
            ("quote_vs_zen", lambda r: r.quote["compiled"].rate / r.quote["zen"].rate),
            ("explain_vs_handwritten", lambda r: r.explain["compiled"].rate / r.explain["handwritten"].rate)):
        values = by_program(ratio)
        out[key] = min(values.values())
        out[f"{key}_by_program"] = values
    out["quote_vs_zen_with_adapter_by_program"] = by_program(
        lambda r: r.quote["compiled"].rate / r.quote["zen+adapter"].rate)
    out["quotes_per_s_by_program"] = {r.program: {k: round(v.rate) for k, v in r.quote.items()} for r in results}
    out["explained_quotes_per_s_by_program"] = {r.program: {k: round(v.rate) for k, v in r.explain.items()}
                                                for r in results}
    baseline, small, large = runs
    out.update({"settle_rows_per_s": round(small.rows_per_s), "settle_wall_s_1m": round(small.wall_s, 2),
                "settle_peak_mb_1m": round(small.peak_mb, 1), "settle_peak_mb_3m": round(large.peak_mb, 1),
                "settle_rows": [small.rows, large.rows], "settle_rows_per_s_3m": round(large.rows_per_s),
                "settle_peak_mb_baseline": round(baseline.peak_mb, 1)})
    out["load_ms_by_program"] = {p: round(r.total_s * 1e3, 1) for p, r in loads.items()}
    out.update({"mode": config.name, "cases_per_program": config.cases, "repeats": config.repeats,
                "date": datetime.date.today().isoformat(), "machine": platform.machine(), "cores": os.cpu_count(),
                "python": platform.python_version()})
    return out


def _targets(data: dict[str, Any]) -> list[str]:
    rows = [["target", "measured", ""]]
    for key, op, goal in TARGETS:
        value = data[key]
        verdict = "met" if value >= goal else f"missed by {goal / value:.1f}×"
        if key == "columnar_vs_row" and data["mode"] == "quick":
            verdict = "not judged: quick mode's small file measures start-up, not throughput"
        rows.append([f"{key} {op} {goal:g}", _ratio(value), verdict])
    small, large = data["settle_peak_mb_1m"], data["settle_peak_mb_3m"]
    growth = large / small - 1
    rows.append(["settle_peak_mb_3m within 10% of settle_peak_mb_1m", f"{growth:+.1%}",
                 "met" if abs(growth) <= 0.10 else "missed"])
    rows += serve_load.targets(data)
    return ["Targets", *render_table(rows)]


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print the tables and the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases, passes and rows: under a minute")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    say(f"ppl benchmark ({config.name})")
    loads = {}
    for program in PROGRAMS:
        say(f"load time: {program}")
        loads[program] = measure_load(program, config.load_repeats)
    say("import time")
    imported = imports.measure(config.import_runs)
    results = []
    for program in PROGRAMS:
        say(f"quotes: {program} (verifying every contender on {config.cases:,} cases, then timing)")
        try:
            results.append(quotes.measure_program(program, config.cases, config.repeats))
        except quotes.Mismatch as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    say("settlement")
    runs = settlement.measure((0, *config.settle_sizes))
    say("settlement from Parquet: row engine and columnar engine")
    columnar_program, columnar_runs = columnar.measure(config.columnar_sizes)
    say("the service under load")
    served = serve_load.measure(config.serve, memory_log=config.name == "full")
    data = summary(results, runs, loads, config)
    data.update(columnar.summary(columnar_program, columnar_runs))
    data.update(imports.summary(imported))
    data.update(serve_load.summary(served))
    head = (f"ppl benchmark ({config.name}), {data['date']}: {data['machine']}, {data['cores']} cores, "
            f"Python {data['python']}")
    lines = [head, "", *_quote_tables(results, config), "", *_settle_table(runs), "",
             *columnar.table(columnar_program, columnar_runs), "", *_load_table(loads, config), "",
             *imports.table(imported), "", *serve_load.table(served), "", *_targets(data), ""]
    print("\n".join(lines))
    print(json.dumps(data, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
