"""A price catalog: SKUs with list price, category and unit, effective-dated; rules read `item.category`."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from runtime import io as rio
from runtime.decisions.quote import QuoteError
from runtime.ir import RuleRef
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction
from tests.unit.runtime.decisions.decision_helpers import HEADER as HEADER_TEXT
from tests.unit.runtime.decisions.decision_helpers import partners, sale
from tests.unit.runtime.decisions.test_quote_plans import planned, quoted, quoters

CATALOG = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
catalog:
  categories: [plan, seats, hardware]
  items:
    - sku: CN-BIZ
      title: {en: CloudNote Business}
      category: plan
      unit: licence-year
      list_price: ¥120,000
      prices:
        - from: 2026-10-01
          list_price: ¥132,000
    - sku: CN-PEN
      category: hardware
      unit: device
      list_price: ¥20,000
price_rules:
  ceiling: list_price
  margin_caps:
    - id: hardware-cap
      when: item.category == hardware
      cap: 8%
"""

JUNE, OCTOBER = datetime.date(2026, 6, 1), datetime.date(2026, 10, 1)
PEOPLE = partners(Partner("r", "reseller"))


def named(sku: str | None, list_price: int, quantity: int = 1, sell_price: int | None = None,
          day: datetime.date = JUNE) -> Transaction:
    return dataclasses.replace(sale("r", list_price, quantity, sell_price, day), sku=sku)


def test_the_catalog_gives_the_category_a_margin_cap_reads(make: Callable[..., Runtime]) -> None:
    rt = make(CATALOG)
    # A plan at its June price: 20% of ¥120,000 × 2 = ¥48,000; wholesale ¥192,000.
    plan = quoted(rt, PEOPLE, named("CN-BIZ", 120_000, 2))
    assert plan.wholesale == 192_000
    # A pen is `hardware`: the cap holds the margin at 8% of ¥20,000 = ¥1,600; wholesale ¥18,400.
    pen = quoted(rt, PEOPLE, named("CN-PEN", 20_000))
    assert [f.rule for f in pen.rates if f.name == "margin cap"] == [RuleRef.margin_cap("hardware-cap")]
    assert pen.wholesale == 18_400


def test_a_price_changes_on_its_date(make: Callable[..., Runtime]) -> None:
    rt = make(CATALOG)
    # From 2026-10-01 the list price is ¥132,000: stated so, the sale is quoted (20% → wholesale ¥105,600).
    assert quoted(rt, PEOPLE, named("CN-BIZ", 132_000, day=OCTOBER)).wholesale == 105_600
    # The June price stated in October disagrees with the catalog: rejected by default (E554).
    with pytest.raises(QuoteError) as exc:
        quoted(rt, PEOPLE, named("CN-BIZ", 120_000, day=OCTOBER))
    assert (exc.value.code, exc.value.message) == (
        "E554", "list price ¥120,000 of SKU `CN-BIZ` is not the catalog's ¥132,000")


def test_an_unknown_sku_is_rejected(make: Callable[..., Runtime]) -> None:
    with pytest.raises(QuoteError) as exc:
        quoted(make(CATALOG), PEOPLE, named("CN-NOPE", 1_000))
    assert exc.value.code == "E555" and "`CN-NOPE`" in exc.value.message


def test_a_flagged_disagreement_is_settled_and_listed(make: Callable[..., Runtime]) -> None:
    rt = make(CATALOG.replace("  categories: [plan, seats, hardware]", "  categories: [plan, seats, hardware]\n"
                                                                     "  action: flag"))
    q = quoted(rt, PEOPLE, named("CN-BIZ", 119_000))
    assert [(v.kind, v.action, v.code) for v in q.violations] == [("catalog_price", "flag", "E554")]
    assert q.list_amount == 119_000  # the stated price is quoted; the violation says it is not the catalog's


def test_catalog_lines_run_on_the_plans(make: Callable[..., Runtime]) -> None:
    rt = make(CATALOG)
    txns = [named(sku, price, q, sell, day) for sku in ("CN-BIZ", "CN-PEN", "CN-NOPE")
            for price in (20_000, 120_000, 132_000) for q in (1, -1) for sell in (None, 19_000)
            for day in (JUNE, OCTOBER)]
    assert planned(quoters(rt, PEOPLE, txns))
    # A row that names no SKU has no item: a rule that reads `item.category` cannot judge it (E500).
    with pytest.raises(Exception) as exc:
        quoted(rt, PEOPLE, named(None, 20_000))
    assert getattr(exc.value, "code", None) == "E500"


def test_a_row_may_name_only_its_sku_and_quantity(make: Callable[..., Runtime], tmp_path: Path) -> None:
    rt = make(CATALOG)
    path = tmp_path / "t.csv"
    path.write_text("id,date,partner,sku,quantity\nt1,2026-06-01,r,CN-BIZ,2\nt2,2026-10-01,r,CN-BIZ,1\n"
                    "t3,2026-06-01,r,CN-NOPE,1\n", encoding="utf-8")
    with rio.TransactionReader(path, rt.ruleset) as reader:
        txns = [item for _, item in reader]
    # The list price comes from the catalog on the row's date, and the sell price is the list price.
    assert [(t.list_price, t.sell_price, t.sku) for t in txns if isinstance(t, Transaction)] == [
        (120_000, 120_000, "CN-BIZ"), (132_000, 132_000, "CN-BIZ"), (0, 0, "CN-NOPE")]
    with pytest.raises(QuoteError) as exc:
        quoted(rt, PEOPLE, txns[2])  # type: ignore[arg-type]
    assert exc.value.code == "E555"


def test_a_catalog_file_is_read_beside_the_program(tmp_path: Path) -> None:
    from compiler.lower import compile_program
    from compiler.pipeline import check

    folder = tmp_path / "programs"
    folder.mkdir()
    body = CATALOG.split("catalog:\n")[1].split("price_rules:\n")[0]
    (folder / "items.yaml").write_text("\n".join(line[2:] for line in body.splitlines()) + "\n", encoding="utf-8")
    text = (HEADER_TEXT + CATALOG.split("catalog:\n")[0] + "catalog: {file: items.yaml}\nprice_rules:\n"
            + CATALOG.split("price_rules:\n")[1])
    (folder / "program.yaml").write_text(text, encoding="utf-8")
    result = check([str(folder / "program.yaml")])
    assert not result.diagnostics and len(result.programs) == 1
    version = compile_program(result.programs[0]).versions[0]
    assert version.catalog is not None
    assert [(i.sku, i.category, i.prices[-1][1]) for i in version.catalog.items] == [
        ("CN-BIZ", "plan", 132_000), ("CN-PEN", "hardware", 20_000)]
    # An error in the catalog file is reported in that file.
    (folder / "items.yaml").write_text("categories: [plan, hardware]\nitems:\n"
                                       "  - {sku: X, category: plna, list_price: 1}\n", encoding="utf-8")
    found = check([str(folder / "program.yaml")]).diagnostics
    assert [(d.code, d.span.file.endswith("items.yaml") if d.span else None, d.span.line if d.span else None)
            for d in found] == [("E385", True, 3)]
