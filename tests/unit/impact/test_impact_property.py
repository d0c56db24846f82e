"""Properties of the money impact, for random revisions of the SaaS program and random rows: the partners'
differences add up to the total difference, and the before and after figures are those of the statements that
`ppl settle` writes for each program."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppl.cli import main
from ppl.common import load_partners, load_ruleset, parse_period
from runtime import impact as mi
from tests.unit.impact._impact_data import ROOT, SAAS

LADDER = "      - from: 1億\n        rate: 2%\n      - from: 5億"
TARGET = "      - target: 3億"


@st.composite
def revisions(draw: st.DrawFn) -> tuple[tuple[str, str], ...]:
    """The volume ladder's step 2 rate and step 3 threshold, and the growth bonus's first target."""
    rate, top, target = draw(st.integers(0, 9)), draw(st.integers(2, 9)), draw(st.integers(1, 5))
    return ((LADDER, f"      - from: 1億\n        rate: {rate}%\n      - from: {top}億"),
            (TARGET, f"      - target: {target}億"))


@st.composite
def rows(draw: st.DrawFn) -> str:
    """Sales of May 2026 by r1 and r2 (at list or up to 15% below it; some of quantity 0, which is rejected)."""
    lines = ["id,date,partner,list_price,sell_price,quantity,services_amount"]
    for n in range(draw(st.integers(0, 8))):
        listed = draw(st.integers(1, 300)) * 1_000_000
        sold = listed - listed * draw(st.integers(0, 15)) // 100
        lines.append(f"p{n},2026-05-{draw(st.integers(1, 31)):02d},{draw(st.sampled_from(['r1', 'r2']))},{listed},"
                     f"{sold},{draw(st.integers(0, 3))},0")
    return "\n".join(lines) + "\n"


def _program(revision: tuple[tuple[str, str], ...], path: Path) -> Path:
    """The SaaS program with a revision, written to `path`."""
    text = (ROOT / "programs" / SAAS.program).read_text(encoding="utf-8")
    for before, after in revision:
        text = text.replace(before, after)
    path.write_text(text, encoding="utf-8")
    return path


def _statements(program: Path, where: Path) -> dict[str, object]:
    """statements.json as `ppl settle` writes it for the program over the example's files."""
    out = where / f"out-{program.stem}"
    status = main(["settle", str(program), "--partners", str(where / "partners.csv"), "--transactions",
                   str(where / "transactions.csv"), "--period", SAAS.period, "--out", str(out), "--engine", "rows",
                   "--color", "never"])
    assert status == 0
    data = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=revisions(), new=revisions(), transactions=rows())
def test_partner_differences_add_up_and_match_the_statements(old: tuple[tuple[str, str], ...],
                                                             new: tuple[tuple[str, str], ...],
                                                             transactions: str) -> None:
    with tempfile.TemporaryDirectory() as temp:
        where = Path(temp)
        old_program, new_program = _program(old, where / "old.yaml"), _program(new, where / "new.yaml")
        (where / "partners.csv").write_text(SAAS.partners, encoding="utf-8")
        (where / "transactions.csv").write_text(transactions, encoding="utf-8")
        before, after = load_ruleset(str(old_program)), load_ruleset(str(new_program))
        impact = mi.money_impact(before, after, where / "transactions.csv",
                                 load_partners(str(where / "partners.csv"), before),
                                 parse_period(SAAS.period, after), "rows")
        assert sum(p.difference for p in impact.partners) == impact.difference
        assert sum(k.difference for k in impact.kinds if k.kind not in ("pass_through", "services")) == \
            impact.difference
        for side, program, total in (("before", old_program, impact.before), ("after", new_program, impact.after)):
            statements = _statements(program, where)
            assert statements["total"] == total
            figures = {s["partner"]: s for s in statements["statements"]}  # type: ignore[attr-defined]
            for p in impact.partners:
                assert figures[p.partner]["total"] == getattr(p, side)
                assert {k.kind: getattr(k, side) for k in p.kinds if getattr(k, side)} == \
                    {k: v for k, v in figures[p.partner]["totals"].items() if v}
        assert impact.old.read == impact.old.accepted + impact.old.rejected + impact.old.held
        assert impact.new.read == impact.old.read == transactions.count("\n") - 1
