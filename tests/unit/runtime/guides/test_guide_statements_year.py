"""The guide's statements over the year: true-ups of a retroactive ladder, a marginal ladder, a bonus paid once and
clawed back once — figures derived by hand, and the same figures from `ppl settle --as-of` with a ledger."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import io
from pathlib import Path

import pytest

from ppl.cli import main
from runtime.guides import YearCase, build_guide, render, render_guide
from runtime.model import UNSTATED, Transaction
from runtime.store import Ledger
from tests.unit.cli._asof_program import PROGRAM
from tests.unit.runtime.guides.conftest import compile_text

MARGINAL = PROGRAM.replace("mode: retroactive", "mode: marginal")
WITHOUT_VOLUME = PROGRAM.split("ladders:")[0].replace("    ladder: volume\n    bonuses: [growth]\n", "")


def year_section(text: str, lang: str = "en") -> str:
    guide = render_guide(compile_text(text), lang)
    start = guide.index("## Statements over the year" if lang == "en" else "## 年度内の精算と差額のお支払い")
    return guide[start:guide.index("\n## ", start + 1)]


def test_a_retroactive_ladder_re_rates_the_earlier_volume_in_the_next_statement() -> None:
    section = year_section(PROGRAM)
    assert "`volume` is retroactive" in section  # a ladder without a title is named by its id
    assert "the new rate applies to the whole fiscal year's sales, including those already settled" in section
    # ¥1,000,000 by 30 June at 2%; ¥2,000,000 by 30 September at 5% on the whole ¥2,000,000: ¥100,000 earned,
    # ¥20,000 paid before, ¥80,000 payable — more than 5% of the second sale alone (¥50,000).
    assert "| 30 June 2026 | ¥1,000,000 | 2% | ¥20,000 | ¥0 | ¥20,000 |" in section
    assert "| 30 September 2026 | ¥2,000,000 | 5% | ¥100,000 | ¥20,000 | ¥80,000 |" in section


def test_a_marginal_ladder_pays_only_the_uplift_on_the_volume_added() -> None:
    section = year_section(MARGINAL)
    assert "reaching a new step changes nothing already settled" in section
    # ¥1,500,000: 2% of ¥500,000 = ¥10,000. ¥2,500,000: 2% of ¥1,000,000 + 5% of ¥500,000 = ¥45,000, of which
    # ¥35,000 is new: the added ¥1,000,000 (¥500,000 at 2%, ¥500,000 at 5%); the first statement's stands.
    assert "| 30 June 2026 | ¥1,500,000 | 2% | ¥10,000 | ¥0 | ¥10,000 |" in section
    assert "| 30 September 2026 | ¥2,500,000 | 5% | ¥45,000 | ¥10,000 | ¥35,000 |" in section


def test_a_bonus_step_is_paid_once_and_clawed_back_once() -> None:
    section = year_section(PROGRAM)
    rows = [line for line in section.splitlines() if "Bonus" in line and line.startswith("|")]
    assert rows == [
        "| 30 June 2026 | ¥1,125,000 | Bonus | ¥0 | ¥0 | ¥0 |",
        "| 30 September 2026 | ¥1,500,000 | Bonus | ¥30,000 | ¥0 | ¥30,000 |",
        "| 31 December 2026 | ¥1,125,000 | Bonus | ¥30,000 | ¥30,000 | ¥0 |",
        "|  |  | Bonus clawback | -¥30,000 | ¥0 | -¥30,000 |",
        "| 31 March 2027 | ¥1,125,000 | Bonus | ¥30,000 | ¥30,000 | ¥0 |",
        "|  |  | Bonus clawback | -¥30,000 | -¥30,000 | ¥0 |",
    ]
    assert "which is refunded on 1 October 2026" in section


def test_japanese_guides_explain_the_difference_paid_and_the_clawback() -> None:
    section = year_section(PROGRAM, "ja")
    assert "差額をお支払いします" in section and "遡及型です" in section
    assert "次の精算で一度だけ返還していただきます" in section
    assert "| 2026年9月30日 | 2,000,000円 | 5% | 100,000円 | 20,000円 | 80,000円 |" in section
    assert "|  |  | インセンティブの返還 | -30,000円 | 0円 | -30,000円 |" in section


def test_a_program_without_ladders_or_bonuses_has_no_such_section() -> None:
    guide = render_guide(compile_text(WITHOUT_VOLUME), "en")
    assert "Statements over the year" not in guide


def test_a_currency_the_ledger_cannot_record_leaves_the_text_without_examples() -> None:
    ruleset = dataclasses.replace(compile_text(PROGRAM), currency="yen")  # a hand-made rule set
    guide = render_guide(ruleset, "en")
    section = guide[guide.index("## Statements over the year"):guide.index("## Versions")]
    assert "is retroactive" in section and "Statement as of" not in section


def _csv(txns: list[Transaction], as_of: datetime.date) -> str:
    def price(value: int) -> str:
        return "" if value == UNSTATED else str(value)

    rows = ["id,date,partner,list_price,sell_price,quantity,refund_of"]
    rows += [f"{t.id},{t.date.isoformat()},{t.partner},{price(t.list_price)},{price(t.sell_price)},{t.quantity},"
             f"{t.refund_of or ''}" for t in txns if t.date <= as_of]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("text", [PROGRAM, MARGINAL], ids=["retroactive", "marginal"])
def test_the_examples_are_what_ppl_settle_as_of_pays_with_a_ledger(text: str, tmp_path: Path) -> None:
    guide = build_guide(compile_text(text), "en")
    cases = [c for c in guide.cases if isinstance(c, YearCase)]
    assert [c.kinds for c in cases] == [("ladder",), ("bonus", "bonus_clawback")]
    program = tmp_path / "program.yaml"
    program.write_text(text, encoding="utf-8")
    (tmp_path / "partners.csv").write_text("id,contract\npartner-a,reseller\n", encoding="utf-8")
    for n, case in enumerate(cases):
        ledger = tmp_path / f"ledger-{n}.db"
        for m, as_of in enumerate(case.as_of):
            rows = tmp_path / f"transactions-{n}-{m}.csv"
            rows.write_text(_csv(list(case.transactions), as_of), encoding="utf-8")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                status = main(["settle", str(program), "--partners", str(tmp_path / "partners.csv"),
                               "--transactions", str(rows), "--as-of", as_of.isoformat(), "--ledger", str(ledger),
                               "--out", str(tmp_path / f"out-{n}-{m}"), "--color", "never"])
            assert status == 0
        with Ledger(ledger) as opened:
            runs = [tuple(x for x in run.lines if x.partner == case.partner) for run in opened.runs()]
        assert runs == list(case.runs)
    assert render(guide, "md").count("| 30 September 2026 |") == 2
