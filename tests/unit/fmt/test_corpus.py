"""Every program the project ships or tests with: formatting is idempotent and changes nothing the checker reads.

The files: programs/, examples/, the diagnostics corpus (tests/golden/diagnostics), the conformance
programs, the guide test programs and the fuzzing corpus of hostile programs. For each one that loads as
YAML: fmt(fmt(x)) == fmt(x); the same diagnostics (code and message) before and after; the same program
(the AST, positions left out) and, where it compiles, the same rule set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.fmt import format_text
from policy_lang.loader import load_program_text

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted({*ROOT.glob("programs/*.yaml"), *ROOT.glob("examples/*.yaml"),
                *ROOT.glob("tests/golden/diagnostics/*.yaml"),
                *ROOT.glob("tests/conformance/cases/**/programs/*.yaml"),
                *ROOT.glob("tests/golden/guide_programs/*.yaml"),
                *ROOT.glob("tests/fuzz/corpus/program/*.yaml")})


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: the loader reports it (E100) and fmt leaves it alone")


def _checked(name: str, text: str) -> tuple[list[tuple[str, str]], object]:
    loaded = load_program_text(name, text)
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    return sorted((d.code, d.message) for d in found), loaded.program


def test_the_corpus_is_large() -> None:
    assert len(FILES) >= 150


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_formatting_is_idempotent_and_the_checker_reads_the_same_program(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    text = _text(path)
    result = format_text(name, text)
    if result.text is None:
        assert dg.has_errors(result.diagnostics) and all(d.code != "E588" for d in result.diagnostics)
        return
    assert format_text(name, result.text).text == result.text
    before, program = _checked(name, text)
    after, formatted = _checked(name, result.text)
    assert after == before
    assert formatted == program
    if program is not None and not any(code.startswith("E") for code, _ in before):
        assert compile_program(formatted) == compile_program(program)  # type: ignore[arg-type]


def test_the_bundled_programs_differ_from_the_layout_only_in_key_order() -> None:
    for path in ROOT.glob("programs/*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert sorted(format_text(path.name, text).text.splitlines()) == sorted(text.splitlines())  # type: ignore[union-attr]
