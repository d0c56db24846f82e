"""Quote endpoints: one transaction, one explained, a batch.

A transaction is the object with the keys of a transactions file, parsed by
`runtime.io.readers.parse_transaction`, so it is validated exactly like a row of a file: a rejected one is
a 422 problem with the row's code and field. A partner key quotes only its own sales, and sees only its
own level of the distributor chain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from fastapi import APIRouter

from runtime import io as rio
from runtime.decisions import Rejected
from runtime.decisions.quote import QuoteError, Quoter
from runtime.decisions.refunds import quote_problem
from runtime.engine import EvaluationError
from runtime.model import Quote, Transaction, Volumes
from runtime.service import schemas
from runtime.service.answers import JSONAnswer
from runtime.service.context import Caller, Decision, Problem, ServedProgram
from runtime.service.deps import (
    CallerDep,
    ServedDep,
    ServiceState,
    StateDep,
    decided,
    logged,
    new_decision,
    ruleset_json,
)
from runtime.service.exact import ExactRoute
from runtime.service.problems import http_problem

router = APIRouter(prefix="/v1/programs/{program}", tags=["quotes"], route_class=ExactRoute)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ProblemModel, "content": {"application/problem+json": {}}}
    for status in (401, 403, 404, 422, 503)
}


class QuoterCache:
    """One `Quoter` per served artifact for quotes without volumes, so its plans are made once and reused."""

    def __init__(self, on_release: Callable[[str, int], None]) -> None:
        self._lock = threading.Lock()
        self._quoters: dict[str, tuple[ServedProgram, Quoter, threading.Lock]] = {}
        self.on_release = on_release

    def get(self, program: ServedProgram) -> tuple[Quoter, threading.Lock]:
        """The quoter of a served artifact and the lock its quotes take (a quoter's caches are not shared
        between threads unguarded)."""
        found = self._quoters.get(program.hash)
        if found is not None and found[0] is program:
            return found[1], found[2]
        with self._lock:
            found = self._quoters.get(program.hash)
            if found is not None and found[0] is program:
                return found[1], found[2]
            if found is not None:  # the artifact was loaded again (its partners changed)
                self.on_release(found[0].program, found[1].plan_stats.fallbacks)
            # checked: the bundle's partners were read by runtime.io, and every transaction is parsed before it
            made = (program, Quoter(program.runtime, program.partners, checked=True), threading.Lock())
            self._quoters[program.hash] = made
            return made[1], made[2]

    def fallbacks(self) -> dict[str, int]:
        """Quotes answered by the reference path, by program, over the quoters kept."""
        total: dict[str, int] = {}
        for program, quoter, lock in list(self._quoters.values()):
            with lock:
                count = quoter.plan_stats.fallbacks
            total[program.program] = total.get(program.program, 0) + count
        return total


def _own(who: Caller, values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A partner key's transaction, its seller defaulted to the key's partner; another seller is a 403 that says
    nothing of the other partner."""
    out = dict(values)
    if who.role != "partner":
        return out
    if out.get("partner") in (None, ""):
        out["partner"] = who.partner
    elif out["partner"] != who.partner:
        raise http_problem(403, "a partner key quotes only its own sales", "forbidden", f"{where}.partner")
    return out


def _volumes(who: Caller, given: Mapping[str, schemas.VolumesIn]) -> dict[str, Volumes]:
    if who.role == "partner" and any(pid != who.partner for pid in given):
        raise http_problem(403, "a partner key gives only its own volumes", "forbidden", "body.volumes")
    return {pid: Volumes(v.sales, v.purchases, v.list_sales, v.quantity, v.deals) for pid, v in given.items()}


def _parse(values: Mapping[str, Any], program: ServedProgram, row: int = 0) -> Transaction | Rejected:
    parsed = rio.parse_transaction(values, program.runtime.ruleset, row)
    if isinstance(parsed, Rejected):
        return parsed
    if (problem := quote_problem(program.runtime.ruleset, parsed)) is not None:
        code, reason, field = problem
        return Rejected(row, parsed.id, code, reason, field)
    return parsed


def _rejected_problem(rejected: Rejected, where: str) -> Problem:
    field = f"{where}.{rejected.field}" if rejected.field else where
    return Problem(422, "Transaction rejected", rejected.reason, rejected.code, field)


