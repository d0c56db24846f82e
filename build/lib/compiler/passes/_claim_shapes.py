"""An abstract model of the conflict precedence chain: the finite space of claim shapes the rules tell apart.

A *contest* is a few claims on one deal. Each claim is the vendor's direct sales or a partner, and carries
only what some rule reads of it (an *attribute*):

- `("meets", text)`: whether its partner meets an exclusivity condition. Distinct condition texts are
  independent; the same text is the same attribute. Direct sales never meet one.
- `chosen`: whether the customer documented that it chose this claim (at most one claim is chosen).
  `applies` says from when a documented choice counts, not what it keeps, so both read alike here.
- `instant`: the rank of its registration instant (0 first; equal ranks: the same instant). A claim
  without a registration (a partner meeting a `needs_registration: false` condition) counts as
  registered after every registration.
- `tier`: its partner's tier rank among the program's levels, or no tier (worst); direct sales have none.
- `ident`: the partner id when an explicit tie-break order lists it, else unlisted; distinct claims are
  distinct partners (one partner cannot hold two claims).
- `idrank`: the rank of its partner id in string order, consistent with the listed ids.

`explore` runs the chain on every contest of `claims` claims, assigning an attribute only when a rule
first reads it, so a contest decided early leaves the rest open. Paths that reach a rule with the same
values of the attributes later rules read are merged, which keeps a 20-rule chain to a fraction of a
second.

Why contests of two claims suffice: every rule keeps the claims that are best by one key (exclusivity,
choice, partner or direct, instant, tier, listed position), except `tie_break` by `partner_id`, which
keeps the smallest partner id and never tells direct sales apart. If a contest of three or more claims
ends with several claims, any two of them are equal on every key read, so the two alone end the same
way; if a rule leaves one claim `c` out of the claims `T` it sees, then `c` and any other claim of `T`
alone pass every earlier rule (claims left together by a rule are equal on its key, and a `partner_id`
rule that narrowed leaves at most one partner) and that rule decides between them; and a claim without
a registration that wins against a registered one also wins against it alone. So every rule that
decides, every kind of claimants left unresolved and every win without a registration found with three
claims is found with two. The converse does not hold (with at most one direct sales claim, three claims
hold two partners, so `partner_over_direct` only narrows them), which is why two, not three, are
enumerated (tests/unit/compiler/test_conflict_checks_model.py checks both on many chains).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from policy_lang import ast
from policy_lang.format import format_expr

NO_TIER = 1_000
"""The tier rank of a claim with no tier (and of direct sales): after every level."""
UNREGISTERED = 1_000
"""The instant rank of a claim without a registration: after every registration."""

Value = bool | int | str | None
Key = str | tuple[str, str]
Known = Mapping[Key, tuple[Value, ...]]
"""What is known of a contest: an attribute's value for each claim."""
Values = dict[Key, tuple[Value, ...]]


@dataclass(frozen=True, slots=True)
class Step:
    """One rule of the chain, as the model reads it."""

    index: int
    rule: str
    by: str | None = None
    condition: str | None = None  # exclusivity: the condition's canonical text
    order: tuple[str, ...] = ()  # tie_break by order: partner ids, the favoured first
    needs_registration: bool = True

    def reads(self) -> tuple[Key, ...]:
        """The attributes this rule looks at, in the order they are assigned."""
        match self.rule:
            case "exclusivity":
                return (("meets", self.condition or ""),)
            case "customer_choice":
                return ("chosen",)
            case "first_registration":
                return ("instant",)
            case "tie_break" if self.by == "higher_tier":
                return ("tier",)
            case "tie_break" if self.by == "order":
                return ("ident",)
            case "tie_break" if self.by == "partner_id":
                return ("ident", "idrank")
        return ()  # partner or direct: the claim's kind, fixed for the contest


