"""Golden files: the money impact of a revision of the agency program over examples/data, as the Markdown of a
pull-request comment and as JSON (`tests/golden/impact/`). `pytest --update-golden` rewrites them; review the diff
like code."""

from __future__ import annotations

import pytest

from runtime import impact as mi
from tests.unit.impact._impact_data import AD_YEAR, ROOT, impact_of

CORPUS = ROOT / "tests/golden/impact"


@pytest.fixture(scope="module")
def impact(tmp_path_factory: pytest.TempPathFactory) -> mi.Impact:
    return impact_of(AD_YEAR, tmp_path_factory.mktemp("impact"))


@pytest.mark.parametrize(("name", "render"), [("ad_agency.md", mi.render_markdown), ("ad_agency.json", mi.render_json),
                                              ("ad_agency.txt", mi.render_text)])
def test_the_impact_matches_its_golden_file(name: str, render: object, impact: mi.Impact,
                                           update_golden: bool) -> None:
    assert callable(render)
    rendered = render(impact)
    golden = CORPUS / name
    if update_golden:
        CORPUS.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {name}; run pytest --update-golden"
    assert rendered == golden.read_text(encoding="utf-8")


def test_losers_come_first_and_in_bold(impact: mi.Impact) -> None:
    table = [line for line in mi.render_markdown(impact).splitlines() if line.startswith("| `") or
             line.startswith("| **`")]
    assert table[0].startswith("| **`ag1-04`** | **¥140,945,300** | **¥140,315,900** | **-¥629,400** |")
    assert all(not row.startswith("| **") for row in table[1:])
    assert [p.partner for p in impact.losers] == ["ag1-04"]


def test_the_documented_example_is_the_golden_comment() -> None:
    page = (ROOT / "docs/reviewing.md").read_text(encoding="utf-8")
    section = page.split("## What it does to the money", 1)[1]
    example = section.split("```markdown\n", 1)[1].split("```\n", 1)[0]
    assert example == (CORPUS / "ad_agency.md").read_text(encoding="utf-8")
    text = (CORPUS / "ad_agency.txt").read_text(encoding="utf-8")
    shown = section.split("```text\n", 1)[1].split("```\n", 1)[0]
    assert shown in text
