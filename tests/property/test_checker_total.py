"""The loader and checker are total: for any input they return diagnostics, never raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text

VALID = (Path(__file__).resolve().parents[2] / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
LINES = VALID.splitlines(keepends=True)

scalars = st.one_of(st.integers(-10**12, 10**12), st.text(max_size=12), st.booleans(), st.none(),
                    st.sampled_from(["15%", "¥1,000", "10億", "2026-04-01", "90d", "a and", "[", "!!x", "*a", "&a"]))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=8)


def _run(text: str) -> None:
    loaded = load_program_text("p.yaml", text)
    if loaded.program is not None:
        check_program(loaded.program)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_yields_only_diagnostics(text: str) -> None:
    _run(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(0, len(LINES) - 1), replacement=st.text(max_size=40))
def test_a_corrupted_line_of_a_real_program_yields_only_diagnostics(line: int, replacement: str) -> None:
    _run("".join(LINES[:line]) + replacement + "\n" + "".join(LINES[line + 1:]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(0, len(LINES) - 1), value=scalars)
def test_any_value_in_any_slot_yields_only_diagnostics(line: int, value: object) -> None:
    original = LINES[line]
    if ":" not in original:
        return
    key = original.split(":", 1)[0]
    rendered = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    _run("".join(LINES[:line]) + f"{key}: {rendered}\n" + "".join(LINES[line + 1:]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_arbitrary_structures_yield_only_diagnostics(value: object) -> None:
    import yaml

    _run("ppl: 1\n" + yaml.safe_dump({"program": value, "contracts": value}, allow_unicode=True))
