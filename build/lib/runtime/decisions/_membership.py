"""Partner membership: a partner is in the program from its `joined` day to its `left` day, both inclusive.

A sale dated outside the membership of its seller, or of a distributor its chain buys through, is rejected
(E515). The SQL engine decides the same rows from the same reasons (`runtime.sql._checks`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from runtime import ir
from runtime.decisions._pricing import QuoteError, chain_of
from runtime.model import Partner

NOT_A_MEMBER = "E515"


def is_member(partner: Partner, day: datetime.date) -> bool:
    """Whether a partner is a member on a day (no `joined`: since always; no `left`: until further notice)."""
    return (partner.joined is None or partner.joined <= day) and (partner.left is None or day <= partner.left)


def member_named(member: Partner, seller: Partner) -> str:
    """How a reason names a partner: the seller itself, or a distributor the seller buys through."""
    if member is seller:
        return f"partner `{member.id}`"
    return f"partner `{member.id}`, which `{seller.id}` buys through,"


def reason(member: Partner, seller: Partner, day: datetime.date) -> str:
    """Why a sale by `seller` on `day` is rejected when `member` (of its chain) is not a member then."""
    if member.joined is not None and day < member.joined:
        return f"{member_named(member, seller)} is not a member on {day}: it joined on {member.joined}"
    return f"{member_named(member, seller)} is not a member on {day}: it left on {member.left}"


def has_membership(partners: Iterable[Partner]) -> bool:
    """Whether any partner states a `joined` or `left` day (else no sale can be rejected for membership)."""
    return any(p.joined is not None or p.left is not None for p in partners)


def membership_chain(seller: Partner, partners: Mapping[str, Partner], version: ir.Version) -> list[Partner]:
    """The partners whose membership a sale needs, in the order they are judged: the seller, then the
    distributors it buys through, nearest first (those of its chain under the version; a chain that is broken
    is judged on the seller alone, and the quote rejects it with E513)."""
    try:
        chain = chain_of(seller, partners, version)
    except QuoteError:
        return [seller]
    return list(reversed(chain))


def check_members(members: Iterable[Partner], day: datetime.date) -> None:
    """Raise E515 when a partner of `members` (the seller first, then up its chain) is not a member on `day`.

    Raises:
        QuoteError: E515, naming the first partner that is not a member.
    """
    seller: Partner | None = None
    for member in members:
        seller = seller or member
        if not is_member(member, day):
            raise QuoteError(NOT_A_MEMBER, reason(member, seller, day))


def active_partners(partners: Iterable[Partner], day: datetime.date) -> int:
    """The partners active on a day, as a pilot size counts them: the partners the vendor deals with directly
    (level 1; every partner of a program without a hierarchy) that are members on the day."""
    return sum(1 for p in partners if p.level == 1 and is_member(p, day))


def pilot_size(pilot: ir.Pilot) -> str:
    """A pilot size in words: `3 to 5`, `at least 3`, `at most 5`."""
    if pilot.min is not None and pilot.max is not None:
        return f"{pilot.min}" if pilot.min == pilot.max else f"{pilot.min} to {pilot.max}"
    return f"at least {pilot.min}" if pilot.min is not None else f"at most {pilot.max}"


PILOT_HINT = ("the program's `pilot` states how many partners it means to have active; the practice is to start "
              "with three to five and grow, changing `pilot` as the program grows")


def pilot_advisory(pilot: ir.Pilot | None, partners: Iterable[Partner], day: datetime.date) -> str | None:
    """The message of the W306 advisory when the partners active on `day` are outside the pilot size (None when
    they are inside, or the program states no pilot size)."""
    if pilot is None:
        return None
    active = active_partners(partners, day)
    if pilot.admits(active):
        return None
    side = "fewer" if pilot.min is not None and active < pilot.min else "more"
    return (f"{active} partner{'' if active == 1 else 's'} active on {day}, {side} than the pilot size "
            f"({pilot_size(pilot)})")
