"""What a test file says: partners, cases and the figures each case expects, read into plain data.

`CaseReader` reads the partners and cases of one test file for a compiled program; every mistake is
a diagnostic at its place in the file. A case quotes a transaction, settles a period or a sequence of
runs (`sequence_cases`), decides a deal conflict, replays a deal's history (`deal_cases`), routes a lead
or routes a would-be reseller. The
expectations become `Check`s: a path into the result (`("lines", "fee")`, `("statements", "gold",
"totals", "ladder")`, `("lost", "r2")`), the expected value and how to show it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policy_lang.source import Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq
from program_tests.deal_cases import DEAL_EXPECT, DealInput, DealReader
from program_tests.sequence_cases import SequenceInput, SequenceReader
from program_tests.values import TIMESTAMP_EXAMPLE
from program_tests.values import Check as Check
from runtime import instants, ir
from runtime import io as rio
from runtime.decisions import Application, Claim, Deal, Lead, catalog_item
from runtime.model import UNSTATED, Partner, Period, Transaction, Volumes

LINE_KINDS = ("margin", "pass_through", "fee", "services", "referral_fee", "ladder", "ladder_clawback", "bonus",
              "bonus_clawback", "cap")
RATE_NAMES = ("base margin", "tier uplift", "ladder rate", "margin cap", "referral fee rate", "referral fee cap")
VIOLATIONS = ("above_list", "below_floor")
VOLUME_NAMES = ("sales", "purchases", "list_sales", "quantity", "deals")
LEFT_OUT = ("not eligible for this lead", "at capacity")  # why routing leaves a partner out
# How a claim can lose besides a rule of the chain: its registration expired, it was registered after the deal,
# or it arrived at the same instant as the claim in force and no rule told them apart (`otherwise`).
EXPIRED, REGISTRATION, OTHERWISE = "expired", "registration", "otherwise"


@dataclass(frozen=True, slots=True)
class ConflictInput:
    """A deal and the claims on it; `naive` holds where a claim's timestamp has no offset (the runtime refuses it)."""

    deal: Deal
    claims: tuple[Claim, ...]
    naive: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteInput:
    """An inbound lead to route among the partners of the file."""

    lead: Lead


@dataclass(frozen=True, slots=True)
class NewResellerInput:
    """Inquiries from companies that want to become resellers, in receipt order; `history` when the case lists
    them under `applications:` (it then expects where each went), else one inquiry."""

    applications: tuple[Application, ...]
    history: bool = False


Inputs = ConflictInput | DealInput | RouteInput | NewResellerInput | SequenceInput
"""What a case that neither quotes nor settles one period runs on."""


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
    inputs: Inputs | None = None  # not quote or settle

    @property
    def kind(self) -> str:
        """quote | settle | settlements | conflict | deal | route | new_reseller."""
        if isinstance(self.inputs, SequenceInput):
            return "settlements"
        if isinstance(self.inputs, ConflictInput):
            return "conflict"
        if isinstance(self.inputs, DealInput):
            return "deal"
        if isinstance(self.inputs, RouteInput):
            return "route"
        if isinstance(self.inputs, NewResellerInput):
            return "new_reseller"
        return "quote" if self.period is None else "settle"


@dataclass(frozen=True, slots=True)
class TestFile:
    """A loaded test file; `ruleset` is None when its program has errors (then `cases` hold names only)."""

    __test__ = False  # not a pytest class

    path: str
    program: str
    ruleset: ir.RuleSet | None
    partners: Mapping[str, Partner]
    cases: tuple[Case, ...]


_PARTNER = ("id", "contract", "tier", "level", "parent", "fields", "joined", "left")
_KINDS = ("quote", "settle", "settlements", "conflict", "deal", "route", "new_reseller")
_CASE = ("name", *_KINDS, "expect", "known_failure")
_TRANSACTION = ("id", "partner", "date", "list_price", "sell_price", "quantity", "contract", "product", "sku",
                "fields", "refund_of")
_QUOTE_EXPECT = ("margin", "wholesale", "partner_gross", "list_amount", "sell_amount", "version", "contract",
                 "rates", "lines", "chain", "benefits", "benefit_values", "violations", "next_steps_contain", "error")
