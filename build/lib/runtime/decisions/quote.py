"""Quote one transaction: margins, the distributor chain, pass-through and fees, benefits, violations.

Follows docs/computation.md ("A quote"). Every figure names the rule that produced it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.decisions._catalog import with_item
from runtime.decisions._fast import figures_of as figures_of
from runtime.decisions._fast import make_plan, reference_plan
from runtime.decisions._input_objects import check_chain, check_partners, check_transaction
from runtime.decisions._inputs import InputError as InputError
from runtime.decisions._inputs import check_volumes
from runtime.decisions._membership import check_members, has_membership
from runtime.decisions._plans import NoPlan as NoPlan
from runtime.decisions._plans import Plan, plan_stats, strict_plans
from runtime.decisions._plans import PlanError as PlanError
from runtime.decisions._plans import PlanStats as PlanStats
from runtime.decisions._pricing import ZERO as ZERO
from runtime.decisions._pricing import Priced as Priced
from runtime.decisions._pricing import PriceRejected as PriceRejected
from runtime.decisions._pricing import QuoteError as QuoteError
from runtime.decisions._pricing import _Chain, _Rate, _standing, _standing_keys
from runtime.decisions._pricing import chain_of as chain_of
from runtime.decisions._pricing import ladder_step as ladder_step
from runtime.decisions._quoting import _is_rate as _is_rate
from runtime.decisions._quoting import _Quoting
from runtime.decisions._slots import PartnerSlots, QuoteCache
from runtime.decisions._slots import partner_env as partner_env
from runtime.decisions.withheld import withheld_benefits
from runtime.engine import EvaluationError
from runtime.loaded import CONSTANT, PARTNER, LoadedVersion, Runtime, outcome, value_of
from runtime.model import Partner, Quote, QuoteFigures, Transaction, Volumes


class Quoter:
    """Quotes transactions for one set of partners and period volumes, sharing what the quotes have in common.

    Partners' environments, chains and the slots that read only partner fields are worked out once
    per partner. `Settler` keeps one for a whole settlement; `quote()` makes one per call.

    Args:
        rt: the loaded rule set.
        partners: every partner by id.
        volumes: each partner's period-to-date volumes, by partner id (none: every volume is 0).
        include_ladder: add the provisional ladder rate (a statement settles the ladder instead).
        next_steps: work out the hints of `Quote.next_steps` (else it is empty).
        benefits: list the benefits of `Quote.benefits` (else it is empty).
        violations: list the price-rule violations of `Quote.violations` (else it is empty).
        checked: the partners, volumes and transactions are already checked (read by `runtime.io`, or
            checked by the caller): none is checked again.

    Whatever is left out, every rule the quote would have read is still read, so a transaction that
    cannot be quoted fails in the same way with or without it.

    Inputs built in Python are checked as file rows are (`InputError`): the partners and volumes once,
    here; each transaction by `quote`. `figures`, the fast path, does not check its transaction: give it
    transactions read from files, or ones `quote` or `check` has taken.

    `plan_stats` counts how the quotes were answered: by generated plans, by the reference path (a
    `NoPlan` with its reason, or a plan's bug), or refused; under `PPL_STRICT_PLANS=1` a plan's bug
    raises `PlanError` (see `runtime.decisions._plans`).

    Raises:
        InputError: unless `checked`, a partner or volume built in Python that a file reader would refuse.
    """

    def __init__(self, rt: Runtime, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes] | None = None,
                 *, include_ladder: bool = True, next_steps: bool = True, benefits: bool = True,
                 violations: bool = True, checked: bool = False) -> None:
        if not checked:
            check_partners(partners, rt.ruleset)
            check_volumes(volumes or {})
        self.checked = checked
        self.rt = rt
        self.partners = partners
        self.volumes: Mapping[str, Volumes] = volumes or {}
        self.include_ladder = include_ladder
        self.next_steps = next_steps
        self.benefits = benefits
        self.violations = violations
        self.cache = QuoteCache(partners, self.volumes)
        self._chains: dict[tuple[LoadedVersion, str], _Chain | QuoteError] = {}
        # (version, partner id, contract id) → (rates, margin) before caps and ladder, or the error reading it
        self._standings: dict[tuple[LoadedVersion, str, str], Any] = {}
        # Plans by day (sharing one dict per version), then by (partner, contract as the transaction names it)
        self._plans: dict[datetime.date, dict[tuple[str, str | None], Plan]] = {}
        self._by_version: dict[LoadedVersion, dict[tuple[str, str | None], Plan]] = {}
        self.strict = strict_plans()  # PPL_STRICT_PLANS=1: a plan's bug raises instead of falling back
        self.fallbacks = 0  # quotes whose plan raised, re-run on the reference path
        self._errors: Counter[str] = Counter()  # quotes whose plan raised where the reference answers, by class
        self._refused: Counter[str] = Counter()  # quotes the rules refused, by code
        self.membership = has_membership(partners.values())  # whether a sale may fall outside a membership (E515)

    @property
    def plan_stats(self) -> PlanStats:
        """How this quoter's quotes were answered: by plans, by the reference path (and why), or refused."""
        return plan_stats((p for day in self._by_version.values() for p in day.values()), self._errors,
                          self._refused)

    @property
    def reference_plans(self) -> int:
        """(seller, contract) pairs quoted by the reference path alone."""
        return sum(p.outcome != "planned" for day in self._by_version.values() for p in day.values())

    def figures(self, txn: Transaction) -> QuoteFigures:
        """The quote's numbers only, on the fast path: equal to `figures_of(self.quote(txn))`.

        The transaction is not checked (`check`): it is one read from a file, or one already checked.

        Raises:
            QuoteError, EvaluationError: as `quote`.
            PlanError: a plan failed where the reference path answers, under `PPL_STRICT_PLANS=1`.
        """
        if txn.sku is not None:
            txn = self.with_item(txn)
        try:
            plan = self._plans[txn.date][txn.partner, txn.contract]
        except KeyError:
            plan = self._plan(txn)
        if self.membership:
            self.check_member(txn)
        try:
            found = plan.figures(txn)
        except PriceRejected:  # a price rule rejects the line: the plan says so as the reference path would
            plan.ran += 1
            raise
        except Exception as error:  # noqa: BLE001 - the reference path decides, and the error is counted
            return figures_of(self._recover(txn, plan, error))
        plan.ran += 1
        return found

    def check(self, txn: Transaction) -> None:
        """Check a transaction built in Python as a file row is checked (`InputError` names what is wrong).

        Raises:
            InputError: a field of the wrong type, an id not in its canonical form, a negative price, a quantity
                too large, an `at` without its offset or on another day than `date`, or a field the program does
                not declare or of another type.
        """
        check_transaction(txn, self.rt.ruleset)

    def quote(self, txn: Transaction) -> Quote:
        """Quote one transaction under the version in force on its date, every figure explained (see `quote`).

        Raises:
            InputError: unless the quoter was made `checked`, a transaction that `check` refuses.
            QuoteError, EvaluationError: as `quote`.
        """
        if not self.checked:
            check_transaction(txn, self.rt.ruleset)
        if txn.sku is not None:
            txn = self.with_item(txn)
        try:
            plan = self._plans[txn.date][txn.partner, txn.contract]
        except KeyError:
            plan = self._plan(txn)
        if self.membership:
            self.check_member(txn)
        try:
            found = plan.quote(txn)
        except PriceRejected:
            plan.ran += 1
            raise
        except Exception as error:  # noqa: BLE001 - the reference path decides, and the error is counted
            return self.with_withheld(txn, self._recover(txn, plan, error))
        plan.ran += 1
        return self.with_withheld(txn, found)

    def with_withheld(self, txn: Transaction, found: Quote) -> Quote:
        """The quote with the benefits of the seller's tier that their conditions withhold on its date."""
        seller = self.partners.get(txn.partner)
        if not self.benefits or seller is None or seller.tier is None:
            return found
        version = self.rt.version_for(txn.date, txn.at)
        if version is None or not any(b.when is not None for b in version.rules.benefits):
            return found
        env = partner_env(seller, txn, self.volumes.get(seller.id))
        ruleset = self.rt.ruleset
        withheld = withheld_benefits(version.rules, seller, env, self.rt.context, ruleset.currency,
                                     ruleset.minor_unit)
        return dataclasses.replace(found, withheld=withheld) if withheld else found

    def check_member(self, txn: Transaction) -> None:
        """Raise E515 when the seller, or a distributor it buys through, is not a member on the transaction's
        date (an unknown seller is left to the quote: E511 comes first).

        Raises:
            QuoteError: E515 (after E510 and E511, before E512 and every rule).
        """
        seller = self.partners.get(txn.partner)
        if seller is None:
            return
        version = self._version(txn)
        try:
            chain = self.chain(version, seller).partners
        except QuoteError:  # a broken chain: the seller alone is judged here, and the quote says E513
            chain = [seller]
        try:
            check_members(reversed(chain), txn.date)
        except QuoteError as refusal:
            self._refused[refusal.code] += 1
            raise

    def with_item(self, txn: Transaction) -> Transaction:
        """A transaction that names a SKU, with its catalog item's fields (`item.*`) under the version in force."""
        version = self.rt.version_on(txn.date)
        return txn if version is None else with_item(version.rules, txn)

    def reference(self, txn: Transaction) -> Quote:
        """`quote` on the reference path alone: the oracle the generated plans are tested against."""
        return self.with_withheld(txn, self._quoting(txn).run())

    def _version(self, txn: Transaction) -> LoadedVersion:
        version = self.rt.version_for(txn.date, txn.at)
        if version is None:
            raise QuoteError("E510", f"no version of program `{self.rt.ruleset.program_id}` is in force on "
                             f"{txn.date}")
        return version

    def _plan(self, txn: Transaction) -> Plan:
        """The plan of a transaction's seller and contract, made when first needed (the reference path when
        it cannot be made)."""
        version = self._version(txn)
        day = self._plans.get(txn.date)
        if day is None:
            day = self._by_version.setdefault(version, {})
            if txn.date not in self.rt.split_days:  # on such a day the version depends on the time: never by date
                self._plans[txn.date] = day
        key = (txn.partner, txn.contract)
        plan = day.get(key)
        if plan is None:
            plan = day[key] = self._make(version, txn)
        return plan

    def _make(self, version: LoadedVersion, txn: Transaction) -> Plan:
        """A new plan for `txn`'s seller and contract, or the reference path standing in for it, with why."""
        try:
            return make_plan(self, version, txn)
        except NoPlan as no:
            return reference_plan(self, version, "no_plan", no.reason)
        except (QuoteError, EvaluationError) as error:  # the rules refuse a value every such quote reads
            if self.strict:
                self._strictly_refused(txn, error)
            return reference_plan(self, version, "error", f"{type(error).__name__} {error.code} when made")
        except Exception as error:
            if self.strict:
                raise PlanError(f"making the plan of `{txn.partner}` failed: {error!r}") from error
            return reference_plan(self, version, "error", type(error).__name__)

    def _strictly_refused(self, txn: Transaction, error: QuoteError | EvaluationError) -> None:
        """A plan refused when made must be one the reference path refuses for this transaction too."""
        try:
            self.reference(txn)
        except (QuoteError, EvaluationError):
            return
        raise PlanError(f"making the plan of `{txn.partner}` raised {error.code} {error.message!r}, "
                        "where the reference path answers") from error

    def _recover(self, txn: Transaction, plan: Plan, error: Exception) -> Quote:
        """The reference path's answer for a quote whose plan raised `error`: its located error when the rules
        refuse the transaction (counted as refused); otherwise the plan has a bug (counted, or raised when
        strict)."""
        if plan.outcome != "planned":  # the reference path itself refused it
            if isinstance(error, QuoteError | EvaluationError):
                self._refused[error.code] += 1
            raise error
        self.fallbacks += 1
        try:
            answer = _Quoting(self, self._version(txn), txn).run()
        except (QuoteError, EvaluationError) as refusal:
            self._refused[refusal.code] += 1
            raise
        if self.strict:
            raise PlanError(f"the plan of `{txn.partner}` raised {error!r} on `{txn.id}`, where the reference "
                            "path answers") from error
        self._errors[type(error).__name__] += 1
        return answer

    def price(self, txn: Transaction) -> Priced:
        """A transaction's amounts and lines only, as `quote` works them out (and failing as it does)."""
        return self._quoting(txn).price()

    def _quoting(self, txn: Transaction) -> _Quoting:
        version = self._version(txn)
        return _Quoting(self, version, with_item(version.rules, txn))

    def chain(self, version: LoadedVersion, seller: Partner) -> _Chain:
        """`chain_of(seller, …)` with what each level's margin comes from, worked out once per seller and version."""
        key = (version, seller.id)
        found = self._chains.get(key)
        if found is None:
            try:
                partners = chain_of(seller, self.partners, version.rules)
            except QuoteError as exc:
                found = exc
            else:
                levels = [version.index.levels.get(p.level) for p in partners[1:]]
                found = _Chain(partners, [ir.level_slot(p.level) for p in partners[1:]],
                               [(ir.RuleRef.hierarchy_level(p.level, level.at if level else None),
                                 level.margin.at if level else None)
                                for p, level in zip(partners[1:], levels, strict=True)])
            self._chains[key] = found
        if isinstance(found, QuoteError):
            raise QuoteError(found.code, found.message, found.at)
        return found

    def standing(self, version: LoadedVersion, partner: Partner, contract: ir.Contract,
                 slots: PartnerSlots) -> tuple[tuple[_Rate, ...], Fraction]:
        """`_standing(…)`, kept per partner and contract when the rules it reads depend on nothing else.

        Raises:
            EvaluationError: the base margin or the uplift failed (each time it is asked for).
        """
        key = (version, partner.id, contract.id)
        found = self._standings.get(key)
        if found is None:
            found = outcome(lambda: _standing(version, partner, contract, slots))
            kinds = slots.table.kinds  # a slot the entry does not have is never read
            if all(kinds.get(k, CONSTANT) in (CONSTANT, PARTNER) for k in _standing_keys(partner, contract)):
                self._standings[key] = found
        result: tuple[tuple[_Rate, ...], Fraction] = value_of(found)
        return result


def quote(rt: Runtime, txn: Transaction, partners: Mapping[str, Partner],
          volumes: Mapping[str, Volumes] | None = None, *, include_ladder: bool = True,
          next_steps: bool = True, benefits: bool = True, violations: bool = True, checked: bool = False) -> Quote:
    """Quote one transaction under the version in force on its date.

    `next_steps`, `benefits` and `violations` False leave those parts of the quote empty (a
    settlement needs none of them); see `Quoter`, which also shares work between many quotes.

    Inputs built in Python are checked as file rows are, unless `checked`: the transaction, the seller
    and the partners above it (the partners the quote reads, not the whole table) and their volumes.

    Raises:
        InputError: unless `checked`, an input that a file reader would refuse.
        QuoteError: no version covers the date, or the partner, contract or chain is unknown.
        runtime.engine.EvaluationError: an expression failed (a missing or ill-typed field).
    """
    if not checked:
        check_transaction(txn, rt.ruleset)
        check_chain(txn.partner, partners, rt.ruleset, volumes)
    # One quote: the reference path (a plan pays off over many quotes of one `Quoter`).
    return Quoter(rt, partners, volumes, include_ladder=include_ladder, next_steps=next_steps, benefits=benefits,
                  violations=violations, checked=True).reference(txn)
