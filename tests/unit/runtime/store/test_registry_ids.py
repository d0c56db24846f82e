"""Registrations hold ids and names to the identity policy, through the Python API and the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.store import Registry, RegistryError
from tests.unit.cli.test_deal_commands import PROGRAM, files, registry, run  # noqa: F401  (files: a fixture)
from tests.unit.runtime.store._registry_program import PARTNERS, at, build


@pytest.fixture
def opened(store_target: str) -> Iterator[Registry]:
    with Registry(store_target, build("compiled"), PARTNERS) as reg:
        yield reg


@pytest.mark.parametrize(("partner", "customer", "code", "words"), [
    ("alpha", "株式会社ABC\u200b", "E525", "U+200B ZERO WIDTH SPACE"),
    ("alpha", "ABC\n商事", "E525", "U+000A"),
    ("alpha", "ABC\u202e商事", "E525", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("alpha", "A" * 257, "E528", "257 characters long"),
    ("\u0430lpha", "株式会社ABC", "E526", "U+0430 CYRILLIC SMALL LETTER A"),
    ("al\u200dpha", "株式会社ABC", "E525", "U+200D ZERO WIDTH JOINER"),
    ("a" * 300, "株式会社ABC", "E528", "characters long"),
])
def test_a_registration_with_a_hostile_name_or_partner_is_refused_with_its_code(
        opened: Registry, partner: str, customer: str, code: str, words: str) -> None:
    with pytest.raises(RegistryError) as caught:
        opened.register(partner, customer, at(6, 1), deal_fields={"region": "kansai"})
    assert caught.value.code == code
    assert words in caught.value.message
    assert opened.admin_view() == [] and opened.history() == []  # nothing written


def test_a_text_deal_field_with_a_control_character_is_refused(opened: Registry) -> None:
    with pytest.raises(RegistryError) as caught:
        opened.register("alpha", "株式会社ABC", at(6, 1), deal_fields={"region": "kan\x1bsai"})
    assert caught.value.code == "E525" and "deal field `region`" in caught.value.message


def test_a_full_width_partner_id_is_the_partner(opened: Registry) -> None:
    outcome = opened.register("ａｌｐｈａ", "株式会社ABC", at(6, 1), deal_fields={"region": "kansai"})
    assert outcome.accepted
    assert [r.partner for r in opened.mine("alpha")] == ["alpha"]
    assert opened.outcome("ａｌｐｈａ", "Ｒ000001").claim == "R000001"
    with pytest.raises(RegistryError) as caught:
        opened.renew("alpha", "R00000\u202e1", at(6, 2))
    assert caught.value.code == "E525"


def test_the_command_line_refuses_hostile_registrations_without_a_traceback(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    status, out, err = run(registry(files, "register", "--as", "si-tokyo", "--customer", "株式会社ABC\u200b",
                                    "--field", "region=kanto"), capsys)
    assert (status, out) == (1, "") and "[E525]" in err and "Traceback" not in err
    status, out, err = run(registry(files, "register", "--as", "si-t\u043ekyo", "--customer", "株式会社ABC",
                                    "--field", "region=kanto"), capsys)
    assert (status, out) == (2, "") and "--as" in err and "[E526]" in err and "Traceback" not in err
    status, out, err = run(registry(files, "register", "--as", "ｓｉ－ｔｏｋｙｏ", "--customer", "株式会社ABC",
                                    "--field", "region=kanto"), capsys)
    assert status == 0 and "accepted" in out
    status, _, err = run(registry(files, "renew", "R00\u20600001", "--as", "si-tokyo"), capsys)
    assert status == 1 and "[E525]" in err and "Traceback" not in err


def test_a_registrations_file_with_hostile_ids_names_each_row(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    Path(files["registrations"]).write_text(
        "id,partner,customer,corporate_number,registered_at,renewals,customer_choice,region\n"
        "R\u200b1,si-tokyo,株式会社ABC,,2026-06-01T10:00:00+09:00,0,false,kanto\n"
        "R2,si-t\u043ekyo,株式会社ABC,,2026-06-01T10:00:00+09:00,0,false,kanto\n"
        "R3,si-tokyo,株式会社\u202eABC,,2026-06-01T10:00:00+09:00,0,false,kanto\n", encoding="utf-8")
    status, out, err = run(["conflicts", PROGRAM, "--partners", files["partners"], "--registrations",
                            files["registrations"]], capsys)
    assert status == 1 and out == "" and "Traceback" not in err  # every row rejected: nothing left to decide
    assert "rejected: " in err and "row 1:" in err and "row 2:" in err and "row 3:" in err
    assert "3 rows rejected" in err
    assert "[E525]" in err and "[E526]" in err
