"""Every limit of `policy_lang.limits` and `runtime.limits`: going over it is a diagnostic, a rejected row or a
clear error, in bounded memory and without a traceback; input just under it is accepted.

The hostile inputs are generated here (a file of megabytes on one line, an expression of a million terms),
never committed. Memory is measured with `tracemalloc` around the reading alone, after the input is written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check, check_program
from policy_lang import diagnostics as dg
from policy_lang import limits as program_limits
from policy_lang.expr_parser import MAX_DEPTH, parse_expression
from policy_lang.loader import load_program, load_program_text
from policy_lang.source import plain_locator
from policy_lang.yaml_loader import load_text
from ppl.cli import main
from runtime import ir_json
from runtime import limits as runtime_limits
from runtime.decisions import Rejected
from runtime.io import read_transactions
from runtime.loaded import Runtime
from runtime.model import Transaction

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "programs" / "ad_agency.yaml"
MEMORY = 128 << 20
"""The most a run over a limit may allocate (the issue's bound)."""
HEADER = "id,date,partner,contract,product,list_price,sell_price,quantity,placement,ad_spend\n"
ROW = "t{n},2026-05-01,ag1,,,100,100,1,video,0\n"


@dataclass(frozen=True)
class Outcome:
    """What a run over a limit gave: the codes (or messages) it reported and everything it printed."""

    found: tuple[str, ...]
    printed: str = ""


Prepare = Callable[[Path], Callable[[], Outcome]]
"""Writes the hostile input under a folder, and returns the run that reads it."""


# --- helpers -------------------------------------------------------------------------------------


def _codes(diagnostics: tuple[dg.Diagnostic, ...] | list[dg.Diagnostic]) -> tuple[str, ...]:
    return tuple(d.code for d in diagnostics)


def _expression(text: str) -> Outcome:
    try:
        parse_expression(text, plain_locator())
    except dg.CompileError as exc:
        return Outcome(_codes(exc.diagnostics), exc.diagnostics[0].message)
    return Outcome(())


def _write_chunks(path: Path, head: str, filler: bytes, size: int, tail: str = "") -> None:
    """A file of `head`, `size` bytes of `filler` (written a piece at a time) and `tail`."""
    with open(path, "wb") as fh:
        fh.write(head.encode())
        piece = filler * (1 << 20)
        left = size
        while left > 0:
            fh.write(piece[:left])
            left -= len(piece)
        fh.write(tail.encode())


def _cli(argv: list[str], stdin: bytes | None = None) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    finally:
        sys.stdin = saved
    return Outcome((f"exit {status}",), out.getvalue() + err.getvalue())


def _rows(path: Path) -> tuple[str, ...]:
    """What became of each row: `E527@row` for a rejected one, `ok@row` for an accepted one."""
    from tests.unit.runtime.io.test_readers import ad_agency

    with read_transactions(path, ad_agency()) as reader:
        return tuple(f"{item.code}@{row}" if isinstance(item, Rejected) else f"ok@{row}" for row, item in reader)


def _program_text() -> str:
    return PROGRAM.read_text(encoding="utf-8")


# --- programs ------------------------------------------------------------------------------------


def _program_file_too_large(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "big.yaml"
    _write_chunks(path, _program_text(), b"# padding\n", 64 << 20)
    return lambda: Outcome(_codes(load_program(str(path)).diagnostics))


def _program_stream_over_its_stated_size(tmp: Path) -> Callable[[], Outcome]:
    """A pipe states no size: the limit holds while reading."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX")
    path = tmp / "pipe.yaml"
    os.mkfifo(path)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(path, "wb") as fh:
            for _ in range(64):
                fh.write(b"# padding\n" * (1 << 16))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()

    def run() -> Outcome:
        found = _codes(load_program(str(path)).diagnostics)
        writer.join(timeout=30)
        return Outcome(found)

    return run


def _line_too_long(tmp: Path) -> Callable[[], Outcome]:
    text = _program_text() + "# " + "x" * 1_000_000 + "\n"
    return lambda: Outcome(_codes(load_program_text("long.yaml", text).diagnostics))


def _too_many_yaml_nodes(tmp: Path) -> Callable[[], Outcome]:
    text = "ppl: 1\nitems:\n" + "  - a\n" * 30_000
    return lambda: Outcome(_codes(load_text("nodes.yaml", text).diagnostics))


def _yaml_value_too_long(tmp: Path) -> Callable[[], Outcome]:
    text = "ppl: 1\ndescription: |\n" + ("  " + "x" * 9_000 + "\n") * 12
    return lambda: Outcome(_codes(load_text("value.yaml", text).diagnostics))


def _yaml_nested_too_deep(tmp: Path) -> Callable[[], Outcome]:
    text = "ppl: 1\nx: " + "[\n" * 100_000
    return lambda: Outcome(_codes(load_text("deep.yaml", text).diagnostics))


def _yaml_alias_bomb(tmp: Path) -> Callable[[], Outcome]:
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(20))
    return lambda: Outcome(_codes(load_text("bomb.yaml", text).diagnostics))


def _expression_in_program_too_long(tmp: Path) -> Callable[[], Outcome]:
    """A sum of fifteen thousand terms in a block scalar, each line within the line limit."""
    terms = "\n".join("        " + " + ".join(["1%"] * 1_000) for _ in range(15))
    text = _program_text().replace("margin: 15%", f"margin: |\n{terms}", 1)
    assert text != _program_text()
    return lambda: Outcome(_codes(load_program_text("sum.yaml", text).diagnostics))


def _many_expressions(count: int) -> str:
    """The example program with `count` more contracts, each with a margin of 2,802 tokens."""
    margin = "min(" + ", ".join(["15%"] * 1_400) + ")"
    contracts = "".join(f"  - id: c{n}\n    kind: distributor\n    margin: {margin}\n" for n in range(count))
    return _program_text().replace("contracts:\n", "contracts:\n" + contracts, 1)


def _expressions_of_a_file(tmp: Path) -> Callable[[], Outcome]:
    text = _many_expressions(8)
    return lambda: Outcome(_codes(load_program_text("many.yaml", text).diagnostics))


def _parse(text: str) -> Callable[[Path], Callable[[], Outcome]]:
    return lambda tmp: lambda: _expression(text)


def _program_on_stdin(tmp: Path) -> Callable[[], Outcome]:
    data = _program_text().encode() + b"# padding\n" * 200_000
    return lambda: _cli(["check", "-"], stdin=data)


# --- rule set artifacts --------------------------------------------------------------------------


def _artifact(run: Callable[[], object]) -> Outcome:
    try:
        run()
    except ir_json.ArtifactError as exc:
        return Outcome(("ArtifactError",), str(exc))
    return Outcome(())


def _artifact_too_large(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "big.json"
    _write_chunks(path, '{"format": 1, "ruleset": {"x": "', b"x", 64 << 20, '"}}')
    return lambda: _artifact(lambda: ir_json.load_file(path))


def _artifact_nested_too_deep(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "deep.json"
    path.write_text('{"format": 1, "ruleset": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}", encoding="utf-8")
    return lambda: _artifact(lambda: ir_json.load_file(path))


def _artifact_through_the_cli(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "deep.json"
    path.write_text("[" * 1_000_000, encoding="utf-8")
    return lambda: _cli(["quote", str(path), "--partners", str(ROOT / "examples/data/partners.csv"),
                         "--transaction", "{}"])


# --- input rows ----------------------------------------------------------------------------------


def _csv_row_without_end(tmp: Path) -> Callable[[], Outcome]:
    """A row of 64 MiB without a line break, then a good row: the rest goes on."""
    path = tmp / "t.csv"
    _write_chunks(path, HEADER + "t1,2026-05-01,ag1,,,100,100,1,video,", b"0", 64 << 20, "\n" + ROW.format(n=2))
    return lambda: Outcome(_rows(path))


def _csv_quoted_row_over_many_lines(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "t.csv"
    _write_chunks(path, HEADER + 't1,2026-05-01,ag1,,"', b"x\n", 3 << 20, '",100,100,1,video,0\n' + ROW.format(n=2))
    return lambda: Outcome(_rows(path))


def _csv_field_too_large(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "t.csv"
    path.write_text(HEADER + f"t1,2026-05-01,ag1,,{'p' * 200_000},100,100,1,video,0\n" + ROW.format(n=2),
                    encoding="utf-8")
    return lambda: Outcome(_rows(path))


def _jsonl_line_without_end(tmp: Path) -> Callable[[], Outcome]:
    """The 'gigabyte line', smaller: 64 MiB and no line break at all."""
    path = tmp / "t.jsonl"
    _write_chunks(path, '{"id": "t1", "note": "', b"x", 64 << 20)
    return lambda: Outcome(_rows(path))


def _jsonl_field_too_large(tmp: Path) -> Callable[[], Outcome]:
    path = tmp / "t.jsonl"
    good = {"id": "t2", "date": "2026-05-01", "partner": "ag1", "list_price": 100, "sell_price": 100,
            "quantity": 1, "placement": "video", "ad_spend": 0}
    path.write_text(json.dumps({**good, "id": "t1", "product": "p" * 200_000}) + "\n" + json.dumps(good) + "\n",
                    encoding="utf-8")
    return lambda: Outcome(_rows(path))


def _parquet_cell_too_large(tmp: Path) -> Callable[[], Outcome]:
    duckdb = pytest.importorskip("duckdb")
    path = tmp / "t.parquet"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('t1', DATE '2026-05-01', 'ag1', repeat('p', 200000), 100, 100, 1, 'video', 0),
        ('t2', DATE '2026-05-01', 'ag1', '', 100, 100, 1, 'video', 0))
        AS t(id, date, partner, product, list_price, sell_price, quantity, placement, ad_spend))
        TO '{path}' (FORMAT PARQUET)""")
    con.close()
    return lambda: Outcome(_rows(path))


def _transaction_on_stdin(tmp: Path) -> Callable[[], Outcome]:
    data = b'{"id": "' + b"x" * (4 << 20) + b'"}'
    return lambda: _cli(["quote", str(PROGRAM), "--partners", str(ROOT / "examples/data/partners.csv"),
                         "--transaction", "-"], stdin=data)


CASES: dict[str, tuple[Prepare, str]] = {
    "program file size": (_program_file_too_large, "E108"),
    "program read from a pipe": (_program_stream_over_its_stated_size, "E108"),
    "line length": (_line_too_long, "E108"),
    "YAML keys and items": (_too_many_yaml_nodes, "E108"),
    "YAML value length": (_yaml_value_too_long, "E108"),
    "YAML nesting": (_yaml_nested_too_deep, "E101"),
    "YAML aliases": (_yaml_alias_bomb, "E105"),
    "program on standard input": (_program_on_stdin, "exit 1"),
    "expression in a program": (_expression_in_program_too_long, "E124"),
    "expressions of a file in all": (_expressions_of_a_file, "E124"),
    "expression of a million terms": (_parse("+".join(["1"] * 1_000_000)), "E124"),
    "expression 100k brackets deep": (_parse("(" * 100_000 + "1" + ")" * 100_000), "E124"),
    "expression tokens": (_parse("+".join(["1"] * 1_600)), "E124"),
    "expression depth": (_parse("-" * MAX_DEPTH + "a"), "E124"),
    "expression bracket depth": (_parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)), "E124"),
    "list of 100k members": (_parse("product in [" + ", ".join(['"p"'] * 100_000) + "]"), "E124"),
    "list members": (_parse("product in [" + ",".join(["a"] * 1_001) + "]"), "E124"),
    "text of 1 MB": (_parse('product == "' + "x" * 1_000_000 + '"'), "E124"),
    "text length": (_parse('product == "' + "x" * 1_001 + '"'), "E124"),
    "artifact size": (_artifact_too_large, "ArtifactError"),
    "artifact nesting": (_artifact_nested_too_deep, "ArtifactError"),
    "artifact through the command line": (_artifact_through_the_cli, "exit 2"),
    "CSV row without a line break": (_csv_row_without_end, "E527@1"),
    "CSV quoted value over many lines": (_csv_quoted_row_over_many_lines, "E527@1"),
    "CSV field": (_csv_field_too_large, "E527@1"),
    "JSON Lines line without a line break": (_jsonl_line_without_end, "E527@1"),
    "JSON Lines value": (_jsonl_field_too_large, "E527@1"),
    "Parquet cell": (_parquet_cell_too_large, "E527@1"),
    "transaction on standard input": (_transaction_on_stdin, "exit 2"),
}


