"""`ppl lsp` on the command line: its usage errors, and the extra it needs."""

from __future__ import annotations

import sys

import pytest

from ppl.cli import main
from ppl.common import EXIT_USAGE


def test_without_the_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.delitem(sys.modules, "ppl.lsp.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls", None)
    assert main(["lsp"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "needs the `lsp` extra (pygls is missing): pip install 'ppl[lsp]'" in err


@pytest.mark.parametrize(("argv", "said"), [
    (["lsp", "--tcp", "127.0.0.1"], "give an address as HOST:PORT"),
    (["lsp", "--tcp", "127.0.0.1:99999"], "give an address as HOST:PORT"),
    (["lsp", "--debounce", "-1"], "--debounce: a number of seconds, 0 or more"),
])
def test_a_bad_option_is_a_usage_error(argv, said, capsys):
    assert main(argv) == EXIT_USAGE
    assert said in capsys.readouterr().err