def read_steps(conflicts: ast.Conflicts) -> tuple[Step, ...]:
    """The chain of a `conflicts` section in the model's terms."""
    return tuple(Step(i, r.rule, r.by, format_expr(r.when) if r.when is not None else None, r.order or (),
                      r.needs_registration is not False)
                 for i, r in enumerate(conflicts.precedence))


@dataclass(frozen=True, slots=True)
class Contest:
    """Claims on one deal: who each is, and the attributes the chain read of them."""

    direct: tuple[bool, ...]
    registered: tuple[bool, ...]
    values: tuple[tuple[Key, tuple[Value, ...]], ...]

    def get(self, key: Key) -> tuple[Value, ...] | None:
        """The attribute's value for each claim, or None when no rule read it."""
        return dict(self.values).get(key)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the chain ends on one contest."""

    contest: Contest
    decider: int | None  # the deciding step's index (a vendor_decides tie-break counts); None: nothing decided
    owner: int | None  # the owning claim; None: the vendor decides, or unresolved
    live: tuple[int, ...]  # the claims still in contention at the end
    vendor: bool = False  # a `tie_break` by `vendor_decides` stopped the chain


@dataclass(frozen=True, slots=True)
class Space:
    """What the contests may hold: the chain's tier levels, listed ids and conditions needing no registration."""

    levels: int
    listed: tuple[str, ...]
    free: frozenset[str]  # condition texts whose partners hold a claim without registering

    @staticmethod
    def of(steps: Sequence[Step], levels: int) -> Space:
        """The space of a chain under a program with `levels` tier levels."""
        listed = sorted({p for s in steps for p in s.order})
        free = frozenset(s.condition or "" for s in steps if s.rule == "exclusivity" and not s.needs_registration)
        return Space(levels, tuple(listed), free)


def kinds(space: Space, claims: int) -> Iterator[tuple[tuple[bool, ...], tuple[bool, ...]]]:
    """Who the claims are: (direct?, registered?) per claim, at most one direct sales claim."""
    for direct in itertools.product((False, True), repeat=claims):
        if sum(direct) > 1:
            continue
        choices = [(True,) if d or not space.free else (True, False) for d in direct]
        for registered in itertools.product(*choices):
            yield direct, registered


def domain(key: Key, space: Space, direct: tuple[bool, ...], registered: tuple[bool, ...],
           known: Known) -> list[tuple[Value, ...]]:
    """Every value of an attribute for the claims of a contest."""
    n = len(direct)
    partners = [i for i in range(n) if not direct[i]]
    if isinstance(key, tuple):
        return [tuple[Value, ...](v) for v in itertools.product(*[(False,) if d else (False, True) for d in direct])]
    if key == "chosen":
        return [tuple[Value, ...](i == k for i in range(n)) for k in range(-1, n)]  # -1: the customer chose none
    if key == "instant":
        return _instants(registered)
    if key == "tier":
        ranks = (*range(min(space.levels, len(partners))), NO_TIER)
        return list(itertools.product(*[(NO_TIER,) if d else ranks for d in direct]))
    if key == "ident":
        names: tuple[str | None, ...] = (*space.listed, "")
        out: list[tuple[Value, ...]] = []
        for combo in itertools.product(*[(None,) if d else names for d in direct]):
            listed = [c for c in combo if c]
            if len(set(listed)) == len(listed):
                out.append(tuple[Value, ...](combo))
        return out
    assert key == "idrank"
    return _idranks(direct, known["ident"])


def _instants(registered: tuple[bool, ...]) -> list[tuple[Value, ...]]:
    """Registration instant ranks: every weak order of the registered claims, dense from 0."""
    count = sum(registered)
    out: list[tuple[Value, ...]] = []
    for ranks in itertools.product(range(count), repeat=count):
        if set(ranks) != set(range(max(ranks, default=-1) + 1)):
            continue
        it = iter(ranks)
        out.append(tuple(next(it) if r else UNREGISTERED for r in registered))
    return out


