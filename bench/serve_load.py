"""The service under load: `ppl serve` on loopback, driven by a load client in another process.

The bundled ad agency program is compiled into a bundle with its example partners; a keys file holds one
vendor key; `ppl serve` runs it (one uvicorn worker) with its decision log in a JSON Lines file of a
temporary directory (the default durable log: each decision synced before its answer). The load client
(`bench/serve_client.py`, a separate interpreter, so it does not share the server's GIL) keeps 1, 8 and 64
keep-alive connections busy with single quotes, then one connection with batches of 100 and 1,000 rows.
Every answer is checked (status 200, the body of a decision), and every `SAMPLE`-th one is compared with
the in-process quote of the same transaction.

The in-process rate is measured in this process on the same transactions: what the quote endpoint does for
one transaction without HTTP and without the log (parse the row as the endpoint does, `Quoter.quote` on a
quoter whose plans are made, the caller's view as `quote_json`, the answer's JSON text).
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.quotes import ROOT, compile_ruleset
from bench.timing import Measured, race
from runtime import io as rio
from runtime import ir_json
from runtime.decisions import Rejected
from runtime.decisions.quote import Quoter
from runtime.decisions.refunds import quote_problem
from runtime.explain import render_table
from runtime.loaded import Runtime
from runtime.service.auth import new_key, write_keys
from runtime.service.context import Caller
from runtime.service.routes.quotes import quote_view

PROGRAM_FILE = "ad_agency"  # programs/ad_agency.yaml, with examples/data/partners.csv and transactions.csv
SAMPLE = 50  # every 50th answer is compared with the in-process quote
TARGETS = (("serve_quotes_per_s_8", ">=", 5000.0), ("serve_p99_ms_8", "<", 20.0),
           ("batch_vs_in_process", ">=", 0.5))


@dataclass(frozen=True, slots=True)
class Config:
    """How long each phase runs."""

    clients: tuple[int, ...] = (1, 8, 64)
    batches: tuple[int, ...] = (100, 1000)
    warmup_s: float = 2.0
    seconds: float = 8.0
    repeats: int = 5  # in-process passes (best kept)


FULL = Config()
QUICK = Config(warmup_s=0.5, seconds=2.0, repeats=3)


@dataclass(frozen=True, slots=True)
class ServeResult:
    """What one run measured: the in-process rate and the client's figures per phase."""

    program: str
    transactions: int
    in_process: Measured
    phases: tuple[dict[str, Any], ...]
    loop: str
    log_bytes: int
    log_lines: int
    server: str
    sync_ms: float  # median fsync of one line in the log's directory, before and after the run (their mean)
    tmpfs: tuple[dict[str, Any], ...] = ()  # the single-quote phases with the log on tmpfs
    floor: tuple[dict[str, Any], ...] = ()  # the single-quote phases on the HTTP floor (bench/serve_floor.py)


