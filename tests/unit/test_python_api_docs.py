"""docs/api.md: its worked example runs, in order, on the bundled program it names, and its reference builds."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"


def python_blocks(text: str) -> list[str]:
    """The page's ```python blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def test_the_worked_example_of_the_api_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["compile", str(ROOT / "programs" / "saas_reseller.yaml"), "-o",
                 str(tmp_path / "saas.ruleset.json")]) == 0
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for number, block in enumerate(blocks, 1):
            exec(compile(block, f"docs/api.md block {number}", "exec"), namespace)  # noqa: S102
    printed = out.getvalue()
    assert "cloudnote-partners" in printed
    assert "transaction `T-3`: `list_price` is '1,200,000' (str): expected an amount in minor units" in printed


def test_the_api_page_shows_the_error_the_example_prints(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    shown = re.search(r"```text\n(transaction `T-3`.*?)\n```", text, re.DOTALL)
    assert shown is not None
    assert shown.group(1).startswith("transaction `T-3`: `list_price` is '1,200,000' (str)")


def test_the_page_is_in_the_site_navigation() -> None:
    assert "api.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert os.path.exists(PAGE)
