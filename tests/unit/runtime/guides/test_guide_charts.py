"""The SVG charts: well-formed, one bar per ladder step, every label and attribute escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from runtime.guides._charts import Bar, Box, flow_chart, ladder_chart

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & \'q\''


def _bars() -> list[Bar]:
    return [Bar(0, None, Fraction(0), "¥0", "0%"), Bar(100, None, Fraction(2, 100), "¥100", "2%"),
            Bar(400, None, Fraction(5, 100), EVIL, "5%")]


def test_ladder_chart_has_a_bar_per_step_rising_with_the_rate() -> None:
    root = ET.fromstring(str(ladder_chart("annual-volume", "Annual volume uplift", "purchases", "uplift", _bars())))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "ppl-bar"]
    assert len(bars) == 3
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[0] < heights[1] < heights[2]
    xs = [float(b.get("x", "0")) for b in bars]
    assert xs == sorted(xs)
    assert root.get("data-ladder") == "annual-volume"
    assert root.find(f"{SVG}title") is not None


def test_ladder_chart_escapes_labels_and_attributes() -> None:
    svg = str(ladder_chart(EVIL, EVIL, EVIL, EVIL, _bars()))
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert root.get("data-ladder") == EVIL  # escaped in the attribute, intact once parsed
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert EVIL in texts
    assert all(not ident or ident.replace("-", "").isalnum() for ident in (e.get("id") for e in root.iter()))


def test_flow_chart_draws_a_box_and_arrow_per_party() -> None:
    boxes = [Box("Vendor", ""), Box(EVIL, "margin 20%"), Box("Customer", "")]
    root = ET.fromstring(str(flow_chart("newswave", EVIL, boxes)))
    assert len(list(root.iter(f"{SVG}line"))) == 2
    assert [t.text for t in root.iter(f"{SVG}text")][:3] == ["Vendor", EVIL, "margin 20%"]
    assert root.find(f"{SVG}title").text == EVIL  # type: ignore[union-attr]
