"""Property tests for instants and ranges.

- The version chosen for a random instant equals the one chosen for its calendar date in Tokyo, whatever
  notation the versions' starts are written in (a date, or the same midnight as an instant in UTC or +09:00).
- A rate whose constant branch lies outside [0 %, 100 %] is always reported (E390) at that branch, and a rate
  whose branches all lie inside never is.
- The quote plans and the reference path reject the same transactions (E560) for rates computed from inputs.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from runtime import instants
from runtime.decisions.quote import QuoteError, Quoter
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKYO = "Asia/Tokyo"

HEADER = """\
ppl: 1
program:
  id: test-program
  title: Test program
  version: "v0"
  effective_from: {start}
  currency: JPY
  rounding: {{mode: down}}
  fiscal_year_start: 4
"""


def _notation(day: datetime.date, how: int) -> str:
    """One start, written as a date or as the same instant (midnight in Tokyo) with an offset."""
    if how == 0:
        return day.isoformat()
    midnight = instants.start_of_day(day, TOKYO)
    if how == 1:
        return '"' + midnight.strftime("%Y-%m-%dT%H:%M:%SZ") + '"'
    return '"' + midnight.astimezone(instants.zone(TOKYO)).isoformat() + '"'


@st.composite
def _versions(draw: st.DrawFn) -> tuple[str, list[datetime.date]]:
    gaps = draw(st.lists(st.integers(1, 200), min_size=1, max_size=4))
    day = datetime.date(2026, 4, 1)
    starts = [day]
    for gap in gaps:
        day += datetime.timedelta(days=gap)
        starts.append(day)
    notations = [_notation(d, draw(st.integers(0, 2))) for d in starts]
    body = "contracts:\n  - id: reseller\n    kind: distributor\n    margin: 10%\n"
    revisions = "".join(f'  - version: "v{i}"\n    effective_from: {n}\n' for i, n in enumerate(notations[1:], 1))
    return HEADER.format(start=notations[0]) + body + ("revisions:\n" + revisions if revisions else ""), starts


@SETTINGS
@given(program=_versions(), offset=st.integers(-3 * 86_400, 900 * 86_400), zone=st.sampled_from(
    ["+09:00", "Z", "-05:00", "+05:45"]))
def test_the_version_at_an_instant_is_the_version_of_its_tokyo_date(program: tuple[str, list[datetime.date]],
                                                                    offset: int, zone: str) -> None:
    text, starts = program
    loaded = load_program_text("t.yaml", text)
    assert loaded.program is not None and not check_program(loaded.program), loaded.diagnostics
    rules = compile_program(loaded.program)
    instant = instants.start_of_day(starts[0], TOKYO) + datetime.timedelta(seconds=offset)
    written = instant.astimezone(datetime.timezone(datetime.timedelta(
        hours=0 if zone == "Z" else int(zone[:3]), minutes=0 if zone == "Z" else int(zone[0] + zone[4:]))))
    day = instants.local_date(written, TOKYO)
    by_instant = rules.version_at(instants.as_utc(written))
    assert by_instant is rules.version_on(day)
    # …and it is the latest version whose start date is on or before the Tokyo date.
    expected = max((i for i, s in enumerate(starts) if s <= day), default=None)
    assert (None if by_instant is None else rules.versions.index(by_instant)) == expected
    # A runtime answers the same through the transaction's instant.
    rt = Runtime(rules)
    found = rt.version_for(day, instants.as_utc(written))
    assert (found.rules if found else None) is by_instant


_RATES = st.integers(-60, 160)  # whole percentages, some out of range


@st.composite
def _rate_expr(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[int]]:
    """A rate expression over a partner field, with its constant branches (in percent)."""
    if depth >= 2 or draw(st.booleans()):
        value = draw(_RATES)
        return (f"{value}%" if value >= 0 else f"-{-value}%"), [value]
    threshold = draw(st.integers(0, 20))
    then, a = draw(_rate_expr(depth + 1))
    other, b = draw(_rate_expr(depth + 1))
    return f"(if partner.engineers > {threshold} then {then} else {other})", a + b


@SETTINGS
@given(expr=_rate_expr())
def test_a_constant_branch_out_of_range_is_always_reported(expr: tuple[str, list[int]]) -> None:
    text, branches = expr
    if len(branches) == 1:
        text = f"(if partner.engineers > 0 then {text} else 10%)"
        branches = [*branches, 10]
    source = HEADER.format(start="2026-04-01") + (
        "inputs:\n  partner:\n    engineers: integer\n"
        f"contracts:\n  - id: reseller\n    kind: distributor\n    margin: {text}\n")
    loaded = load_program_text("t.yaml", source)
    assert loaded.program is not None, loaded.diagnostics
    found = [d for d in check_program(loaded.program) if d.code == "E390"]
    outside = [b for b in branches if not 0 <= b <= 100]
    assert len(found) == len(outside)
    assert sorted(d.message.split("can be ")[1].split("%")[0] for d in found) == sorted(str(b) for b in outside)


@SETTINGS
@given(factor=st.integers(-3, 3), rates=st.lists(st.integers(-50, 150), min_size=1, max_size=12),
       engine=st.sampled_from(["compiled", "interpreted"]))
def test_plans_and_the_reference_reject_the_same_rates(factor: int, rates: list[int], engine: str) -> None:
    # The fee is computed from the transaction: `fee_rate × factor`; the margin from the partner.
    source = HEADER.format(start="2026-04-01") + (
        "inputs:\n  partner:\n    negotiated: percent\n  transaction:\n    fee_rate: percent\n    spend: money\n"
        "contracts:\n  - id: reseller\n    kind: distributor\n    margin: partner.negotiated\n"
        "  - id: introducer\n    kind: referral\n    fee: transaction.fee_rate\n"
        f"price_rules:\n  pass_through:\n    - id: media\n      amount: transaction.spend\n"
        f"      fee: transaction.fee_rate * {factor}\n")
    loaded = load_program_text("t.yaml", source)
    assert loaded.program is not None, loaded.diagnostics
    rt = Runtime(compile_program(loaded.program), engine)
    partners = {"A": Partner("A", "reseller", fields={"negotiated": Fraction(rates[0], 100)}),
                "R": Partner("R", "introducer")}
    quoter = Quoter(rt, partners)
    for i, rate in enumerate(rates):
        txn = Transaction(f"t{i}", datetime.date(2026, 6, 1), "AR"[i % 2], 10_000, 10_000, 1,
                          fields={"fee_rate": Fraction(rate, 100), "spend": 1_000 * (i % 3)})
        outcomes: list[object] = []
        for run in (quoter.quote, quoter.reference):
            try:
                outcomes.append(run(txn).lines)
            except QuoteError as exc:
                outcomes.append(exc.code)
        assert outcomes[0] == outcomes[1]
        partner_margin = Fraction(rates[0], 100)
        fee = Fraction(rate * factor, 100)
        bad = (not 0 <= partner_margin <= 1 or (i % 3 != 0 and not 0 <= fee <= 1)) if i % 2 == 0 \
            else not 0 <= Fraction(rate, 100) <= 1
        assert (outcomes[1] == "E560") == bad
    assert quoter.plan_stats.no_plan == quoter.plan_stats.errors == 0, quoter.plan_stats  # the plans ran
