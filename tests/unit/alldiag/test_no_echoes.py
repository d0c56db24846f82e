"""No echoes: one mistake put into any one construct of a bundled program is the only error reported there,
and a mistake in another construct is still found in the same run."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = sorted((ROOT / "programs").glob("*.yaml"))
SECTIONS = ("contracts", "ladders", "bonuses", "benefits")


def _constructs(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    bodies = [("", data), *((f"revision {r['version']} ", r) for r in data.get("revisions", ()))]
    for where, body in bodies:
        for section in SECTIONS:
            for item in body.get(section) or ():
                yield f"{where}{section[:-1]} {item['id']}", item
        for tier in (body.get("tiers") or {}).get("levels", ()):
            yield f"{where}tier {tier['id']}", tier


def _cases() -> list[tuple[Path, str]]:
    return [(path, name) for path in PROGRAMS
            for name, _ in _constructs(yaml.safe_load(path.read_text(encoding="utf-8")))]


def _diagnostics(data: dict[str, Any]) -> list[dg.Diagnostic]:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    loaded = load_program_text("p.yaml", text)
    found = list(loaded.diagnostics)
    checkable = loaded.checkable()
    if checkable is not None:
        found.extend(check_program(*checkable))
    return list(dg.sort_diagnostics(found))


EXTRA = {"id": "extra_reseller", "kind": "distributor", "margin": "¥100"}
"""A contract with a type error (a margin written as money, E307), added beside the construct with a mistake."""


def _broken(path: Path, name: str, mistake: str) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [d.code for d in _diagnostics(copy.deepcopy(data))] == []
    item = dict(_constructs(data))[name]
    if mistake == "schema":
        item["title"] = [1]
    elif mistake == "unknown key":
        item["colour"] = "red"
    data["contracts"] = [*data["contracts"], EXTRA]
    return sorted(d.code for d in _diagnostics(data))


@pytest.mark.parametrize(("path", "name"), _cases(), ids=[f"{p.stem}: {n}" for p, n in _cases()])
def test_a_schema_error_in_one_construct_is_the_only_diagnostic(path: Path, name: str) -> None:
    assert _broken(path, name, "schema") == ["E201", "E307"]


@pytest.mark.parametrize(("path", "name"), _cases()[::3], ids=[f"{p.stem}: {n}" for p, n in _cases()[::3]])
def test_an_unknown_key_in_one_construct_is_the_only_diagnostic(path: Path, name: str) -> None:
    assert _broken(path, name, "unknown key") == ["E203", "E307"]


EXTRA_LADDER = {"id": "extra_volume", "basis": "purchases", "period": "quarter", "mode": "marginal",
                "steps": [{"from": "¥0", "rate": "1%"}, {"from": "¥0", "rate": "2%"}]}
"""A ladder whose two steps start at the same threshold (E321, found by the analyses)."""


def _type_error(name: str, item: dict[str, Any]) -> str:
    """Put a name or type error into a construct; returns the code the checker reports for it."""
    kind = name.split()[-2]
    if kind == "contract":
        if item["kind"] == "referral":
            item["fee_cap"] = "5%"
        else:
            item["margin"] = "¥1"
        return "E307"
    if kind == "ladder":
        item["steps"][0]["rate"] = "¥1"
        return "E307"
    if kind == "tier" and item.get("assigned"):
        item["margin_uplift"] = "¥1"
        return "E307"
    item["qualify" if kind == "tier" else "when"] = "partner.no_such_field"
    return "E302"


@pytest.mark.parametrize(("path", "name"), _cases(), ids=[f"{p.stem}: {n}" for p, n in _cases()])
def test_a_type_error_in_one_construct_leaves_the_others_analysed_without_echoes(path: Path, name: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    code = _type_error(name, dict(_constructs(data))[name])
    data["ladders"] = [*data.get("ladders", ()), EXTRA_LADDER]
    assert sorted(d.code for d in _diagnostics(data)) == sorted([code, "E321"])
