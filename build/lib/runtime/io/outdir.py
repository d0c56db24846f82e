"""Output directories and files written whole or not at all, one writer at a time, never through a symlink.

A command that writes a directory (`ppl settle --out DIR`) writes into a fresh temporary sibling
(`.DIR.tmp-XXXX`, in the same parent, so the rename stays on one file system) and, when every file is
written, renames it into place. An existing directory is renamed aside (`.DIR.old-XXXX`) first and
removed after, so a reader sees either the old set of files or the new one, never files of two runs.
A crash leaves the old directory in place (before the swap), or the new one (after it); in the instant
between the two renames it leaves `DIR` missing with the old files in `.DIR.old-XXXX` and the new ones in
`.DIR.tmp-XXXX`. Leftover `.DIR.tmp-*` and `.DIR.old-*` directories are never read by ppl and may be deleted.

A lock (`DIR.lock` in the parent, held with `flock`) makes a second writer of the same directory fail at
once with `OutputError` rather than wait or mix its files with the first's; the lock file is removed when
the writer is done.

`DIR` itself must not be a symlink unless the caller allows it (`follow_symlinks`: then the directory it
points to is replaced). An existing `DIR` is replaced only when it holds nothing but what the command
writes, so a mistyped `--out ~` cannot delete anyone's files; symlinks inside it are refused too (unless
allowed, when they are removed with it: the links, never what they point to). A single file
(`write_file`) is written to a temporary sibling and renamed over the target, under the same rules (a
device or a pipe, such as `/dev/null`, is written as it is).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

__all__ = ["OutputError", "lock", "output_dir", "write_file"]


class OutputError(Exception):
    """An output cannot be written where it was asked to go; the message says why and what to do."""


def _check_not_symlink(path: Path, follow_symlinks: bool, what: str) -> Path:
    """The path to write: itself, or (when following) what its symlink points to."""
    if not path.is_symlink():
        return path
    if not follow_symlinks:
        raise OutputError(f"{what} {path} is a symbolic link; ppl does not write through one (give "
                          "--follow-symlinks to replace what it points to)")
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """Hold `<path>.lock` (in the parent of `path`) while the block runs.

    Raises:
        OutputError: another process holds it.
    """
    lock_path = path.with_name(path.name + ".lock")
    handle = _acquire(lock_path, path)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock_path.unlink()
        handle.close()  # releases the lock


def _acquire(lock_path: Path, path: Path) -> IO[bytes]:
    try:
        import fcntl
    except ImportError:  # no flock (Windows): an exclusive creation is the lock
        try:
            return open(lock_path, "xb")  # closed by `lock`
        except FileExistsError:
            raise _busy(lock_path, path) from None
    while True:
        handle = open(lock_path, "ab")  # closed by `lock`, or below
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise _busy(lock_path, path) from None
        try:
            # INVARIANT: the lock is the file now at lock_path; one unlinked by its last holder is stale.
            if os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino:
                return handle
        except FileNotFoundError:
            pass
        handle.close()


def _busy(lock_path: Path, path: Path) -> OutputError:
    return OutputError(f"{path} is being written by another ppl (it holds {lock_path}); run again when it "
                       "has finished, or write somewhere else")


def _check_replaceable(target: Path, owned: Collection[str] | None, follow_symlinks: bool) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a directory")
    entries = sorted(os.listdir(target))
    foreign = [name for name in entries if owned is not None and name not in owned]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(f"{target} holds files ppl does not write there ({shown}); it would be replaced as a "
                          "whole, so give a new or empty directory")
    if not follow_symlinks:
        for root, dirs, files in os.walk(target):
            for name in [*dirs, *files]:
                if os.path.islink(os.path.join(root, name)):
                    raise OutputError(f"{os.path.join(root, name)} is a symbolic link; ppl does not write "
                                      "through one (give --follow-symlinks to replace the directory anyway)")


@contextlib.contextmanager
def output_dir(path: str | Path, owned: Collection[str] | None = None,
               follow_symlinks: bool = False) -> Iterator[Path]:
    """A temporary directory to write into, locked; when the block ends without an error it becomes `path`.

    Args:
        path: the directory the caller asked for (created, with its parents, if missing).
        owned: the names the command writes at the top of the directory; an existing directory holding
            anything else is not replaced. None: anything may be replaced.
        follow_symlinks: allow `path` (and links inside an existing directory) to be symbolic links.

    Raises:
        OutputError: `path` is a symlink, a file, holds foreign files, or is locked by another writer.
        OSError: the parent cannot be created or written.
    """
    target = Path(os.path.abspath(_check_not_symlink(Path(path), follow_symlinks, "--out")))
    if target == target.parent or Path.cwd().is_relative_to(target):
        raise OutputError(f"{path} is the current directory or one above it; give a directory of its own")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with lock(target):
        _check_replaceable(target, owned, follow_symlinks)
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
        try:
            yield temp
            _swap(temp, target)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise


def _swap(temp: Path, target: Path) -> None:
    """`temp` becomes `target`; an existing `target` is renamed aside, then removed."""
    os.chmod(temp, 0o777 & ~_umask())  # mkdtemp makes it private; an output directory is an ordinary one
    if not target.exists():
        os.rename(temp, target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, aside / target.name)
    os.rename(temp, target)
    shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: str | Path, text: str, follow_symlinks: bool = False) -> None:
    """Write a text file whole (a temporary sibling renamed over it), never through a symlink unless allowed.

    Raises:
        OutputError: `path` is a symlink (and following is not allowed) or a directory.
        OSError: it cannot be written.
    """
    target = _check_not_symlink(Path(path), follow_symlinks, "the output")
    if target.is_dir():
        raise OutputError(f"{target} is a directory; give a file name")
    if target.exists() and not target.is_file():  # a device or a pipe (/dev/null, /dev/stdout): written as it is
        with open(target, "w", encoding="utf-8") as stream:
            stream.write(text)
        return
    parent = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mode = os.stat(target).st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