_SETTLE_EXPECT = ("statements", "accepted", "rejected", "rejects", "held", "error")
_STATEMENT = ("totals", "total", "tier", "next_tier", "volumes", "gross_volumes", "transactions")
_SHARE = ("partner", "level", "margin", "pays", "receives", "keeps")
_MONEY_VOLUMES = ("sales", "purchases", "list_sales")
_DEAL = ("customer", "at", "fields")
_CLAIM = ("id", "partner", "registered_at", "renewals", "customer_choice")
_CONFLICT_EXPECT = ("owner", "vendor_decides", "decided_by", "lost", "version", "error")
_LEAD = ("id", "date", "fields")
_ROUTE_EXPECT = ("order", "first", "left_out", "same_order_as", "version", "error")
_NEW_RESELLER = ("applicant", "date", "at", "fields", "applications")
_APPLICATION = ("applicant", "date", "at", "fields")
_NEW_RESELLER_EXPECT = ("routed_to_level", "routed_to", "error")
_CODE = re.compile(r"[EW]\d{3}")


class CaseReader(SequenceReader, DealReader):
    """Reads the partners and cases of one test file."""

    def __init__(self, ruleset: ir.RuleSet) -> None:
        super().__init__(ruleset)
        self.route_cases: set[str] = set()  # the names of the route cases read so far (for `same_order_as`)
        self.conflict_rules = {r.rule for v in ruleset.versions if v.conflicts for r in v.conflicts.precedence}

    # --- partners and transactions ---------------------------------------------------------------

    def partner(self, node: YNode) -> Partner | None:
        keys = self.mapping(node, "a partner", _PARTNER, ("id", "contract"))
        if keys is None:
            return None
        pid, contract = self.text(keys["id"], "a partner's `id`"), self.text(keys["contract"], "`contract`")
        tier = self.text(keys["tier"], "`tier`") if "tier" in keys else None
        level = self.integer(keys["level"], "`level`") if "level" in keys else 1
        parent = self.text(keys["parent"], "`parent`") if "parent" in keys else None
        fields = self.fields(keys["fields"], "partner", f"partner `{pid}`") if "fields" in keys else self.no_facts()
        joined = self.date(keys["joined"], "`joined`") if "joined" in keys else None
        left = self.date(keys["left"], "`left`") if "left" in keys else None
        if pid is None or contract is None or level is None or ("joined" in keys and joined is None) \
                or ("left" in keys and left is None):
            return None
        if pid in self.partners:
            self.error("E300", f"partner `{pid}` is defined twice", keys["id"])
            return None
        ok = self.known(keys["contract"], contract, self.contracts, "contract")
        if tier is not None:
            ok = self.known(keys["tier"], tier, self.tiers, "tier") and ok
        return Partner(pid, contract, tier, level, parent, fields, joined, left) if ok else None

    def transaction(self, node: YNode, default_id: str) -> Transaction | None:
        refund = isinstance(node, YMap) and node.get("refund_of") is not None
        keys = self.mapping(node, "a transaction", _TRANSACTION, ("partner", "date"))
        if keys is None:
            return None
        tid = self.text(keys["id"], "`id`") if "id" in keys else default_id
        partner = self.text(keys["partner"], "`partner`")
        day, at = self.day(keys["date"], "`date`")
        refund_of = self.text(keys["refund_of"], "`refund_of`") if "refund_of" in keys else None
        sku = self.text(keys["sku"], "`sku`") if "sku" in keys else None
        if "list_price" not in keys and sku is None and not refund:
            self.error("E202", "a transaction has no `list_price`", node)
            return None
        # A refund may leave its prices out: they are its sale's. A transaction that names only its SKU is at
        # the catalog's list price on its date, as a file row is.
        list_price = self.price(keys["list_price"], "`list_price`") if "list_price" in keys else \
            UNSTATED if refund else self.catalog_price(sku or "", day)
        sell_price = self.price(keys["sell_price"], "`sell_price`") if "sell_price" in keys else list_price
        quantity = self.integer(keys["quantity"], "`quantity`") if "quantity" in keys else 1
        contract = self.text(keys["contract"], "`contract`") if "contract" in keys else None
        product = self.text(keys["product"], "`product`") if "product" in keys else ""
        fields = self.fields(keys["fields"], "transaction", f"transaction `{tid}`") if "fields" in keys else {}
        if tid is None or partner is None or day is None or list_price is None or sell_price is None \
                or quantity is None or product is None:
            return None
        return Transaction(tid, day, partner, list_price, sell_price, quantity, contract, product, fields, at=at,
                           refund_of=refund_of, sku=sku)

    def catalog_price(self, sku: str, day: datetime.date | None) -> int:
        version = self.ruleset.version_on(day) if day is not None else None
        item = catalog_item(version, sku) if version is not None else None
        price = item.price_on(day) if item is not None and day is not None else None
        return price if price is not None else 0

    def price(self, node: YNode, what: str) -> int | None:
        amount = self.money(node, what)
        if amount is not None and amount < 0:
            self.error("E521", f"{what} is negative", node, "a refund names its sale in `refund_of` and returns units "
                       "with a negative `quantity`")
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
        keys = self.mapping(node, "a case", _CASE, ("name",))
        if keys is None:
            return None
        if ("expect" in keys) == ("settlements" in keys):
            self.error("E208" if "expect" in keys else "E202", "a `settlements` case expects figures per run, in "
                       "each run's `expect`" if "expect" in keys else "a case has no `expect`",
                       keys.get("expect", node))
            return None
        name = self.text(keys["name"], "a case's `name`")
        if name is not None and name in names:
            self.error("E300", f"two cases are named `{name}`", keys["name"])
        elif name is not None:
            names[name] = keys["name"]
        known = self.text(keys["known_failure"], "`known_failure`") if "known_failure" in keys else None
        kinds = [k for k in _KINDS if k in keys]
        if len(kinds) != 1:
            self.error("E208" if kinds else "E202", "a case does one thing: it quotes a transaction (`quote`), "
                       "settles a period (`settle`) or a sequence of runs (`settlements`), decides a deal conflict "
                       "(`conflict`), replays a deal's history (`deal`), routes a lead (`route`) or routes a "
                       "would-be reseller (`new_reseller`)", node)
            return None
        kind = kinds[0]
        found: tuple[tuple[Transaction, ...], dict[str, Volumes], Period | None] | None = ((), {}, None)
        inputs: Inputs | None = None
        if kind == "settlements":
            sequence = self.settlements_input(keys["settlements"])
            found = None if sequence is None else (sequence[0], {}, None)
            inputs = sequence[1] if sequence is not None else None
            checks = tuple(c for run in inputs.runs for c in run.checks) if inputs is not None else None
        elif kind == "quote":
            found = self.quote_input(keys["quote"])
            checks = self.expectations(keys["expect"], _QUOTE_EXPECT, self.quote_check)
        elif kind == "settle":
            found = self.settle_input(keys["settle"])
            checks = self.expectations(keys["expect"], _SETTLE_EXPECT, self.settle_check)
        elif kind == "conflict":
            inputs = self.conflict_input(keys["conflict"])
            claims = {c.id for c in inputs.claims} if inputs is not None else None
            checks = self.expectations(keys["expect"], _CONFLICT_EXPECT,
                                       lambda n, v, k: self.conflict_check(n, v, claims))
        elif kind == "deal":
            deal = self.deal_input(keys["deal"])
            inputs = deal
            checks = self.expectations(keys["expect"], DEAL_EXPECT, lambda n, v, k: self.deal_check(n, v, deal))
        elif kind == "route":
            inputs = self.route_input(keys["route"])
            checks = self.expectations(keys["expect"], _ROUTE_EXPECT,
                                       lambda n, v, k: self.route_check(n, v, names))
            if name is not None:
                self.route_cases.add(name)
        else:
            inputs = self.new_reseller_input(keys["new_reseller"])
            asked = inputs
            checks = self.expectations(keys["expect"], _NEW_RESELLER_EXPECT,
                                       lambda n, v, k: self.new_reseller_check(n, v, k, asked))
        if name is None or found is None or checks is None or (kind not in ("quote", "settle") and inputs is None):
            return None
        transactions, volumes, period = found
        return Case(name, node.span, transactions, volumes, period, checks, known, inputs)

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
                return self.code(node)
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
            case "accepted" | "rejected" | "held":
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

    # --- deal conflicts, lead routing, new resellers -------------------------------------------------

    def conflict_input(self, node: YNode) -> ConflictInput | None:
        keys = self.mapping(node, "`conflict`", ("deal", "claims"), ("deal", "claims"))
        if keys is None:
            return None
        deal = self.deal(keys["deal"])
        claims: list[Claim | None] = []
        naive: list[Span] = []
        ids: set[str] = set()
        for item in self.items(keys["claims"], "`claims`"):
            claims.append(self.claim(item, ids, naive))
        if isinstance(keys["claims"], YSeq) and not keys["claims"].items:
            self.error("E206", "`claims` is empty: a conflict is decided between claims", keys["claims"])
            return None
        if deal is None or not claims or any(c is None for c in claims):
            return None
        return ConflictInput(deal, tuple(c for c in claims if c is not None), tuple(naive))

    def deal(self, node: YNode) -> Deal | None:
        keys = self.mapping(node, "`deal`", _DEAL, ("customer", "at"))
        if keys is None:
            return None
        customer = self.text(keys["customer"], "`customer`")
        at = self.timestamp(keys["at"], "the deal's `at`")
        if at is not None and at.tzinfo is None:
            self.error("E530", "the deal's `at` has no timezone", keys["at"],
                       f"write it with its offset, e.g. {TIMESTAMP_EXAMPLE}")
            at = None
        fields = self.fields(keys["fields"], "deal", "the deal") if "fields" in keys else {}
        return Deal(customer, at, fields) if customer is not None and at is not None else None

    def claim(self, node: YNode, ids: set[str], naive: list[Span]) -> Claim | None:
        keys = self.mapping(node, "a claim", _CLAIM, ("id", "partner", "registered_at"))
        if keys is None:
            return None
        cid = self.text(keys["id"], "a claim's `id`")
        if cid is not None and cid.lower() == "none":
            self.error("E205", "a claim cannot be named `none`: `owner: none` says that no claim owns the deal",
                       keys["id"])
            cid = None
        elif cid is not None and cid in ids:
            self.error("E300", f"two claims are named `{cid}`", keys["id"])
            cid = None
        elif cid is not None:
            ids.add(cid)
        partner_node = keys["partner"]
        direct = isinstance(partner_node, YScalar) and partner_node.value is None
        partner = None if direct else self.text(partner_node, "a claim's `partner` (or null for direct sales)")
        at = self.timestamp(keys["registered_at"], "`registered_at`")
        if at is not None and at.tzinfo is None:
            naive.append(keys["registered_at"].span)  # the runtime refuses it with E530, which a case can expect
        renewals = self.integer(keys["renewals"], "`renewals`") if "renewals" in keys else 0
        if renewals is not None and renewals < 0:
            self.error("E207", "`renewals` counts the renewals made: 0 or more", keys["renewals"])
            renewals = None
        chose = self.flag(keys["customer_choice"], "`customer_choice`") if "customer_choice" in keys else False
        if cid is None or (partner is None and not direct) or at is None or renewals is None or chose is None:
            return None
        return Claim(cid, partner, at, renewals, chose)

    def route_input(self, node: YNode) -> RouteInput | None:
        keys = self.mapping(node, "`route`", ("lead",), ("lead",))
        if keys is None:
            return None
        lead = self.mapping(keys["lead"], "`lead`", _LEAD, ("id", "date"))
        if lead is None:
            return None
        lid, day = self.text(lead["id"], "a lead's `id`"), self.date(lead["date"], "`date`")
        fields = self.fields(lead["fields"], "lead", f"lead `{lid}`") if "fields" in lead else {}
        return RouteInput(Lead(lid, day, fields)) if lid is not None and day is not None else None

    def new_reseller_input(self, node: YNode) -> NewResellerInput | None:
        """One inquiry (`applicant`, `date` or `at`, `fields`), or a history of them (`applications`)."""
        keys = self.mapping(node, "`new_reseller`", _NEW_RESELLER)
        if keys is None:
            return None
        if "applications" in keys:
            if len(keys) > 1:
                self.error("E208", "`new_reseller` lists `applications`, or states one inquiry, not both", node)
                return None
            found = [self.application(item) for item in self.items(keys["applications"], "`applications`")]
            if not found or any(a is None for a in found):
                if not found:
                    self.error("E201", "`applications` lists one application or more", keys["applications"])
                return None
            return NewResellerInput(tuple(a for a in found if a is not None), history=True)
        one = self.application(node)
        return NewResellerInput((one,)) if one is not None else None

    def application(self, node: YNode) -> Application | None:
        """An application: the applicant, when it was received (a date: the start of that day in the program's
        time zone; or a timestamp with its offset) and the declared applicant fields."""
        keys = self.mapping(node, "an application", _APPLICATION, ("applicant",))
        if keys is None:
            return None
        applicant = self.text(keys["applicant"], "`applicant`")
        if ("date" in keys) == ("at" in keys):
            self.error("E202", "an application states when it was received: `date` or `at`", node)
            return None
        at: datetime.datetime | None = None
        if "at" in keys:
            at = self.timestamp(keys["at"], "`at`")
            if at is not None and at.utcoffset() is None:
                self.error("E530", f"`at` `{at.isoformat()}` has no UTC offset", keys["at"],
                           f"write it with its offset, such as {TIMESTAMP_EXAMPLE}")
                at = None
        elif (day := self.date(keys["date"], "`date`")) is not None:
            at = instants.start_of_day(day, self.ruleset.time_zone).astimezone(instants.zone(self.ruleset.time_zone))
        fields = self.fields(keys["fields"], "applicant", f"applicant `{applicant}`") if "fields" in keys else {}
        return Application(applicant, at, fields) if applicant is not None and at is not None else None

    def nothing(self, node: YNode) -> bool:
        """`null` or `none`: no owner, no rule, nobody."""
        return isinstance(node, YScalar) and (node.value is None or node.value == "none")

    def word(self, node: YNode, what: str, pool: Iterable[str], label: str) -> str | None:
        found = self.text(node, what)
        return found if found is not None and self.known(node, found, pool, label) else None

    def code(self, node: YNode) -> list[Check] | None:
        """`error: E530`: the code the runtime refuses the case with."""
        code = self.text(node, "`error`")
        if code is not None and not _CODE.fullmatch(code):
            self.error("E205", f"`error` must be a diagnostic code such as E511, not `{code}`", node)
            return None
        return self.one(("error",), code, "code", node)

    def conflict_check(self, name: str, node: YNode, claims: set[str] | None) -> list[Check] | None:
        what = f"`{name}`"
        rules = sorted(self.conflict_rules | {REGISTRATION, OTHERWISE})
        match name:
            case "owner" | "decided_by" if self.nothing(node):
                return [Check((name,), None, "text", node.span)]
            case "owner":
                claim = self.text(node, what)
                if claim is not None and claims is not None and not self.known(node, claim, claims, "claim"):
                    return None
                return self.one((name,), claim, "text", node)
            case "decided_by":
                return self.one((name,), self.word(node, what, rules, "conflict rule"), "text", node)
            case "vendor_decides":
                return self.one((name,), self.flag(node, what), "flag", node)
            case "version":
                return self.one((name,), self.text(node, what), "text", node)
            case "error":
                return self.code(node)
            case "lost":
                checks: list[Check] | None = []
                for key, value in self.entries(node, what):
                    claim = str(key.value)
                    ok = claims is None or self.known(key, claim, claims, "claim")
                    if isinstance(value, YScalar) and value.value is None:
                        rule: str | None = None  # the claim did not lose
                    else:
                        rule = self.word(value, "a rule", [*rules, EXPIRED], "conflict rule")
                        ok = ok and rule is not None
                    if not ok or checks is None:
                        checks = None
                        continue
                    checks.append(Check((name, claim), rule, "text", value.span))
                return checks
        raise AssertionError(name)

    def route_check(self, name: str, node: YNode, names: Mapping[str, YNode]) -> list[Check] | None:
        what = f"`{name}`"
        match name:
            case "order":
                return self.one((name,), self.order(node), "order", node)
            case "first" if self.nothing(node):
                return [Check((name,), None, "text", node.span)]
            case "first":
                return self.one((name,), self.word(node, what, self.partners, "partner"), "text", node)
            case "left_out":
                checks: list[Check] | None = []
                for key, value in self.entries(node, what):
                    pid = str(key.value)
                    ok = self.known(key, pid, self.partners, "partner")
                    left = not (isinstance(value, YScalar) and value.value is None)  # null: not left out
                    reason = self.word(value, "a reason", LEFT_OUT, "reason") if left else None
                    if not ok or checks is None or (left and reason is None):
                        checks = None
                        continue
                    checks.append(Check((name, pid), reason, "text", value.span))
                return checks
            case "same_order_as":
                other = self.text(node, what)
                if other is None:
                    return None
                if other in self.route_cases:
                    return self.one((name,), other, "same_order", node)
                if other in names:
                    self.error("E301", f"case `{other}` is not a `route` case above this one", node,
                                "`same_order_as` names a route case earlier in the file")
                else:
                    self.known(node, other, self.route_cases, "route case")
                return None
            case "version":
                return self.one((name,), self.text(node, what), "text", node)
            case "error":
                return self.code(node)
        raise AssertionError(name)

    def order(self, node: YNode) -> tuple[str | tuple[str, ...], ...] | None:
        """`[gold, [silver, iron], copper]`: partners in order; a list inside is a group of equals, in any order."""
        entries: list[str | tuple[str, ...]] = []
        seen: set[str] = set()
        ok = True
        for item in self.items(node, "`order`"):
            group = isinstance(item, YSeq)
            members = item.items if isinstance(item, YSeq) else [item]
            if group and len(members) < 2:
                self.error("E201", "a group of equals lists two partners or more", item)
                ok = False
            found = []
            for member in members:
                pid = self.word(member, "a partner", self.partners, "partner")
                if pid is not None and pid in seen:
                    self.error("E300", f"partner `{pid}` is listed twice", member)
                    pid = None
                ok = ok and pid is not None
                if pid is not None:
                    seen.add(pid)
                    found.append(pid)
            entries.append(tuple(found) if group else (found[0] if found else ""))
        return tuple(entries) if ok and isinstance(node, YSeq) else None

    def new_reseller_check(self, name: str, node: YNode, key: YScalar,
                           asked: NewResellerInput | None) -> list[Check] | None:
        if asked is not None and asked.history and name != "error":
            return self.routed_each(name, node, len(asked.applications))
        match name:
            case "routed_to_level" if isinstance(node, YScalar) and node.value == "vendor":
                return [Check((name,), "vendor", "text", node.span)]
            case "routed_to_level":
                level = self.integer(node, "`routed_to_level` (a level, or `vendor`)")
                return self.one((name,), None if level is None else str(level), "text", node)
            case "routed_to" if isinstance(node, YSeq):
                ids = self.ids(node, "a partner", self.partners, "partner")
                return self.one((name,), ids, "one_of", node)
            case "routed_to":
                return self.one((name,), self.word(node, "`routed_to`", self.partners, "partner"), "text", node)
            case "error":
                return self.code(node)
        raise AssertionError(name)

    def routed_each(self, name: str, node: YNode, count: int) -> list[Check] | None:
        """`routed_to: [..]` of a history: where each application went (a partner, or `vendor`), in order."""
        if name != "routed_to" or not isinstance(node, YSeq) or len(node.items) != count:
            self.error("E208", f"a history of {count} application{'s' if count != 1 else ''} expects "
                       f"`routed_to:` with one partner (or `vendor`) for each, in order", node)
            return None
        where = [self.word(item, "`routed_to`", [*self.partners, "vendor"], "partner") for item in node.items]
        if any(w is None for w in where):
            return None
        return self.one((name,), tuple(w for w in where if w is not None), "ids", node)
