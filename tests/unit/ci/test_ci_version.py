"""`ppl --version`: the package's version and the rule set format, for CI logs and bug reports."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from ppl.cli import main, version_line
from runtime import ir

ROOT = Path(__file__).resolve().parents[3]


def test_version_prints_the_package_version_and_the_rule_set_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    out, err = capsys.readouterr()
    assert (exc.value.code, err) == (0, "")
    assert out == f"ppl {importlib.metadata.version('ppl')} (rule set format {ir.FORMAT})\n"
    assert out == version_line() + "\n" and ir.FORMAT == "ppl-ruleset/1"


def test_version_needs_no_command_and_runs_as_a_program() -> None:
    done = subprocess.run([sys.executable, "-m", "ppl.cli", "--version"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, version_line() + "\n", "")


def test_a_source_tree_never_installed_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert version_line() == f"ppl (version unknown: not installed) (rule set format {ir.FORMAT})"
