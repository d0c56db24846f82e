"""The shapes of the service's requests and answers (pydantic), from which the OpenAPI document is made.

The answers' JSON is written by the same functions as the command line's (`runtime.io.writers`); these
models describe it exactly, and the schemathesis test holds the two together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | Decimal | bool | None
"""A value as JSON gives it: text, a number (a fraction read as the exact decimal written:
`runtime.service.exact`), a flag, or null."""


class Strict(BaseModel):
    """A request body: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


class ProblemModel(BaseModel):
    """Problem details (RFC 9457) with ppl's code."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
    model_config = ConfigDict(extra="allow")


class RulesetRef(BaseModel):
    """The rule set a decision was made with: its program, the artifact's hash, and the version in force."""

    program: str
    hash: str
    version: str | None


class VolumesIn(Strict):
    """A partner's period-to-date volumes (minor units; default 0)."""

    sales: int = 0
    purchases: int = 0
    list_sales: int = 0
    quantity: int = 0
    deals: int = 0


class QuoteIn(Strict):
    """One transaction to quote, with the keys of a transactions file, and optional period-to-date volumes."""

    transaction: dict[str, Scalar] = Field(description="the keys of a transactions file: id, date, partner, "
                                           "contract, product, list_price, sell_price, quantity, and the declared "
                                           "fields; validated like a row of a file")
    volumes: dict[str, VolumesIn] = Field(default_factory=dict, description="period-to-date volumes by partner id")


class QuotesIn(Strict):
    """A batch of transactions to quote, with optional period-to-date volumes."""

    transactions: list[dict[str, Scalar]] = Field(max_length=1000)
    volumes: dict[str, VolumesIn] = Field(default_factory=dict)


class FigureOut(BaseModel):
    """A rate or amount with the rule that produced it and where that rule is written."""

    name: str
    value: int | str
    rule: str
    at: str | None


class ShareOut(BaseModel):
    """What one level of the distributor chain pays, receives and keeps."""

    partner: str
    level: int
    margin: str
    pays: int
    receives: int
    keeps: int
    rule: str
    at: str | None


class LineOut(BaseModel):
    """One line of a quote: an amount a partner is paid or passes through, with its rule."""

    partner: str
    transaction: str | None
    kind: str
    label: str
    amount: int
    rule: str
    version: str
    at: str | None


class ViolationOut(BaseModel):
    """A price rule the transaction breaks."""

    kind: str
    code: str
    action: str
    message: str
    rule: str
    at: str | None


class WithheldOut(BaseModel):
    """A benefit of the seller's tier withheld on the date, and why."""

    name: str
    reasons: list[str]
    rule: str
    at: str | None


class QuoteOut(BaseModel):
    """A quote as `ppl quote --format json` writes it (for a partner key, the levels above it are left out:
    `margin` and `wholesale` are null and `rates` empty when the seller buys from a distributor)."""

    transaction: str
    partner: str
    version: str
    contract: str
    kind: str
    list_amount: int
    sell_amount: int
    margin: str | None
    wholesale: int | None
    partner_gross: int
    rates: list[FigureOut]
    chain: list[ShareOut]
    lines: list[LineOut]
    benefits: list[FigureOut]
    violations: list[ViolationOut]
    next_steps: list[str]
    withheld: list[WithheldOut] | None = None


class QuoteAnswer(BaseModel):
    """One quote, with the decision's id and the rule set it was made with."""

    decision_id: str
    ruleset: RulesetRef
    quote: QuoteOut


class ExplanationOut(BaseModel):
    """A quote explained for people: the text `ppl quote` prints, and its lines."""

    lang: str
    text: str
    lines: list[str]


class ExplainAnswer(QuoteAnswer):
    """A quote and its explanation."""

    explanation: ExplanationOut


class RejectedOut(BaseModel):
    """A transaction of a batch that is not quoted: its index in the batch, id, code, reason and field."""

    index: int
    id: str | None
    code: str
    reason: str
    field: str | None


class IndexedQuote(BaseModel):
    """A quote of a batch with its index in the batch."""

    index: int
    quote: QuoteOut


class BatchCounts(BaseModel):
    """How many transactions a batch held, how many were quoted and how many rejected (received = the sum)."""

    received: int
    quoted: int
    rejected: int


class QuotesAnswer(BaseModel):
    """A batch's quotes and rejections."""

    decision_id: str
    ruleset: RulesetRef
    quotes: list[IndexedQuote]
    rejected: list[RejectedOut]
    counts: BatchCounts


class ArtifactOut(BaseModel):
    """One artifact of a program: its hash, versions, where it was read from and when."""

    hash: str
    versions: list[str]
    format: str
    loaded_at: str
    path: str
    current: bool
    partners: int | None


class ProgramOut(BaseModel):
    """A served program and every artifact of it loaded so far (oldest first)."""

    program: str
    current: str
    artifacts: list[ArtifactOut]


class ProgramsAnswer(BaseModel):
    """Every served program."""

    programs: list[ProgramOut]


class RefusalOut(BaseModel):
    """An artifact a reload refused, and why."""

    path: str
    reason: str


class ReloadAnswer(BaseModel):
    """What a reload did."""

    ok: bool
    loaded: list[str]
    refused: list[RefusalOut]
    current: dict[str, str]


class Health(BaseModel):
    """Liveness or readiness."""

    status: str
    checks: dict[str, str] = Field(default_factory=dict)
