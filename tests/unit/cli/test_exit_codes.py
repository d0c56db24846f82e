"""Exit statuses that tell a CI what happened: 0 clean, 1 the inputs have errors, 2 usage or I/O, 3 an internal
error (one line, the traceback only with --debug or PPL_DEBUG=1), 130 interrupted."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ppl import commands
from ppl.cli import main
from ppl.common import EXIT_ERRORS, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[3]
CHECK = ["check", "programs/ad_agency.yaml"]


def _raise(exc: BaseException) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        raise exc
    return run


def test_the_statuses_are_the_documented_numbers() -> None:
    assert (EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED) == (0, 1, 2, 3, 130)


@pytest.mark.parametrize("exc", [ValueError("boom\nand a second line"), KeyError("x"), MemoryError(),
                                 RecursionError("maximum recursion depth exceeded"), AssertionError()],
                         ids=lambda e: type(e).__name__)
def test_an_error_no_command_explains_is_an_internal_error_in_one_line(
        exc: BaseException, in_root: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PPL_DEBUG", raising=False)
    monkeypatch.setattr(commands.BY_NAME["check"], "run", _raise(exc))
    assert main(CHECK) == EXIT_INTERNAL
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"ppl check: internal error: {type(exc).__name__}")
    assert "this is a bug in ppl" in err and "ppl --debug check" in err
    if isinstance(exc, ValueError):
        assert "ValueError: boom;" in err and "second line" not in err


@pytest.mark.parametrize("how", ["flag", "env"])
def test_the_traceback_is_printed_only_when_asked(how: str, in_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(commands.BY_NAME["check"], "run", _raise(ValueError("boom")))
    if how == "env":
        monkeypatch.setenv("PPL_DEBUG", "1")
        argv = CHECK
    else:
        monkeypatch.delenv("PPL_DEBUG", raising=False)
        argv = ["--debug", *CHECK]
    assert main(argv) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "ValueError: boom" in err
    assert err.splitlines()[-1].startswith("ppl check: internal error: ValueError: boom")


def test_an_interrupt_exits_130_without_a_traceback(in_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(commands.BY_NAME["check"], "run", _raise(KeyboardInterrupt()))
    assert main(CHECK) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip() == "ppl check: interrupted"


def test_a_command_error_keeps_its_own_status(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no/such/program.yaml"]) == EXIT_USAGE
    assert main(["check", "examples/broken_reseller.yaml"]) == EXIT_ERRORS
    assert main(CHECK) == EXIT_OK
    assert "Traceback" not in capsys.readouterr().err


def test_the_console_script_exits_with_the_status_of_main(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ppl", "guide", str(bad)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == EXIT_USAGE and "Traceback" not in done.stderr and done.stderr.startswith("ppl guide:")


@pytest.mark.parametrize("value", ["--", "-5", "-"])
def test_an_option_value_that_looks_like_an_option_is_read_as_the_value(
        value: str, in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Python 3.11's argparse turns `--transaction=--` into an empty list; it is the text `--`, which is not JSON.
    status = main(["quote", "programs/ad_agency.yaml", "--partners", "examples/data/partners.csv",
                   f"--transaction={value}"])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE and "Traceback" not in err and "internal error" not in err
