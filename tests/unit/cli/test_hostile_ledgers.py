"""`ppl settle --as-of D --ledger X` and `ppl ledger show|export --db X` where X is no ledger this ppl can use.

A directory, a file that is not SQLite, an SQLite database of another application, a ledger
of a newer ppl, a deal registry, a read-only file, a symbolic link (unless `--follow-symlinks`), a path in a
missing directory: each is refused with E107, a message and a hint, exit status 2, no traceback, and the
file is left byte for byte as it was (and no statements are written). A ledger that holds another
program's runs, or this program's in another currency, is a ledger: the first settles beside them, the
second is refused with E581. An empty file is SQLite's new database: settling creates the ledger in it (a
ledger that another process is creating is empty for a moment), and showing it says there is no ledger yet.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from runtime.store import Ledger
from runtime.store.migrations import open_database
from tests.unit.cli._asof_program import PROGRAM, write_files

ROWS = "S1,2026-05-10,p,1200000,1200000,1,\n"
SHA = "0" * 64


def _directory(path: Path) -> None:
    path.mkdir()


def _text(path: Path) -> None:
    path.write_text("id,amount\n1,2\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE songs (title TEXT)")
    db.execute("INSERT INTO songs VALUES ('a')")
    db.commit()
    db.close()


def _newer(path: Path) -> None:
    with Ledger(path):
        pass
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version (version, title) VALUES (99, 'from the future')")
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _registry(path: Path) -> None:
    open_database(path).close()


def _read_only(path: Path) -> None:
    with Ledger(path):
        pass
    path.chmod(0o444)


HOSTILE: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "a directory": (_directory, "is a directory, not a ledger file", "name a file that does not exist yet"),
    "a text file": (_text, "is not a ledger: it is not an SQLite database", "ppl creates the ledger there"),
    "another application's database": (_foreign, "an SQLite database of another application (tables `songs`)",
                                       "name a file that does not exist yet"),
    "a newer ledger": (_newer, "has schema version 99, written by a newer ppl", "upgrade ppl"),
    "a deal registry": (_registry, "holds another kind of ppl store", "name a file that does not exist yet"),
}


def _snapshot(path: Path) -> tuple[object, ...]:
    """What a refusal must leave alone: the file's bytes and mode, or the directory's listing."""
    if path.is_dir():
        return tuple(sorted(os.listdir(path)))
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode, path.stat().st_size


def _settle(root: Path, ledger: Path, *extra: str, program: str = PROGRAM) -> int:
    files = write_files(root, ROWS)
    files[0].write_text(program, encoding="utf-8")
    return main(["settle", str(files[0]), "--partners", str(files[1]), "--transactions", str(files[2]),
                 "--as-of", "2026-06-30", "--ledger", str(ledger), "--out", str(root / "out"), "--engine", "rows",
                 "--color", "never", *extra])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_settle_refuses_what_is_not_a_ledger_and_leaves_it_as_it_was(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, words, hint = HOSTILE[name]
    ledger = tmp_path / "ledger.db"
    make(ledger)
    before = _snapshot(ledger)
    assert _settle(tmp_path, ledger) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert f"ppl settle: --ledger {ledger}: " in err and words in err and "[E107]" in err, err
    assert "ppl settle: hint: " in err and hint in err
    assert "Traceback" not in err and out == ""
    assert _snapshot(ledger) == before
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("action", [["show"], ["export", "--format", "csv"], ["export", "--format", "json"]])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_ledger_show_and_export_refuse_it_and_leave_it_as_it_was(
        name: str, action: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, words, hint = HOSTILE[name]
    ledger = tmp_path / "ledger.db"
    make(ledger)
    before = _snapshot(ledger)
    assert main(["ledger", *action, "--db", str(ledger)]) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert "ppl ledger: --db: " in err and words in err and "[E107]" in err and hint in err, err
    assert "Traceback" not in err and out == ""
    assert _snapshot(ledger) == before


def test_an_empty_file_has_no_ledger_to_show_until_a_settlement_creates_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.db"
    _empty(ledger)
    assert main(["ledger", "show", "--db", str(ledger)]) == EXIT_USAGE
    assert "is an empty file: there is no ledger in it yet [E107]" in capsys.readouterr().err
    assert ledger.read_bytes() == b""
    assert _settle(tmp_path, ledger) == EXIT_OK
    with Ledger(ledger) as read:
        assert len(read.runs()) == 1


def test_a_read_only_ledger_is_read_but_never_settled_against(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.db"
    _read_only(ledger)
    before = _snapshot(ledger)
    assert _settle(tmp_path, ledger) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "is read-only: a settlement cannot be recorded in it [E107]" in err and "chmod u+w" in err
    assert main(["ledger", "show", "--db", str(ledger)]) == EXIT_OK
    assert capsys.readouterr().out == "(no runs)\n"
    assert _snapshot(ledger) == before


def test_a_symlinked_ledger_is_refused_unless_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real, link = tmp_path / "real.db", tmp_path / "link.db"
    with Ledger(real):
        pass
    link.symlink_to(real)
    before = _snapshot(real)
    assert _settle(tmp_path, link) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "the ledger is a symbolic link" in err and "[E107]" in err and "--follow-symlinks" in err
    assert _snapshot(real) == before and link.is_symlink()
    assert _settle(tmp_path, link, "--follow-symlinks") == EXIT_OK
    with Ledger(real) as ledger:
        assert len(ledger.runs()) == 1
    capsys.readouterr()
    assert main(["ledger", "show", "--db", str(link)]) == EXIT_OK  # reading through a link is reading
    assert "run 1: asof-program FY2026 as of 2026-06-30" in capsys.readouterr().out


def test_a_ledger_in_a_missing_directory_is_refused_and_nothing_is_created(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "nowhere" / "ledger.db"
    assert _settle(tmp_path, ledger) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"cannot create the ledger {ledger}: there is no directory {ledger.parent} [E107]" in err
    assert "create the directory first" in err
    assert main(["ledger", "show", "--db", str(ledger)]) == EXIT_USAGE
    assert "there is no ledger file" in capsys.readouterr().err
    assert not ledger.parent.exists() and not (tmp_path / "out").exists()


def test_a_ledger_of_another_program_keeps_its_runs_apart(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    with Ledger(ledger) as other:
        other.record("someone-else", datetime.date(2026, 9, 30), SHA, {"x": {"margin": 5}},
                     currency="USD", minor_unit=2, fiscal_year_start=4)
    assert _settle(tmp_path, ledger) == EXIT_OK
    with Ledger(ledger) as read:
        assert [(r.program, r.as_of.isoformat()) for r in read.runs()] == [
            ("someone-else", "2026-09-30"), ("asof-program", "2026-06-30")]
        assert read.paid_to_date("someone-else", 2026) == {"x": {"margin": 5}}


def test_a_ledger_of_this_program_in_another_currency_is_refused_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.db"
    assert _settle(tmp_path, ledger) == EXIT_OK
    capsys.readouterr()
    with sqlite3.connect(ledger) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _snapshot(ledger)
    in_dollars = PROGRAM.replace("currency: JPY", "currency: USD").replace("¥", "$")
    assert _settle(tmp_path, ledger, program=in_dollars) == EXIT_ERRORS
    err = capsys.readouterr().err
    assert "holds asof-program's runs in JPY" in err and "[E581]" in err and "Traceback" not in err
    assert _snapshot(ledger) == before
