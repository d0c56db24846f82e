"""The service benchmark's load client against a small stand-in server: it counts, times and checks answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bench import serve_client
from bench.serve_load import Config, ServeResult, summary, table, targets
from bench.timing import Measured

RULESET = {"program": "p", "hash": "sha256:00", "version": "2026.04"}
QUOTE = {"transaction": "T1", "partner_gross": 120}


def _answer(body: dict[str, Any], status: int = 200) -> bytes:
    data = json.dumps(body).encode()
    return (f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
            .encode() + data)


async def _serve(answer: Callable[[int], bytes], run: Callable[[int], Awaitable[Any]]) -> Any:
    """Serve `answer(n)` to the n-th request on a free port while `run(port)` runs."""
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                count += 1
                writer.write(answer(count))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        return await run(port)


def _plan(port: int) -> dict[str, Any]:
    return {"port": port, "key": "ppl_k_s", "sample": 2, "transactions": [{"id": "T1"}, {"id": "T2"}],
            "expected": [{"ruleset": RULESET, "quote": QUOTE}] * 2, "quote_path": "/q", "batch_path": "/b"}


def _phase(clients: int, rows: int = 0) -> dict[str, Any]:
    return {"name": "x", "clients": clients, "rows": rows, "warmup": 0.05, "seconds": 0.3}


def test_the_client_counts_times_and_checks_every_answer_of_a_phase() -> None:
    good = _answer({"decision_id": "d", "ruleset": RULESET, "quote": QUOTE})

    async def run(port: int) -> dict[str, Any]:
        plan = _plan(port)
        return await serve_client.run_phase(plan, _phase(3), serve_client.build_requests(plan, _phase(3)))

    result = asyncio.run(_serve(lambda n: good, run))
    assert result["errors"] == 0 and result["answers"] > 10
    assert result["sent"] >= result["answers"]
    assert result["checked"] >= result["answers"] // 2 - 3
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    assert result["quotes_per_s"] > 0 and result["client_cpu_s"] > 0


def test_a_wrong_status_or_a_quote_unlike_the_in_process_one_is_an_error() -> None:
    wrong = _answer({"decision_id": "d", "ruleset": RULESET, "quote": dict(QUOTE, partner_gross=121)})
    refused = _answer({"title": "no"}, 503)

    async def run(port: int) -> dict[str, Any]:
        plan = _plan(port)
        return await serve_client.run_phase(plan, _phase(1), serve_client.build_requests(plan, _phase(1)))

    result = asyncio.run(_serve(lambda n: wrong if n % 2 else refused, run))
    assert result["errors"] == result["sent"] > 0
    assert any("503" in e for e in result["error_examples"])
    assert any("differs" in e for e in result["error_examples"])


def test_a_batch_request_holds_rows_transactions_and_counts_each_as_a_quote() -> None:
    plan = _plan(8080)
    plan["transactions"] = [{"id": f"T{i}"} for i in range(5)]
    plan["expected"] = [{"ruleset": RULESET, "quote": QUOTE}] * 5
    [(data, expected)] = serve_client.build_requests(plan, _phase(1, rows=4))
    assert json.loads(data.split(b"\r\n\r\n", 1)[1]) == {"transactions": plan["transactions"][:4]}
    assert expected == {"ruleset": RULESET, "quotes": [QUOTE] * 4}
    body = json.dumps({"decision_id": "d", "ruleset": RULESET, "quotes": [{"index": i, "quote": QUOTE}
                                                                         for i in range(4)],
                       "counts": {"quoted": 4}}).encode()
    assert serve_client.check_sample(body, expected, 4) is None


def test_the_report_judges_the_targets_from_the_phases() -> None:
    phase = {"name": "quote x8", "clients": 8, "rows": 0, "answers": 100, "sent": 100, "seconds": 1.0,
             "quotes_per_s": 6000.0, "p50_ms": 1.0, "p99_ms": 25.0, "errors": 0, "checked": 2,
             "client_cpu_s": 0.1, "server_cpu_s": 0.9}
    batch = dict(phase, name="batch 100", clients=1, rows=100, quotes_per_s=4000.0)
    result = ServeResult("p", 10, Measured(10, (0.001,)), (phase, batch), "asyncio", 10, 1, "uvicorn", 2.0)
    data = summary(result)
    assert data["serve_quotes_per_s_8"] == 6000 and data["batch_vs_in_process"] == 0.4
    assert [row[2] for row in targets(data)] == ["met", "missed", "missed"]
    assert any("quote x8" in line for line in table(result))
    assert Config().clients == (1, 8, 64)
