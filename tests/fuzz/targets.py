"""The fuzz targets: each feeds bytes to one entry point of ppl and holds it to "a diagnostic, never a crash".

A target's `run(data)` returns when the entry point answered as documented (a result, diagnostics, rejected
rows, or the one error type it documents) and lets anything else propagate: that is a finding. Seeds come
from `tests/fuzz/corpus/<target>/` (committed, small, hostile) and, where a target reads programs or rule
sets, from the example programs themselves, read as they are now.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from policy_lang.expr_parser import parse_expression
from policy_lang.source import plain_locator
from ppl.cli import main
from runtime import io as rio
from runtime import ir, ir_json
from runtime.decisions import QuoteError
from runtime.decisions.settle import Rejected
from runtime.engine import EvaluationError
from runtime.guides import GuideError, render_guide
from runtime.loaded import Runtime
from tests.fuzz import mutations

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
PROGRAMS = tuple(sorted((ROOT / "programs").glob("*.yaml")))


@dataclass(frozen=True)
class Target:
    """One fuzz target: its name (the corpus folder), what it feeds, and the check of one input."""

    name: str
    about: str
    run: Callable[[bytes], None]
    extra_seeds: Callable[[], list[bytes]] = list
    generators: Callable[[], list[st.SearchStrategy[bytes]]] = list

    def seeds(self) -> list[bytes]:
        """The committed corpus, then the seeds the target takes from the repository."""
        return [p.read_bytes() for p in corpus_files(self.name)] + self.extra_seeds()

    def strategy(self) -> st.SearchStrategy[bytes]:
        """Mutated seeds, raw bytes and text, and the target's own generators."""
        return mutations.inputs(self.seeds(), *self.generators())


def corpus_files(name: str) -> list[Path]:
    """The committed seed files of a target, in name order."""
    folder = CORPUS / name
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ppl-fuzz-"))


@functools.cache
def _ruleset(program: str = "ad_agency") -> ir.RuleSet:
    result = check([str(ROOT / "programs" / f"{program}.yaml")])
    return compile_program(result.programs[0])


@functools.cache
def _artifact(program: str = "ad_agency") -> Path:
    path = _workdir() / f"{program}.json"
    path.write_text(ir_json.dumps(_ruleset(program)), encoding="utf-8")
    return path


# --- programs and expressions ----------------------------------------------------------------------------


def run_program(data: bytes) -> None:
    """A program as bytes on standard input: diagnostics; a clean one compiles and its artifact reads back."""
    result = check(["-"], stdin=data)
    if result.programs and not dg.has_errors(result.diagnostics):
        ruleset = compile_program(result.programs[0])
        assert ir_json.loads(ir_json.dumps(ruleset)) == ruleset


def run_expression(data: bytes) -> None:
    """An expression's text: a tree, or a `CompileError` with one diagnostic."""
    try:
        parse_expression(data.decode("utf-8", "replace"), plain_locator())
    except dg.CompileError as exc:
        assert len(exc.diagnostics) == 1


def _program_seeds() -> list[bytes]:
    return [p.read_bytes() for p in PROGRAMS]


# --- rows ------------------------------------------------------------------------------------------------


def _file(data: bytes, suffix: str) -> Path:
    path = _workdir() / f"input{suffix}"
    path.write_bytes(data)
    return path


def _run_transactions(data: bytes, suffix: str) -> None:
    try:
        with rio.read_transactions(_file(data, suffix), _ruleset()) as reader:
            for _, item in reader:
                assert isinstance(item, Rejected) or item.id is not None
    except rio.ReadError:
        pass


def _run_partners(data: bytes, suffix: str) -> None:
    try:
        rio.read_partners(_file(data, suffix), _ruleset())
    except (rio.ReadError, rio.PartnersError):
        pass


def _example_rows(name: str, jsonl: bool) -> list[bytes]:
    lines = (ROOT / "examples" / "data" / name).read_text(encoding="utf-8").splitlines()[:6]
    if not jsonl:
        return ["\n".join(lines).encode()]
    header = lines[0].split(",")
    return ["\n".join(json.dumps(dict(zip(header, row.split(","), strict=False))) for row in lines[1:]).encode()]