def _idranks(direct: tuple[bool, ...], ident: tuple[Value, ...]) -> list[tuple[Value, ...]]:
    """Partner id ranks consistent with the listed ids' string order; direct sales have no id."""
    partners = [i for i in range(len(direct)) if not direct[i]]
    out: list[tuple[Value, ...]] = []
    for perm in itertools.permutations(range(len(partners))):
        rank = dict(zip(partners, perm, strict=True))
        listed = [(str(ident[i]), rank[i]) for i in partners if ident[i]]
        if all((a < b) == (ra < rb) for (a, ra), (b, rb) in itertools.combinations(listed, 2)):
            out.append(tuple(rank.get(i) for i in range(len(direct))))
    return out


def keep(step: Step, live: Sequence[int], direct: tuple[bool, ...], values: Known) -> list[int]:
    """The claims among `live` this rule favours (all of them or none: it does not tell them apart)."""
    match step.rule:
        case "exclusivity":
            return [i for i in live if values[("meets", step.condition or "")][i]]
        case "customer_choice":
            return [i for i in live if values["chosen"][i]]
        case "partner_over_direct":
            return [i for i in live if not direct[i]]
        case "direct_over_partner":
            return [i for i in live if direct[i]]
        case "first_registration":
            return _best(live, values["instant"])
        case "tie_break" if step.by == "higher_tier":
            return _best(live, values["tier"])
        case "tie_break" if step.by == "order":
            ident = values["ident"]
            return _best(live, [step.order.index(str(p)) if p in step.order else len(step.order) for p in ident])
        case "tie_break" if step.by == "partner_id":
            rank = values["idrank"]
            ranks = [_rank(rank[i]) for i in live if rank[i] is not None]
            return [i for i in live if rank[i] is None or rank[i] == min(ranks)]
    return list(live)  # vendor_decides, handled by the caller


def _best(live: Sequence[int], key: Sequence[Value]) -> list[int]:
    best = min(_rank(key[i]) for i in live)
    return [i for i in live if _rank(key[i]) == best]


def _rank(value: Value) -> int:
    assert isinstance(value, int)
    return value


def verdict(step: Step, live: Sequence[int], direct: tuple[bool, ...],
            values: Known) -> tuple[int, ...] | None:
    """The claims a rule keeps when it tells `live` apart, None when it passes them all on."""
    kept = keep(step, live, direct, values)
    return tuple(kept) if kept and len(kept) < len(live) else None


def run_chain(steps: Sequence[Step], direct: tuple[bool, ...],
              values: Known) -> tuple[int | None, int | None, tuple[int, ...], bool]:
    """The chain on one contest whose attributes are all known, the plain way: (decider, owner, live, vendor?).

    The reference `explore` is held to: it walks the same chain without giving unread attributes a value.
    """
    live = tuple(range(len(direct)))
    for step in steps:
        if step.rule == "tie_break" and step.by == "vendor_decides":
            return step.index, None, live, True
        kept = verdict(step, live, direct, values)
        if kept is not None and len(kept) == 1:
            return step.index, kept[0], kept, False
        live = kept or live
    return None, None, live, False


def explore(steps: Sequence[Step], space: Space, claims: int = 2, eager: Sequence[Key] = (),
            admit: Callable[[tuple[bool, ...], tuple[bool, ...], Known], bool] | None = None,
            ) -> list[Outcome]:
    """How the chain ends on every contest of `claims` claims (paths merged on the way give one witness).

    Args:
        eager: attributes to give a value before the chain runs, so that `admit` can read them.
        admit: keep only the contests it admits, given (direct?, registered?, the eager values).
    """
    outcomes: list[Outcome] = []
    for direct, registered in kinds(space, claims):
        run = _Run(steps, space, direct, registered, outcomes)
        for values in run.assign(eager, {}):
            if admit is None or admit(direct, registered, values):
                run.step(0, tuple(range(claims)), values)
    return outcomes


