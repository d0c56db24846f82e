"""JSON read strictly: an object that names a key twice is an error, never the last value silently winning.

Python's `json` keeps the last of two equal keys, so `{"list_price": 100, "list_price": 1000000}` would be
settled on a value that a person reading the file may never see. Every JSON input ppl reads (JSON Lines
transactions, partners and registrations, `ppl quote --transaction`, leads, rule set artifacts) goes through
`loads`, which refuses such an object and names the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key `{key}` appears twice in one object")
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def loads(text: str | bytes, *, parse_float: Callable[[str], Any] | None = None,
          parse_constant: Callable[[str], Any] | None = None) -> Any:
    """`json.loads`, refusing an object with a repeated key.

    Raises:
        DuplicateKey: an object names a key twice (a `ValueError`, like every other JSON error here).
        json.JSONDecodeError: the text is not JSON.

    >>> loads('{"a": 1, "b": {"c": 2}}')
    {'a': 1, 'b': {'c': 2}}
    >>> loads('{"id": "T-1", "id": "T-2"}')
    Traceback (most recent call last):
      ...
    runtime.strict_json.DuplicateKey: the key `id` appears twice in one object
    """
    return json.loads(text, object_pairs_hook=_unique, parse_float=_guarded(parse_float) if parse_float else None,
                      parse_constant=parse_constant)


_NESTING: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
"""A bracket or brace, or a JSON string (skipped whole, so that the brackets inside it do not count)."""


def nesting_over(text: str, most: int) -> int | None:
    """The offset of the first bracket or brace nested deeper than `most`, or None: found before parsing,
    so that a hostile file is refused by a stated limit rather than by the parser's recursion.

    >>> nesting_over('{"a": [[1]], "b": "[[[["}', 3), nesting_over("[[[1]]]", 2)
    (None, 2)
    """
    if text.count("[") + text.count("{") <= most:
        return None
    depth = 0
    for match in _NESTING.finditer(text):
        char = match[0]
        if char in "[{":
            depth += 1
            if depth > most:
                return match.start()
        elif char in "]}":
            depth -= 1
    return None


def _guarded(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse`, with an arithmetic error (`Decimal` of an exponent it cannot hold) raised as a `ValueError`."""
    def parse_number(text: str) -> Any:
        try:
            return parse(text)
        except ArithmeticError:
            raise ValueError(f"the number {text[:20]}… is out of range") from None
    return parse_number
