"""The service benchmark's load client, a process of its own: `python -m bench.serve_client PLAN.json`.

It shares no interpreter (and no GIL) with the server. Each simulated client is one keep-alive HTTP/1.1
connection on asyncio streams that sends pre-built request bytes and reads the answer by its
`Content-Length`, so a request costs the client a few tens of microseconds. Every transaction is first
quoted once (the service makes its plans, as the in-process quoter has made its own). Every answer's status
is checked (200) and its body must start as a decision does; every `sample`-th answer is parsed and its
`quote` (and `ruleset`) compared with what the in-process quote gave for the same transaction.

The plan (JSON) names the port, the server's pid (its CPU time is read from /proc), the requests and the
phases; the client prints one JSON object: per phase the answers counted, errors, latencies and the CPU
seconds of both processes over the measured window.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DECISION_START = b'{"decision_id":'


@dataclass(slots=True)
class Worker:
    """What one connection measured: (start, seconds) of each answer and its errors."""

    started: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: int = 0


def request_bytes(path: str, body: bytes, key: str, port: int) -> bytes:
    """One HTTP/1.1 POST, keep-alive, ready to write."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The status and body of one answer (by its Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        raise ValueError("an answer without Content-Length")
    end = head.find(b"\r\n", at + 2)
    body = await reader.readexactly(int(head[at + 17:end]))
    return status, body


def check_sample(body: bytes, expected: dict[str, Any], rows: int) -> str | None:
    """Why a sampled answer differs from the in-process quotes (None: it is equal)."""
    data = json.loads(body)
    if data.get("ruleset") != expected["ruleset"]:
        return f"ruleset {data.get('ruleset')} != {expected['ruleset']}"
    if rows == 0:
        return None if data.get("quote") == expected["quotes"][0] else "the quote differs from the in-process quote"
    found = [q["quote"] for q in data.get("quotes", [])]
    if data.get("counts", {}).get("quoted") != rows or found != expected["quotes"][:rows]:
        return "the batch's quotes differ from the in-process quotes"
    return None


async def run_connection(port: int, requests: list[tuple[bytes, dict[str, Any]]], first: int, rows: int,
                         sample: int, stop: float, out: Worker) -> None:
    """Send requests round-robin from `first` until `stop` (perf_counter), one at a time, and check them."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    clock = time.perf_counter
    i = first
    try:
        while (started := clock()) < stop:
            data, expected = requests[i % len(requests)]
            writer.write(data)
            status, body = await read_answer(reader)
            took = clock() - started
            if status != 200 or not body.startswith(DECISION_START):
                out.errors.append(f"{status}: {body[:200]!r}")
            elif i % sample == 0:
                out.checked += 1
                if (why := check_sample(body, expected, rows)) is not None:
                    out.errors.append(why)
            out.started.append(started)
            out.seconds.append(took)
            i += 1
    finally:
        writer.close()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (this one when pid is None)."""
    if pid is None:
        return time.process_time()
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _system(pid: int | None) -> float:
    return cpu_split(pid)[1] if pid else 0.0


