"""The size limits of a program file, checked before YAML reads it: its bytes (by the file's stated size,
then while reading) and the length of its lines. The limits themselves are in `policy_lang.limits`.
"""

from __future__ import annotations

import os
from typing import Any

from policy_lang import limits


class TooLarge(Exception):
    """A file over one of the size limits, found at `mark` (PyYAML's) or at a character `offset`."""

    def __init__(self, mark: Any, message: str, limit: limits.Limit, offset: int | None = None) -> None:
        self.mark = mark
        self.message = message
        self.limit = limit
        self.offset = offset


def read_bounded(path: str) -> bytes:
    """The bytes of a file, refused when they are too many: by the file's stated size before anything is
    read, and again while reading, since a pipe or a growing file can state less than it holds.

    Raises:
        OSError: the file cannot be read.
        TooLarge: the file is over `MAX_PROGRAM_BYTES`.
    """
    limit = limits.MAX_PROGRAM_BYTES.value()
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise TooLarge(None, bytes_message(size, limit), limits.MAX_PROGRAM_BYTES)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(None, bytes_message(None, limit), limits.MAX_PROGRAM_BYTES)
    return data


def bytes_message(size: int | None, limit: int) -> str:
    """How a size over `limit` bytes is told: exactly when it is known, else as more than the limit."""
    return f"more than {limit:,} bytes" if size is None else f"{size:,} bytes (more than {limit:,})"


def check_size(text: str) -> None:
    """Refuse text over the size or line-length limits before YAML reads any of it.

    Raises:
        TooLarge: where the text goes over a limit.
    """
    limit = limits.MAX_PROGRAM_BYTES.value()
    if len(text) > limit:  # a character takes a byte or more, so a long text needs no encoding to tell
        raise TooLarge(None, bytes_message(None, limit), limits.MAX_PROGRAM_BYTES)
    if (size := len(text.encode("utf-8", "surrogatepass"))) > limit:
        raise TooLarge(None, bytes_message(size, limit), limits.MAX_PROGRAM_BYTES)
    longest = limits.MAX_LINE_CHARS.value()
    if max(map(len, text.split("\n"))) <= longest:
        return
    start = 0
    while (end := text.find("\n", start)) >= 0 and end - start <= longest:
        start = end + 1
    stop = end if end >= 0 else len(text)
    raise TooLarge(None, f"a line of {stop - start:,} characters (more than {longest:,})", limits.MAX_LINE_CHARS,
                    start + longest)


HINTS = {
    "MAX_PROGRAM_BYTES": "split the program (a catalog can live in its own file)",
    "MAX_LINE_CHARS": "break the line; a long list or expression may run over several lines",
    "MAX_YAML_NODES": "a program needs far fewer; move a long catalog into its own file",
    "MAX_SCALAR_CHARS": "shorten the value",
}
