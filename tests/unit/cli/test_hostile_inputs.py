"""Every command, fed hostile input, ends with status 1 or 2 and a message, never a traceback or status 3.

The arguments are read from each command's parser (`ppl.commands.ALL`), so a new command is covered as
soon as it exists: every argument that names a file, a directory or JSON gets each hostile value in turn,
while the others get ordinary values (`BASELINE`). A required argument with no ordinary value here fails
the test, saying which to add.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ppl import commands
from ppl.cli import build_parser, main
from ppl.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[3]
MB = 1 << 20
TXN_HEADER = "id,date,partner,contract,product,list_price,sell_price,quantity,placement,ad_spend,refund_of\n"
LEAD = '{"id": "L1", "date": "2026-05-01"}'
TRANSACTION = '{"id": "T1", "partner": "ag1-01", "date": "2026-05-01", "list_price": 1000, "product": "reserved"}'

BASELINE: dict[str, str | list[str]] = {
    "program": "programs/ad_agency.yaml", "paths": "programs/ad_agency.yaml",
    "test.paths": "programs/tests/ad_agency.tests.yaml", "partners": "examples/data/partners.csv",
    "transactions": "examples/data/transactions.csv", "registrations": "{hostile}/registrations.csv",
    "db": "{tmp}/registry.db", "out": "{tmp}/out", "period": "FY2026", "compile.output": "{tmp}/rs.json",
    # optional arguments without which a command stops before it reads its files
    "serve.bundle": "{tmp}/bundle", "serve.keys": "{tmp}/keys.json",
    "explain.id": "T000002", "route.lead": LEAD, "quote.transaction": TRANSACTION,
    "replay.log": "/dev/null", "replay.ruleset": "programs/ad_agency.yaml",  # an empty log, and the rule set
    "diff.old": "programs/ad_agency.yaml", "diff.new": "programs/ad_agency.yaml",
}
"""Ordinary values by destination (`command.dest` first); `{tmp}` is a fresh directory, `{hostile}` the inputs'."""
INSTEAD = {"lead_file": "lead", "new_reseller": "lead", "lead": "lead_file"}
"""A hostile value for the key replaces the ordinary value of the other (route takes one of them)."""
REJECTED_ROWS = {("settle", "transactions")}
"""Where a bad row is rejected with its reason (rejects.csv) and the command goes on: status 0 is right."""
REJECTED_RECORDS = {"partner_facts"}
"""Where a bad record is rejected with its reason on standard error (E529) and the command goes on (`ppl check`
refuses the file instead): status 0 is right."""
FILE_METAVARS = {"FILE", "LOG", "PATH", "PROGRAM", "PROGRAM_OR_RULESET", "DIR", "OUT", "JSON", "KEYDIR", "PRIVATE_KEY",
                 "PUBLIC_KEY", "OLD", "NEW"}
KEYS = ("binary.json", "list.json", "nuls-and-1mb.csv", "missing.csv", "folder.yaml")
OUTPUTS = {"out": ("binary.csv", "list.json"), "output": ("folder.yaml", "folder.csv"),
           "db": ("binary.yaml", "binary.json", "list.json", "folder.csv", "nuls-and-1mb.csv"),
           "sign": KEYS, "trusted_key": KEYS}
"""What is hostile where a command writes: a file where a directory is meant, a directory where a file is, a
file that is not a registry; and key files that are not keys."""

HOSTILE_FILES = ("binary.yaml", "binary.json", "binary.csv", "binary.jsonl", "deep.yaml", "deep.json",
                 "list.json", "nuls-and-1mb.csv", "nuls-and-1mb.jsonl", "missing.yaml", "missing.csv",
                 "folder.yaml", "folder.csv", "huge-line.yaml")
HOSTILE_JSON = ('{"id": ', "[1, 2]", "null", '{"id": "T1", "id": "T2"}', "[" * 100_000, '"\\u0000"',
                '{"id": "' + "x" * MB + '"}', "{" + '"a": {' * 50_000, "1e999999")


