"""Rule sets for the guide tests: the example programs, compiled once, and inline programs."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check, check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import ir

ROOT = Path(__file__).resolve().parents[4]
PROGRAMS = sorted((ROOT / "programs").glob("*.yaml"))


@functools.cache
def example(stem: str) -> ir.RuleSet:
    """An example program's rule set, named as `ppl` names it when run from the repository root."""
    path = ROOT / "programs" / f"{stem}.yaml"
    result = check([str(path)])
    assert not dg.has_errors(result.diagnostics), dg.render_text(result.diagnostics, result.sources)
    return dataclasses.replace(compile_program(result.programs[0]), source=f"programs/{stem}.yaml")


def compile_text(text: str, name: str = "test.yaml") -> ir.RuleSet:
    """A rule set from program text."""
    loaded = load_program_text(name, text)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {name: loaded.source})
    problems = [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    assert not problems, dg.render_text(problems, {name: loaded.source})
    return compile_program(loaded.program)


@pytest.fixture(scope="session")
def examples() -> Callable[[str], ir.RuleSet]:
    return example


@pytest.fixture(scope="session")
def compiled() -> Callable[..., ir.RuleSet]:
    return compile_text
