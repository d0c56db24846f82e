"""Settlement from Parquet on both engines: the row engine and the columnar (DuckDB) engine, in one run.

For each size, a seeded pool of generated transactions (bench/data.py) is spread by DuckDB over a
Parquet file of that many rows (dates over fiscal year 2026, ~3% refunds, a few unknown partners and
malformed values), and each engine settles it in a child process whose peak RSS (VmHWM) is measured,
as bench/settle_child.py does. The program is ad_agency once the duckdb engine settles it; until then
saas_reseller, and the table says which.

    python -m bench.columnar child ENGINE RULESET.json PARTNERS.csv TRANSACTIONS.parquet PERIOD OUT_DIR
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.data import quote_cases
from bench.quotes import ROOT, compile_ruleset
from bench.settle_child import peak_rss_kib
from runtime import ir, ir_json

PERIOD = "FY2026"
POOL = 20_000
MEMORY_LIMIT = "1GB"


@dataclass(frozen=True, slots=True)
class ColumnarRun:
    """One engine on one file: counts, wall time, peak memory."""

    engine: str
    rows: int
    read: int
    rejected: int
    wall_s: float
    peak_mb: float

    @property
    def rows_per_s(self) -> float:
        """Rows settled per second of the child's wall time (start-up, reading and writing included)."""
        return self.read / self.wall_s