# --- rule sets -------------------------------------------------------------------------------------------


def run_ruleset(data: bytes) -> None:
    """An artifact's text: a rule set that loads and renders its guide (or a decision error), or `ArtifactError`."""
    try:
        ruleset = ir_json.loads(data.decode("utf-8", "replace"))
    except ir_json.ArtifactError:
        return
    Runtime(ruleset, "compiled")
    with contextlib.suppress(GuideError, QuoteError, EvaluationError):
        render_guide(ruleset, "en", "md")


@functools.cache
def _artifact_data() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(ir_json.dumps(_ruleset(p.stem)))["ruleset"] for p in PROGRAMS)


def _reseal(data: Any, seal: bool) -> bytes:
    envelope = {"format": ir.FORMAT, "sha256": ir.digest(data) if seal else "0" * 64, "ruleset": data}
    return json.dumps(envelope, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def mutated_artifacts(draw: st.DrawFn) -> bytes:
    """A valid rule set with one to three values changed, keys deleted or types swapped; resealed mostly."""
    data: Any = draw(st.sampled_from(_artifact_data()))
    for _ in range(draw(st.integers(1, 3))):
        where = mutations.paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        if draw(st.booleans()):
            data = mutations.replace_at(data, path, None, delete=True)
        else:
            data = mutations.replace_at(data, path, draw(mutations.JSON_VALUES))
    return _reseal(data, draw(st.integers(0, 9)) > 0)


# --- quote --transaction ---------------------------------------------------------------------------------


def run_quote(data: bytes) -> None:
    """`ppl quote --transaction JSON` in process: exit 0, 1 or 2 and no traceback, whatever the JSON."""
    partners = ROOT / "examples" / "data" / "partners.csv"
    out, err = io.StringIO(), io.StringIO()
    # `--transaction=…`: a value that starts with `-` is the option's value, not another option.
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["quote", str(_artifact()), "--partners", str(partners),
                       "--transaction=" + data.decode("utf-8", "replace")])
    assert status in (0, 1, 2), status
    assert "Traceback" not in err.getvalue()


_TXN_KEYS = ("id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity", "placement",
             "ad_spend", "refund_of", "sku")


def _transactions() -> st.SearchStrategy[bytes]:
    values = st.one_of(mutations.JSON_SCALARS, st.sampled_from(["ag1-01", "ag3-11", "in_feed", "reserved", "1"]))
    return mutations.json_bytes(st.dictionaries(st.sampled_from(_TXN_KEYS), values, max_size=len(_TXN_KEYS)))


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("program", "YAML program bytes through the loader, the checker and the compiler", run_program,
           _program_seeds),
    Target("expression", "expression text through the expression parser", run_expression),
    Target("transactions_csv", "CSV bytes through the transactions reader", lambda d: _run_transactions(d, ".csv"),
           lambda: _example_rows("transactions.csv", jsonl=False)),
    Target("transactions_jsonl", "JSON Lines bytes through the transactions reader",
           lambda d: _run_transactions(d, ".jsonl"), lambda: _example_rows("transactions.csv", jsonl=True),
           lambda: [mutations.json_bytes()]),
    Target("partners_csv", "CSV bytes through the partners reader", lambda d: _run_partners(d, ".csv"),
           lambda: _example_rows("partners.csv", jsonl=False)),
    Target("partners_jsonl", "JSON Lines bytes through the partners reader", lambda d: _run_partners(d, ".jsonl"),
           lambda: _example_rows("partners.csv", jsonl=True), lambda: [mutations.json_bytes()]),
    Target("ruleset", "rule set artifacts (mutated, resealed or not) through the loader, the engine and the guide",
           run_ruleset, generators=lambda: [mutated_artifacts()]),
    Target("quote_transaction", "`ppl quote --transaction` with any JSON", run_quote,
           generators=lambda: [_transactions(), mutations.json_bytes()]),
)}
"""Every fuzz target, by name."""
