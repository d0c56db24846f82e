"""JSON as the service writes it: compact, UTF-8 as it is, keys in the order given — one function for answers and
the decision log.

`json_bytes` encodes with orjson, several times faster than the standard library on a quote's answer and its
log line, and falls back to `json.dumps` (the same text) for what orjson has no form for: an integer beyond 64
bits, a key that is not text, or a value only `default` can write that it refuses (then the standard library
raises the same error `default` raised). Times and dataclasses are passed to `default`, as the standard library
would pass them. No float reaches an answer or a decision: request bodies are read with fractions as `Decimal`.

orjson comes with the `serve` extra; without it (a core install that reads decision logs with `ppl replay`) the
standard library writes the same text. `JSONAnswer`, the answer that uses it, is in `runtime.service.answers`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

_orjson: ModuleType | None
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a core install without the serve extra
    _orjson = None


def json_bytes(data: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """`data` as compact JSON text in UTF-8 (what `json.dumps(..., ensure_ascii=False, separators=(",", ":"),
    allow_nan=False, default=default)` writes).

    Raises:
        TypeError, ValueError: a value neither orjson nor `default` can write.
    """
    if _orjson is not None:
        try:
            encoded: bytes = _orjson.dumps(data, default=default,
                                           option=_orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS)
            return encoded
        except _orjson.JSONEncodeError:
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=default).encode("utf-8")
