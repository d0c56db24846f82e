"""The registry decides by replaying the deal: driven request by request, it says what `deals.replay` says.

For random registration histories (registrations from several partners and the vendor's direct sales,
renewals, withdrawals, the customer's choices, a close; instants that fall in one second, written in
different offsets), each request's status on arrival is the replay's, the owner the registry records after
each request is `History.owner_at` that instant, and `Registry.deal(...).owner_at(t)` is the replay's at
any instant.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.decisions.conflicts import Ownership
from runtime.decisions.deals import Event, History, replay
from runtime.loaded import Runtime
from runtime.store import Outcome, Registry
from tests.unit.runtime.store._registry_program import PARTNERS, PROGRAM, compile_test_program

START = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
OFFSETS = [datetime.timezone(datetime.timedelta(hours=h)) for h in (9, 0, -5)]
GAPS = [datetime.timedelta(0), datetime.timedelta(microseconds=300_000), datetime.timedelta(hours=3),
        datetime.timedelta(days=1), datetime.timedelta(days=40), datetime.timedelta(days=95)]
CLAIMANTS = [*sorted(PARTNERS), None]
NAMES = ("株式会社ABC", "ＡＢＣ（株）", "abc", "ABC Co., Ltd.")


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # register | renew | withdraw | choose | close
    gap: datetime.timedelta
    offset: datetime.timezone
    claimant: str | None  # register: the claimant; choose: the chosen
    region: str
    pick: int  # renew, withdraw: which earlier registration


def steps() -> st.SearchStrategy[list[Step]]:
    step = st.builds(Step, st.sampled_from(["register", "register", "renew", "withdraw", "choose"]),
                     st.sampled_from(GAPS), st.sampled_from(OFFSETS), st.sampled_from(CLAIMANTS),
                     st.sampled_from(["kanto", "kansai"]), st.integers(0, 20))
    first = st.builds(Step, st.just("register"), st.just(datetime.timedelta(0)), st.sampled_from(OFFSETS),
                      st.sampled_from(CLAIMANTS), st.sampled_from(["kanto", "kansai"]), st.just(0))
    close = st.builds(Step, st.just("close"), st.sampled_from(GAPS), st.sampled_from(OFFSETS), st.none(),
                      st.just("kanto"), st.just(0))
    return st.tuples(first, st.lists(step, max_size=10), st.lists(close, max_size=1)).map(
        lambda parts: [parts[0], *parts[1], *parts[2]])


_RUNTIMES: dict[str, Runtime] = {}


def runtime(applies: str) -> Runtime:
    if applies not in _RUNTIMES:
        rule = "    - rule: customer_choice\n"
        text = PROGRAM.replace(rule, f"{rule}      applies: {applies}\n")
        _RUNTIMES[applies] = Runtime(compile_test_program(text))
    return _RUNTIMES[applies]


def drive(registry: Registry, plan: list[Step]) -> Iterator[tuple[Event, Outcome]]:
    """Send the plan to the registry request by request; yield each request as an event, with its outcome."""
    moment = START
    registrations: list[tuple[str, str | None]] = []
    for n, step in enumerate(plan):
        moment = (moment + step.gap).astimezone(step.offset)
        name = NAMES[n % len(NAMES)]
        match step.kind:
            case "register":
                fields = {"region": step.region}
                told = registry.register(step.claimant, name, moment, deal_fields=fields)
                registrations.append((told.claim, step.claimant))
                yield Event("register", told.claim, moment, step.claimant, fields), told
            case "renew" | "withdraw":
                claim, partner = registrations[step.pick % len(registrations)]
                request = registry.renew if step.kind == "renew" else registry.withdraw
                yield Event(step.kind, claim, moment, partner), request(partner, claim, moment)
            case "choose":
                told = registry.choose(name, step.claimant, moment)
                yield Event("choose", told.claim, moment, step.claimant), told
            case _:
                told = registry.close_deal(name, moment)
                yield Event("close", told.claim, moment), told


def owner_id(ownership: Ownership) -> tuple[str | None, bool]:
    return (ownership.owner.id if ownership.owner else None, ownership.vendor_decides)


@pytest.mark.parametrize("applies", ["at_close", "when_documented"])
@settings(max_examples=40, deadline=None)
@given(plan=steps(), probes=st.lists(st.integers(-2 * 86400, 400 * 86400), min_size=1, max_size=4))
def test_the_registry_says_what_the_replay_of_the_same_events_says(applies: str, plan: list[Step],
                                                                   probes: list[int]) -> None:
    rt = runtime(applies)
    with Registry(":memory:", rt, PARTNERS) as registry:
        driven = list(drive(registry, plan))
        recorded = registry.events()
        events = [event for event, _ in driven]
        history = replay(rt, "株式会社ABC", events, PARTNERS)
        on_arrival = [a for a in history.arrivals if any(a.event is e for e in events)]
        # (a) every request got the status the replay gives it
        assert [told.arrival for _, told in driven] == [a.status for a in on_arrival]
        assert [r.status for r in recorded] == [a.status for a in on_arrival]
        # (b) the owner recorded after each request is the owner at that instant
        prefix = History(rt, "株式会社ABC", PARTNERS)
        for n, (event, row) in enumerate(zip(events, recorded, strict=True)):
            prefix.add(event)
            assert row.holder == prefix.ownership_claim(event.at)
            if all(later.at != event.at for later in events[n + 1:]):
                assert row.holder == owner_id(history.owner_at(event.at))[0]
        # ... and the deal the registry shows has the replay's owner at any instant
        for seconds in probes:
            instant = START + datetime.timedelta(seconds=seconds)
            assert owner_id(registry.deal("abc", at=instant).owner_at(instant)) == owner_id(history.owner_at(instant))