def _refused(exc: QuoteError | EvaluationError) -> tuple[str, str]:
    where = f"{exc.at}: " if exc.at else ""
    return exc.code, f"{where}{exc.message}"


def quote_view(full: dict[str, Any], q: Quote, who: Caller) -> dict[str, Any]:
    """A quote's JSON (`full`, `runtime.io.quote_json`) as this caller sees it: all of it for a vendor or admin key;
    for a partner key, its own level of the chain and its own lines only (what a distributor above it earns is
    not its business). The decision log keeps `full`: the log is the vendor's record of what was decided."""
    if who.role != "partner" or len(q.chain) <= 1:
        return full
    data = dict(full)
    data["chain"] = [s for s in full["chain"] if s["partner"] == who.partner]
    data["lines"] = [line for line in full["lines"] if line["partner"] == who.partner]
    data["margin"] = None
    data["wholesale"] = None
    data["rates"] = []
    return data


def _chain_rows(program: ServedProgram, seller: str) -> dict[str, Any]:
    """The partner rows the decision read: the seller's and every partner above it, as a partners file has them."""
    rows: dict[str, Any] = {}
    found = program.partners.get(seller)
    while found is not None and found.id not in rows:
        rows[found.id] = rio.partner_row(found, program.runtime.ruleset)
        found = program.partners.get(found.parent) if found.parent else None
    return rows


def _volumes_json(volumes: Mapping[str, schemas.VolumesIn]) -> dict[str, Any]:
    return {pid: v.model_dump() for pid, v in sorted(volumes.items())}


class _Quoting:
    """Quotes of one request: the cached quoter without volumes, a quoter of its own with them."""

    def __init__(self, st: ServiceState, program: ServedProgram, volumes: Mapping[str, Volumes]) -> None:
        self.st = st
        self.program = program
        if volumes:
            self.quoter, self.lock = Quoter(program.runtime, program.partners, volumes), threading.Lock()
            self.own = True
        else:
            self.quoter, self.lock = st.quoters.get(program)
            self.own = False

    def quote(self, txn: Transaction) -> Quote:
        with self.lock:
            return self.quoter.quote(txn)

    def done(self) -> None:
        if self.own:
            self.st.metrics.add_fallbacks(self.program.program, self.quoter.plan_stats.fallbacks)


def _quote_one(st: ServiceState, who: Caller, program: ServedProgram, body: schemas.QuoteIn) \
        -> tuple[Transaction, Quote, dict[str, Any]]:
    values = _own(who, body.transaction, "body.transaction")
    volumes = _volumes(who, body.volumes)
    parsed = _parse(values, program)
    if isinstance(parsed, Rejected):
        raise _rejected_problem(parsed, "body.transaction")
    quoting = _Quoting(st, program, volumes)
    try:
        q = quoting.quote(parsed)
    except (QuoteError, EvaluationError) as exc:
        code, reason = _refused(exc)
        raise Problem(422, "Transaction not quoted", reason, code, "body.transaction") from None
    finally:
        quoting.done()
    log_input = {"transaction": dict(body.transaction), "partners": _chain_rows(program, parsed.partner),
                 "volumes": _volumes_json(body.volumes)}
    return parsed, q, log_input


def quote_decision(st: ServiceState, who: Caller, program: ServedProgram, body: schemas.QuoteIn) \
        -> tuple[Decision, dict[str, Any]]:
    """The decision of a quote request (not yet logged) and the answer's body as this caller sees it; a `Problem`
    for a transaction that is rejected or not quoted."""
    _txn, q, log_input = _quote_one(st, who, program, body)
    ruleset, full = ruleset_json(program, q.version), rio.quote_json(q)
    decision = new_decision(who, program, "quote", log_input, {"ruleset": ruleset, "quote": full}, q.version)
    return decision, {"decision_id": decision.id, "ruleset": ruleset, "quote": quote_view(full, q, who)}


