"""Golden files: every invalid program in tests/golden/diagnostics renders exactly its expected diagnostics.

Each `<CODE>_<what>.yaml` must produce the code in its name; `--update-golden` rewrites the
`.expected.txt` files, which are then reviewed like code.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from compiler.pipeline import check
from policy_lang import codes
from policy_lang import diagnostics as dg
from ppl.cli import main

CORPUS = Path(__file__).resolve().parent / "diagnostics"
CASES = sorted(CORPUS.glob("*.yaml"))


def _relative(path: Path) -> str:
    return str(path.relative_to(CORPUS.parent.parent.parent))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_program_renders_its_golden_diagnostics(case: Path, in_root: Path, update_golden: bool) -> None:
    result = check([_relative(case)])
    rendered = dg.render_text(result.diagnostics, result.sources, color=False)
    expected_file = case.with_suffix(".expected.txt")
    if update_golden:
        expected_file.write_text(rendered, encoding="utf-8")
    assert expected_file.exists(), f"no golden file for {case.name}; run pytest --update-golden"
    assert rendered == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_program_reports_the_code_in_its_name_and_exits_accordingly(case: Path, in_root: Path) -> None:
    code = case.stem.split("_")[0]
    result = check([_relative(case)])
    assert code in {d.code for d in result.diagnostics}
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["check", _relative(case)])
    assert "Traceback" not in stdout.getvalue() + stderr.getvalue()
    assert status == (1 if code.startswith("E") else 0)


def test_every_diagnostic_code_has_an_invalid_program_in_the_corpus() -> None:
    covered = {case.stem.split("_")[0] for case in CASES}
    # E107 (unreadable file) is tested in the CLI tests; E5xx are about transactions, tested with the runtime;
    # W306 needs a partners file (`ppl check --partners`), tested in the CLI tests.
    missing = sorted(c for c in set(codes.CODES) - covered - {"E107", "W306"} if not c.startswith("E5"))
    assert not missing, f"codes without a corpus example: {missing}"


def test_corpus_has_at_least_thirty_invalid_programs() -> None:
    assert len(CASES) >= 30
