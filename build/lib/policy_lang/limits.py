"""The limits of a program file, each a named default in this one place; the sizes can be raised or lowered.

A broken or hostile file must end in a diagnostic, quickly and in little memory: never a `MemoryError`,
a `RecursionError` or a parse that runs for a minute. Every stage that reads a program checks the limit
that protects it *before* the expensive step (the file's size before it is read, an expression's length
before lark parses it), so going over a limit costs no more than reading up to it.

The sizes are overridable where a real program might need more, by an environment variable named
after the limit (``PPL_MAX_PROGRAM_BYTES=8388608``); the depths are not, since they protect the stack
of every later stage.

>>> MAX_LINE_CHARS.default, MAX_LINE_CHARS.variable
(10000, 'PPL_MAX_LINE_CHARS')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final


class LimitSettingError(ValueError):
    """An environment variable that overrides a limit holds no positive whole number."""


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its name, its default, what it counts, the diagnostic code of going over it."""

    name: str
    default: int
    unit: str
    what: str
    code: str
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
        return self.default if raw is None else parse_override(self.variable, raw)


def parse_override(variable: str, raw: str) -> int:
    """A limit's override as written in the environment: a positive whole number (``_`` may group digits).

    Raises:
        LimitSettingError: anything else.
    """
    text = raw.strip().replace("_", "")
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise LimitSettingError(f"{variable} must be a positive whole number, not `{raw}`")
    return int(text)


MAX_PROGRAM_BYTES: Final = Limit(
    "MAX_PROGRAM_BYTES", 1 << 20, "bytes", "size of a program or catalog file (and of a program on standard input)",
    "E108")
"""1 MiB: over a hundred times the example programs, and small enough that YAML reads it in well under a second."""

MAX_LINE_CHARS: Final = Limit("MAX_LINE_CHARS", 10_000, "characters", "length of one line of a program file", "E108")

MAX_YAML_NODES: Final = Limit(
    "MAX_YAML_NODES", 10_000, "keys and items", "keys, values and list items of a program file in total", "E108")
"""Ten thousand: the example programs have about 550; composing takes about 50 µs each, so this bounds the time."""

MAX_SCALAR_CHARS: Final = Limit("MAX_SCALAR_CHARS", 100_000, "characters", "length of one YAML value", "E108")

MAX_NESTING: Final = Limit("MAX_NESTING", 50, "levels", "nesting of YAML mappings and lists", "E101",
                           overridable=False)
"""A program needs about eight; the composer and every later stage walk the tree recursively."""

MAX_ALIASES: Final = Limit("MAX_ALIASES", 20, "aliases", "YAML aliases in one file", "E105", overridable=False)
"""Enough to share a block or two, too few to build an alias bomb."""

MAX_EXPRESSION_CHARS: Final = Limit(
    "MAX_EXPRESSION_CHARS", 10_000, "characters", "length of one expression", "E124")

MAX_EXPRESSION_TOKENS: Final = Limit(
    "MAX_EXPRESSION_TOKENS", 3_000, "tokens", "words, numbers, signs and brackets of one expression", "E124")

MAX_PROGRAM_TOKENS: Final = Limit(
    "MAX_PROGRAM_TOKENS", 10_000, "tokens", "words, numbers and signs of all the expressions of one file", "E124")
"""Ten thousand: the example programs have about a hundred in all. Parsing takes some 25 µs a token, so a 1 MiB
file of expressions each within the other limits would otherwise take half a minute to parse."""

MAX_DEPTH: Final = Limit("MAX_DEPTH", 200, "levels", "nesting of an expression (operators and brackets)", "E124",
                         overridable=False)
"""Later stages (checks, lowering, code generation) walk expression trees recursively."""

MAX_LIST_MEMBERS: Final = Limit("MAX_LIST_MEMBERS", 1_000, "members", "members of one list literal", "E124")

MAX_TEXT_CHARS: Final = Limit("MAX_TEXT_CHARS", 1_000, "characters", "length of a quoted text in an expression",
                              "E124")

ALL: Final[tuple[Limit, ...]] = (
    MAX_PROGRAM_BYTES, MAX_LINE_CHARS, MAX_YAML_NODES, MAX_SCALAR_CHARS, MAX_NESTING, MAX_ALIASES,
    MAX_EXPRESSION_CHARS, MAX_EXPRESSION_TOKENS, MAX_PROGRAM_TOKENS, MAX_DEPTH, MAX_LIST_MEMBERS, MAX_TEXT_CHARS,
)
"""Every limit of a program file, in the order the docs list them."""


def check_overrides() -> list[str]:
    """What is wrong with the environment's overrides of these limits (nothing, usually)."""
    problems = []
    for limit in ALL:
        try:
            limit.value()
        except LimitSettingError as exc:
            problems.append(str(exc))
    return problems
