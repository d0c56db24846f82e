"""Quote throughput of one program: the compiled runtime against hand-written Python, the interpreter and ZEN.

Every contender first answers every generated case, and the answers must be equal (in the forms of
bench/canon.py) before anything is timed. Then the contenders are raced round-robin on the same cases.

Contenders (plain quote, no next-step hints):
  handwritten  bench/handwritten_<program>.py `quote`
  compiled     Quoter(Runtime(..., "compiled"), partners, volumes).figures: the generated plans, held by one
               Quoter for the run, as a service holds one per partner table and period volumes
  compiled_cold  the same with a new Quoter for every pass, so each pass makes its plans again
  interpreted  the reference path on Runtime(..., "interpreted"), next_steps=False
  zen          ZEN on bench/jdm/<program>.json, contexts built beforehand (ZEN's cost alone)
  zen+adapter  ZEN with the context built from the Transaction in the timed loop
  zen_decision ZEN called as its README shows (create_decision().evaluate): for information
Explained quote (next-step hints, every figure with its rule):
  handwritten  bench/handwritten_<program>.py `explain`
  compiled     Quoter(..., next_steps=True).quote: the plans' explained variant
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import canon, zen_quote
from bench.data import Cases, quote_cases
from bench.timing import Measured, race
from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from runtime import ir
from runtime.decisions import quote
from runtime.decisions.quote import Quoter
from runtime.loaded import Runtime

ROOT = Path(__file__).resolve().parent.parent


class Mismatch(Exception):
    """Two contenders gave different answers on a case: nothing is timed."""


@dataclass(frozen=True, slots=True)
class ProgramResult:
    """What was measured for one program."""

    program: str
    cases: int
    quote: dict[str, Measured]
    explain: dict[str, Measured]
    zen_trivial: Measured


def compile_ruleset(program: str) -> ir.RuleSet:
    """Check and compile programs/<program>.yaml.

    Raises:
        Mismatch: the program has errors (the benchmark cannot run on it).
    """
    result = check([str(ROOT / "programs" / f"{program}.yaml")])
    if dg.has_errors(result.diagnostics) or len(result.programs) != 1:
        raise Mismatch(f"programs/{program}.yaml does not compile: {[d.message for d in result.diagnostics]}")
    return compile_program(result.programs[0])


def _verify(name: str, cases: Cases, expected: list[Any], answer: Callable[[int], Any]) -> None:
    for i, want in enumerate(expected):
        try:
            found = answer(i)
        except Exception as exc:  # report any contender's failure on a case as a mismatch, with the case
            raise Mismatch(f"{cases.program}: {name} fails on {cases.transactions[i]}: {exc!r}") from exc
        if found != want:
            raise Mismatch(f"{cases.program}: {name} differs from the compiled runtime on "
                           f"{cases.transactions[i]}: {canon.first_difference(want, found)}")


def measure_program(program: str, count: int, repeats: int) -> ProgramResult:
    """Verify every contender on `count` generated cases, then race them `repeats` times."""
    ruleset = compile_ruleset(program)
    compiled, interpreted = Runtime(ruleset, "compiled"), Runtime(ruleset, "interpreted")
    hw = importlib.import_module(f"bench.handwritten_{program}")
    cases = quote_cases(program, count)
    txns, partners, volumes = cases.transactions, cases.partners, cases.volumes
    zen_eval = zen_quote.evaluator(program)
    zen_decision = zen_quote.decision_evaluator(program)
    contexts = [zen_quote.build_context(t, partners, volumes) for t in txns]

    quoter = Quoter(compiled, partners, volumes, next_steps=False)
    explainer = Quoter(compiled, partners, volumes)
    reference = [canon.plain(quote(compiled, t, partners, volumes, next_steps=False)) for t in txns]
    plain = [canon.plain(quoter.figures(t)) for t in txns]
    _verify("the reference path", cases, plain, lambda i: reference[i])
    _verify("the explained plan", cases, plain, lambda i: canon.plain(explainer.quote(txns[i])))
    if quoter.fallbacks or quoter.reference_plans:
        raise Mismatch(f"{program}: {quoter.fallbacks} quotes fell back to the reference path "
                       f"({quoter.reference_plans} sellers had no plan): the fast path did not run")
    _verify("hand-written", cases, plain, lambda i: canon.plain_from_handwritten(hw.quote(txns[i], partners, volumes)))
    _verify("interpreter", cases, plain,
            lambda i: canon.plain(quote(interpreted, txns[i], partners, volumes, next_steps=False)))
    _verify("zen", cases, plain, lambda i: zen_quote.plain(zen_eval(contexts[i])))
    _verify("zen (create_decision)", cases, plain, lambda i: zen_quote.plain(zen_decision(contexts[i])))
    explained = [canon.explained(explainer.quote(t)) for t in txns]
    _verify("the explained reference", cases, explained,
            lambda i: canon.explained(quote(compiled, txns[i], partners, volumes)))
    _verify("hand-written explain", cases, explained,
            lambda i: canon.explained_from_handwritten(hw.explain(txns[i], partners, volumes)))

    hw_quote, hw_explain, build = hw.quote, hw.explain, zen_quote.build_context

    def run_handwritten() -> None:
        for t in txns:
            hw_quote(t, partners, volumes)

    figures = quoter.figures

    def run_compiled() -> None:
        for t in txns:
            figures(t)

    def run_compiled_cold() -> None:
        cold = Quoter(compiled, partners, volumes, next_steps=False).figures
        for t in txns:
            cold(t)

    def run_interpreted() -> None:
        for t in txns:
            quote(interpreted, t, partners, volumes, next_steps=False)

    def run_zen() -> None:
        for c in contexts:
            zen_eval(c)

    def run_zen_adapter() -> None:
        for t in txns:
            zen_eval(build(t, partners, volumes))

    def run_zen_decision() -> None:
        for c in contexts:
            zen_decision(c)

    def run_hw_explain() -> None:
        for t in txns:
            hw_explain(t, partners, volumes)

    explain = explainer.quote

    def run_explain() -> None:
        for t in txns:
            explain(t)

    trivial = zen_quote.trivial_evaluator()

    def run_zen_trivial() -> None:
        for c in contexts:
            trivial(c)

    quotes = race({"handwritten": run_handwritten, "compiled": run_compiled, "compiled_cold": run_compiled_cold,
                   "interpreted": run_interpreted,
                   "zen": run_zen, "zen+adapter": run_zen_adapter, "zen_decision": run_zen_decision,
                   "zen_trivial": run_zen_trivial}, len(txns), repeats)
    explains = race({"handwritten": run_hw_explain, "compiled": run_explain}, len(txns), repeats)
    return ProgramResult(program, len(txns), {k: v for k, v in quotes.items() if k != "zen_trivial"}, explains,
                         quotes["zen_trivial"])
