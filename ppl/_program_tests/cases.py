"""What a test file says: partners, cases and the figures each case expects, read into plain data.

`CaseReader` reads the partners and cases of one test file for a compiled program; every mistake is
a diagnostic at its place in the file. The expectations become `Check`s: a path into the result
(`("lines", "fee")`, `("statements", "gold", "totals", "ladder")`), the expected value and how to show it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policy_lang.source import Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq
from ppl._program_tests.values import ValueReader
from runtime import io as rio
from runtime import ir
from runtime.model import Partner, Period, Transaction, Volumes

LINE_KINDS = ("margin", "pass_through", "fee", "services", "referral_fee", "ladder", "ladder_clawback", "bonus",
              "bonus_clawback")
RATE_NAMES = ("base margin", "tier uplift", "ladder rate", "margin cap", "referral fee rate", "referral fee cap")
VIOLATIONS = ("above_list", "below_floor")
VOLUME_NAMES = ("sales", "purchases", "list_sales", "quantity", "deals")


@dataclass(frozen=True, slots=True)
class Check:
    """One expected figure: where it is in the result, its value, how to show it, and where it is written."""

    path: tuple[str, ...]  # ("margin",), ("lines", "fee"), ("statements", "gold", "totals", "ladder") …
    expected: Any
    kind: str  # money | rate | figure | count | text | ids | contains | code
    span: Span


@dataclass(frozen=True, slots=True)
class Case:
    """One case: a transaction to quote (no period) or transactions to settle over a period."""

    name: str
    span: Span
    transactions: tuple[Transaction, ...]
    volumes: Mapping[str, Volumes]
    period: Period | None
    checks: tuple[Check, ...]
    known_failure: str | None = None


@dataclass(frozen=True, slots=True)
class TestFile:
    """A loaded test file; `ruleset` is None when its program has errors (then `cases` hold names only)."""

    __test__ = False  # not a pytest class

    path: str
    program: str
    ruleset: ir.RuleSet | None
    partners: Mapping[str, Partner]
    cases: tuple[Case, ...]


_PARTNER = ("id", "contract", "tier", "level", "parent", "fields")
_CASE = ("name", "quote", "settle", "expect", "known_failure")
_TRANSACTION = ("id", "partner", "date", "list_price", "sell_price", "quantity", "contract", "product", "fields")
_QUOTE_EXPECT = ("margin", "wholesale", "partner_gross", "list_amount", "sell_amount", "version", "contract",
                 "rates", "lines", "chain", "benefits", "benefit_values", "violations", "next_steps_contain", "error")
_SETTLE_EXPECT = ("statements", "accepted", "rejected", "rejects", "error")
_STATEMENT = ("totals", "total", "tier", "next_tier", "volumes", "gross_volumes", "transactions")
_SHARE = ("partner", "level", "margin", "pays", "receives", "keeps")
_MONEY_VOLUMES = ("sales", "purchases", "list_sales")
_CODE = re.compile(r"[EW]\d{3}")


class CaseReader(ValueReader):
    """Reads the partners and cases of one test file."""

    # --- partners and transactions ---------------------------------------------------------------

    def partner(self, node: YNode) -> Partner | None:
        keys = self.mapping(node, "a partner", _PARTNER, ("id", "contract"))
        if keys is None:
            return None
        pid, contract = self.text(keys["id"], "a partner's `id`"), self.text(keys["contract"], "`contract`")
        tier = self.text(keys["tier"], "`tier`") if "tier" in keys else None
        level = self.integer(keys["level"], "`level`") if "level" in keys else 1
        parent = self.text(keys["parent"], "`parent`") if "parent" in keys else None
        fields = self.fields(keys["fields"], "partner", f"partner `{pid}`") if "fields" in keys else {}
        if pid is None or contract is None or level is None:
            return None
        if pid in self.partners:
            self.error("E300", f"partner `{pid}` is defined twice", keys["id"])
            return None
        ok = self.known(keys["contract"], contract, self.contracts, "contract")
        if tier is not None:
            ok = self.known(keys["tier"], tier, self.tiers, "tier") and ok
        return Partner(pid, contract, tier, level, parent, fields) if ok else None

    def transaction(self, node: YNode, default_id: str) -> Transaction | None:
        keys = self.mapping(node, "a transaction", _TRANSACTION, ("partner", "date", "list_price"))
        if keys is None:
            return None
        tid = self.text(keys["id"], "`id`") if "id" in keys else default_id
        partner, day = self.text(keys["partner"], "`partner`"), self.date(keys["date"], "`date`")
        list_price = self.price(keys["list_price"], "`list_price`")
        sell_price = self.price(keys["sell_price"], "`sell_price`") if "sell_price" in keys else list_price
        quantity = self.integer(keys["quantity"], "`quantity`") if "quantity" in keys else 1
        contract = self.text(keys["contract"], "`contract`") if "contract" in keys else None
        product = self.text(keys["product"], "`product`") if "product" in keys else ""
        fields = self.fields(keys["fields"], "transaction", f"transaction `{tid}`") if "fields" in keys else {}
        if tid is None or partner is None or day is None or list_price is None or sell_price is None \
                or quantity is None or product is None:
            return None
        return Transaction(tid, day, partner, list_price, sell_price, quantity, contract, product, fields)

    def price(self, node: YNode, what: str) -> int | None:
        amount = self.money(node, what)
        if amount is not None and amount < 0:
            self.error("E521", f"{what} is negative", node, "a refund is a transaction with a negative `quantity`")
            return None
        return amount

    def volumes(self, node: YNode) -> dict[str, Volumes]:
        found: dict[str, Volumes] = {}
        for key, value in self.entries(node, "`volumes`"):
            pid = str(key.value)
            if not self.known(key, pid, self.partners, "partner"):
                continue
            keys = self.mapping(value, f"the volumes of `{pid}`", VOLUME_NAMES) or {}
            amounts = {name: (self.money(v, f"`{name}`") if name in _MONEY_VOLUMES else self.integer(v, f"`{name}`"))
                       for name, v in keys.items()}
            found[pid] = Volumes(**{k: v for k, v in amounts.items() if v is not None})
        return found

    # --- cases -----------------------------------------------------------------------------------

    def case(self, node: YNode, names: dict[str, YNode]) -> Case | None:
        keys = self.mapping(node, "a case", _CASE, ("name", "expect"))
        if keys is None:
            return None
        name = self.text(keys["name"], "a case's `name`")
        if name is not None and name in names:
            self.error("E300", f"two cases are named `{name}`", keys["name"])
        elif name is not None:
            names[name] = keys["name"]
        known = self.text(keys["known_failure"], "`known_failure`") if "known_failure" in keys else None
        if ("quote" in keys) == ("settle" in keys):
            self.error("E208" if "quote" in keys else "E202", "a case either quotes a transaction (`quote`) or "
                       "settles a period (`settle`)", node)
            return None
        found: tuple[tuple[Transaction, ...], dict[str, Volumes], Period | None] | None
        if "quote" in keys:
            found = self.quote_input(keys["quote"])
            checks = self.expectations(keys["expect"], _QUOTE_EXPECT, self.quote_check)
        else:
            found = self.settle_input(keys["settle"])
            checks = self.expectations(keys["expect"], _SETTLE_EXPECT, self.settle_check)
        if name is None or found is None or checks is None:
            return None
        transactions, volumes, period = found
        return Case(name, node.span, transactions, volumes, period, checks, known)

    def quote_input(self, node: YNode) -> tuple[tuple[Transaction, ...], dict[str, Volumes], None] | None:
        keys = self.mapping(node, "`quote`", ("transaction", "volumes"), ("transaction",))
        if keys is None:
            return None
        volumes = self.volumes(keys["volumes"]) if "volumes" in keys else {}
        txn = self.transaction(keys["transaction"], "t1")
        return ((txn,), volumes, None) if txn is not None else None

    def settle_input(self, node: YNode) -> tuple[tuple[Transaction, ...], dict[str, Volumes], Period] | None:
        keys = self.mapping(node, "`settle`", ("period", "transactions"), ("period",))
        if keys is None:
            return None
        period: Period | None = None
        text = self.text(keys["period"], "`period`")
        if text is not None:
            try:
                period = rio.parse_period(text, self.ruleset.fiscal_year_start)
            except ValueError as exc:
                self.error("E205", str(exc), keys["period"])
        items = self.items(keys["transactions"], "`transactions`") if "transactions" in keys else []
        txns = [self.transaction(item, f"t{i}") for i, item in enumerate(items, 1)]
        if period is None or any(t is None for t in txns):
            return None
        return tuple(t for t in txns if t is not None), {}, period

    def expectations(self, node: YNode, allowed: Sequence[str],
                     read: Callable[[str, YNode, YScalar], list[Check] | None]) -> tuple[Check, ...] | None:
        keys = self.mapping(node, "`expect`", allowed)
        if keys is None:
            return None
        assert isinstance(node, YMap)
        if not keys:
            if not node.items:  # (unknown keys are reported already)
                self.error("E202", "`expect` lists no figures: a case must expect something", node)
            return None
        if "error" in keys and len(keys) > 1:
            self.error("E208", "a case that expects an error expects no figures", node)
            return None
        checks: list[Check] = []
        ok = True
        for name, value in keys.items():
            key = node.key_node(name)
            assert key is not None
            found = read(name, value, key)
            ok = ok and found is not None
            checks.extend(found or ())
        return tuple(checks) if ok else None

    def one(self, path: tuple[str, ...], value: Any, kind: str, node: YNode) -> list[Check] | None:
        return None if value is None else [Check(path, value, kind, node.span)]

    def ids(self, node: YNode, what: str, pool: Iterable[str], label: str) -> list[str] | None:
        names = [self.text(item, what) for item in self.items(node, what)]
        ok = isinstance(node, YSeq) and all(n is not None for n in names)
        items = node.items if isinstance(node, YSeq) else []
        for item, n in zip(items, names, strict=True):
            ok = n is not None and self.known(item, n, pool, label) and ok
        return sorted(n for n in names if n is not None) if ok else None

    def quote_check(self, name: str, node: YNode, key: YScalar) -> list[Check] | None:
        what = f"`{name}`"
        match name:
            case "margin":
                return self.one((name,), self.rate(node, what), "rate", node)
            case "wholesale" if isinstance(node, YScalar) and node.value is None:
                return [Check((name,), None, "money", node.span)]
            case "wholesale" | "partner_gross" | "list_amount" | "sell_amount":
                return self.one((name,), self.money(node, what), "money", node)
            case "version" | "contract":
                return self.one((name,), self.text(node, what), "text", node)
            case "error":
                code = self.text(node, what)
                if code is not None and not _CODE.fullmatch(code):
                    self.error("E205", f"`error` must be a diagnostic code such as E511, not `{code}`", node)
                    return None
                return self.one((name,), code, "code", node)
            case "rates" | "lines" | "benefit_values":
                return self.named(name, node)
            case "benefits":
                return self.one((name,), self.ids(node, "a benefit", self.benefits, "benefit"), "ids", node)
            case "violations":
                return self.one((name,), self.ids(node, "a violation", VIOLATIONS, "violation"), "ids", node)
            case "next_steps_contain":
                texts = [(self.text(item, "a next step"), item) for item in self.items(node, what)]
                if any(t is None for t, _ in texts):
                    return None
                return [Check((name, str(i)), t, "contains", item.span) for i, (t, item) in enumerate(texts)]
            case "chain":
                return self.chain(node)
        raise AssertionError(name)

    def named(self, name: str, node: YNode) -> list[Check] | None:
        """`rates`, `lines` or `benefit_values`: a mapping whose entries are compared one by one."""
        pool = {"rates": RATE_NAMES, "lines": LINE_KINDS[:5], "benefit_values": tuple(self.benefits)}[name]
        label = {"rates": "rate", "lines": "line kind", "benefit_values": "benefit"}[name]
        checks: list[Check] | None = []
        for key, value in self.entries(node, f"`{name}`"):
            entry = str(key.value)
            if not self.known(key, entry, pool, label):
                checks = None
                continue
            kind = "figure" if name == "rates" else "money"
            if name == "rates" and isinstance(value, YScalar) and value.value is None:
                if checks is not None:
                    checks.append(Check((name, entry), None, kind, value.span))  # `margin cap: null`: no such rate
                continue
            got = self.figure(value, f"`{entry}`") if name == "rates" else self.money(value, f"`{entry}`")
            if got is None or checks is None:
                checks = None
                continue
            checks.append(Check((name, entry), got, kind, value.span))
        return checks

    def chain(self, node: YNode) -> list[Check] | None:
        checks = [Check(("chain",), len(self.items(node, "`chain`")), "count", node.span)]
        for i, item in enumerate(self.items(node, "`chain`")):
            keys = self.mapping(item, "a chain entry", _SHARE)
            if keys is None:
                return None
            for name, value in keys.items():
                got: Any
                if name == "partner":
                    got = self.text(value, "`partner`")
                    kind = "text"
                elif name == "margin":
                    got, kind = self.rate(value, "`margin`"), "rate"
                elif name == "level":
                    got, kind = self.integer(value, "`level`"), "count"
                else:
                    got, kind = self.money(value, f"`{name}`"), "money"
                if got is None:
                    return None
                checks.append(Check(("chain", str(i), name), got, kind, value.span))
        return checks

    def settle_check(self, name: str, node: YNode, key: YScalar) -> list[Check] | None:
        match name:
            case "accepted" | "rejected":
                return self.one((name,), self.integer(node, f"`{name}`"), "count", node)
            case "error":
                return self.quote_check(name, node, key)
            case "rejects":
                checks: list[Check] = []
                for tid, value in self.entries(node, "`rejects`"):
                    code = self.text(value, "a code")
                    if code is None or not _CODE.fullmatch(code):
                        self.error("E205", "a reject is expected with its code, such as E514", value)
                        return None
                    checks.append(Check((name, str(tid.value)), code, "code", value.span))
                return checks
            case "statements":
                return self.statements(node)
        raise AssertionError(name)

    def statements(self, node: YNode) -> list[Check] | None:
        checks: list[Check] = []
        ok = True
        for key, value in self.entries(node, "`statements`"):
            pid = str(key.value)
            keys = self.mapping(value, f"the statement of `{pid}`", _STATEMENT)
            if not self.known(key, pid, self.partners, "partner") or keys is None:
                ok = False
                continue
            if not keys:
                self.error("E202", f"the statement of `{pid}` lists no figures", value)
                ok = False
            for name, item in keys.items():
                found = self.statement_check(("statements", pid, name), item)
                ok = ok and found is not None
                checks.extend(found or ())
        return checks if ok else None

    def statement_check(self, path: tuple[str, ...], node: YNode) -> list[Check] | None:
        name = path[-1]
        if name in ("tier", "next_tier"):
            if isinstance(node, YScalar) and node.value is None:
                return [Check(path, None, "text", node.span)]
            tier = self.text(node, f"`{name}`")
            return self.one(path, tier, "text", node) if tier and self.known(node, tier, self.tiers, "tier") else None
        if name == "total":
            return self.one(path, self.money(node, "`total`"), "money", node)
        if name == "transactions":
            return self.one(path, self.integer(node, "`transactions`"), "count", node)
        pool = LINE_KINDS if name == "totals" else VOLUME_NAMES
        checks: list[Check] = []
        for key, value in self.entries(node, f"`{name}`"):
            entry = str(key.value)
            if not self.known(key, entry, pool, "line kind" if name == "totals" else "volume"):
                return None
            money = name == "totals" or entry in _MONEY_VOLUMES
            got = self.money(value, f"`{entry}`") if money else self.integer(value, f"`{entry}`")
            if got is None:
                return None
            checks.append(Check((*path, entry), got, "money" if money else "count", value.span))
        return checks
