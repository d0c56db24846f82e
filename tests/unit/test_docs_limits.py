"""The page "Limits and hostile input" lists every limit, every code the hostile-input paths give, and the
exit statuses the command line returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang import limits as program_limits
from ppl import cli
from runtime import ids
from runtime import limits as runtime_limits

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("limit", [*program_limits.ALL, *runtime_limits.ALL], ids=lambda limit: limit.name)
def test_every_overridable_limit_is_listed_with_its_variable(
        limit: program_limits.Limit | runtime_limits.Limit) -> None:
    if limit.overridable:
        assert f"`{limit.variable}`" in PAGE


@pytest.mark.parametrize("code", ["E108", "E124", "E309", "E312", "E313", "E314", "E521", "E524", "E525", "E526",
                                  "E527", "E528", "E570", "E571", "E572"])
def test_every_code_of_hostile_input_is_on_the_page(code: str) -> None:
    assert f"`{code}`" in PAGE or f"{code} " in PAGE


def test_the_exit_statuses_on_the_page_are_the_command_lines() -> None:
    for status in (cli.EXIT_OK, cli.EXIT_ERRORS, cli.EXIT_USAGE, cli.EXIT_INTERNAL, cli.EXIT_INTERRUPTED):
        assert f"| `{status}` |" in PAGE


def test_the_id_length_on_the_page_is_the_policys() -> None:
    assert f"**{ids.MAX_ID_LENGTH}**" in PAGE
