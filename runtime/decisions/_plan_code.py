"""The machinery of a quote plan's code: statics, slots, inline rounding, the two variants, compiling.

`PlanCode` knows how a plan's generated function is put together, not what a quote computes
(that is `runtime.decisions._fast`): every program value becomes a static `sN` (a parameter of the
generated `make`, never code text); a slot that depends on no transaction field is a static, any
other is computed by statements `codegen.inline_entry` generates, reading the `Transaction` and
`Partner` objects directly; a line marked for one variant (the figures alone, or the explained
quote) is left out of the other; and generated functions are kept per runtime by their text.
"""

from __future__ import annotations

import functools
import hashlib
import linecache
import re
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from runtime import ir
from runtime.decisions._plans import NoPlan, Plan
from runtime.decisions._pricing import PriceRejected, _fraction, checked_rate
from runtime.decisions._quoting import catalog_message, late_violations
from runtime.decisions._rounding import round_amount, round_ratio, round_times
from runtime.decisions._slots import PartnerSlots
from runtime.engine import compile_entry
from runtime.engine import operators as ops
from runtime.engine.codegen import inline_entry
from runtime.loaded import CONSTANT, PARTNER, LoadedVersion, transaction_slots
from runtime.model import Figure, Line, Partner, Quote, QuoteFigures, Share, Transaction, Violation, Volumes
from runtime.money import format_amount, format_rate

if TYPE_CHECKING:
    from runtime.decisions.quote import Quoter


_TXN_ATTRIBUTES = frozenset({"date", "partner", "product", "list_price", "sell_price", "quantity"})
_PARTNER_ATTRIBUTES = frozenset({"id", "tier", "level", "contract"})
_VOLUMES = frozenset({"sales", "purchases", "list_sales", "quantity", "deals"})
_PERIOD = frozenset(("period", name) for name in _VOLUMES)
_ONLY = {"": "", "plain": "\x01", "explain": "\x02"}  # marks a line that belongs to one variant only