def transactions() -> list[dict[str, Any]]:
    """The example transactions as a client sends them: numbers as JSON numbers, empty cells left out."""
    out = []
    with open(ROOT / "examples" / "data" / "transactions.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.append({k: int(v) if v.lstrip("-").isdigit() and k != "id" else v for k, v in row.items() if v})
    return out


def quotable(rt: Runtime, partners: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows the endpoint quotes (a rejected or refused row would answer 422: not what is measured)."""
    quoter = Quoter(rt, partners)
    kept = []
    for row in rows:
        parsed = rio.parse_transaction(row, rt.ruleset)
        if isinstance(parsed, Rejected) or quote_problem(rt.ruleset, parsed) is not None:
            continue
        try:
            quoter.quote(parsed)
        except Exception:  # noqa: BLE001, S112 - refused by the rules: the endpoint's 422, left out
            continue
        kept.append(row)
    return kept


def in_process(rt: Runtime, partners: dict[str, Any], rows: list[dict[str, Any]], program_hash: str,
               repeats: int) -> tuple[Measured, list[dict[str, Any]]]:
    """The endpoint's work without HTTP and log, timed; and each row's quote as the endpoint writes it."""
    who = Caller("vendor1", "vendor")
    quoter = Quoter(rt, partners)
    ruleset = rt.ruleset

    def answer(row: dict[str, Any]) -> str:
        parsed = rio.parse_transaction(row, ruleset)
        assert not isinstance(parsed, Rejected) and quote_problem(ruleset, parsed) is None
        q = quoter.quote(parsed)
        body = {"ruleset": {"program": ruleset.program_id, "hash": program_hash, "version": q.version},
                "quote": quote_view(rio.quote_json(q), q, who)}
        return json.dumps({"decision_id": "00000000-0000-0000-0000-000000000000", **body})

    expected = [{k: v for k, v in json.loads(answer(row)).items() if k != "decision_id"} for row in rows]

    def run() -> None:
        for row in rows:
            answer(row)

    return race({"in_process": run}, len(rows), repeats)["in_process"], expected


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ready(port: int, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"ppl serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("ppl serve did not become ready in time")


@contextmanager
def serving(command: list[str], port: int, stderr: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server on loopback until the block ends (then SIGINT, as a person stops it)."""
    with open(stderr, "wb") as err:
        server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        _ready(port, server, time.monotonic() + 60)
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _phases(config: Config, batches: bool = True) -> list[dict[str, Any]]:
    single = [{"name": f"quote x{c}", "clients": c, "warmup": config.warmup_s, "seconds": config.seconds}
              for c in config.clients]
    batch = [{"name": f"batch {r}", "clients": 1, "rows": r, "warmup": config.warmup_s, "seconds": config.seconds}
             for r in config.batches]
    return single + batch if batches else single


@dataclass(frozen=True, slots=True)
class Bench:
    """What a served run needs: the bundle, the keys file and the plan the client reads (without its phases)."""

    root: Path
    bundle: Path
    keys: Path
    plan: dict[str, Any]


def session(bench: Bench, log: Path | None, phases: list[dict[str, Any]],
            say: Callable[[str], None]) -> tuple[list[dict[str, Any]], str, int, int]:
    """Serve with the decision log at `log`, run the client's phases; (phases, client's loop, log bytes, and the
    decisions in the log less the priming pass's). Without a log, the HTTP floor (bench/serve_floor.py) serves
    the first transaction's answer to every request (no answer is compared with a quote)."""
    port = free_port()
    plan = dict(bench.plan, port=port, phases=phases)
    if log is None:
        answer = bench.root / "floor-answer.json"
        answer.write_text(json.dumps({"decision_id": "0", **plan["expected"][0]}), encoding="utf-8")
        command = [sys.executable, "-m", "bench.serve_floor", str(port), str(answer)]
        plan["sample"] = 1 << 62
    else:
        command = [sys.executable, "-m", "ppl", "serve", str(bench.bundle), "--keys", str(bench.keys), "--port",
                   str(port), "--decision-log", str(log)]
    say(f"  {'ppl serve' if log else 'HTTP floor'} on 127.0.0.1:{port}, decision log {log}; load client: "
        + ", ".join(p["name"] for p in phases))
    with serving(command, port, bench.root / "server.stderr") as server:
        plan["server_pid"] = server.pid
        (bench.root / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        client = subprocess.run([sys.executable, "-m", "bench.serve_client", str(bench.root / "plan.json")],
                                cwd=ROOT, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    if client.returncode != 0:
        raise RuntimeError(f"the load client failed: {client.stderr.decode(errors='replace')[-2000:]}")
    report = json.loads(client.stdout)
    if log is None:
        return report["phases"], report["loop"], 0, 0
    data = log.read_bytes()
    log.unlink()
    return report["phases"], report["loop"], len(data), data.count(b"\n") - report["primed"]


def sync_ms(directory: Path, line_bytes: int, count: int = 200) -> float:
    """The median milliseconds of `os.fsync` after appending a line of `line_bytes` to a file in `directory`."""
    path = directory / "sync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    times = []
    try:
        for _ in range(count):
            os.write(fd, b"x" * (line_bytes - 1) + b"\n")
            started = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(times) * 1e3


def prepare(root: Path) -> tuple[Bench, Runtime, dict[str, Any], list[dict[str, Any]], str]:
    """The bundle, keys file and plan in `root`; the runtime, partners, rows and hash for the in-process rate."""
    ruleset = compile_ruleset(PROGRAM_FILE)
    rt = Runtime(ruleset, "compiled")
    partners_csv = ROOT / "examples" / "data" / "partners.csv"
    partners = rio.read_partners(partners_csv, ruleset)
    rows = quotable(rt, partners, transactions())
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / f"{PROGRAM_FILE}.ruleset.json").write_text(ir_json.dumps(ruleset), encoding="utf-8")
    shutil.copy(partners_csv, bundle / f"{PROGRAM_FILE}.partners.csv")
    key, record = new_key("vendor", key_id_="bench")
    write_keys(root / "keys.json", [record])
    base = f"/v1/programs/{ruleset.program_id}"
    plan = {"key": key, "transactions": rows, "sample": SAMPLE, "quote_path": f"{base}/quote",
            "batch_path": f"{base}/quotes"}
    return Bench(root, bundle, root / "keys.json", plan), rt, partners, rows, "sha256:" + rio.ruleset_sha256(ruleset)


def measure(config: Config, progress: bool = True, memory_log: bool = False) -> ServeResult:
    """Prepare the bundle, measure the in-process rate and the sync, serve, and run the load client.

    With `memory_log`, the single-quote phases run a second time with the log on /dev/shm (tmpfs: a sync reaches
    no device) to show what the sync costs; that run is a reference, not a durable configuration. The
    single-quote phases always run once more on the HTTP floor (bench/serve_floor.py).
    """
    def say(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="ppl-bench-serve-") as tmp:
        bench, rt, partners, rows, program_hash = prepare(Path(tmp))
        say(f"  in-process quotes: {len(rows):,} transactions")
        measured, expected = in_process(rt, partners, rows, program_hash, config.repeats)
        bench.plan["expected"] = expected
        line = int(len(json.dumps(expected[0])) * 2.2)  # a logged quote: its input, output and envelope
        synced = sync_ms(bench.root, line)
        phases, loop, size, lines = session(bench, bench.root / "decisions.jsonl", _phases(config), say)
        sent = sum(p["sent"] for p in phases)
        if lines != sent:
            raise RuntimeError(f"the decision log holds {lines} decisions for {sent} answered requests")
        synced_after = sync_ms(bench.root, line)
        tmpfs: list[dict[str, Any]] = []
        shm = Path("/dev/shm")
        if memory_log and shm.is_dir():
            with tempfile.TemporaryDirectory(prefix="ppl-bench-serve-", dir=shm) as fast:
                tmpfs, _, _, _ = session(bench, Path(fast) / "decisions.jsonl", _phases(config, batches=False), say)
        floor, _, _, _ = session(bench, None, _phases(config, batches=False), say)
    return ServeResult(rt.ruleset.program_id, len(rows), measured, tuple(phases), loop, size, lines, server_stack(),
                       (synced + synced_after) / 2, tuple(tmpfs), tuple(floor))


def server_stack() -> str:
    """What uvicorn runs on here: its `auto` choices take uvloop and httptools when they are installed."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn {importlib.metadata.version('uvicorn')}, {loop}, {http}"


def _phase(result: ServeResult, name: str) -> dict[str, Any]:
    return next(p for p in result.phases if p["name"] == name)


def summary(result: ServeResult) -> dict[str, Any]:
    """The serve keys of the benchmark's JSON line."""
    rate = result.in_process.rate
    single = {p["clients"]: p for p in result.phases if not p["rows"]}
    batch = {p["rows"]: p for p in result.phases if p["rows"]}
    eight = single.get(8) or single[max(single)]
    best_batch = max(p["quotes_per_s"] for p in batch.values()) if batch else 0.0
    return {"serve_in_process_quotes_per_s": round(rate),
            "serve_in_process_median_quotes_per_s": round(result.in_process.median_rate),
            "serve_quotes_per_s_8": round(eight["quotes_per_s"]), "serve_p99_ms_8": round(eight["p99_ms"], 2),
            "serve_vs_in_process": round(eight["quotes_per_s"] / rate, 4),
            "batch_vs_in_process": round(best_batch / rate, 4),
            "serve_by_clients": {c: {"quotes_per_s": round(p["quotes_per_s"]), "p50_ms": round(p["p50_ms"], 2),
                                     "p99_ms": round(p["p99_ms"], 2), "errors": p["errors"]}
                                 for c, p in single.items()},
            "serve_batch_quotes_per_s": {r: round(p["quotes_per_s"]) for r, p in batch.items()},
            "serve_errors": sum(p["errors"] for p in result.phases), "serve_sync_ms": round(result.sync_ms, 3),
            "serve_tmpfs_log_quotes_per_s": {p["clients"]: round(p["quotes_per_s"]) for p in result.tmpfs},
            "serve_http_floor_per_s": {p["clients"]: round(p["quotes_per_s"]) for p in result.floor},
            "serve_stack": result.server}


def _cpu(p: dict[str, Any], key: str) -> str:
    return f"{p[key] / p['seconds']:.0%}"


def _server_cpu(p: dict[str, Any]) -> str:
    """The server's share of a core, and how much of it the kernel's (system time)."""
    return f"{p['server_cpu_s'] / p['seconds']:.0%} ({p.get('server_sys_s', 0.0) / p['seconds']:.0%})"


def table(result: ServeResult) -> list[str]:
    """The service's lines of the report."""
    rate = result.in_process.rate
    out = [f"Service: ppl serve ({result.server}), one worker, on loopback; {result.program}, {result.transactions:,} "
           f"example transactions; decision log a JSON Lines file (each decision synced before its answer; "
           f"fsync of one line here: {result.sync_ms:.2f} ms median); load client in another process ({result.loop})",
           f"  in-process (parse, Quoter.quote, the answer's JSON; best of {len(result.in_process.seconds)}): "
           f"{rate:,.0f} quotes/s ({result.in_process.per_item_us:.1f} µs per quote; median pass "
           f"{result.in_process.median_rate:,.0f} quotes/s)"]
    rows = [["phase", "answers", "quotes/s", "p50 ms", "p99 ms", "errors", "checked", "server CPU (sys)", "client CPU",
             "vs in-process"]]
    for p in result.phases:
        rows.append([p["name"], f"{p['answers']:,}", f"{p['quotes_per_s']:,.0f}", f"{p['p50_ms']:.2f}",
                     f"{p['p99_ms']:.2f}", str(p["errors"]), str(p["checked"]), _server_cpu(p),
                     _cpu(p, "client_cpu_s"), f"{p['quotes_per_s'] / rate:.3f}"])
    for label, phases in ((", log on tmpfs", result.tmpfs), (", HTTP floor", result.floor)):
        for p in phases:
            rows.append([f"{p['name']}{label}", f"{p['answers']:,}", f"{p['quotes_per_s']:,.0f}",
                         f"{p['p50_ms']:.2f}", f"{p['p99_ms']:.2f}", str(p["errors"]), str(p["checked"]),
                         _server_cpu(p), _cpu(p, "client_cpu_s"), f"{p['quotes_per_s'] / rate:.3f}"])
    out += render_table(rows, right=range(1, 10))
    out += [f"  every answer checked (200, a decision's body); every {SAMPLE}th compared with the in-process quote "
            f"('checked'); CPU is the share of one core over the measured window, (sys) the kernel's part; the log "
            f"held {result.log_lines:,} decisions ({result.log_bytes / 1e6:.1f} MB), one per answered request, "
            "warm-up included"]
    if result.tmpfs:
        out += ["  'log on tmpfs': the same service with its log on /dev/shm, where a sync reaches no device: not "
                "durable, shown only to tell the sync's share"]
    if result.floor:
        out += ["  'HTTP floor': FastAPI on the same uvicorn with one endpoint that reads the same body into the same "
                "request model in a worker thread and answers a fixed quote (bench/serve_floor.py): no key, quote, "
                "log or middleware"]
    return out


def targets(data: dict[str, Any]) -> list[list[str]]:
    """Rows of the targets table for the service keys."""
    rows = []
    for key, op, goal in TARGETS:
        value = data[key]
        met = value >= goal if op == ">=" else value < goal
        shown = f"{value:,.3f}" if value < 10 else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
        rows.append([f"{key} {op} {goal:g}", shown,
                     "met" if met else "missed"])
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the service benchmark alone: `python -m bench.serve_load [--quick]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.serve_load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter phases")
    parser.add_argument("--tmpfs", action="store_true", help="also serve with the log on /dev/shm (a reference)")
    args = parser.parse_args(argv)
    result = measure(QUICK if args.quick else FULL, memory_log=args.tmpfs)
    data = summary(result)
    print("\n".join([*table(result), "", "Targets", *render_table([["target", "measured", ""], *targets(data)])]))
    print(json.dumps(data, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