def contests(space: Space, keys: Sequence[Key], claims: int = 2,
             ) -> Iterator[tuple[tuple[bool, ...], Values]]:
    """Every contest as far as the attributes `keys` go: (direct?, values)."""
    for direct, registered in kinds(space, claims):
        yield from ((direct, v) for v in _Run((), space, direct, registered, []).assign(keys, {}))


def compare(first: Step, second: Step, space: Space) -> str | None:
    """`equal` when two rules keep the same claims in every contest of two, `opposite` when they tell the
    same contests apart and always favour different claims, else None (rules that never tell claims
    apart are neither)."""
    same = opposite = True
    apart = False
    for direct, values in contests(space, (*first.reads(), *second.reads())):
        a, b = verdict(first, (0, 1), direct, values), verdict(second, (0, 1), direct, values)
        apart = apart or a is not None
        same = same and a == b
        opposite = opposite and (a is None) == (b is None) and (a is None or a != b)
    return None if not apart else "equal" if same else "opposite" if opposite else None


class _Run:
    """The depth-first walk of the chain for claims of one kind."""

    def __init__(self, steps: Sequence[Step], space: Space, direct: tuple[bool, ...], registered: tuple[bool, ...],
                 outcomes: list[Outcome]) -> None:
        self.steps, self.space, self.direct, self.registered = steps, space, direct, registered
        self.outcomes = outcomes
        self.seen: set[object] = set()
        later: list[frozenset[Key]] = [frozenset()]
        for s in reversed(steps):
            later.append(later[-1] | frozenset(s.reads()))
        self.later = later[::-1]  # the attributes read from each step on

    def assign(self, keys: Sequence[Key], values: Values) -> Iterator[Values]:
        """Every way to give the attributes not yet known a value, keeping contests that can exist."""
        missing = [k for k in keys if k not in values]
        if not missing:
            yield values
            return
        key, rest = missing[0], missing[1:]
        for value in domain(key, self.space, self.direct, self.registered, values):
            grown = {**values, key: value}
            if self.possible(grown):
                yield from self.assign(rest, grown)

    def uncovered(self, values: Known) -> tuple[int, ...]:
        """Claims without a registration that meet no condition needing none (so far)."""
        return tuple(i for i, r in enumerate(self.registered)
                     if not r and not any(values.get(("meets", c), (False,) * len(self.direct))[i]
                                          for c in self.space.free))

    def possible(self, values: Known) -> bool:
        return not self.uncovered(values) or any(("meets", c) not in values for c in self.space.free)

    def step(self, index: int, live: tuple[int, ...], values: Values) -> None:
        memo = (index, live, self.uncovered(values),
                tuple(sorted((str(k), v) for k, v in values.items() if k in self.later[index])))
        if memo in self.seen:
            return
        self.seen.add(memo)
        if index == len(self.steps):
            self.end(Outcome(self.contest(values), None, None, live))
            return
        rule = self.steps[index]
        if rule.rule == "tie_break" and rule.by == "vendor_decides":
            self.end(Outcome(self.contest(values), index, None, live, vendor=True))
            return
        for known in self.assign(rule.reads(), values):
            kept = verdict(rule, live, self.direct, known)
            if kept is None:
                self.step(index + 1, live, known)
            elif len(kept) == 1:
                self.end(Outcome(self.contest(known), index, kept[0], kept))
            else:
                self.step(index + 1, kept, known)

    def contest(self, values: Known) -> Contest:
        """The contest as read, completed so that every claim without a registration has its right."""
        values = dict(values)
        if need := self.uncovered(values):
            free = sorted(c for c in self.space.free if ("meets", c) not in values)
            values[("meets", free[0])] = tuple(i in need for i in range(len(self.direct)))
        return Contest(self.direct, self.registered, tuple(values.items()))

    def end(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