@router.post("/quote", response_model=schemas.QuoteAnswer, responses=_ERRORS, summary="Quote one transaction")
def quote(body: schemas.QuoteIn, who: CallerDep, program: ServedDep,
          st: StateDep) -> JSONAnswer:
    """Quote one transaction: every figure with the rule that produced it, under the version in force on its
    date."""
    decision, answer = quote_decision(st, who, program, body)
    logged(st, decision)
    return JSONAnswer(answer)


def explanation(q: Quote, program: ServedProgram, txn: Transaction, lang: str) -> dict[str, Any]:
    """A quote explained in words (`runtime.explain.render_quote`, the text `ppl quote` prints)."""
    from runtime import explain

    text = explain.render_quote(q, program.runtime.ruleset, txn)
    return {"lang": lang, "text": text, "lines": text.splitlines()}


@router.post("/explain", response_model=schemas.ExplainAnswer, responses=_ERRORS,
             summary="Quote one transaction and explain it")
def explain_quote(body: schemas.QuoteIn, who: CallerDep, program: ServedDep, st: StateDep,
                  lang: Literal["en"] = "en") -> JSONAnswer:
    """Quote one transaction and explain every number in words (in English: `runtime.explain` has no other
    language yet, so `lang` takes `en` only and anything else is a 422 naming `query.lang`)."""
    txn, q, log_input = _quote_one(st, who, program, body)
    if who.role == "partner" and len(q.chain) > 1:
        raise http_problem(403, "an explanation shows every level of the chain; a partner key asks for a quote",
                           "forbidden")
    output = {"ruleset": ruleset_json(program, q.version), "quote": rio.quote_json(q),
              "explanation": explanation(q, program, txn, lang)}
    decision = decided(st, who, program, "explain", log_input, output, q.version)
    return JSONAnswer({"decision_id": decision.id, **output})


def _batch(st: ServiceState, who: Caller, program: ServedProgram, items: Sequence[Mapping[str, Any]],
           volumes: Mapping[str, Volumes]) \
        -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """The batch's quotes as the caller sees them, as the log keeps them, its rejected items and its sellers."""
    quotes: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    sellers: set[str] = set()
    quoting = _Quoting(st, program, volumes)
    try:
        for index, values in enumerate(items):
            own = _own(who, values, f"body.transactions.{index}")
            parsed = _parse(own, program, index)
            if isinstance(parsed, Rejected):
                rejected.append({"index": index, "id": parsed.transaction or None, "code": parsed.code,
                                 "reason": parsed.reason, "field": parsed.field})
                continue
            try:
                q = quoting.quote(parsed)
            except (QuoteError, EvaluationError) as exc:
                code, reason = _refused(exc)
                rejected.append({"index": index, "id": parsed.id, "code": code, "reason": reason, "field": None})
                continue
            sellers.add(parsed.partner)
            data = rio.quote_json(q)
            full.append({"index": index, "quote": data})
            quotes.append({"index": index, "quote": quote_view(data, q, who)})
    finally:
        quoting.done()
    return quotes, full, rejected, sellers


@router.post("/quotes", response_model=schemas.QuotesAnswer, responses=_ERRORS, summary="Quote a batch")
def quote_batch(body: schemas.QuotesIn, who: CallerDep, program: ServedDep,
                st: StateDep) -> JSONAnswer:
    """Quote a batch: each rejected transaction is reported with its index and reason, the others are quoted."""
    volumes = _volumes(who, body.volumes)
    quotes, full, rejected, sellers = _batch(st, who, program, body.transactions, volumes)
    versions = {q["quote"]["version"] for q in quotes}
    version = versions.pop() if len(versions) == 1 else None
    partners: dict[str, Any] = {}
    for seller in sorted(sellers):
        partners.update(_chain_rows(program, seller))
    counts = {"received": len(body.transactions), "quoted": len(quotes), "rejected": len(rejected)}
    ruleset = ruleset_json(program, version)
    log_input = {"transactions": [dict(t) for t in body.transactions], "partners": partners,
                 "volumes": _volumes_json(body.volumes)}
    decision = decided(st, who, program, "quote_batch", log_input,
                       {"ruleset": ruleset, "quotes": full, "rejected": rejected, "counts": counts}, version)
    return JSONAnswer({"decision_id": decision.id, "ruleset": ruleset, "quotes": quotes, "rejected": rejected,
                         "counts": counts})
