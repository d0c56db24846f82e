"""What a program change does to the money: the figures of one period settled twice, before and after.

Every amount is an exact whole number of minor units (yen for JPY), as the statements carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from runtime.model import Period

StandingKind: TypeAlias = Literal["tier", "ladder_step", "bonus"]
"""What a partner stands at: its tier, the step of a ladder it reached, what a bonus pays it."""


class ImpactError(Exception):
    """The two settlements cannot be compared (E586, E587); the message says why."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


class EngineRefused(Exception):
    """The engine asked for cannot settle a program (`--engine duckdb` on what DuckDB does not settle yet); the
    message gives the reasons."""


@dataclass(frozen=True, slots=True)
class KindChange:
    """The amount of one kind of line (`margin`, `ladder`, `bonus`, …) before and after."""

    kind: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        """After less before."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class StandingChange:
    """A partner's tier, ladder step or bonus that the change moves: `id` names the ladder or bonus ("" for a tier);
    a value is a tier id, a step (from 1) or a bonus amount, `None` where there is none."""

    what: StandingKind
    id: str
    before: str | int | None
    after: str | int | None


@dataclass(frozen=True, slots=True)
class PartnerImpact:
    """One partner's statement before and after: what it earns, per kind of line, and what it stands at."""

    partner: str
    before: int  # what the partner earns (Statement.total): every line except pass-through and services
    after: int
    kinds: tuple[KindChange, ...]  # every kind either statement carries, in statement order
    standings: tuple[StandingChange, ...] = ()  # only what changed

    @property
    def difference(self) -> int:
        """After less before."""
        return self.after - self.before

    @property
    def loses(self) -> bool:
        """Whether the partner would earn less."""
        return self.after < self.before


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """How one side's settlement read the transactions: read = accepted + rejected + held, and the count of each
    reject code."""

    program: str
    version: str
    engine: str
    read: int
    accepted: int
    rejected: int
    held: int
    codes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Impact:
    """The money impact of a program change over one period: per partner, per kind and in total.

    `partners` holds every partner of either settlement, sorted by id. Rows rejected on one side only are
    counted in `rejected_old_only` and `rejected_new_only`; a row rejected on one side is no part of that side's
    figures, as in `ppl settle`.
    """

    period: Period
    currency: str
    minor_unit: int
    old: Reconciliation
    new: Reconciliation
    partners: tuple[PartnerImpact, ...]
    kinds: tuple[KindChange, ...]
    rejected_old_only: int = 0
    rejected_new_only: int = 0

    @property
    def before(self) -> int:
        """What every partner earns before."""
        return sum(p.before for p in self.partners)

    @property
    def after(self) -> int:
        """What every partner earns after."""
        return sum(p.after for p in self.partners)

    @property
    def difference(self) -> int:
        """After less before, over every partner."""
        return self.after - self.before

    @property
    def losers(self) -> tuple[PartnerImpact, ...]:
        """The partners who would earn less, the largest loss first."""
        return tuple(sorted((p for p in self.partners if p.loses), key=lambda p: (p.difference, p.partner)))

    @property
    def changed(self) -> tuple[PartnerImpact, ...]:
        """The partners whose figures or standings change, by id."""
        return tuple(p for p in self.partners if p.difference or p.standings or any(k.difference for k in p.kinds))

    def movers(self, n: int = 10) -> tuple[PartnerImpact, ...]:
        """The `n` partners whose earnings move most (by the size of the difference; ties by id), none that stay."""
        moved = [p for p in self.partners if p.difference]
        return tuple(sorted(moved, key=lambda p: (-abs(p.difference), p.partner))[:n])
