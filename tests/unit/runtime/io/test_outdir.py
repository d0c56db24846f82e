"""Output directories are written whole, one writer at a time, and never through a symbolic link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime.io.outdir import OutputError, lock, output_dir, write_file

OWNED = ("a.txt", "sub")


def _write(out: Path, text: str) -> None:
    (out / "a.txt").write_text(text, encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "b.txt").write_text(text, encoding="utf-8")


def _siblings(parent: Path) -> list[str]:
    return sorted(os.listdir(parent))


def test_a_new_directory_appears_only_when_every_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with output_dir(target, OWNED) as out:
        _write(out, "one")
        assert not target.exists() and out.parent == tmp_path
    assert (target / "sub" / "b.txt").read_text(encoding="utf-8") == "one"
    assert _siblings(tmp_path) == ["out"]  # no temporary directory, no lock file left


def test_an_earlier_run_is_replaced_whole_and_kept_when_the_new_one_fails(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with output_dir(target, OWNED) as out:
        _write(out, "one")
        (out / "sub" / "stale.txt").write_text("only in the first run", encoding="utf-8")
    with pytest.raises(RuntimeError), output_dir(target, OWNED) as out:
        _write(out, "two")
        raise RuntimeError("the settlement failed half way")
    assert (target / "a.txt").read_text(encoding="utf-8") == "one"
    assert _siblings(tmp_path) == ["out"]
    with output_dir(target, OWNED) as out:
        _write(out, "two")
    assert (target / "a.txt").read_text(encoding="utf-8") == "two"
    assert not (target / "sub" / "stale.txt").exists()  # never files of two runs
    assert _siblings(tmp_path) == ["out"]


def test_a_directory_holding_other_files_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputError, match="thesis.tex"), output_dir(tmp_path / "out", OWNED):
        pass
    assert (tmp_path / "out" / "thesis.tex").exists()


def test_the_current_directory_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for path in (".", "..", "/"):
        with pytest.raises(OutputError, match="current directory"), output_dir(path, None):
            pass


def test_a_symlinked_output_directory_is_refused_unless_asked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    with output_dir(real, OWNED) as out:
        _write(out, "one")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"), output_dir(link, OWNED):
        pass
    with output_dir(link, OWNED, follow_symlinks=True) as out:
        _write(out, "two")
    assert link.is_symlink() and (real / "a.txt").read_text(encoding="utf-8") == "two"


def test_a_symlink_inside_an_earlier_run_is_refused_unless_asked(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("keep", encoding="utf-8")
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.txt").symlink_to(secret)
    with pytest.raises(OutputError, match="symbolic link"), output_dir(target, OWNED):
        pass
    with output_dir(target, OWNED, follow_symlinks=True) as out:
        _write(out, "two")
    assert secret.read_text(encoding="utf-8") == "keep"  # the link was replaced, not written through
    assert not (target / "a.txt").is_symlink()


def test_a_second_writer_of_the_same_directory_fails_at_once(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with output_dir(target, OWNED) as out:
        with pytest.raises(OutputError, match="being written by another ppl"), output_dir(target, OWNED):
            pass
        _write(out, "first")
    assert (target / "a.txt").read_text(encoding="utf-8") == "first"
    with lock(target):  # free again
        pass


def test_a_file_is_replaced_whole_and_not_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "rules.json"
    write_file(target, "one\n")
    write_file(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n" and _siblings(tmp_path) == ["rules.json"]
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        write_file(link, "three\n")
    write_file(link, "three\n", follow_symlinks=True)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "three\n"
    with pytest.raises(OutputError, match="is a directory"):
        write_file(tmp_path, "x")
