"""The limits of what the runtime reads (rule set artifacts, input rows, standard input), each a named
default in this one place; the sizes can be raised or lowered from the environment.

Going over a limit is a clear error (an artifact, standard input) or a rejected row (E527) that names
its row while the rest of the file goes on; it is found while reading, in bounded chunks, so an input
of any size costs no more memory than the limit. The sizes are overridable by an environment variable
named after the limit (``PPL_MAX_ROW_BYTES=4194304``); the nesting of an artifact is not, since it
protects the stack. The program's own limits live in `policy_lang.limits` (the runtime imports no
language module), read the same way.

>>> MAX_ROW_BYTES.default, MAX_ROW_BYTES.variable
(1048576, 'PPL_MAX_ROW_BYTES')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final


class LimitSettingError(ValueError):
    """An environment variable that overrides a limit holds no positive whole number."""


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its name, its default, what it counts, and what going over it is."""

    name: str
    default: int
    unit: str
    what: str
    overridable: bool = True

    @property
    def variable(self) -> str:
        """The environment variable that overrides the limit (for an overridable one)."""
        return f"PPL_{self.name}"

    def value(self) -> int:
        """The limit in force: the environment's override when there is one, else the default.

        Raises:
            LimitSettingError: the override is not a positive whole number.
        """
        raw = os.environ.get(self.variable) if self.overridable else None
        if raw is None:
            return self.default
        text = raw.strip().replace("_", "")
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise LimitSettingError(f"{self.variable} must be a positive whole number, not `{raw}`")
        return int(text)


MAX_ARTIFACT_BYTES: Final = Limit("MAX_ARTIFACT_BYTES", 8 << 20, "bytes", "size of a rule set artifact file")
"""8 MiB: more than the largest program a program file can hold compiles to (about five bytes of artifact for
each byte of program), and small enough to load in well under 128 MB."""

MAX_ARTIFACT_NESTING: Final = Limit("MAX_ARTIFACT_NESTING", 300, "levels",
                                    "nesting of the JSON of a rule set artifact", overridable=False)
"""An expression may nest 200 levels (`policy_lang.limits.MAX_DEPTH`), and the artifact wraps it in a few more;
decoding walks the JSON recursively."""

MAX_JSON_FILE_BYTES: Final = Limit("MAX_JSON_FILE_BYTES", 8 << 20, "bytes",
                                   "a JSON file read whole: a leads file (`ppl route --lead-file leads.json`)")
"""8 MiB: some ten thousand leads; a larger batch is written as CSV or JSON Lines, which are read a row at a time."""

MAX_ROW_BYTES: Final = Limit("MAX_ROW_BYTES", 1 << 20, "bytes",
                             "one row of an input file: a CSV record (in characters) or a JSON Lines line")

MAX_FIELD_CHARS: Final = Limit("MAX_FIELD_CHARS", 128 << 10, "characters",
                               "one field of an input row: a CSV cell, a JSON Lines value, a Parquet cell")
"""128 KiB, the limit Python's CSV reader has by default."""

MAX_STDIN_BYTES: Final = Limit("MAX_STDIN_BYTES", 1 << 20, "bytes",
                               "a JSON object read from standard input (`--transaction -`, `--lead -`)")

ALL: Final[tuple[Limit, ...]] = (MAX_ARTIFACT_BYTES, MAX_ARTIFACT_NESTING, MAX_JSON_FILE_BYTES, MAX_ROW_BYTES,
                                 MAX_FIELD_CHARS, MAX_STDIN_BYTES)
"""Every limit of the runtime, in the order the docs list them."""


def check_overrides() -> list[str]:
    """What is wrong with the environment's overrides of these limits (nothing, usually)."""
    problems = []
    for limit in ALL:
        try:
            limit.value()
        except LimitSettingError as exc:
            problems.append(str(exc))
    return problems