def percentile(ordered: list[float], share: float) -> float:
    """The `share` percentile (nearest rank) of sorted values."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def run_phase(plan: dict[str, Any], phase: dict[str, Any],
                    requests: list[tuple[bytes, dict[str, Any]]]) -> dict[str, Any]:
    """Warm up, then measure `phase["seconds"]` with `phase["clients"]` connections; the phase's figures."""
    clients, rows = phase["clients"], phase.get("rows", 0)
    now = time.perf_counter()
    begin = now + phase["warmup"]
    stop = begin + phase["seconds"]
    workers = [Worker() for _ in range(clients)]
    step = max(1, len(requests) // clients)
    server_pid = plan.get("server_pid")

    async def marks() -> tuple[float, float, float]:
        await asyncio.sleep(max(0.0, begin - time.perf_counter()))
        return cpu_seconds(None), cpu_seconds(server_pid) if server_pid else 0.0, _system(server_pid)

    mark = asyncio.ensure_future(marks())
    await asyncio.gather(*(run_connection(plan["port"], requests, c * step, rows, plan["sample"], stop, w)
                           for c, w in enumerate(workers)))
    ended = time.perf_counter()
    client_cpu, server_cpu = cpu_seconds(None), cpu_seconds(server_pid) if server_pid else 0.0
    server_sys = _system(server_pid)
    client0, server0, sys0 = await mark
    counted = sorted(s for w in workers for s, t in zip(w.started, w.seconds, strict=True) if s >= begin)
    latencies = sorted(t for w in workers for s, t in zip(w.started, w.seconds, strict=True) if s >= begin)
    wall = ended - begin
    return {"name": phase["name"], "clients": clients, "rows": rows, "answers": len(counted),
            "sent": sum(len(w.started) for w in workers),
            "seconds": round(wall, 4), "answers_per_s": len(counted) / wall,
            "quotes_per_s": len(counted) * max(rows, 1) / wall,
            "p50_ms": percentile(latencies, 0.50) * 1e3, "p99_ms": percentile(latencies, 0.99) * 1e3,
            "mean_ms": (statistics.fmean(latencies) * 1e3) if latencies else float("nan"),
            "errors": sum(len(w.errors) for w in workers), "error_examples": [e for w in workers for e in w.errors][:3],
            "checked": sum(w.checked for w in workers),
            "client_cpu_s": round(client_cpu - client0, 4), "server_cpu_s": round(server_cpu - server0, 4),
            "server_sys_s": round(server_sys - sys0, 4)}


def build_requests(plan: dict[str, Any], phase: dict[str, Any]) -> list[tuple[bytes, dict[str, Any]]]:
    """The phase's requests, each with what a sampled answer must equal (`plan["expected"]`: the in-process
    answer of each transaction, `ruleset` and `quote`)."""
    port, key, expected = plan["port"], plan["key"], plan["expected"]
    rows = phase.get("rows", 0)
    txns = plan["transactions"]
    if rows == 0:
        return [(request_bytes(plan["quote_path"], json.dumps({"transaction": t}).encode(), key, port),
                 {"ruleset": expected[i]["ruleset"], "quotes": [expected[i]["quote"]]}) for i, t in enumerate(txns)]
    out = []
    for first in range(0, len(txns) - rows + 1, rows):
        body = json.dumps({"transactions": txns[first:first + rows]}).encode()
        answers = expected[first:first + rows]
        versions = {e["ruleset"]["version"] for e in answers}
        ruleset = dict(answers[0]["ruleset"], version=versions.pop() if len(versions) == 1 else None)
        out.append((request_bytes(plan["batch_path"], body, key, port),
                    {"ruleset": ruleset, "quotes": [e["quote"] for e in answers]}))
    return out


async def prime(plan: dict[str, Any], requests: list[tuple[bytes, dict[str, Any]]], clients: int = 8) -> int:
    """Quote every transaction once, over `clients` connections, so that the service has made its plans (as the
    in-process quoter has); the number of errors."""
    async def send(part: list[tuple[bytes, dict[str, Any]]]) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", plan["port"])
        errors = 0
        try:
            for data, _expected in part:
                writer.write(data)
                status, body = await read_answer(reader)
                errors += status != 200 or not body.startswith(DECISION_START)
        finally:
            writer.close()
        return errors

    return sum(await asyncio.gather(*(send(requests[c::clients]) for c in range(clients))))


async def run_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every transaction once, then every phase of the plan in turn."""
    single = build_requests(plan, {"rows": 0})
    if errors := await prime(plan, single):
        raise RuntimeError(f"{errors} errors while quoting every transaction once")
    results = []
    for phase in plan["phases"]:
        results.append(await run_phase(plan, phase, build_requests(plan, phase)))
    return results


def main(argv: list[str]) -> int:
    """Run the plan in `argv[0]`; print the results as one JSON line."""
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        import uvloop  # type: ignore[import-not-found,unused-ignore]  # a faster event loop keeps the client's share of a core small

        runner: Any = uvloop.run
    except ModuleNotFoundError:
        runner = asyncio.run
    results = runner(run_plan(plan))
    print(json.dumps({"phases": results, "loop": "uvloop" if runner is not asyncio.run else "asyncio",
                      "primed": len(plan["transactions"])}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
