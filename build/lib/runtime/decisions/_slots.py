"""The environments expressions read, and the slots of one partner read lazily, for quotes.

A quote of a transaction sold down a chain reads a few slots for each partner of the chain: the
margin, uplift and caps of the partner that buys from the vendor, the level margin of each partner
below it, the pass-through and services of the seller. `PartnerSlots` evaluates just those, when
they are read, through the version's `SlotTable`; what a slot's value depends on decides where it
is kept:

- a slot that reads no field is evaluated once per version (by the table);
- one that reads only `partner.*` and `period.*` is kept per partner in a `QuoteCache`, which
  lives as long as its partners and period volumes do not change (one quote, or one settlement);
- one that reads only `transaction.*` is evaluated on the transaction's fields alone;
- any other on the partner's environment merged with the transaction's.

A slot that fails raises its `EvaluationError` when (and only when) it is read, as `SlotValues` does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Final

from runtime import ir
from runtime.engine import fields_in_order
from runtime.loaded import CONSTANT, PARTNER, TRANSACTION, SlotTable, outcome, value_of
from runtime.model import Partner, Transaction, Volumes

AS_OF: Final = f"{ir.AS_OF_SCOPE}.{ir.AS_OF_NAME}"
"""The environment's key of `as_of`, the date an expression is evaluated for."""


BUILTIN_PARTNER_FIELDS: Final = frozenset({"id", "tier", "level", "contract"})
"""The `partner.*` fields every partner has; the others are the program's declared inputs, on file or not."""


def partner_fields(partner: Partner) -> dict[str, Any]:
    """The `partner.*` part of an environment: the built-in fields and the declared inputs on file."""
    env: dict[str, Any] = {"partner.id": partner.id, "partner.tier": partner.tier, "partner.level": partner.level,
                           "partner.contract": partner.contract}
    env.update((f"partner.{k}", v) for k, v in partner.fields.items())
    return env


def lacks_fields(condition: ir.Expr, partner: Partner) -> list[str]:
    """The declared partner fields a condition reads that the partner has not on file (a partner without a
    territory is not eligible by territory: a condition it cannot be judged on is not met, and no placeholder
    value is needed)."""
    return [f.name for f in fields_in_order([condition]) if f.scope == "partner"
            and f.name not in BUILTIN_PARTNER_FIELDS and f.name not in partner.fields]


def partner_env(partner: Partner, txn: Transaction | None, volumes: Volumes | None,
                as_of: datetime.date | None = None) -> dict[str, Any]:
    """The flat `scope.name` environment expressions read.

    `as_of` is the evaluation date (a statement's last day, a tier review's date); with a transaction and no
    `as_of`, the transaction's date.
    """
    env = partner_fields(partner)
    day = as_of if as_of is not None else txn.date if txn is not None else None
    if day is not None:
        env[AS_OF] = day
    if txn is not None:
        env.update({"transaction.date": txn.date, "transaction.partner": txn.partner,
                    "transaction.contract": txn.contract or partner.contract, "transaction.product": txn.product,
                    "transaction.list_price": txn.list_price, "transaction.sell_price": txn.sell_price,
                    "transaction.quantity": txn.quantity})
        env.update((f"transaction.{k}", v) for k, v in txn.fields.items())
    v = volumes or Volumes()
    env.update({"period.sales": v.sales, "period.purchases": v.purchases, "period.list_sales": v.list_sales,
                "period.quantity": v.quantity, "period.deals": v.deals})
    return env


def transaction_env(txn: Transaction) -> dict[str, Any]:
    """The `transaction.*` part of `partner_env`, without the partner.

    INVARIANT: `transaction.contract` is the transaction's own (None when it names none); `PartnerSlots`
    falls back to the partner's contract when it merges this with a partner's environment, and a
    TRANSACTION slot never reads that field (see `runtime.loaded.slot_kind`).
    """
    env: dict[str, Any] = {"transaction.date": txn.date, "transaction.partner": txn.partner,
                           "transaction.contract": txn.contract, "transaction.product": txn.product,
                           "transaction.list_price": txn.list_price, "transaction.sell_price": txn.sell_price,
                           "transaction.quantity": txn.quantity, AS_OF: txn.date}
    env.update((f"transaction.{k}", v) for k, v in txn.fields.items())
    return env


class QuoteCache:
    """What the quotes of one run share: partner environments and the values of partner-only slots.

    INVARIANT: the partners and their period volumes do not change while the cache is in use (one
    quote, or one settlement, where every transaction is quoted without period volumes).
    """

    __slots__ = ("partners", "volumes", "_envs", "_values")

    def __init__(self, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> None:
        self.partners = partners
        self.volumes = volumes
        self._envs: dict[str, dict[str, Any]] = {}
        self._values: dict[tuple[SlotTable, str, str], Any] = {}  # (table, partner id, slot) → value or error

    def partner_env(self, partner: Partner) -> dict[str, Any]:
        """`partner_env(partner, None, its volumes)`, built once per partner (the caller must not change it)."""
        env = self._envs.get(partner.id)
        if env is None:
            env = self._envs[partner.id] = partner_env(partner, None, self.volumes.get(partner.id))
        return env

    def partner_value(self, table: SlotTable, partner: Partner, key: str) -> Any:
        """The value of a PARTNER slot for a partner, evaluated once.

        Raises:
            EvaluationError: the slot failed for this partner (each time it is read).
        """
        memo = (table, partner.id, key)
        try:
            found = self._values[memo]
        except KeyError:
            found = self._values[memo] = outcome(lambda: table.evaluate(key, self.partner_env(partner)))
        return value_of(found)


class PartnerSlots:
    """One partner's slots of an entry, for one transaction (or none), evaluated when they are read.

    Reads like `SlotValues`: `key in slots`, `slots[key]` (raises the slot's error, or KeyError for a
    slot the entry does not have) and `slots.get(key, default)`.
    """

    __slots__ = ("table", "cache", "partner", "txn", "txn_env", "_env")

    def __init__(self, table: SlotTable, cache: QuoteCache, partner: Partner, txn: Transaction | None,
                 txn_env: Mapping[str, Any]) -> None:
        self.table = table
        self.cache = cache
        self.partner = partner
        self.txn = txn
        self.txn_env = txn_env  # `transaction_env(txn)`, or empty without a transaction
        self._env: Mapping[str, Any] | None = None

    def __contains__(self, key: object) -> bool:
        return key in self.table.kinds

    def __getitem__(self, key: str) -> Any:
        kind = self.table.kinds[key]
        if kind == CONSTANT:
            return self.table.constant(key)
        if kind == PARTNER:
            return self.cache.partner_value(self.table, self.partner, key)
        if kind == TRANSACTION:
            return self.table.evaluate(key, self.txn_env)
        return self.table.evaluate(key, self.env())

    def get(self, key: str, default: Any = None) -> Any:
        """The slot's value, or `default` when the entry has no such slot (a failing slot still raises)."""
        return self[key] if key in self.table.kinds else default

    def env(self) -> Mapping[str, Any]:
        """The whole environment: `partner_env(partner, txn, volumes)`, merged from the cached parts."""
        if self._env is None:
            env = self.cache.partner_env(self.partner)
            txn = self.txn
            if txn is not None:
                env = {**env, **self.txn_env}
                if not txn.contract and "contract" not in txn.fields:  # as `txn.contract or partner.contract`
                    env["transaction.contract"] = self.partner.contract
            self._env = env
        return self._env
