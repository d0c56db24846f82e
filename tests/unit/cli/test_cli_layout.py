"""The shape of the command line: one module per command, and one place that prints a command's error."""

from __future__ import annotations

import argparse
import ast
import inspect
import re
from pathlib import Path

import pytest

from ppl import commands
from ppl.cli import build_parser, main
from ppl.common import EXIT_ERRORS, EXIT_USAGE, CommandError

ROOT = Path(__file__).resolve().parents[3]
PARTNERS = "examples/data/partners.csv"


@pytest.mark.parametrize("command", commands.ALL, ids=lambda m: m.NAME)
def test_each_command_module_has_a_name_a_parser_and_a_run(command: object) -> None:
    assert isinstance(getattr(command, "NAME", None), str)
    add_parser, run = getattr(command, "add_parser", None), getattr(command, "run", None)
    assert callable(add_parser) and list(inspect.signature(add_parser).parameters) == ["sub"]
    assert callable(run) and list(inspect.signature(run).parameters) == ["args"]


def test_the_parser_offers_exactly_the_command_modules_in_order() -> None:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(sub.choices) == [command.NAME for command in commands.ALL]
    assert list(commands.BY_NAME) == [command.NAME for command in commands.ALL]


def test_no_command_prints_its_own_error_line() -> None:
    """`ppl NAME: …` lines are written in one place (`CommandError.render`, called by `main`)."""
    found = []
    for path in sorted((ROOT / "ppl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr | ast.Constant) and \
                    re.match(r"ppl (\{\w+\}|[a-z]+): ", ast.unparse(node).lstrip("f'\"")):
                found.append(f"{path.relative_to(ROOT)}: {ast.unparse(node)}")
    assert found == ["ppl/common.py: f'ppl {name}: {message}'"]


@pytest.mark.parametrize(("argv", "message"), [
    (["explain", "programs/ad_agency.yaml", "--partners", PARTNERS, "--transactions", "x.csv"],
     "ppl explain: give --id TXN (one transaction) or --partner ID --period P (a statement)\n"),
    (["route", "programs/ad_agency.yaml", "--partners", PARTNERS],
     "ppl route: give one of --lead JSON, --lead-file FILE or --new-reseller APPLICANT\n"),
    (["test", "programs/tests", "--threshold", "150"], "ppl test: --threshold is a percentage from 0 to 100\n"),
    (["sql", "programs/ad_agency.yaml", "--query", "statement"],
     "ppl sql: a statement needs --period (FY2026, 2026-04, 2026-04..2027-03, …)\n"),
])
def test_a_usage_error_is_printed_the_same_way_by_every_command_with_status_2(
        argv: list[str], message: str, in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert (out, err) == ("", message)


@pytest.mark.parametrize("argv", [
    ["explain", "programs/ad_agency.yaml", "--partners", PARTNERS, "--transactions", "x.csv"],
    ["route", "programs/ad_agency.yaml", "--partners", PARTNERS],
])
def test_a_command_raises_its_error_rather_than_printing_it(
        argv: list[str], in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(argv)
    with pytest.raises(CommandError) as caught:
        commands.BY_NAME[args.command].run(args)
    assert caught.value.status == EXIT_USAGE and caught.value.command is None
    assert capsys.readouterr() == ("", "")


def test_an_error_lists_its_problems_then_its_messages_under_the_command_name() -> None:
    error = CommandError("one", "two", status=EXIT_ERRORS, problems=["a.csv: row 2: bad"])
    assert error.render("settle") == "a.csv: row 2: bad\nppl settle: one\nppl settle: two\n"
    assert CommandError("x", command="registry").render("settle") == "ppl registry: x\n"
    assert CommandError().render("check") == ""  # the reason is shown already (program diagnostics)
