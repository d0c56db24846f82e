"""Properties of tier reviews.

- over random monthly figures, the reviews decide what a small reference written here decides (its own review
  dates, windows and counting of `keep` and `grace`, by review index rather than by counters);
- the compiled runtime and the reference interpreter settle random transactions with reviews identically.
"""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime.decisions import review_dates, review_tiers, settle
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction, Volumes

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SIZES = {"monthly": 1, "quarterly": 3, "half_yearly": 6}
LEVELS = ("gold", "silver", "member")


def program(spec: dict[str, Any]) -> str:
    window = spec["window"] if spec["window"] != "months" else f"{{months: {spec['months']}}}"
    return f"""ppl: 1
program:
  id: reviews
  title: Reviews
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: down}}
  fiscal_year_start: 4
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
tiers:
  cadence: {spec['cadence']}
  review:
    window: {window}
    keep: {spec['keep']}
    grace: {spec['grace']}
  levels:
    - id: gold
      qualify: period.sales >= ¥{spec['gold']:,}
      margin_uplift: 4%
    - id: silver
      qualify: period.sales >= ¥{spec['silver']:,}
      margin_uplift: 2%
    - id: member
      qualify: {spec['member']}
"""


def runtime(spec: dict[str, Any], engine: str = "compiled") -> Runtime:
    loaded = load_program_text("reviews.yaml", program(spec))
    assert loaded.program is not None
    assert not dg.has_errors(check_program(loaded.program))
    return Runtime(compile_program(loaded.program), engine)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    silver = draw(st.integers(1, 30)) * 100_000
    return {"cadence": draw(st.sampled_from(sorted(SIZES))),
            "window": draw(st.sampled_from(["year_to_date", "since_last_review", "months"])),
            "months": draw(st.integers(1, 36)), "keep": draw(st.integers(1, 4)), "grace": draw(st.integers(0, 3)),
            "silver": silver, "gold": silver + draw(st.integers(1, 30)) * 100_000,
            "member": draw(st.sampled_from(["true", "period.sales > 0"]))}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def reference(spec: dict[str, Any], start: datetime.date, end: datetime.date, monthly: dict[datetime.date, int],
              tier: str | None) -> list[tuple[datetime.date, str | None, str]]:
    """(review, tier after, outcome) for one partner, worked out from the rules as the docs state them."""
    size = SIZES[spec["cadence"]]
    reviews, day = [], _add_months(start, 1)
    while day <= end:
        if (day.month - 4) % size == 0:
            reviews.append(day)
        day = _add_months(day, 1)

    def qualifies(sales: int) -> str | None:
        if sales >= spec["gold"]:
            return "gold"
        if sales >= spec["silver"]:
            return "silver"
        return "member" if spec["member"] == "true" or sales > 0 else None

    def rank(t: str | None) -> int:
        return LEVELS.index(t) if t in LEVELS else 3

    out = []
    reached: int | None = None  # the index of the review that reached the tier in force (None: from the file)
    missed = 0
    for index, review in enumerate(reviews):
        if spec["window"] == "year_to_date":
            first = datetime.date(review.year if review.month >= 4 else review.year - 1, 4, 1)
            first = datetime.date(first.year - 1, 4, 1) if first == review else first
        else:
            back = size if spec["window"] == "since_last_review" else spec["months"]
            first = _add_months(review, -back)
        sales = sum(v for month, v in monthly.items() if max(first, start) <= month < review)
        candidate = qualifies(sales)
        if rank(candidate) < rank(tier):
            outcome, tier, reached, missed = "promoted", candidate, index, 0
        elif rank(candidate) == rank(tier):
            outcome, missed = "met", 0
        elif reached is not None and index - reached < spec["keep"]:
            outcome = "kept"
        elif missed < spec["grace"]:
            outcome, missed = "grace", missed + 1
        else:
            outcome, tier, reached, missed = "demoted", candidate, index, 0
        out.append((review, tier, outcome))
    return out


@SETTINGS
@given(spec=specs(), months=st.integers(1, 24), start_tier=st.sampled_from(["gold", "silver", "member", None]),
       sales=st.lists(st.integers(0, 40) .map(lambda n: n * 50_000), min_size=24, max_size=24))
def test_the_reviews_decide_as_an_independent_reference(spec: dict[str, Any], months: int, start_tier: str | None,
                                                        sales: list[int]) -> None:
    rt = runtime(spec)
    start = datetime.date(2026, 4, 1)
    end = _add_months(start, months) - datetime.timedelta(days=1)
    monthly = {_add_months(start, i): v for i, v in enumerate(sales)}
    by_index = {d.year * 12 + d.month - 1: v for d, v in monthly.items()}

    def figures(partner: str, months_in: Any) -> Volumes:
        return Volumes(sales=sum(by_index.get(m, 0) for m in months_in))

    period = Period(start, end)
    who = {"p": Partner("p", "reseller", start_tier)}
    timeline = review_tiers(rt, who, period, review_dates(rt, period), figures)
    found = [(d.review, d.tier, d.outcome) for d in timeline.decisions]
    assert found == reference(spec, start, end, monthly, start_tier)


@SETTINGS
@given(spec=specs(), rows=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 364),
                                             st.integers(1, 30).map(lambda n: n * 50_000)), max_size=25))
def test_compiled_and_interpreted_settle_reviews_alike(spec: dict[str, Any],
                                                       rows: list[tuple[str, int, int]]) -> None:
    start = datetime.date(2026, 4, 1)
    txns = [Transaction(f"t{i}", start + datetime.timedelta(days=d), who, price, price, 1)
            for i, (who, d, price) in enumerate(rows)]
    partners = {"a": Partner("a", "reseller", "member"), "b": Partner("b", "reseller", "silver")}
    period = Period(start, datetime.date(2027, 3, 31))
    results = []
    for engine in ("compiled", "interpreted"):
        lines: list[Line] = []
        settled = settle(runtime(spec, engine), txns, partners, period, on_line=lines.append)
        results.append((settled.statements, lines))
    assert results[0] == results[1]
    for statement in results[0][0]:
        assert all(d.partner == statement.partner for d in statement.tier_history)
