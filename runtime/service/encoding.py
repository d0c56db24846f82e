"""JSON as the service writes it: compact, UTF-8 as it is, keys in the order given — one function for answers and
the decision log.

`json_bytes` encodes with orjson, several times faster than the standard library on a quote's answer and its
log line, and falls back to `json.dumps` (the same text) for what orjson has no form for: an integer beyond 64
bits, a key that is not text, or a value only `default` can write that it refuses (then the standard library
raises the same error `default` raised). Times and dataclasses are passed to `default`, as the standard library
would pass them. No float reaches an answer or a decision: request bodies are read with fractions as `Decimal`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from starlette.responses import JSONResponse

_PASS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_bytes(data: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """`data` as compact JSON text in UTF-8 (what `json.dumps(..., ensure_ascii=False, separators=(",", ":"),
    allow_nan=False, default=default)` writes).

    Raises:
        TypeError, ValueError: a value neither orjson nor `default` can write.
    """
    try:
        return orjson.dumps(data, default=default, option=_PASS)
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=default).encode("utf-8")


class JSONAnswer(JSONResponse):
    """A JSON answer rendered by `json_bytes`: the bytes `JSONResponse` renders, made faster."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