@contextlib.contextmanager
def _peak() -> Iterator[list[int]]:
    found: list[int] = []
    tracemalloc.start()
    try:
        yield found
    finally:
        found.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


@pytest.mark.parametrize("case", list(CASES))
def test_going_over_a_limit_is_reported_in_bounded_memory(case: str, tmp_path: Path) -> None:
    prepare, expected = CASES[case]
    run = prepare(tmp_path)
    with _peak() as peak:
        outcome = run()
    assert expected in outcome.found, outcome
    assert "Traceback" not in outcome.printed
    assert peak[0] < MEMORY, f"{peak[0]:,} bytes"


def test_the_rest_of_a_file_goes_on_after_a_row_too_large(tmp_path: Path) -> None:
    assert _csv_row_without_end(tmp_path)().found == ("E527@1", "ok@2")
    # A quoted value over a million lines is one rejected row; reading resumes after its closing quote.
    assert _csv_quoted_row_over_many_lines(tmp_path)().found == ("E527@1", f"ok@{(3 << 19) + 2}")
    assert _jsonl_field_too_large(tmp_path)().found == ("E527@1", "ok@2")


def test_the_cli_names_the_limit_it_went_over(tmp_path: Path) -> None:
    printed = _transaction_on_stdin(tmp_path)().printed
    assert "standard input has more than 1,048,576 bytes" in printed and "PPL_MAX_STDIN_BYTES" in printed
    printed = _program_on_stdin(tmp_path)().printed
    assert "<stdin>:1:1: error[E108]: file too large: more than 1,048,576 bytes" in printed
    assert "\n1 | " not in printed  # no empty source line under it: the program was not read


