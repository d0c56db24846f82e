"""Partner rows, the form a decision logs its partners in: `partner_row` and `parse_partners` are inverses on the
bundled partners of every program, and `parse_partners` refuses what `read_partners` refuses, in the same words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from program_tests import TestFile, load_test_files
from runtime.io import PartnersError, parse_partners, partner_row, read_partners
from runtime.model import Partner

ROOT = Path(__file__).resolve().parents[2]
TEST_FILES = sorted(str(p) for p in (ROOT / "programs" / "tests").glob("*.tests.yaml"))
REFUSED = {"deep"}  # ad_agency's tests keep a partner at level 4 to show that the hierarchy refuses it


def _files() -> list[TestFile]:
    loaded = load_test_files(TEST_FILES)
    assert len(loaded.files) == len(TEST_FILES) == 3
    return loaded.files


FILES = _files()


def _valid(file: TestFile) -> dict[str, Partner]:
    return {pid: p for pid, p in file.partners.items() if pid not in REFUSED}


@pytest.mark.parametrize("file", FILES, ids=lambda f: Path(f.path).name)
def test_every_bundled_partner_table_reads_back_from_its_rows(file: TestFile) -> None:
    assert file.ruleset is not None
    partners = _valid(file)
    rows = [partner_row(p, file.ruleset) for p in partners.values()]
    assert parse_partners(rows, file.ruleset) == partners
    json.dumps(rows, allow_nan=False)  # every value is JSON
    assert all(list(row)[:7] == ["id", "contract", "tier", "level", "parent", "joined", "left"] for row in rows)


@pytest.mark.parametrize("file", FILES, ids=lambda f: Path(f.path).name)
def test_a_partner_with_no_parent_reads_back_from_its_one_row(file: TestFile) -> None:
    assert file.ruleset is not None
    for partner in _valid(file).values():
        if partner.parent is None:
            assert parse_partners([partner_row(partner)], file.ruleset) == {partner.id: partner}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_chain_of_bundled_partners_reads_back_from_its_rows(data: st.DataObject) -> None:
    file = data.draw(st.sampled_from(FILES))
    assert file.ruleset is not None
    partners = _valid(file)
    seller = partners[data.draw(st.sampled_from(sorted(partners)))]
    chain = [seller]
    while chain[-1].parent is not None:
        chain.append(partners[chain[-1].parent])
    rows = [partner_row(p, file.ruleset) for p in data.draw(st.permutations(chain))]
    assert parse_partners(rows, file.ruleset) == {p.id: p for p in chain}


def test_the_example_partners_file_reads_back_from_its_rows() -> None:
    [file] = [f for f in FILES if f.path.endswith("ad_agency.tests.yaml")]
    assert file.ruleset is not None
    partners = read_partners(ROOT / "examples" / "data" / "partners.csv", file.ruleset)
    assert parse_partners([partner_row(p) for p in partners.values()], file.ruleset) == partners


def test_rows_are_refused_for_the_mistakes_a_file_is_refused_for(tmp_path: Path) -> None:
    [file] = [f for f in FILES if f.path.endswith("ad_agency.tests.yaml")]
    assert file.ruleset is not None
    rows = [partner_row(p) for p in file.partners.values()]
    rows.append({**rows[0], "tier": "platinum"})
    path = tmp_path / "partners.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(PartnersError) as from_file:
        read_partners(path, file.ruleset)
    with pytest.raises(PartnersError) as from_rows:
        parse_partners(rows, file.ruleset, source=str(path))
    assert from_rows.value.problems == from_file.value.problems
    assert str(from_rows.value) == str(from_file.value)
    assert any("level 4" in p for p in from_rows.value.problems)
    assert any("unknown tier `platinum`" in p for p in from_rows.value.problems)
