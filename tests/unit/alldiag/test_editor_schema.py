"""The editor schema agrees with the checker: it validates every bundled program as an editor reads YAML,
and rejects, as the checker does, the mistakes it can see without running the checker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from tests.support.programs import HEADER

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "policy_lang" / "program.schema.json").read_text(encoding="utf-8"))
BUNDLED = sorted([*(ROOT / "programs").glob("*.yaml"), *(ROOT / "examples").glob("*.yaml"),
                  *(ROOT / "tests" / "conformance" / "cases" / "edge" / "programs").glob("*.yaml")])
BROKEN = {"broken_reseller.yaml"}  # the example of a program with mistakes



def editor_yaml(text: str) -> Any:
    """Read YAML as the yaml-language-server does: YAML 1.2 core schema, so a date stays text."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.constructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
    return yaml.load(text)


def editor_errors(text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(editor_yaml(text))]


def checker_codes(text: str) -> set[str]:
    loaded = load_program_text("snippet.yaml", text)
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    return {d.code for d in found if d.severity is dg.Severity.ERROR}


@pytest.mark.parametrize("path", [p for p in BUNDLED if p.name not in BROKEN], ids=lambda p: p.name)
def test_every_bundled_program_is_valid_as_an_editor_reads_it(path: Path) -> None:
    assert editor_errors(path.read_text(encoding="utf-8")) == []


def test_the_editor_loader_keeps_dates_as_text() -> None:
    assert editor_yaml("effective_from: 2026-04-01\nflag: no\n") == {"effective_from": "2026-04-01", "flag": "no"}


REJECTED = {
    "a ladder rate written as money": ("E307", """\
contracts:
  - {id: r, kind: distributor, margin: 10%, ladder: v}
ladders:
  - id: v
    basis: purchases
    period: quarter
    mode: marginal
    steps:
      - from: ¥0
        rate: ¥100
"""),
    "a margin written as money in a currency code": ("E307", """\
contracts:
  - {id: r, kind: distributor, margin: 100 JPY}
"""),
    "a tier's margin uplift written as money": ("E307", """\
contracts:
  - {id: r, kind: distributor, margin: 10%}
tiers:
  cadence: quarterly
  levels:
    - {id: gold, qualify: true, margin_uplift: 100円}
"""),
    "a referral fee cap written as a percentage": ("E307", """\
contracts:
  - {id: r, kind: referral, fee: 10%, fee_cap: 10%}
"""),
    "a margin cap written as a percentage": ("E307", """\
contracts:
  - {id: r, kind: distributor, margin: 10%, margin_cap: 5%}
"""),
    "a bonus cap written as a percentage": ("E307", """\
contracts:
  - {id: r, kind: distributor, margin: 10%, bonuses: [b]}
bonuses:
  - id: b
    basis: purchases
    period: quarter
    kind: one_off
    steps:
      - {target: ¥100, pay: ¥10}
    cap: 10%
"""),
    "an unknown key in a contract": ("E203", """\
contracts:
  - {id: r, kind: distributor, margin: 10%, colour: red}
"""),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_the_editor_schema_rejects_what_the_checker_rejects(name: str) -> None:
    code, body = REJECTED[name]
    text = HEADER + body
    assert editor_errors(text), f"the editor schema accepts {name}"
    assert code in checker_codes(text)


@pytest.mark.parametrize(("date", "code"), [("2026-02-30", "E400"), ("2026/04/01", "E205"), ("2026-4-1", "E205")])
def test_the_editor_schema_rejects_a_malformed_date_as_the_checker_does(date: str, code: str) -> None:
    text = HEADER.replace("2026-04-01", date) + "contracts:\n  - {id: r, kind: distributor, margin: 10%}\n"
    assert editor_errors(text)
    assert code in checker_codes(text)


@pytest.mark.parametrize("body", [
    "contracts:\n  - {id: r, kind: distributor, margin: partner.rate + 1%}\ninputs:\n  partner:\n    rate: percent\n",
    "contracts:\n  - id: r\n    kind: referral\n    fee: ¥1,000\n    fee_cap: ¥5,000\n",
], ids=["a formula for a rate", "money where money is meant"])
def test_the_editor_schema_accepts_what_the_checker_accepts(body: str) -> None:
    text = HEADER + body
    assert editor_errors(text) == []
    assert checker_codes(text) == set()


def _keys(node: object, path: str) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            if isinstance(value, dict) and "/if" not in path:
                found.append((f"{path}/{key}", value))
        for key, value in node.items():
            found.extend(_keys(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_keys(value, f"{path}[{index}]"))
    return found


def test_every_key_of_the_schema_has_a_one_sentence_description() -> None:
    keys = _keys(SCHEMA, "")
    assert len(keys) > 100
    missing = [path for path, value in keys if not str(value.get("description", "")).strip()]
    assert missing == []
    unfinished = [path for path, value in keys if not str(value["description"]).rstrip().endswith((".", ")"))]
    assert unfinished == []
