"""`ppl diff` on the command line: the sides it reads (files, rule sets, git revisions), its exit statuses,
and the diagnostics a side that cannot be read or does not check gives (never a traceback)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from tests.unit.diff._revisions import original, replace_once, revised

ROOT = Path(__file__).resolve().parents[3]
SAAS = "programs/saas_reseller.yaml"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the SaaS program committed twice: as it is (tag `v1`), then revised (`v2`)."""
    monkeypatch.chdir(tmp_path)
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "programs").mkdir()
    program = tmp_path / "programs" / "saas.yaml"
    program.write_text(original("saas_reseller"), encoding="utf-8")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "one")
    _git(tmp_path, "tag", "v1")
    program.write_text(revised("saas_reseller"), encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "two")
    _git(tmp_path, "tag", "v2")
    return tmp_path


def test_two_files_with_changes_exit_0_and_list_them(in_root: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "saas.yaml"
    new.write_text(revised("saas_reseller"), encoding="utf-8")
    assert main(["diff", SAAS, str(new)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"cloudnote-partners: {SAAS} → {new}: 5 changes (0 added, 0 removed, 5 changed)\n")
    assert "changed  ladder step `annual-volume` 3: rate 5% → 6%\n" in out
    assert f"at {SAAS}:74:9 → {new}:74:9 (version 2026.04)\n" in out


def test_the_same_program_is_no_semantic_change(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", SAAS, SAAS]) == EXIT_OK
    assert capsys.readouterr().out == f"cloudnote-partners: {SAAS} → {SAAS}: no semantic change\n"


def test_a_compiled_rule_set_against_its_program_is_no_change(in_root: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    artifact = tmp_path / "saas.json"
    assert main(["compile", SAAS, "-o", str(artifact)]) == EXIT_OK
    assert main(["diff", str(artifact), SAAS, "--format", "json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["semantic_change"] is False and data["changes"] == []


@needs_git
def test_rev_compares_the_file_at_a_revision_with_the_working_file(repo: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "programs/saas.yaml", "--rev", "v1", "--format", "json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["old"]["source"] == "v1:programs/saas.yaml" and data["new"]["source"] == "programs/saas.yaml"
    assert data["summary"] == {"added": 0, "removed": 0, "changed": 5}
    rate = next(c for c in data["changes"] if c["attribute"] == "rate")
    assert (rate["old_at"], rate["new_at"]) == ("v1:programs/saas.yaml:74:9", "programs/saas.yaml:74:9")


@needs_git
def test_rev_a_to_b_compares_two_revisions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "programs/saas.yaml", "--rev", "v1..v2"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("cloudnote-partners: v1:programs/saas.yaml → v2:programs/saas.yaml: 5 changes")
    assert main(["diff", "programs/saas.yaml", "--rev", "v2..main"]) == EXIT_OK
    assert "no semantic change" in capsys.readouterr().out


@needs_git
def test_rev_from_another_folder_reads_the_file_in_its_own_repository(repo: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo / "programs")
    assert main(["diff", "saas.yaml", "--rev", "v1..v2"]) == EXIT_OK
    assert "5 changes" in capsys.readouterr().out


@needs_git
@pytest.mark.parametrize(("rev", "message"), [
    ("nope", "error[E582]: unknown revision `nope`"),
    ("v1..nope", "error[E582]: unknown revision `nope`"),
    ("--upload-pack=x", "error[E582]: `--upload-pack=x` is not a revision"),
])
def test_an_unknown_revision_is_e582(rev: str, message: str, repo: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "programs/saas.yaml", f"--rev={rev}"]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


@needs_git
def test_a_file_missing_at_the_revision_is_e582(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "programs" / "new.yaml").write_text(original("saas_reseller"), encoding="utf-8")
    assert main(["diff", "programs/new.yaml", "--rev", "v1"]) == EXIT_USAGE
    assert "error[E582]: the file does not exist at revision `v1`" in capsys.readouterr().err


def test_rev_outside_a_git_work_tree_is_e585(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    program = tmp_path / "saas.yaml"
    program.write_text(original("saas_reseller"), encoding="utf-8")
    assert main(["diff", str(program), "--rev", "HEAD"]) == EXIT_USAGE
    assert "error[E585]" in capsys.readouterr().err


@needs_git
def test_a_program_with_errors_at_a_revision_shows_its_diagnostics(repo: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    program = repo / "programs" / "saas.yaml"
    program.write_text(replace_once(original("saas_reseller"), "ladder: annual-volume\n    bonuses",
                                    "ladder: annual-volumes\n    bonuses"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "broken")
    assert main(["diff", "programs/saas.yaml", "--rev", "HEAD..v2"]) == EXIT_ERRORS
    err = capsys.readouterr().err
    assert "HEAD:programs/saas.yaml:" in err and "annual-volumes" in err and "nothing was compared" in err


@pytest.mark.parametrize(("name", "text", "status", "message"), [
    ("bad.yaml", "ppl: 1\nprogram: [\n", EXIT_ERRORS, "error[E101]"),
    ("missing.yaml", None, EXIT_USAGE, "error[E107]"),
    ("missing.json", None, EXIT_USAGE, "cannot read"),
    ("notes.txt", "hello", EXIT_USAGE, "error[E584]: neither a program (.yaml) nor a compiled rule set (.json)"),
    ("other.json", '{"a": 1}', EXIT_USAGE, "error[E584]: not a compiled rule set"),
    ("binary.json", b"\xff\xfe", EXIT_USAGE, "error[E584]"),
])
def test_a_side_that_cannot_be_read_is_a_diagnostic_not_a_traceback(
        name: str, text: str | bytes | None, status: int, message: str, in_root: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    elif isinstance(text, bytes):
        path.write_bytes(text)
    assert main(["diff", SAAS, str(path)]) == status
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


def test_two_different_programs_are_e583(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", SAAS, "programs/ad_agency.yaml"]) == EXIT_ERRORS
    assert "error[E583]: `programs/saas_reseller.yaml` is program `cloudnote-partners` and " \
           "`programs/ad_agency.yaml` is program `newswave-agencies`" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    ([SAAS], "give two files to compare"),
    ([SAAS, SAAS, "--rev", "main"], "give one file with it"),
    ([SAAS, "--rev", "main.."], "give a revision"),
])
def test_a_wrong_use_is_a_usage_error(args: list[str], message: str, in_root: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *args]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_a_folder_is_not_a_program(in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.yaml").mkdir()
    assert main(["diff", SAAS, str(tmp_path / "x.yaml")]) == EXIT_USAGE
    assert "is a folder: give a program file" in capsys.readouterr().err
