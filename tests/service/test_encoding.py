"""The service's JSON: `json_bytes` writes exactly what the standard library writes, only faster."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.service.answers import JSONAnswer
from runtime.service.decision_log import _exact
from runtime.service.encoding import json_bytes

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.text(),
                     st.decimals(allow_nan=False, allow_infinity=False), st.fractions(),
                     st.dates(), st.datetimes(timezones=st.just(datetime.UTC)))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                       max_leaves=20)


def _standard(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_exact).encode("utf-8")


@given(_VALUES)
def test_json_bytes_writes_what_the_standard_library_writes(data: Any) -> None:
    assert json_bytes(data, _exact) == _standard(data)


def test_integers_beyond_64_bits_and_keys_that_are_not_text_are_written_as_the_standard_library_writes() -> None:
    data = {"big": 10**20, "small": -(2**64), 1: "one", "rate": Fraction(1, 3), "amount": Decimal("1.10")}
    assert json_bytes(data, _exact) == _standard(data)


def test_a_value_nothing_can_write_raises_the_error_default_raises() -> None:
    with pytest.raises(TypeError, match="cannot write exactly"):
        json_bytes({"x": object()}, _exact)
    with pytest.raises(ValueError, match="JSON cannot write"):
        json_bytes({"x": Decimal("NaN")}, _exact)


def test_an_answer_renders_the_bytes_of_a_starlette_json_response() -> None:
    from starlette.responses import JSONResponse

    content = {"quote": {"margin": "0.2", "lines": [{"label": "広告\u2028枠", "amount": 864000}]}, "n": None}
    assert JSONAnswer(content).body == JSONResponse(content).body
