"""The conformance corpus, case by case, on every engine (see README.md and docs/conformance.md).

Three sources of cases, each run on each engine of `engines.ENGINES`:

- the quote and settle cases of `programs/tests/*.tests.yaml`, judged as `ppl test` judges them;
- the hand-written cases of `cases/edge/`, each figure worked out by hand in the file;
- the generated cases of `cases/generated/` (`make_cases.py`), every figure recorded from the reference engine.

Every settlement also writes its files, and those must be the reference engine's, byte for byte.
An engine that cannot run a case is skipped with its reason; a known disagreement between engines is
an `xfail(strict=True)` in `DISAGREEMENTS` that says exactly what differs.
"""

from __future__ import annotations

import difflib
import filecmp
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from runtime import ir
from tests.conformance import corpus, program_cases
from tests.conformance.engines import ENGINES, REFERENCE, Engine

PROGRAMS = sorted(p for p in (corpus.ROOT / "programs").glob("*.yaml"))
PROGRAM_CASES = program_cases.program_cases()
CORPUS = corpus.read_cases()

# (case id, engine) → the exact disagreement, for an engine that is known to differ from the reference on a case.
DISAGREEMENTS: dict[tuple[str, str], str] = {}


def _params(cases: Sequence[tuple[str, object]]) -> list[ParameterSet]:
    """Every case on every engine, with the known disagreements marked."""
    params: list[ParameterSet] = []
    for case_id, case in cases:
        for engine in ENGINES:
            why = DISAGREEMENTS.get((case_id, engine.name))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            params.append(pytest.param(case, engine, id=f"{case_id}-{engine.name}", marks=marks))
    return params


def _refused(engine: Engine, ruleset: ir.RuleSet) -> None:
    """Skip, with the engine's reason, a program the engine refuses (never silently)."""
    reason = engine.refuses(ruleset)
    if reason is not None:
        pytest.skip(f"{engine.name}: {reason}")


def _ran_as_itself(engine: Engine, case_id: str, why_not: str | None) -> None:
    assert why_not is None, f"case `{case_id}`: the {engine.name} engine did not run as itself: {why_not}"


def same_files(case_id: str, engine: str, expected: Path, actual: Path) -> None:
    """Every file the reference engine wrote, and only those, written by `engine` with the same bytes."""
    want = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    got = sorted(p.relative_to(actual) for p in actual.rglob("*") if p.is_file())
    assert got == want, f"case `{case_id}`: the {engine} engine wrote {got}, the reference engine {want}"
    for name in want:
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            diff = difflib.unified_diff((expected / name).read_text(encoding="utf-8").splitlines(),
                                        (actual / name).read_text(encoding="utf-8").splitlines(),
                                        f"reference/{name}", f"{engine}/{name}", lineterm="", n=0)
            shown = "\n".join(itertools.islice(diff, 12))
            raise AssertionError(f"case `{case_id}`: {name} written by the {engine} engine differs from the "
                                 f"reference engine's:\n{shown}")


ReferenceOut = Callable[[str, Callable[[Path], object]], Path]


@pytest.fixture(scope="session")
def reference_out(tmp_path_factory: pytest.TempPathFactory) -> ReferenceOut:
    """The directory the reference engine wrote a case's settlement into (made once per case and session)."""
    made: dict[str, Path] = {}
    root = tmp_path_factory.mktemp("reference")

    def get(case_id: str, settle: Callable[[Path], object]) -> Path:
        if case_id not in made:
            out = root / f"case{len(made)}" / "out"
            out.parent.mkdir()
            settle(out)
            made[case_id] = out
        return made[case_id]

    return get


# --- the program tests ----------------------------------------------------------------------------------

QUOTES = [(pc.id, pc) for pc in PROGRAM_CASES if pc.case.kind == "quote"]
SETTLES = [(pc.id, pc) for pc in PROGRAM_CASES if pc.case.kind == "settle"]


def test_every_program_test_file_gives_cases() -> None:
    files = {pc.file.path for pc in PROGRAM_CASES}
    assert len(files) == len(program_cases.FILES) >= 3
    assert len(QUOTES) >= 30 and len(SETTLES) >= 10


@pytest.mark.parametrize(("pc", "engine"), _params(QUOTES))
def test_program_quote_case(pc: program_cases.ProgramCase, engine: Engine) -> None:
    if engine.quote is None:
        pytest.skip(f"{engine.name}: {engine.no_quote}")
    _refused(engine, pc.ruleset)
    result, why_not = program_cases.run_quote(engine, pc)
    assert result.status in ("passed", "known_failure"), program_cases.failure_text(result, engine.name)
    if not any(c.path == ("error",) for c in pc.case.checks):  # a refused quote is refused by the reference path
        _ran_as_itself(engine, pc.id, why_not)


@pytest.mark.parametrize(("pc", "engine"), _params(SETTLES))
def test_program_settle_case(pc: program_cases.ProgramCase, engine: Engine, tmp_path: Path,
                             reference_out: ReferenceOut) -> None:
    _refused(engine, pc.ruleset)
    result, why_not = program_cases.run_settle(engine, pc, tmp_path / "out")
    assert result.status in ("passed", "known_failure"), program_cases.failure_text(result, engine.name)
    _ran_as_itself(engine, pc.id, why_not)
    if engine is not REFERENCE:
        expected = reference_out(pc.id, lambda out: program_cases.run_settle(REFERENCE, pc, out))
        same_files(pc.id, engine.name, expected, tmp_path / "out")


# --- the corpus's own cases ---------------------------------------------------------------------------


def test_every_example_program_has_a_generated_case() -> None:
    generated = {c.program for c in CORPUS if c.golden}
    assert generated == {p.resolve() for p in PROGRAMS}, "run `python -m tests.conformance.make_cases`"


@pytest.mark.parametrize(("case", "engine"), _params([(c.name, c) for c in CORPUS]))
def test_corpus_case(case: corpus.CorpusCase, engine: Engine, tmp_path: Path, reference_out: ReferenceOut,
                     update_golden: bool) -> None:
    _refused(engine, corpus.ruleset_of(case.program))
    out = tmp_path / "run" / "out"
    _ran_as_itself(engine, case.name, corpus.settle_case(engine, case, out).ran_as_itself)
    actual = corpus.written(out)
    if case.expect.quotes is not None:
        actual = replace(actual, quotes=corpus.price_case(engine, case, out))
    if update_golden and case.golden and engine is REFERENCE:
        corpus.record(case, actual)
        return
    found = corpus.differences(case.expect, actual)
    assert not found, f"case `{case.name}` on the {engine.name} engine:\n  " + "\n  ".join(found)
    if engine is not REFERENCE:
        expected = reference_out(case.name, lambda o: corpus.settle_case(REFERENCE, case, o))
        same_files(case.name, engine.name, expected, out)
