"""Contests of two claims in the words a channel manager reads: "two partners of the same tier, …"."""

from __future__ import annotations

from collections.abc import Sequence

from compiler.passes._claim_shapes import NO_TIER, UNREGISTERED, Contest, Key, Step, Value

RIGHTS = {"territory": "territory", "segment": "segment", "named_account": "named account"}
"""An exclusivity rule's `by` in words."""


def describe_contest(contest: Contest, steps: Sequence[Step]) -> str:
    """The claimants and, in chain order, what the chain read of them.

    >>> from compiler.passes._claim_shapes import Contest, Step
    >>> describe_contest(Contest((False, False), (True, True), (("instant", (0, 0)),)),
    ...                  [Step(0, "first_registration")])
    'two partners registered at the same instant'
    """
    assert len(contest.direct) == 2, "counterexamples are contests of two claims"
    words = _Words(contest)
    clauses: list[str] = []
    done: set[Key] = set()
    for step in steps:
        for key in step.reads():
            if key not in done and (value := contest.get(key)) is not None:
                done.add(key)
                clauses.append(words.clause(step, key, value))
    for key, value in contest.values:  # a right the claim without a registration holds, read by no rule reached
        if key not in done and isinstance(key, tuple):
            step = next(s for s in steps if s.reads() == (key,))
            clauses.append(words.clause(step, key, value))
    clauses = [c for c in clauses if c]
    subject = words.subject()  # after the clauses: they say whether the claims need names
    return f"{subject} {', '.join(clauses)}" if clauses else subject.rstrip(",:")


class _Words:
    """Names for the two claims, and a clause for each attribute read."""

    def __init__(self, contest: Contest) -> None:
        self.contest = contest
        self.asymmetric = False  # a clause told the claims apart, so the subject names them
        ident = contest.get("ident")
        self.names: list[str] = []
        letters = iter("AB")
        for i, direct in enumerate(contest.direct):
            if direct:
                self.names.append("the vendor's direct sales")
            elif ident is not None and ident[i]:
                self.names.append(f"partner `{ident[i]}`")
            elif contest.direct[1 - i]:
                self.names.append("the partner")
            elif ident is not None and ident[1 - i]:
                self.names.append("an unlisted partner")
            else:
                self.names.append(f"partner {next(letters)}")

    def subject(self) -> str:
        registered = self.contest.registered
        lettered = all(n[-1] in "AB" for n in self.names)
        if lettered and not self.asymmetric and registered[0] == registered[1]:
            return "two partners" if registered[0] else "two partners, neither registered,"
        names = [n if r else f"{n} (not registered)" for n, r in zip(self.names, registered, strict=True)]
        names = [n.replace("the partner", "a partner") for n in names]
        if self.contest.direct[0]:
            names.reverse()
        return f"{names[0]} and {names[1]}:"

    def clause(self, step: Step, key: Key, value: tuple[Value, ...]) -> str:
        a, b = value
        if isinstance(key, tuple):
            return self.meets(step, a, b)
        match key:
            case "chosen":
                return "the customer chose neither" if a == b else f"the customer chose {self.which(a)}"
            case "instant":
                if a == b:
                    return "" if a == UNREGISTERED else "registered at the same instant"
                return f"{self.better(a, b)} registered first"
            case "tier":
                return self.tier(a, b)
            case "ident":
                return self.listed(step, a, b)
            case "idrank":
                if a is None or b is None:
                    return ""
                return f"{self.better(a, b)} has the smaller partner id"
        return ""

    def which(self, first: Value) -> str:
        self.asymmetric = True
        return self.names[0] if first else self.names[1]

    def better(self, a: Value, b: Value) -> str:
        assert isinstance(a, int) and isinstance(b, int)
        self.asymmetric = True
        return self.names[0] if a < b else self.names[1]

    def meets(self, step: Step, a: Value, b: Value) -> str:
        right = f"the {RIGHTS.get(step.by or '', 'exclusive right')} (`{step.condition}`)"
        if a and b:
            return f"both holding {right}"
        if any(self.contest.direct):
            return f"the partner {'holding' if a or b else 'not holding'} {right}"
        if a or b:
            return f"only {self.which(a)} holding {right}"
        return f"neither holding {right}"

    def tier(self, a: Value, b: Value) -> str:
        if a == b == NO_TIER:
            return "the partner with no tier" if any(self.contest.direct) else "neither with a tier"
        if a == b:
            return "of the same tier"
        if any(self.contest.direct):
            return "the partner with a tier"
        if NO_TIER in (a, b):
            return f"only {self.better(a, b)} with a tier"
        return f"{self.better(a, b)} in the better tier"

    def listed(self, step: Step, a: Value, b: Value) -> str:
        if step.by != "order":
            return ""
        pos = [step.order.index(str(v)) if v in step.order else len(step.order) for v in (a, b)]
        if pos[0] == pos[1]:
            who = "the partner" if any(self.contest.direct) else "neither"
            return f"{who} not listed in the tie-break order" if who == "the partner" else \
                f"{who} listed in the tie-break order"
        if any(self.contest.direct):
            return "the partner listed in the tie-break order"
        return f"{self.better(pos[0], pos[1])} first in the tie-break order"