def program() -> str:
    """ad_agency when the duckdb engine settles it, else saas_reseller."""
    from runtime.sql import engine

    return "ad_agency" if not engine.refused(compile_ruleset("ad_agency")) else "saas_reseller"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_files(out: Path, name: str, ruleset: ir.RuleSet, rows: int) -> tuple[Path, Path]:
    """The partners (CSV) and `rows` transactions (Parquet) of a program."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    cases = quote_cases(name, POOL)
    p_inputs = [d.name for d in ruleset.inputs if d.scope == "partner"]
    t_inputs = [d.name for d in ruleset.inputs if d.scope == "transaction"]
    partners = out / "partners.csv"
    with open(partners, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "contract", "tier", "level", "parent", *p_inputs])
        for p in cases.partners.values():
            writer.writerow([p.id, p.contract, p.tier or "", p.level, p.parent or "",
                             *(_text(p.fields.get(n)) for n in p_inputs)])
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    cols = ", ".join(f'"{c}" VARCHAR' for c in ["partner", "contract", "product", "list_price", "sell_price",
                                                 "quantity", *t_inputs])
    con.execute(f"CREATE TABLE pool(k BIGINT, {cols})")
    con.executemany(f"INSERT INTO pool VALUES ({', '.join('?' for _ in range(7 + len(t_inputs)))})", [
        [k, t.partner, t.contract or None, t.product, str(t.list_price), str(t.sell_price), str(t.quantity),
         *(_text(t.fields.get(n)) or None for n in t_inputs)] for k, t in enumerate(cases.transactions)])
    declared = "".join(f', p."{n}"' for n in t_inputs)
    transactions = out / "transactions.parquet"
    con.execute(
        "COPY (SELECT 'T' || lpad(CAST(i + 1 AS VARCHAR), 9, '0') AS id, "
        f"CAST(DATE '2026-04-01' + CAST(i * 365 // {rows} AS INTEGER) AS VARCHAR) AS date, "
        "CASE WHEN i % 5003 = 7 THEN 'nobody' ELSE p.partner END AS partner, p.contract, p.product, "
        "CASE WHEN i % 9973 = 11 THEN '12O0' ELSE p.list_price END AS list_price, p.sell_price, "
        "CASE WHEN hash(i) % 33 = 0 THEN '-1' ELSE p.quantity END AS quantity" + declared + " "
        f"FROM range({rows}) r(i) JOIN pool p ON p.k = i % {POOL} ORDER BY i) TO ? (FORMAT parquet)",
        [str(transactions)])
    con.close()
    return partners, transactions


def child(argv: list[str]) -> int:
    """Settle one file with the duckdb engine and print the counts and the peak RSS (the rows engine is
    bench.settle_child)."""
    import runtime
    from runtime import io as rio
    from runtime.sql import engine

    _, ruleset_path, partners_path, transactions_path, period_text, out_dir = argv
    rt = runtime.load(ruleset_path)
    partners = rio.read_partners(partners_path, rt.ruleset)
    period = rio.parse_period(period_text, rt.ruleset.fiscal_year_start)
    settlement, _ = engine.settle_files(rt, partners, period, transactions_path, out_dir,
                                        engine.Options(memory_limit=MEMORY_LIMIT))
    print(json.dumps({"read": settlement.read, "accepted": settlement.accepted, "rejected": settlement.rejected,
                      "peak_kib": peak_rss_kib()}))
    return 0


def _run(engine_name: str, artifact: Path, partners: Path, transactions: Path, out: Path, rows: int) -> ColumnarRun:
    command = [sys.executable, "-m", "bench.settle_child"] if engine_name == "rows" else \
        [sys.executable, "-m", "bench.columnar", "child", "duckdb"]
    started = time.perf_counter()
    done = subprocess.run([*command, str(artifact), str(partners), str(transactions), PERIOD, str(out)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{engine_name} settlement failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return ColumnarRun(engine_name, rows, int(report["read"]), int(report["rejected"]), wall,
                       report["peak_kib"] / 1024)


def measure(sizes: tuple[int, ...], progress: bool = True) -> tuple[str, list[ColumnarRun]]:
    """Both engines on each size; the program used and the runs (rows engine first for each size)."""
    name = program()
    runs: list[ColumnarRun] = []
    with tempfile.TemporaryDirectory(prefix="ppl-columnar-") as tmp:
        root = Path(tmp)
        ruleset = compile_ruleset(name)
        artifact = root / f"{name}.ruleset.json"
        artifact.write_text(ir_json.dumps(ruleset), encoding="utf-8")
        for rows in sizes:
            if progress:
                print(f"  columnar: writing {rows:,} {name} rows as Parquet…", file=sys.stderr, flush=True)
            partners, transactions = write_files(root / str(rows), name, ruleset, rows)
            for engine_name in ("rows", "duckdb"):
                if progress:
                    print(f"  columnar: settling {rows:,} rows on the {engine_name} engine…", file=sys.stderr,
                          flush=True)
                runs.append(_run(engine_name, artifact, partners, transactions, root / f"{rows}-{engine_name}", rows))
                shutil.rmtree(root / f"{rows}-{engine_name}")
            if not same_counts(runs[-2], runs[-1]):
                raise RuntimeError("the engines counted different rows")
            shutil.rmtree(root / str(rows))
    return name, runs


def same_counts(a: ColumnarRun, b: ColumnarRun) -> bool:
    """Both engines read and rejected the same number of rows."""
    return (a.read, a.rejected) == (b.read, b.rejected)


def table(name: str, runs: list[ColumnarRun]) -> list[str]:
    """The table of the run."""
    from runtime.explain import render_table

    note = "" if name == "ad_agency" else " (ad_agency is not settled by the duckdb engine yet)"
    out = [f"Settlement from Parquet, row engine vs columnar (DuckDB, memory limit {MEMORY_LIMIT}): {name}{note}, "
           f"{PERIOD}; wall time of a child process, peak RSS its VmHWM"]
    rows = [["rows", "engine", "rejected", "wall s", "rows/s", "peak RSS MB", "columnar/row"]]
    for k, run in enumerate(runs):
        ratio = f"{runs[k - 1].wall_s / run.wall_s:.1f}" if run.engine == "duckdb" else ""
        rows.append([f"{run.rows:,}", run.engine, f"{run.rejected:,}", f"{run.wall_s:.1f}", f"{run.rows_per_s:,.0f}",
                     f"{run.peak_mb:.0f}", ratio])
    return out + render_table(rows, right=[0, 2, 3, 4, 5, 6])


def summary(name: str, runs: list[ColumnarRun]) -> dict[str, object]:
    """The JSON keys: the ratio and rate at the largest size, and every run."""
    row, col = runs[-2], runs[-1]
    return {"columnar_vs_row": round(row.wall_s / col.wall_s, 2), "columnar_rows_per_s": round(col.rows_per_s),
            "columnar_program": name,
            "columnar_runs": [{"rows": r.rows, "engine": r.engine, "wall_s": round(r.wall_s, 2),
                               "rows_per_s": round(r.rows_per_s), "peak_mb": round(r.peak_mb, 1)} for r in runs]}


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.exit(child(sys.argv[2:]))
    sizes = tuple(int(a) for a in sys.argv[1:]) or (100_000,)
    used, measured = measure(sizes)
    print("\n".join(table(used, measured)))
    print(json.dumps(summary(used, measured)))
