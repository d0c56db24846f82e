"""The HTML guide in a real browser: Debian's Chromium, headless, driven by Playwright.

Playwright never downloads a browser here: it is given `/usr/bin/chromium` (installed by
`make test` with apt-get when missing). Without that browser, or without Playwright, the test is
skipped, except in CI (the `CI` environment variable set, as `.ci/run` does), where a browser that
cannot be used is a failure: CI must not pass without having looked at the page. One browser start,
a few checks: well under ten seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from runtime import ir
from runtime.guides import render_guide

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def in_ci() -> bool:
    """Whether the tests run in CI: `CI` is set to anything but empty, `0` or `false`."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def unavailable(reason: str) -> NoReturn:
    """Skip the test for a missing browser, or fail it in CI."""
    if in_ci():
        pytest.fail(f"the guide browser test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is not installed (make test installs it with apt-get)")
    try:
        from playwright import sync_api
    except ImportError as exc:
        unavailable(f"playwright cannot be imported ({exc}); it is a dev dependency")
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


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_a_browser_that_cannot_be_used_fails_the_run_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: no browser"):
        unavailable("no browser")


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_outside_ci_a_browser_that_cannot_be_used_skips_with_its_reason(monkeypatch: pytest.MonkeyPatch,
                                                                       value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="no browser"):
        unavailable("no browser")
