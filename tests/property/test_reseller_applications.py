"""Properties of would-be resellers routed with the registry's running state.

- For random application histories (applicants that apply again, regions, partners with and without
  children, times in any order), what the `Applications` store records is the pure decision
  `route_new_reseller` replayed over the recorded receipt order, on both engines.
- Turns are fair: applicants that all rank equal are spread over the distributors in turn, so no two
  distributors' counts differ by more than one.
"""

from __future__ import annotations

import datetime
from collections import Counter
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.decisions import Application, Routed, route_new_reseller
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import Applications
from tests.unit.runtime.store._applications_program import JST, REGIONS, compile_applications_program

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _runtime(engine: str) -> Runtime:
    return Runtime(compile_applications_program(), engine)


@st.composite
def _partners(draw: st.DrawFn) -> dict[str, Partner]:
    firsts = draw(st.lists(st.sampled_from(REGIONS), min_size=0, max_size=5))
    found = {f"d{i}": Partner(f"d{i}", "agency", None, 1, None, {"region": r}) for i, r in enumerate(firsts)}
    for n in range(draw(st.integers(0, 4))):
        if found:
            parent = draw(st.sampled_from(sorted(p for p in found if found[p].level == 1)))
            found[f"s{n}"] = Partner(f"s{n}", "agency", None, 2, parent, {"region": "kanto"})
    return found


_APPLICATIONS = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(REGIONS), st.integers(0, 600)),
                         min_size=1, max_size=25)


@SETTINGS
@given(partners=_partners(), history=_APPLICATIONS, engine=st.sampled_from(("compiled", "interpreted")))
def test_the_stores_routing_is_the_decision_replayed(partners: dict[str, Partner],
                                                     history: list[tuple[int, str, int]], engine: str) -> None:
    rt = _runtime(engine)
    with Applications(":memory:", rt, partners) as applications:
        told = [applications.apply(f"a{who}", datetime.datetime(2026, 6, 1, 9, tzinfo=JST)
                                   + datetime.timedelta(minutes=minutes), {"region": region})
                for who, region, minutes in history]
        records = applications.records()
        routed = applications.routed()
    assert [r.route for r in records] == told
    earlier: list[Routed] = []
    for record, entry in zip(records, routed, strict=True):
        assert route_new_reseller(rt, entry.application, partners, earlier) == record.route
        earlier.append(entry)


@SETTINGS
@given(size=st.integers(1, 6), count=st.integers(1, 40))
def test_equals_are_served_in_turn(size: int, count: int) -> None:
    rt = _runtime("compiled")
    partners = {f"d{i}": Partner(f"d{i}", "agency", None, 1, None, {"region": "kanto"}) for i in range(size)}
    earlier: list[Routed] = []
    for n in range(count):
        application = Application(f"a{n}", datetime.datetime(2026, 6, 1, 9, n % 60, tzinfo=JST), {"region": "kanto"})
        earlier.append(Routed(application, route_new_reseller(rt, application, partners, earlier).partner))
    served = Counter(r.partner for r in earlier)
    assert max(served.values()) - min(served.get(p, 0) for p in partners) <= 1
    assert [r.partner for r in earlier[:size]] == sorted(partners)[:count]
