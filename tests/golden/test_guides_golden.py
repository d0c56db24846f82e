"""Golden files: the partner guide of every program in programs/, in both languages and both formats.

`tests/golden/guides/<program>.<lang>.<md|html>` is exactly what `ppl guide` writes for the program
when run from the repository root. The programs of `tests/golden/guide_programs/` have golden guides too:
they show what no example program has (tier reviews). `pytest --update-golden` rewrites the files; review the diff like
code (a change to a program shows up here as changed tables and examples).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from runtime import ir
from runtime.guides import render_guide

ROOT = Path(__file__).resolve().parents[1].parent
CORPUS = Path(__file__).resolve().parent / "guides"
PROGRAMS = sorted([*(ROOT / "programs").glob("*.yaml"), *(ROOT / "tests/golden/guide_programs").glob("*.yaml")])
SOURCES = {p.stem: p.relative_to(ROOT).as_posix() for p in PROGRAMS}
CASES = [(p.stem, lang, fmt) for p in PROGRAMS for lang in ("en", "ja") for fmt in ("md", "html")]


@functools.cache
def _ruleset(stem: str) -> ir.RuleSet:
    result = check([SOURCES[stem]])
    assert not dg.has_errors(result.diagnostics), dg.render_text(result.diagnostics, result.sources)
    return compile_program(result.programs[0])


@pytest.mark.parametrize(("stem", "lang", "fmt"), CASES, ids=[f"{s}.{lang}.{fmt}" for s, lang, fmt in CASES])
def test_guide_matches_its_golden_file(stem: str, lang: str, fmt: str, in_root: Path, update_golden: bool) -> None:
    rendered = render_guide(_ruleset(stem), lang, fmt)
    golden = CORPUS / f"{stem}.{lang}.{fmt}"
    if update_golden:
        CORPUS.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden guide {golden.name}; run pytest --update-golden"
    assert rendered == golden.read_text(encoding="utf-8")


def test_every_golden_guide_belongs_to_a_program() -> None:
    expected = {f"{s}.{lang}.{fmt}" for s, lang, fmt in CASES}
    assert {p.name for p in CORPUS.iterdir()} <= expected
