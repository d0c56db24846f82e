"""The HTML guide in a real browser: Debian's Chromium, headless, driven by Playwright.

Playwright never downloads a browser here: it is given `/usr/bin/chromium` (installed by
`make test` with apt-get when missing). Without that browser, or without Playwright, the test is
skipped. One browser start, a few checks: well under ten seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime import ir
from runtime.guides import render_guide

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_tier_table_and_ladder_chart_are_visible(browser: Any, lang: str, tmp_path: Path,
                                                 examples: Callable[[str], ir.RuleSet]) -> None:
    page_file = tmp_path / f"guide.{lang}.html"
    page_file.write_text(render_guide(examples("saas_reseller"), lang, "html"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(page_file.as_uri())
        tiers = page.locator("table.ppl-tiers")
        tiers.scroll_into_view_if_needed()
        assert tiers.is_visible()
        assert tiers.locator("tbody tr").count() == 3
        box = tiers.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
        chart = page.locator("svg.ppl-ladder-chart").first
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
        bars = chart.locator("rect.ppl-bar")
        assert bars.count() == 3
        heights = [bars.nth(i).bounding_box()["height"] for i in range(3)]  # the 0%, 2% and 5% steps
        assert heights[0] < heights[1] < heights[2]
        assert page.locator("script").count() == 0
    finally:
        page.close()
