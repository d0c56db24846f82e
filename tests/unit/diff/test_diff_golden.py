"""Golden files: `ppl diff` of each example program against its revised copy, as text, JSON and Markdown.

`tests/golden/diff/<program>.<txt|json|md>` is what `ppl diff programs/<program>.yaml revised/<program>.yaml`
writes, run in a folder that holds both files. `pytest --update-golden` rewrites them; review the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_OK
from tests.unit.diff._revisions import EDITS, original, revised

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "golden" / "diff"
FORMATS = {"txt": "text", "json": "json", "md": "markdown"}
CASES = [(stem, suffix) for stem in sorted(EDITS) for suffix in FORMATS]


@pytest.mark.parametrize(("stem", "suffix"), CASES, ids=[f"{s}.{x}" for s, x in CASES])
def test_the_diff_matches_its_golden_file(stem: str, suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    for folder, text in (("programs", original(stem)), ("revised", revised(stem))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{stem}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status = main(["diff", f"programs/{stem}.yaml", f"revised/{stem}.yaml", "--format", FORMATS[suffix]])
    out = capsys.readouterr().out
    assert status == EXIT_OK
    golden = CORPUS / f"{stem}.{suffix}"
    if update_golden:
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden diff {golden.name}; run pytest --update-golden"
    assert out == golden.read_text(encoding="utf-8")


def test_every_golden_diff_belongs_to_a_case() -> None:
    assert {p.name for p in CORPUS.iterdir()} <= {f"{stem}.{suffix}" for stem, suffix in CASES}


def test_the_markdown_has_one_table_per_kind_of_construct() -> None:
    text = (CORPUS / "saas_reseller.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#### ")]
    assert headings == ["#### Program setting", "#### Ladder step", "#### Tier", "#### Benefit"]
    assert text.count("| construct | before | after | where |") == len(headings)


@pytest.mark.parametrize("page", ["docs/reviewing.md", "docs/cli.md"])
def test_the_samples_in_the_docs_are_lines_of_the_golden_diff(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    golden = (CORPUS / "saas_reseller.txt").read_text(encoding="utf-8").splitlines()
    golden_md = (CORPUS / "saas_reseller.md").read_text(encoding="utf-8").splitlines()
    blocks = [block.split("```", 1)[0] for block in text.split("```text\n")[1:] + text.split("```markdown\n")[1:]]
    shown = [line for block in blocks if "revised/saas_reseller.yaml" in block
             for line in block.splitlines() if line not in ("", "…")]
    assert shown, f"{page} shows no sample of `ppl diff`"
    assert [line for line in shown if line not in golden and line not in golden_md] == []