# --- just under each limit -----------------------------------------------------------------------


def _padded_program(size: int) -> str:
    """The example program, padded with comment lines to exactly `size` bytes."""
    text = _program_text()
    left = size - len(text.encode())
    lines, rest = divmod(left, 1_000)
    return text + ("#" + "x" * 998 + "\n") * lines + ("#" + "x" * (rest - 2) + "\n" if rest >= 2 else "\n" * rest)


def test_a_program_just_under_the_size_and_line_limits_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    path.write_text(_padded_program(program_limits.MAX_PROGRAM_BYTES.default), encoding="utf-8")
    assert path.stat().st_size == program_limits.MAX_PROGRAM_BYTES.default
    loaded = load_program(str(path))
    assert loaded.program is not None and not loaded.diagnostics
    longest = _program_text() + "#" + "x" * (program_limits.MAX_LINE_CHARS.default - 1) + "\n"
    assert not load_program_text("long.yaml", longest).diagnostics


def test_yaml_just_under_its_limits_is_accepted() -> None:
    nodes = program_limits.MAX_YAML_NODES.default
    # The root, the key, the list and its items are nodes.
    assert not load_text("n.yaml", "items:\n" + "- a\n" * (nodes - 3)).diagnostics
    assert _codes(load_text("n.yaml", "items:\n" + "- a\n" * (nodes - 2)).diagnostics) == ("E108",)
    value = program_limits.MAX_SCALAR_CHARS.default
    block = ("  " + "x" * 999 + "\n") * (value // 1_000)  # each line is 999 characters and its line break
    assert not load_text("v.yaml", "v: |-\n" + block).diagnostics
    assert _codes(load_text("v.yaml", "v: |-\n" + block + "  x\n").diagnostics) == ("E108",)


@pytest.mark.parametrize("text", [
    "partner." + "a" * (program_limits.MAX_EXPRESSION_CHARS.default - len("partner.")),
    "f(" + ",".join(["1"] * 1_499) + ")",  # 3,000 tokens
    "-" * (MAX_DEPTH - 1) + "a",
    "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH,
    "product in [" + ",".join(["a"] * program_limits.MAX_LIST_MEMBERS.default) + "]",
    'product == "' + "x" * program_limits.MAX_TEXT_CHARS.default + '"',
], ids=["characters", "tokens", "depth", "brackets", "list members", "text"])
def test_an_expression_just_under_each_limit_is_accepted(text: str) -> None:
    assert _expression(text) == Outcome(())


def test_a_file_just_under_its_token_budget_is_accepted() -> None:
    loaded = load_program_text("many.yaml", _many_expressions(3))  # 8,406 tokens and the program's own
    assert loaded.program is not None and not loaded.diagnostics
    over = _codes(load_program_text("many.yaml", _many_expressions(8)).diagnostics)
    assert over == ("E124",)  # once, however many expressions follow


def test_the_deepest_expression_runs_on_every_stage(tmp_path: Path) -> None:
    base = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    written = "qualify: partner.trailing_sales >= 3億 and partner.certified_engineers >= 5 and period.sales >= 7500万"
    chain = "\n        and ".join(["partner.certified_engineers >= 5"] * (MAX_DEPTH - 1))
    deep = base.replace(written, "qualify: |\n        " + chain)
    assert deep != base
    loaded = load_program_text("programs/deep.yaml", deep)
    assert loaded.program is not None and not loaded.diagnostics
    assert not dg.has_errors(check_program(loaded.program))
    artifact = ir_json.dumps(compile_program(loaded.program))
    (tmp_path / "deep.json").write_text(artifact, encoding="utf-8")
    ruleset = ir_json.load_file(tmp_path / "deep.json")
    for engine in ("compiled", "interpreted"):
        Runtime(ruleset, engine)
    chain = "\n        and ".join(["partner.certified_engineers >= 5"] * MAX_DEPTH)
    assert "E124" in _codes(load_program_text("x.yaml", base.replace(written, "qualify: |\n        " + chain))
                            .diagnostics)


def test_an_artifact_just_under_its_limits_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rules.json"
    path.write_text(ir_json.dumps(compile_program(check([str(PROGRAM)]).programs[0])), encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setenv("PPL_MAX_ARTIFACT_BYTES", str(size))
    assert ir_json.load_file(path).program_id
    monkeypatch.setenv("PPL_MAX_ARTIFACT_BYTES", str(size - 1))
    with pytest.raises(ir_json.ArtifactError, match=f"{size:,} bytes"):
        ir_json.load_file(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_row_just_under_the_row_limit_is_accepted(suffix: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def row(n: int, size: int) -> str:
        """A good row of exactly `size` characters, padded with an ignored column or with spaces."""
        if suffix == ".csv":
            start = ROW.format(n=n)[:-1] + ","
            return start + "x" * (size - len(start)) + "\n"
        start = f'{{"id": "t{n}", "date": "2026-05-01", "partner": "ag1", "list_price": 100, "sell_price": 100, ' \
                '"quantity": 1, "placement": "video", "ad_spend":'
        return start + " " * (size - len(start) - 2) + "0}\n"

    monkeypatch.setenv("PPL_MAX_ROW_BYTES", "400")
    path = tmp_path / f"t{suffix}"
    header = HEADER[:-1] + ",note\n" if suffix == ".csv" else ""
    path.write_text(header + row(1, 400) + row(2, 401) + row(3, 200), encoding="utf-8")
    assert _rows(path) == ("ok@1", "E527@2", "ok@3")


def test_a_field_just_under_the_field_limit_is_accepted(tmp_path: Path) -> None:
    # A free-text column (ids have their own, shorter limit: E528).
    most = runtime_limits.MAX_FIELD_CHARS.default
    path = tmp_path / "t.csv"
    path.write_text(HEADER[:-1] + ",note\n" + f"t1,2026-05-01,ag1,,p1,100,100,1,video,0,{'n' * most}\n"
                    f"t2,2026-05-01,ag1,,p1,100,100,1,video,0,{'n' * (most + 1)}\n", encoding="utf-8")
    from tests.unit.runtime.io.test_readers import ad_agency

    with read_transactions(path, ad_agency()) as reader:
        found = [item for _, item in reader]
    assert isinstance(found[0], Transaction) and found[0].id == "t1"
    assert isinstance(found[1], Rejected) and found[1].code == "E527" and found[1].transaction == "t2"
    assert "`note` has 131,073 characters (more than 131,072)" in found[1].reason


def test_standard_input_just_under_its_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    txn = json.dumps({"id": "x1", "date": "2026-06-01", "partner": "intro-01", "list_price": 3000000,
                      "sell_price": 2800000, "quantity": 1, "placement": "video", "ad_spend": 0}).encode()
    argv = ["quote", str(PROGRAM), "--partners", str(ROOT / "examples/data/partners.csv"), "--transaction", "-"]
    monkeypatch.setenv("PPL_MAX_STDIN_BYTES", str(len(txn)))
    assert _cli(argv, stdin=txn).found == ("exit 0",)
    monkeypatch.setenv("PPL_MAX_STDIN_BYTES", str(len(txn) - 1))
    assert _cli(argv, stdin=txn).found == ("exit 2",)


def test_an_override_raises_or_lowers_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _program_text()
    monkeypatch.setenv("PPL_MAX_PROGRAM_BYTES", str(len(text.encode())))
    assert not load_program_text("p.yaml", text).diagnostics
    monkeypatch.setenv("PPL_MAX_PROGRAM_BYTES", str(len(text.encode()) - 1))
    assert _codes(load_program_text("p.yaml", text).diagnostics) == ("E108",)
    monkeypatch.setenv("PPL_MAX_TEXT_CHARS", "2_000")
    assert _expression('product == "' + "x" * 2_000 + '"') == Outcome(())


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "１０"])
def test_an_override_that_is_not_a_positive_whole_number_is_a_usage_error(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPL_MAX_ROW_BYTES", value)
    outcome = _cli(["check", str(PROGRAM)])
    assert outcome.found == ("exit 2",)
    assert f"PPL_MAX_ROW_BYTES must be a positive whole number, not `{value}`" in outcome.printed


def test_depths_cannot_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPL_MAX_DEPTH", "100000")
    monkeypatch.setenv("PPL_MAX_ARTIFACT_NESTING", "100000")
    assert program_limits.MAX_DEPTH.value() == MAX_DEPTH
    assert runtime_limits.MAX_ARTIFACT_NESTING.value() == runtime_limits.MAX_ARTIFACT_NESTING.default
