"""docs/editors.md: the VS Code task's problem pattern reads `ppl check`'s output; the settings are JSON."""

from __future__ import annotations

import json
import re

from compiler.pipeline import check
from policy_lang import diagnostics as dg
from tests.lsp.lsp_client import ROOT

PAGE = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
BLOCKS = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", PAGE, re.DOTALL)]


def test_every_json_block_of_the_page_is_json_and_names_ppl_lsp_or_the_schema():
    assert len(BLOCKS) == 3
    assert BLOCKS[0]["glspc.server.commandArguments"] == ["lsp"]
    assert (ROOT / "policy_lang" / "program.schema.json").samefile(ROOT / next(iter(BLOCKS[2]["yaml.schemas"])))


def test_the_task_pattern_reads_each_diagnostic_of_ppl_check():
    matcher = BLOCKS[1]["tasks"][0]["problemMatcher"]
    result = check([str(ROOT / "examples" / "broken_reseller.yaml")])
    shown = dg.render_text(result.diagnostics, result.sources)
    found = [m.groups() for line in shown.splitlines() if (m := re.match(matcher["pattern"]["regexp"], line))]
    assert [(d.span.line, d.span.col, d.code) for d in result.diagnostics if d.span] == \
        [(int(line), int(col), code) for _, line, col, _, code, _ in found]
    assert all(severity in ("error", "warning") for _, _, _, severity, _, _ in found)
