"""What a semantic diff of two rule sets is made of: `Change` and `ProgramDiff`, plain frozen data.

A change names a construct of the program by its kind and id (and a step, for a ladder step or a
bonus target), the attribute that differs (empty when the whole construct was added or removed), the
old and new values as the program writes them (`¥1,000,000`, `12%`, an expression in canonical form)
and where each side writes them. The text, JSON and Markdown renderings (`runtime.diff.render`)
and the money impact read these records; nothing parses the rendered text back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from runtime.ir import Loc

Action = Literal["added", "removed", "changed"]
"""What happened to a construct or an attribute of it."""

ACTIONS: tuple[Action, ...] = get_args(Action)

ConstructKind = Literal[
    "program", "input", "enum", "version", "contract", "ladder", "ladder_step", "bonus", "bonus_step", "tiers",
    "tier", "benefit", "price_rules", "margin_cap", "pass_through", "catalog", "catalog_item", "hierarchy",
    "hierarchy_level", "reseller_key", "conflicts", "conflict_rule", "lead_routing", "routing_key",
]
"""The kinds of construct a change names, in the order the reference documents them (and a diff lists them)."""

CONSTRUCT_KINDS: tuple[ConstructKind, ...] = get_args(ConstructKind)

KIND_LABELS: dict[ConstructKind, str] = {
    "program": "program setting", "input": "input", "enum": "enumeration", "version": "version",
    "contract": "contract", "ladder": "ladder", "ladder_step": "ladder step", "bonus": "bonus",
    "bonus_step": "bonus target", "tiers": "tiers", "tier": "tier", "benefit": "benefit",
    "price_rules": "price rules", "margin_cap": "margin cap", "pass_through": "pass-through",
    "catalog": "catalog", "catalog_item": "catalog item", "hierarchy": "hierarchy",
    "hierarchy_level": "hierarchy level", "reseller_key": "reseller routing key", "conflicts": "conflict rules",
    "conflict_rule": "conflict rule", "lead_routing": "lead routing", "routing_key": "lead routing key",
}
"""Each kind of construct in words, for the renderings."""


@dataclass(frozen=True, slots=True)
class Change:
    """One semantic change between two rule sets of the same program.

    `old` is None for an addition and `new` for a removal; for a changed attribute either may be None when
    the attribute is not stated on that side. `versions` are the program versions the change is seen in
    (by the new side's version names; the old side's for a removal), in date order.
    """

    kind: ConstructKind
    id: str  # the construct's id ("annual-volume", "partner.region"; "" for a section without one)
    attribute: str  # what of it changed ("rate", "qualify"); "" when the whole construct was added or removed
    action: Action
    old: str | None
    new: str | None
    old_loc: Loc | None
    new_loc: Loc | None
    step: int | None = None  # ladder_step, bonus_step: the step (target), from 1
    versions: tuple[str, ...] = ()

    @property
    def construct(self) -> str:
        """The construct in words: ``ladder step `annual-volume` 2``, ``tier `tier1` ``, ``price rules``."""
        name = KIND_LABELS[self.kind]
        named = f"{name} `{self.id}`" if self.id else name
        return f"{named} {self.step}" if self.step is not None else named

    @property
    def path(self) -> str:
        """A stable key of what changed: ``ladder_step:annual-volume:2:rate`` (kind, id, step, attribute)."""
        step = "" if self.step is None else str(self.step)
        return ":".join((self.kind, self.id, step, self.attribute))


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: the program it compiles, where it was read from, and its versions."""

    program_id: str
    source: str  # the program file or rule set as named (`main:programs/x.yaml` for a git revision)
    versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProgramDiff:
    """The semantic changes from an old rule set to a new one, in the order of `CONSTRUCT_KINDS` then source."""

    old: Side
    new: Side
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        """Whether the two sides mean the same program (formatting, comments and key order aside)."""
        return not self.changes

    def count(self, action: Action) -> int:
        """How many changes are of one action."""
        return sum(1 for change in self.changes if change.action == action)
