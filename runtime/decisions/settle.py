"""Settle a period: one statement per partner, streaming over the transactions.

Follows docs/computation.md ("A statement"). Only per-partner, per-month aggregates are kept, so
memory does not grow with the number of transactions; transaction lines go to a sink as they are
made. Ladders and bonuses are settled per their own period (month, quarter, half year or fiscal
year, counted from the program's fiscal year start) inside the settlement period.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from runtime import ir
from runtime.decisions._input_objects import check_partners, check_transaction, checked_rows
from runtime.decisions._limits import counted, counted_share, payout_excess
from runtime.decisions._line_terms import LineTerm, bonus_terms, ladder_terms, terms_text, terms_value
from runtime.decisions.quote import PlanStats, QuoteError, Quoter, ladder_step, partner_env
from runtime.decisions.refunds import (
    Ledger,
    RefundProblem,
    deals_reversed,
    quantity_problem,
    reversal,
    zero_price_problem,
)
from runtime.decisions.reviews import Carried, Figures, Timeline, review_dates, settle_timeline
from runtime.decisions.withheld import benefits_on
from runtime.engine import EvaluationError
from runtime.labels import rule_label
from runtime.loaded import Runtime
from runtime.model import Figure, Line, Partner, Period, Statement, Transaction, Violation, Volumes
from runtime.money import format_amount, round_line

_SIZES = {"month": 1, "quarter": 3, "half_year": 6, "fiscal_year": 12}


@dataclass(frozen=True, slots=True)
class Rejected:
    """A transaction the settlement could not take, and why."""

    row: int
    transaction: str
    code: str
    reason: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Flagged:
    """A price-rule violation of a settled line whose action is `flag`: listed, and the line is paid."""

    row: int
    transaction: str
    partner: str
    code: str
    kind: str
    reason: str


@dataclass(slots=True)
class _Account:
    months: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 10))
    # List amounts by (month, ladder headroom under a margin cap; None when no cap applies).
    ladder_list: dict[tuple[int, Fraction | None], int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    transactions: int = 0

    def add(self, month: int, volumes: tuple[int, int, int, int, int], gross: bool) -> None:
        row = self.months[month]
        sales, purchases, list_sales, quantity, deals = volumes
        row[0] += sales
        row[1] += purchases
        row[2] += list_sales
        row[3] += quantity
        row[4] += deals
        if gross:
            row[5] += sales
            row[6] += purchases
            row[7] += list_sales
            row[8] += quantity
            row[9] += deals

    def volumes(self, months: Iterable[int], gross: bool = False) -> Volumes:
        offset = 5 if gross else 0
        sums = [0] * 5
        for m in months:
            row = self.months.get(m)
            if row is not None:
                for i in range(5):
                    sums[i] += row[offset + i]
        return Volumes(*sums)


@dataclass(frozen=True, slots=True)
class Settlement:
    """The statements of a period and the reconciliation of its input."""

    period: Period
    statements: tuple[Statement, ...]
    read: int
    accepted: int
    rejected: int
    program_id: str
    held: int = 0  # rows a price rule holds for review: read = accepted + rejected + held
    # How the settlement was computed, not what it is (never compared): how its quotes were answered, and the
    # rows the DuckDB engine staged through Python (parsed by the row engine's reader, or quoted by its quoter).
    plans: PlanStats = field(default=PlanStats(), compare=False)
    staged_rows: int = field(default=0, compare=False)
    # Each partner's figures by month (`month_index`; months without figures left out): what a tier review reads,
    # recorded in the settlement ledger for the reviews of the years after.
    months: Mapping[str, Mapping[int, Volumes]] = field(default_factory=dict, compare=False)


def month_index(day: object) -> int:
    """Months since year 0 (January of year 0 is 0): the key of a month in an account."""
    assert isinstance(day, datetime.date)
    return day.year * 12 + day.month - 1


class Settler:
    """Accumulates a period's transactions, then produces the statements.

    Give it each transaction with `add` (and rows that failed to parse with `reject`), then call `finish`.
    Inputs built in Python are checked as file rows are (`InputError`): the partners once, here, and each
    transaction by `add`, unless `checked`.
    """

    def __init__(self, rt: Runtime, partners: Mapping[str, Partner], period: Period,
                 on_line: Callable[[Line], None] | None = None,
                 on_reject: Callable[[Rejected], None] | None = None, keep_sales: bool = True,
                 on_hold: Callable[[Rejected], None] | None = None,
                 on_violation: Callable[[Flagged], None] | None = None, timeline: Timeline | None = None,
                 *, checked: bool = False) -> None:
        """Start a settlement of `period` for `partners` (by id).

        Args:
            on_line, on_reject, on_hold, on_violation: called with each transaction line, rejected row, row held
                for review and flagged violation, as they are made.
            keep_sales: remember each accepted sale for the refunds that may name it (False: the input has no
                `refund_of`, so memory stays bounded by the partners and months).
            timeline: the tiers the period's reviews put in force (`runtime.decisions.reviews`); each transaction
                is quoted with the tiers in force on its date.
            checked: the partners and transactions are already checked (read by `runtime.io`): not again.

        Raises:
            InputError: unless `checked`, a partner built in Python that the partners reader would refuse.
        """
        if not checked:
            check_partners(partners, rt.ruleset)
        self.checked = checked
        self.rt = rt
        self.partners = partners
        self.period = period
        self.on_line = on_line
        self.on_reject = on_reject
        self.on_hold = on_hold
        self.on_violation = on_violation
        self.accounts: dict[str, _Account] = defaultdict(_Account)
        self.read = self.accepted = self.rejected = self.held = 0
        self.staged_rows = 0  # set by an engine that stages rows through Python (see `Settlement.staged_rows`)
        self.problems: list[str] = []  # of the statement being made
        # Transaction lines are quoted without period volumes, and without what a statement does not show
        # (a price rule's violations are kept: they decide whether a line is held, and flagged ones are listed).
        self.quoter = Quoter(rt, partners, include_ladder=False, next_steps=False, benefits=False, checked=True)
        self.timeline = timeline
        self._quoters: dict[int, Quoter] = {0: self.quoter}  # by the reviews held before the date (the timeline's)
        self.ledger = Ledger(keep_sales)

    def quoter_on(self, day: datetime.date) -> Quoter:
        """The quoter of the tiers in force on a day (one per stretch between two reviews)."""
        if self.timeline is None or not self.timeline.tiers:
            return self.quoter
        segment = self.timeline.segment(day)
        found = self._quoters.get(segment)
        if found is None:
            found = self._quoters[segment] = Quoter(self.rt, self.timeline.partners_in(self.partners, segment),
                                                    include_ladder=False, next_steps=False, benefits=False,
                                                    checked=True)
        return found

    def figures(self, partner: str, months: Iterable[int]) -> Volumes:
        """A partner's figures (net of refunds) over months (`month_index`), as a tier review reads them."""
        account = self.accounts.get(partner)
        return account.volumes(months) if account is not None else Volumes()

    def reject(self, row: int, txn_id: str, code: str, reason: str, field_name: str | None = None) -> None:
        """Count a row that could not be taken (also used by readers for rows that failed to parse)."""
        self.read += 1
        self.rejected += 1
        self.ledger.reject(row, txn_id, code)
        if self.on_reject is not None:
            self.on_reject(Rejected(row, txn_id, code, reason, field_name))

    def add(self, txn: Transaction, row: int = 0) -> None:
        """Take one transaction (row numbers are for the rejects file).

        A transaction the rules refuse is rejected (`on_reject`, counted), as a file row is.

        Raises:
            InputError: unless the settler was made `checked`, a transaction built in Python that a file reader
                would refuse (`runtime.decisions.quote.Quoter.check`).
        """
        if not self.checked:
            check_transaction(txn, self.rt.ruleset, row)
        if (problem := quantity_problem(txn.quantity, txn.refund_of)) is not None:  # the readers' check, for callers
            self.reject(row, txn.id, *problem, "quantity")
            return
        if txn.date not in self.period:
            self.reject(row, txn.id, "E514", f"dated {txn.date}, outside the period {self.period}", "date")
            return
        if txn.refund_of is not None:
            self.refund(txn, row)
            return
        if (zero := zero_price_problem(self.rt.ruleset, txn)) is not None:
            self.reject(row, txn.id, *zero)
            return
        try:
            quoted = self.quoter_on(txn.date).quote(txn)  # its plan's explained variant: lines with their rules
        except QuoteError as exc:
            self.reject(row, txn.id, exc.code, exc.message)
            return
        except EvaluationError as exc:
            self.reject(row, txn.id, exc.code, exc.message)
            return
        self.read += 1
        if quoted.violations and not self.judged(quoted.violations, txn, quoted.partner, row):
            return
        self.accepted += 1
        self.ledger.sale(row, txn, quoted.contract)
        month = month_index(txn.date)
        gross = txn.quantity > 0
        deal = 1 if txn.quantity > 0 else -1 if txn.quantity < 0 else 0
        accounts, on_line = self.accounts, self.on_line
        list_amount, quantity = quoted.list_amount, txn.quantity
        if quoted.chain:
            # Each level receives what the level below pays it (the seller: the sell amount).
            for share in quoted.chain:
                accounts[share.partner].add(month, (share.receives, share.pays, list_amount, quantity, deal), gross)
            accounts[quoted.chain[0].partner].ladder_list[(month, quoted.ladder_headroom)] += list_amount
        else:
            accounts[quoted.partner].add(month, (quoted.sell_amount, 0, list_amount, quantity, deal), gross)
        accounts[quoted.partner].transactions += 1
        for line in quoted.lines:
            accounts[line.partner].totals[line.kind] += line.amount
            if on_line is not None:
                on_line(line)

    def refund(self, txn: Transaction, row: int) -> None:
        """Take a refund: its sale's quote, each amount reversed for the units returned (`refunds.reversal`), counted
        in the refund's month and not in the gross volumes; a refund that is rejected changes nothing."""
        try:
            sale, before, after = self.ledger.take(txn)
        except RefundProblem as exc:
            self.reject(row, txn.id, exc.code, exc.reason, exc.field)
            return
        quoted = self.quoter_on(sale.txn.date).quote(sale.txn)  # as when the sale was taken
        quantity, unit, mode = sale.txn.quantity, self.rt.ruleset.rounding.unit, self.rt.ruleset.rounding.mode_for(
            "refund")

        def back(amount: int) -> int:
            return reversal(amount, quantity, before, after, unit, mode)

        self.read += 1
        self.accepted += 1
        self.ledger.refund_row(row, txn.id)
        month = month_index(txn.date)
        deal = deals_reversed(quantity, after)
        accounts, on_line = self.accounts, self.on_line
        list_amount, units = back(quoted.list_amount), txn.quantity
        if quoted.chain:
            # The sell amount and each level's margin line are reversed; each level's price follows from them
            # (what it receives less what it keeps), so that the chain adds up as the sale's did.
            receives = back(quoted.sell_amount)
            for share in reversed(quoted.chain):
                pays = receives - back(share.keeps)
                accounts[share.partner].add(month, (receives, pays, list_amount, units, deal), False)
                receives = pays
            accounts[quoted.chain[0].partner].ladder_list[(month, quoted.ladder_headroom)] += list_amount
        else:
            accounts[quoted.partner].add(month, (back(quoted.sell_amount), 0, list_amount, units, deal), False)
        accounts[quoted.partner].transactions += 1
        for line in quoted.lines:
            reversed_line = dataclasses.replace(line, amount=back(line.amount), transaction=txn.id)
            accounts[line.partner].totals[line.kind] += reversed_line.amount
            if on_line is not None:
                on_line(reversed_line)

    def judged(self, violations: tuple[Violation, ...], txn: Transaction, partner: str, row: int) -> bool:
        """Whether a quoted line with price-rule violations is settled: a `hold` keeps it out (listed for
        review), `flag`s are listed and the line is settled."""
        held = [v for v in violations if v.action == "hold"]
        if held:
            self.held += 1
            if self.on_hold is not None:
                self.on_hold(Rejected(row, txn.id, held[0].code, "; ".join(v.message for v in held)))
            return False
        if self.on_violation is not None:
            for v in violations:
                self.on_violation(Flagged(row, txn.id, partner, v.code, v.kind, v.message))
        return True

    def finish(self) -> Settlement:
        """The statements, one per partner (partners without transactions too), sorted by partner id."""
        version = self.rt.ruleset.version_on(self.period.end) or next(
            (v for v in reversed(self.rt.ruleset.versions) if v.effective_from <= self.period.end), None)
        statements = []
        for partner_id in sorted(set(self.partners) | set(self.accounts)):
            statements.append(self.statement(partner_id, version))
        stats = sum((q.plan_stats for q in self._quoters.values()), PlanStats())
        months = {pid: {m: Volumes(*row[:5]) for m, row in sorted(account.months.items()) if any(row[:5])}
                  for pid, account in sorted(self.accounts.items())}
        return Settlement(self.period, tuple(statements), self.read, self.accepted, self.rejected,
                          self.rt.ruleset.program_id, self.held, stats, self.staged_rows,
                          {pid: found for pid, found in months.items() if found})

    def buckets(self, kind: str) -> list[list[int]]:
        """The months of the period grouped by a ladder or bonus period, counted from the fiscal year start."""
        start = self.rt.ruleset.fiscal_year_start - 1
        size = _SIZES[kind]
        groups: dict[int, list[int]] = {}
        for m in range(month_index(self.period.start), month_index(self.period.end) + 1):
            groups.setdefault((m - start) // size, []).append(m)
        return list(groups.values())

    def statement(self, partner_id: str, version: ir.Version | None) -> Statement:
        account = self.accounts.get(partner_id) or _Account()
        months = list(range(month_index(self.period.start), month_index(self.period.end) + 1))
        volumes, gross = account.volumes(months), account.volumes(months, gross=True)
        partner = self.partners.get(partner_id)
        history = self.timeline.history(partner_id) if self.timeline is not None else ()
        if partner is not None and self.timeline is not None:
            partner = dataclasses.replace(partner, tier=self.timeline.tier_on(partner, self.period.end))
        lines: list[Line] = []
        self.problems = []
        tier: str | None = partner.tier if partner else None
        next_tier: Figure | None = None
        if partner is not None and version is not None:
            contract = next((c for c in version.contracts if c.id == partner.contract), None)
            if version.hierarchy is not None and partner.level != 1:
                contract = None  # ladders and bonuses are the vendor's, paid to the partners it contracts directly
            if contract is not None and contract.ladder is not None:
                ladder = next(lad for lad in version.ladders if lad.id == contract.ladder)
                for months_in in self.buckets(ladder.period):
                    lines.extend(self.ladder_lines(partner_id, ladder, account, months_in, version.version))
            for bonus in version.bonuses:
                if contract is not None and bonus.id in contract.bonuses:
                    for months_in in self.buckets(bonus.period):
                        lines.extend(self.bonus_lines(partner, bonus, account, months_in, version))
            next_tier = self.next_tier(partner, volumes, version)
        totals: dict[str, int] = defaultdict(int, account.totals)
        for line in lines:
            totals[line.kind] += line.amount
        granted, withheld = benefits_on(version, partner, partner_env(partner, None, volumes, self.period.end),
                                        self.rt) if partner is not None and version is not None else ((), ())
        statement = Statement(partner_id, self.period, account.transactions, dict(sorted(totals.items())),
                              tuple(lines), volumes, gross, tier, next_tier, tuple(self.problems),
                              tier_history=history, benefits=granted, withheld=withheld)
        return self.payout_cap(statement, version)

    def payout_cap(self, statement: Statement, version: ir.Version | None) -> Statement:
        """The statement under the program's `payout_cap`: above it, a `cap` line brings the total to the cap."""
        cap = self.rt.ruleset.payout_cap
        excess = payout_excess(statement.total, cap)
        if not excess:
            return statement
        line = Line(statement.partner, "cap", f"payout cap: the period's {self.money(statement.total)} is limited to "
                    f"{self.money(cap or 0)}", -excess, ir.RuleRef.payout_cap(self.rt.ruleset.payout_cap_at),
                    version.version if version else "",
                    self.rt.ruleset.payout_cap_at)
        totals = dict(statement.totals)
        totals["cap"] = totals.get("cap", 0) - excess
        return dataclasses.replace(statement, totals=dict(sorted(totals.items())),
                                   period_lines=(*statement.period_lines, line))

    def round(self, value: int | Fraction, kind: str) -> int:
        """An exact amount of one kind (`ir.AMOUNT_KINDS`) rounded as the program rounds that kind."""
        rounding = self.rt.ruleset.rounding
        return round_line(value, rounding.unit, rounding.mode_for(kind))

    def money(self, value: int | Fraction) -> str:
        return format_amount(value, self.rt.ruleset.currency, self.rt.ruleset.minor_unit)

    def ladder_lines(self, partner: str, ladder: ir.Ladder, account: _Account, months: list[int],
                     version: str) -> list[Line]:
        """A ladder's lines for one of its periods: docs/computation.md, "A statement", step 3.

        Each line's label states its terms (`_line_terms`): the rates on the list amounts they apply to,
        so Σ rate × base, rounded once, is the line's amount.
        """
        net, gross = account.volumes(months), account.volumes(months, gross=True)
        basis_net, basis_gross = net.basis(ladder.basis), gross.basis(ladder.basis)
        in_bucket = set(months)
        groups: dict[Fraction | None, int] = defaultdict(int)  # list amounts by margin-cap headroom
        for (month, headroom), amount in account.ladder_list.items():
            if month in in_bucket:
                groups[headroom] += amount
        # Volume above the ladder's volume cap is not counted: brackets end at the cap, and a retroactive rate
        # applies to the counted share of the list amounts.
        counted_net, share = counted(basis_net, ladder.volume_cap), counted_share(basis_net, ladder.volume_cap)
        if ladder.mode == "marginal":
            return self.marginal_lines(partner, ladder, basis_net, counted_net, groups, version)
        index_g, step_g = ladder_step(ladder, basis_gross)
        index_n, step_n = ladder_step(ladder, basis_net)
        rate_g = step_g.rate if step_g else Fraction(0)
        rate_n = step_n.rate if step_n else Fraction(0)
        if rate_g == 0 and rate_n == 0:
            return []
        rule = rule_label(ir.RuleRef.ladder(ladder.id))
        note = self._counted(basis_net, share, sum(groups.values()), ladder)
        terms_g = ladder_terms(groups, rate_g, share)
        paid = self.round(terms_value(terms_g), "ladder")
        out = [Line(partner, "ladder", f"{rule} step {index_g + 1}: {self._terms(terms_g)} "
                    f"(volume {self._volume(basis_gross, ladder.basis)}{note})", paid,
                    ir.RuleRef.ladder(ladder.id, index_g + 1, ladder.at), version,
                    step_g.at if step_g else ladder.at)]
        if rate_n != rate_g:
            terms_n = ladder_terms(groups, rate_n, share)
            owed = self.round(terms_value(terms_n), "ladder")
            owes = self._owed(self._terms(terms_n), owed, paid) + (f" ({note[2:]})" if note else "")
            out.append(Line(partner, "ladder_clawback", f"{rule}: refunds bring the volume to "
                            f"{self._volume(basis_net, ladder.basis)}, step {index_n + 1}: {owes}", owed - paid,
                            ir.RuleRef.ladder(ladder.id, index_n + 1, ladder.at), version,
                            step_n.at if step_n else ladder.at))
        return out

    def marginal_lines(self, partner: str, ladder: ir.Ladder, basis_net: int, counted_net: int,
                       groups: Mapping[Fraction | None, int], version: str) -> list[Line]:
        """A marginal ladder: each bracket's rate on the volume inside it, in proportion to the list amounts.

        Rounded once, on the exact sum over the brackets (one line), unless the program rounds
        `per_bracket` (one line per bracket, each rounded): docs/computation.md, "A statement", step 3.
        A bracket's terms are its rate on the list amounts times the volume inside it over the net volume.
        """
        if basis_net <= 0:
            return []
        rule = rule_label(ir.RuleRef.ladder(ladder.id))
        brackets: list[tuple[int, ir.Step, int, list[LineTerm]]] = []  # index, step, volume inside, terms
        for index, step in enumerate(ladder.steps):
            # A bracket holds the (counted) volume beyond its threshold, whether written `from` or `above`.
            top = ladder.steps[index + 1].start if index + 1 < len(ladder.steps) else step.end
            inside = min(counted_net, top) - step.start if top is not None else counted_net - step.start
            if inside <= 0 or step.rate == 0:
                continue
            brackets.append((index, step, inside, ladder_terms(groups, step.rate, Fraction(inside, basis_net))))
        if not brackets:
            return []
        volume = self._volume(basis_net, ladder.basis)
        if self.rt.ruleset.rounding.marginal == "per_bracket":
            return [Line(partner, "ladder", f"{rule} step {index + 1}: {self._terms(terms)} (volume "
                         f"{self._volume(inside, ladder.basis)} of {volume} inside the step)",
                         self.round(terms_value(terms), "ladder"),
                         ir.RuleRef.ladder(ladder.id, index + 1, ladder.at), version, step.at)
                    for index, step, inside, terms in brackets]
        every = [term for _, _, _, terms in brackets for term in terms]
        insides = " + ".join(self._volume(inside, ladder.basis) for _, _, inside, _ in brackets)
        index, step, _, _ = brackets[-1]
        return [Line(partner, "ladder", f"{rule}: {self._terms(every)} (marginal, volume {insides} of {volume} "
                     "inside the steps, rounded once on the sum)", self.round(terms_value(every), "ladder"),
                     ir.RuleRef.ladder(ladder.id, index + 1, ladder.at), version, step.at)]

    def _counted(self, basis_net: int, share: Fraction, list_net: int, ladder: ir.Ladder) -> str:
        """What a ladder line adds when its volume cap leaves volume uncounted: the share of the list amounts."""
        if share == 1 or ladder.volume_cap is None:
            return ""
        return (f"; net volume {self._volume(basis_net, ladder.basis)} counted up to "
                f"{self._volume(ladder.volume_cap, ladder.basis)}, so that share of {self.money(list_net)} at list")

    def _terms(self, terms: Sequence[LineTerm], basis: str = "list_sales") -> str:
        """A line's terms as its label states them (`_line_terms.terms_text`)."""
        base: Callable[[Fraction], str] = (lambda units: f"{units:,} units") if basis == "quantity" else self.money
        return terms_text(terms, base, self.money)

    def _owed(self, earns: str, owed: int, paid: int) -> str:
        """What a clawback line states: what the net volume earns (its terms), what is owed and what was paid."""
        return f"{earns or 'no target reached'} = {self.money(owed)} owed, {self.money(paid)} paid"

    def _volume(self, amount: int, basis: str) -> str:
        return f"{amount:,} units" if basis == "quantity" else self.money(amount)

    def _bonus_counted(self, volume: int, bonus: ir.Bonus) -> str:
        """What a bonus line adds when its volume cap leaves volume uncounted."""
        if bonus.volume_cap is None or volume <= bonus.volume_cap:
            return ""
        return f" (counted up to {self._volume(bonus.volume_cap, bonus.basis)})"

    def _bonus_text(self, bonus: ir.Bonus, terms: Sequence[LineTerm]) -> str:
        """A bonus's terms, and the cap when it limits them."""
        text = self._terms(terms, bonus.basis)
        total = terms_value(terms)
        if bonus.cap is not None and total > bonus.cap:
            text += f" = {self.money(total)}, capped at {self.money(bonus.cap)}"
        return text

    def bonus_lines(self, partner: Partner, bonus: ir.Bonus, account: _Account, months: list[int],
                    version: ir.Version) -> list[Line]:
        """A bonus's lines for one of its periods: what the gross volume earned, and the clawback when refunds
        bring the net volume's bonus below it (docs/computation.md, "A statement", step 4)."""
        net, gross = account.volumes(months), account.volumes(months, gross=True)
        ref = ir.RuleRef.bonus(bonus.id, at=bonus.at)
        rule = rule_label(ref)
        if bonus.when is not None:
            loaded = next(v for v in self.rt.versions if v.rules is version)
            slots = loaded.period(partner_env(partner, None, net, self.period.end))
            try:
                eligible = slots[ir.bonus_slot(bonus.id)]
            except EvaluationError as exc:
                self.problems.append(f"{rule} could not be evaluated: {exc.message}")
                return []
            if not eligible:
                return []
        volume_g, volume_n = gross.basis(bonus.basis), net.basis(bonus.basis)
        terms_g, earned, steps_g = bonus_terms(bonus, volume_g)
        terms_n, owed, steps_n = bonus_terms(bonus, volume_n)
        if earned == 0 and owed == 0:
            return []
        paid = self.round(earned, "bonus")
        at = bonus.steps[steps_g - 1].at if steps_g else bonus.at
        reached = f"{steps_g} target{'' if steps_g == 1 else 's'} reached on {self._volume(volume_g, bonus.basis)}"
        out = [Line(partner.id, "bonus", f"{rule}, {reached}{self._bonus_counted(volume_g, bonus)}: "
                    f"{self._bonus_text(bonus, terms_g)}", paid, ref, version.version, at)]
        owed_rounded = self.round(owed, "bonus")
        if owed_rounded != paid:
            out.append(Line(partner.id, "bonus_clawback", f"{rule}: refunds bring the volume to "
                            f"{self._volume(volume_n, bonus.basis)}{self._bonus_counted(volume_n, bonus)}: "
                            f"{self._owed(self._bonus_text(bonus, terms_n), owed_rounded, paid)}",
                            owed_rounded - paid, ref,
                            version.version, bonus.steps[steps_n - 1].at if steps_n else bonus.at))
        return out

    def next_tier(self, partner: Partner, volumes: Volumes, version: ir.Version,
                  as_of: datetime.date | None = None) -> Figure | None:
        """The tier the partner holds next: an assigned tier the partners file states holds as it stands;
        otherwise the first tier whose qualification the partner meets (an assigned tier qualifies by no rule).
        `as_of` is the date qualifications are evaluated for (`as_of` in the program): the period's last day
        unless given (a tier review's date)."""
        if version.tiers is None:
            return None
        held = next((t for t in version.tiers.levels if t.assigned and t.id == partner.tier), None)
        if held is not None:
            return Figure(held.id, 0, ir.RuleRef.tier(held.id, held.at), held.at)
        loaded = next(v for v in self.rt.versions if v.rules is version)
        slots = loaded.period(partner_env(partner, None, volumes, as_of or self.period.end))
        for tier in version.tiers.levels:
            try:
                qualifies = slots[ir.tier_slot(tier.id, "qualify")]
            except EvaluationError as exc:
                self.problems.append(f"{rule_label(ir.RuleRef.tier(tier.id))} could not be evaluated: {exc.message}")
                return None  # a better tier might hold: the next tier is unknown
            if qualifies:
                return Figure(tier.id, 0, ir.RuleRef.tier(tier.id, tier.at), tier.at)
        return None


def settle(rt: Runtime, transactions: Iterable[Transaction], partners: Mapping[str, Partner], period: Period,
           on_line: Callable[[Line], None] | None = None,
           on_reject: Callable[[Rejected], None] | None = None, on_hold: Callable[[Rejected], None] | None = None,
           on_violation: Callable[[Flagged], None] | None = None, carried: Carried | None = None, *,
           checked: bool = False) -> Settlement:
    """Settle a period over transactions, in order (`carried`: the ledger's months and standings from before it).

    The transactions are read once, unless the period holds tier reviews: then they are kept in a list and
    settled once per pass without outputs (`reviews.settle_timeline`), then once more with the outputs.
    Inputs built in Python are checked as file rows are, unless `checked`: the partners first, then each
    transaction as it is read (once, whatever the passes).

    Raises:
        InputError: unless `checked`, a partner or a transaction that a file reader would refuse.
    """
    if not checked:
        check_partners(partners, rt.ruleset)
        transactions = checked_rows(transactions, rt.ruleset)
    timeline = None
    if review_dates(rt, period, carried):
        rows = transactions if isinstance(transactions, Sequence) else list(transactions)

        def run(with_tiers: Timeline) -> Figures:
            quiet = Settler(rt, partners, period, timeline=with_tiers, checked=True)
            for row, txn in enumerate(rows, 1):
                quiet.add(txn, row)
            return quiet.figures

        timeline, transactions = settle_timeline(rt, partners, period, run, carried), rows
    settler = Settler(rt, partners, period, on_line, on_reject, on_hold=on_hold, on_violation=on_violation,
                      timeline=timeline, checked=True)
    for row, txn in enumerate(transactions, 1):
        settler.add(txn, row)
    return settler.finish()

