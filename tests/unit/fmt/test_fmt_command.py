"""`ppl fmt`: files and directories rewritten in place, `--check`, `--diff`, standard input, files left alone."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
MESSY = "program:  # the header\n  version: \"1\"\n  id: x\nppl: 1\n"
TIDY = "ppl: 1\nprogram:  # the header\n  id: x\n  version: \"1\"\n"
BROKEN = "ppl: 1\nprogram: [\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.yaml"
    path.write_text(MESSY, encoding="utf-8")
    return path


def test_a_file_is_rewritten_in_place_and_named(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["fmt", str(messy)], capsys)
    assert (status, out) == (0, "")
    assert messy.read_text(encoding="utf-8") == TIDY
    assert f"reformatted {messy}" in err and "1 file reformatted, 0 left unchanged" in err


def test_a_file_already_in_the_layout_is_not_written_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tidy.yaml"
    path.write_text(TIDY, encoding="utf-8")
    os.utime(path, (1_000_000, 1_000_000))
    inode = path.stat().st_ino
    assert run(["fmt", str(path)], capsys)[0] == 0
    assert (path.stat().st_mtime, path.stat().st_ino) == (1_000_000, inode)


def test_a_write_replaces_the_file_whole_and_keeps_its_mode(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy.chmod(0o640)
    run(["fmt", str(messy)], capsys)
    assert messy.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in messy.parent.iterdir()] == ["messy.yaml"]  # no temporary file left


def test_check_names_the_files_that_would_change_exits_1_and_writes_nothing(
        messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tidy.yaml").write_text(TIDY, encoding="utf-8")
    status, out, err = run(["fmt", "--check", str(tmp_path)], capsys)
    assert (status, out) == (1, f"would reformat {messy}\n")
    assert messy.read_text(encoding="utf-8") == MESSY
    assert "1 file would be reformatted, 1 left unchanged" in err


def test_check_passes_on_the_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tidy.yaml").write_text(TIDY, encoding="utf-8")
    assert run(["fmt", "--check", str(tmp_path)], capsys)[:2] == (0, "")


def test_diff_prints_a_unified_diff_and_writes_nothing(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["fmt", "--diff", str(messy)], capsys)
    assert status == 0 and messy.read_text(encoding="utf-8") == MESSY
    assert out.startswith(f"--- {messy}\n+++ {messy} (formatted)\n@@ ")
    assert "+ppl: 1\n" in out and "-ppl: 1\n" in out


def test_check_and_diff_together_print_the_diff_and_fail(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["fmt", "--check", "--diff", str(messy)], capsys)
    assert status == 1 and "+ppl: 1\n" in out and f"would reformat {messy}\n" in out


def test_standard_input_is_formatted_to_standard_output(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(MESSY.encode())))
    status, out, _ = run(["fmt", "-"], capsys)
    assert (status, out) == (0, TIDY)


def test_a_file_that_is_not_valid_yaml_is_left_alone_with_its_diagnostics(
        tmp_path: Path, messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    status, out, err = run(["fmt", str(tmp_path)], capsys)
    assert status == 1 and out == ""
    assert broken.read_text(encoding="utf-8") == BROKEN
    assert "error[E101]" in err and "could not be formatted" in err
    assert messy.read_text(encoding="utf-8") == TIDY  # the other files are formatted all the same


def test_a_directory_gives_its_programs_as_check_finds_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.yml").write_text(MESSY, encoding="utf-8")
    (tmp_path / "p.tests.yaml").write_text(MESSY, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(MESSY, encoding="utf-8")
    run(["fmt", str(tmp_path)], capsys)
    assert (tmp_path / "sub" / "p.yml").read_text(encoding="utf-8") == TIDY
    assert (tmp_path / "p.tests.yaml").read_text(encoding="utf-8") == MESSY
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == MESSY


def test_a_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["fmt", str(tmp_path / "nothing.yaml")], capsys)
    assert (status, out) == (2, "")
    assert err == f"ppl fmt: cannot read `{tmp_path / 'nothing.yaml'}`: no such file or directory\n"


def test_the_bundled_examples_only_move_keys(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["fmt", "--diff", "programs"], capsys)
    assert status == 0
    lines = out.splitlines()
    added = sorted(line[1:] for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sorted(line[1:] for line in lines if line.startswith("-") and not line.startswith("---"))
    assert added and added == removed


def test_a_directory_without_programs_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fmt", str(tmp_path)], capsys)[::2] == (2, "ppl fmt: no program files found\n")