class PlanCode:
    """The text of one plan's function, its statics, and compiling it into the plan's two functions."""

    def __init__(self, quoter: Quoter, version: LoadedVersion) -> None:
        self.quoter = quoter
        self.version = version
        self.ruleset = quoter.rt.ruleset
        self.unit, self.mode = self.ruleset.rounding_unit, self.ruleset.rounding_mode
        self.statics: list[Any] = []
        self.static_index: dict[Any, int] = {}
        self.lines: list[str] = []
        self.role_slots: dict[str, list[tuple[str, ir.Expr]]] = {}
        self.role_args: dict[str, tuple[Partner, Volumes]] = {}
        self.called: list[str] = []  # roles whose slots are a call of their own function, not inline
        self.inline_helpers: dict[str, Callable[..., Any]] = {}  # the functions inline slots call, by name

    # --- statics and slots -------------------------------------------------------------------------

    def s(self, value: Any) -> str:
        """The name under which the generated code reads a static value (equal values of one class share one)."""
        try:
            key: Any = (type(value), value)
            index = self.static_index.setdefault(key, len(self.statics))
        except TypeError:  # unhashable: its own
            index = len(self.statics)
        if index == len(self.statics):
            self.statics.append(value)
        return f"s{index}"

    def slot(self, role: str, partner: Partner, slots: PartnerSlots, key: str, default: Any = None) -> str:
        """Text for a slot's value: a static when it depends on no transaction field, else a local computed
        by the role's generated function. A slot the entry lacks is `default`."""
        table = slots.table
        if key not in table.kinds:
            return self.s(default)
        if table.kinds[key] in (CONSTANT, PARTNER):
            return self.s(slots[key])
        assert self.version.rules is not None
        expr = dict(transaction_slots(self.version.rules))[key]
        self.role_slots.setdefault(role, []).append((key, expr))
        self.role_args[role] = (partner, self.quoter.volumes.get(partner.id) or Volumes())
        return f"{role}_{len(self.role_slots[role]) - 1}"

    def fixed(self, name: str) -> bool | None:
        """Whether a condition named by `slot` holds for every transaction (True), none (False) or depends (None)."""
        if name.startswith("s"):
            return bool(self.statics[int(name[1:])])
        return None

    def static_slot(self, slots: PartnerSlots, key: str) -> Any:
        """A slot that must not depend on the transaction for the plan to exist."""
        if slots.table.kinds.get(key, CONSTANT) not in (CONSTANT, PARTNER):
            raise NoPlan(key)
        return slots[key]

    # --- emitting ------------------------------------------------------------------------------------

    def emit(self, text: str, depth: int = 2, only: str = "") -> None:
        """Add a line; `only` "plain" or "explain" keeps it out of the other variant."""
        self.lines.append(_ONLY[only] + "    " * depth + text)

    def explain(self, text: str, depth: int = 2) -> None:
        self.emit(text, depth, "explain")

    def plain(self, text: str, depth: int = 2) -> None:
        self.emit(text, depth, "plain")

    def rounded(self, target: str, numerator: str, denominator: int, depth: int, mode: str | None = None) -> None:
        """`target = round_ratio(numerator, denominator, unit, mode)`, inline for every mode (default: the
        program's)."""
        mode = mode or self.mode
        step = denominator * self.unit
        if step == 1:
            self.emit(f"{target} = {numerator}", depth)
            return
        times = f" * {self.unit}" if self.unit != 1 else ""
        if mode in ("down", "floor", "ceiling", "up"):
            floor = f"{numerator} // {step}"
            ceil = f"-(-{numerator} // {step})"
            text = {"down": f"({floor} if {numerator} >= 0 else {ceil})", "floor": f"({floor})",
                    "ceiling": f"({ceil})", "up": f"({ceil} if {numerator} >= 0 else {floor})"}[mode]
            self.emit(f"{target} = {text}{times}", depth)
            return
        if mode == "half_up":  # half away from zero: floor((2n + step) / 2step), mirrored below zero
            self.emit(f"{target} = (((2 * {numerator} + {step}) // {2 * step}) if {numerator} >= 0 else "
                      f"-((-2 * {numerator} + {step}) // {2 * step})){times}", depth)
            return
        self.emit(f"q_, r_ = divmod({numerator}, {step})", depth)
        tie = f"{numerator} > 0" if mode == "half_up" else "q_ % 2 == 1"
        self.emit(f"if 2 * r_ > {step} or (2 * r_ == {step} and {tie}): q_ += 1", depth)
        self.emit(f"{target} = q_{times}", depth)

    def place_roles(self) -> None:
        """The statements (or calls) that compute every role's transaction-dependent slots, at this point."""
        for role, slot_list in self.role_slots.items():
            for _, expr in slot_list:
                for f in ops.fields_in_order([expr]):
                    if f.scope == "transaction" and f.name == "contract":
                        raise NoPlan("transaction.contract")  # the partner's contract when none: the reference path
                    if f.scope not in ("transaction", "partner") and (f.scope, f.name) not in _PERIOD:
                        raise NoPlan(f"{f.scope}.{f.name}")
            partner, volumes = self.role_args[role]
            if not self.role_lines(role, self.s(partner), self.s(volumes)):
                names = "".join(f"{role}_{i}, " for i in range(len(slot_list)))
                self.called.append(role)
                self.emit(f"({names}) = {role}(txn, {self.s(partner)}, {self.s(volumes)})")
    def role_lines(self, role: str, partner: str, volumes: str) -> bool:
        """Emit the role's transaction-dependent slots inline, into `{role}_0, {role}_1, …` (False: they
        need helper functions of their own, and the caller calls `role_function` instead)."""
        inline = inline_entry(self.role_slots[role], self.quoter.rt.context, prefix=f"{role}_",
                              constants=f"{role}K", load=_loader(partner, volumes))
        if inline is None:
            return False
        clash = set(inline.helpers) & set(self.inline_helpers)
        if any(self.inline_helpers[name] is not inline.helpers[name] for name in clash):
            return False
        self.inline_helpers.update(inline.helpers)
        def static(match: re.Match[str]) -> str:
            return self.s(inline.consts[int(match.group(1))])

        for line in inline.lines:
            line = re.sub(rf"\b{role}K\[(\d+)\]", static, line)  # each constant a static of its own
            self.emit(re.sub(rf"\b{role}_v(\d+)\b", rf"{role}_\1", line))
        return True

    def role_function(self, role: str) -> Callable[..., tuple[Any, ...]]:
        """The generated function computing the role's transaction-dependent slots from (txn, p, vol)."""
        key = ("role", self.version.rules.version, tuple(k for k, _ in self.role_slots[role]))
        found = self.quoter.rt.plan_code.get(key)  # plans of other partners need the same slots
        if found is None:
            found = self.quoter.rt.plan_code[key] = compile_entry(
                f"{self.version.rules.version}:quote:{role}", self.role_slots[role], self.quoter.rt.context,
                self.ruleset.program_id, params="txn, p, vol", load=_loader("p", "vol")).raw
        return found

    def compile(self) -> Plan:
        params = "".join(f"s{i}, " for i in range(len(self.statics)))
        roles = [self.role_function(r) for r in self.called]
        head = f"def make({params}{''.join(f'{r}, ' for r in self.called)}):"
        made = []
        codes = self.quoter.rt.plan_code  # per runtime: the helpers bind its rounding and currency
        for keep, drop in (("\x01", "\x02"), ("\x02", "\x01")):
            body = [line.replace(keep, "") for line in self.lines if drop not in line]
            source = "\n".join([head, "    def q(txn):", *body, "    return q", ""])
            make = codes.get(source)
            if make is None:
                name = f"<ppl-quote:{hashlib.sha256(source.encode()).hexdigest()[:10]}>"
                namespace: dict[str, Any] = {"__builtins__": {"abs": abs, "divmod": divmod, "int": int, "tuple": tuple},
                                             **self.helpers()}
                exec(compile(source, name, "exec"), namespace)  # our own text: program values are statics
                linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
                make = codes[source] = namespace["make"]
            made.append(make(*self.statics, *roles))
        return Plan(made[0], made[1])

    def helpers(self) -> dict[str, Any]:
        unit, mode, ruleset = self.unit, self.mode, self.ruleset
        return {**self.inline_helpers, "F": _fraction, "CR": checked_rate, "ZERO": Fraction(0),
                "QF": _tuple_new_figures, "Quote": Quote,
                "Line": Line, "Share": Share, "Figure": Figure, "Violation": Violation, "rate": format_rate,
                "PR": PriceRejected, "LV": late_violations, "CM": catalog_message,
                "RR": lambda n, d, m=mode: round_ratio(n, d, unit, m),
                "RA": lambda value: round_amount(value, unit, mode),
                "RT": lambda amount, rate, m=mode: round_times(amount, rate, unit, m),
                "money": lambda value: format_amount(value, ruleset.currency, ruleset.minor_unit)}


def variant(lines: list[str], only: str) -> list[str]:
    """The lines one variant keeps, without their marks."""
    drop = _ONLY["explain" if only == "plain" else "plain"]
    return [line.replace(_ONLY[only], "") for line in lines if drop not in line]


def _loader(partner: str, volumes: str) -> Callable[[ir.Field, Callable[[Any], str]], str]:
    """How generated slot code reads a field: straight from the `Transaction` (`txn`), the partner and its
    volumes (the locals named), never through a dictionary of every field."""
    def load(f: ir.Field, const: Callable[[Any], str]) -> str:
        if f.scope == "transaction":
            return f"txn.{f.name}" if f.name in _TXN_ATTRIBUTES else f"txn.fields[{const(f.name)}]"
        if f.scope == "partner":
            return f"{partner}.{f.name}" if f.name in _PARTNER_ATTRIBUTES else f"{partner}.fields[{const(f.name)}]"
        return f"{volumes}.{f.name}"

    return load


_tuple_new_figures = functools.partial(tuple.__new__, QuoteFigures)