def _make_hostile(folder: Path) -> None:
    garbage = bytes(range(256)) * 64 + b"\x00\xff\xfe" * 1000
    for name in ("binary.yaml", "binary.json", "binary.csv", "binary.jsonl"):
        (folder / name).write_bytes(garbage)
    (folder / "deep.yaml").write_text("program: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    (folder / "deep.json").write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    (folder / "list.json").write_text("[1, 2, 3]", encoding="utf-8")
    big = "x" * MB
    rows = ["T1,2026-05-01,ag1-01,,reserved,1000,1000,1,in_feed,0,\n", "T\x002,2026-05-01,ag1\x00-01,,reserved,1000,"
            "1000,1,in_feed,0,\n", f"T3,2026-05-01,ag1-01,,{big},1000,1000,1,in_feed,0,\n", "\x00" * 1000 + "\n"]
    (folder / "nuls-and-1mb.csv").write_text(TXN_HEADER + "".join(rows), encoding="utf-8")
    records = [{"id": "T1", "date": "2026-05-01", "partner": "ag1\x00-01", "list_price": 1000},
               {"id": big, "date": "2026-05-01", "partner": "ag1-01", "list_price": 1000, "product": big}]
    (folder / "nuls-and-1mb.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + "\x00\n",
                                               encoding="utf-8")
    (folder / "folder.yaml").mkdir()
    (folder / "folder.csv").mkdir()
    (folder / "huge-line.yaml").write_text("program: " + "a" * (MB // 4) + "\n", encoding="utf-8")
    (folder / "registrations.csv").write_text(
        "id,partner,customer,registered_at\nR1,ag1-01,Acme,2026-05-01T10:00:00+09:00\n"
        "R2,ag1-02,ACME,2026-05-02T10:00:00+09:00\n", encoding="utf-8")


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: argparse.ArgumentParser = sub.choices[name]
    return found


def _takes_input(action: argparse.Action) -> bool:
    return action.nargs != 0 and (action.metavar in FILE_METAVARS or action.dest == "paths")


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for command in commands.ALL:
        for action in _subparser(build_parser(), command.NAME)._actions:
            if not _takes_input(action):
                continue
            values = HOSTILE_JSON if action.metavar == "JSON" else OUTPUTS.get(action.dest, HOSTILE_FILES)
            cases += [(command.NAME, action.dest, value) for value in values]
    return cases


def _baseline(command: str, dest: str) -> str | list[str] | None:
    return BASELINE.get(f"{command}.{dest}", BASELINE.get(dest))


def _argv(command: str, dest: str, hostile: str, folder: Path, tmp: Path) -> list[str]:
    """The command line: ordinary values, but the hostile one for `dest`."""
    parser = _subparser(build_parser(), command)
    positionals: list[str] = []
    options: list[str] = []
    tail: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            fewest = min(action.choices, key=lambda n: sum(a.required for a in action.choices[n]._actions))
            tail = [fewest]
            continue
        if action.nargs == 0:
            continue
        if action.dest == dest:
            value: str | list[str] | None = str(folder / hostile) if action.metavar != "JSON" else hostile
        elif INSTEAD.get(dest) == action.dest:
            continue
        else:
            value = _baseline(command, action.dest)
            if value is None:
                assert not action.required, f"give `{command} {action.dest}` an ordinary value in BASELINE"
                continue
        assert value is not None
        texts = [v.replace("{tmp}", str(tmp)).replace("{hostile}", str(folder))
                 for v in ([value] if isinstance(value, str) else value)]
        if action.option_strings:
            options += [action.option_strings[-1], *texts]
        else:
            positionals += texts
    return [command, *positionals, *options, *tail]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    _make_hostile(folder)
    return folder


@pytest.mark.parametrize(("command", "dest", "value"), _cases(),
                         ids=lambda v: v[:24].replace("\x00", "NUL") if isinstance(v, str) else str(v))
def test_a_hostile_input_is_an_error_of_the_input_not_a_crash(
        command: str, dest: str, value: str, hostile: Path, tmp_path: Path, in_root: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PPL_DEBUG", raising=False)
    argv = _argv(command, dest, value, hostile, tmp_path)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code if isinstance(exc.code, int) else EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    if (command, dest) in REJECTED_ROWS and status == EXIT_OK:
        assert len((tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8").splitlines()) > 1
        return
    if dest in REJECTED_RECORDS and command != "check" and status == EXIT_OK:
        assert "[E529]" in err, err[-2000:]
        return
    assert status in (EXIT_ERRORS, EXIT_USAGE), (status, err[-2000:])


def test_every_command_is_fed_hostile_input() -> None:
    assert {command for command, _, _ in _cases()} == {command.NAME for command in commands.ALL}
