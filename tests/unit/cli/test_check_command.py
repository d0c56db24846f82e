"""`ppl check`: exit codes, output formats, colour, strictness, files and directories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
CLEAN = ROOT / "programs" / "saas_reseller.yaml"
TYPO = CLEAN.read_text(encoding="utf-8").replace("partner.nda_signed", "partner.nda_signd")
WARN = CLEAN.read_text(encoding="utf-8").replace("  max_discount: 10%", "  max_discount: 14%")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def typo_file(tmp_path: Path) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO, encoding="utf-8")
    return path


def test_clean_programs_exit_zero_with_nothing_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["check", str(ROOT / "programs")], capsys)
    assert (status, out) == (0, "")
    assert "0 errors, 0 warnings" in err


def test_errors_exit_one_and_render_like_a_compiler(typo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["check", str(typo_file)], capsys)
    assert status == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{typo_file}:") and ": error[E302]: " in first
    assert "^^^^" in out and "= hint: did you mean `partner.nda_signed`?" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_colour_can_be_forced(typo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", "--color", "always", str(typo_file)], capsys)
    assert "\x1b[31m" in out


def test_json_output_is_machine_readable(typo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["check", "--format", "json", str(typo_file)], capsys)
    data = json.loads(out)
    [d] = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert status == 1
    assert d["code"] == "E302" and d["span"]["file"] == str(typo_file) and d["span"]["line"] > 0
    assert d["hint"] == "did you mean `partner.nda_signed`?"


def test_github_output_is_workflow_annotations(typo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", "--format", "github", str(typo_file)], capsys)
    line = [x for x in out.splitlines() if x.startswith("::error ")][0]
    assert f"file={typo_file}," in line and ",title=E302::" in line


def test_warnings_exit_zero_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(WARN, encoding="utf-8")
    status, out, _ = run(["check", str(path)], capsys)
    assert status == 0 and "warning[W305]" in out
    status, out, _ = run(["check", "--strict", str(path)], capsys)
    assert status == 1 and "error[W305]" in out


def test_missing_path_is_an_io_error_with_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["check", "does/not/exist.yaml"], capsys)
    assert status == 2 and "E107" in out and "no such file or directory" in out


def test_directory_without_programs_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["check", str(tmp_path)], capsys)
    assert status == 2 and "no program files" in err


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml", "x.yaml"])
    assert exc.value.code == 2


def test_console_script_runs_as_a_module() -> None:
    proc = subprocess.run([sys.executable, "-m", "ppl", "check", str(CLEAN)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0 and proc.stdout == ""


def test_same_program_id_in_two_files_with_overlapping_periods(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = CLEAN.read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text.replace('version: "2026.04"', 'version: "2027.04"')
                                     .replace("effective_from: 2026-04-01", "effective_from: 2027-04-01"),
                                     encoding="utf-8")
    status, out, _ = run(["check", str(tmp_path)], capsys)
    assert status == 1 and "error[E402]" in out and "(no end date)" in out


def test_program_on_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    class _Stdin:
        buffer = io.BytesIO(TYPO.encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", _Stdin)
    status, out, _ = run(["check", "-"], capsys)
    assert status == 1 and out.startswith("<stdin>:") and "E302" in out


def test_sarif_output_for_code_scanning(typo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", "--format", "sarif", str(typo_file)], capsys)
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    [result] = [r for r in log["runs"][0]["results"] if r["level"] == "error"]
    assert result["ruleId"] == "E302"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(typo_file)
