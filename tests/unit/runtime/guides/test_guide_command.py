"""`ppl guide` through `ppl.cli.main`: programs and rule sets in, guides out, and the exit statuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ppl.cli import main
from runtime import ir, ir_json


def _run(argv: list[str]) -> int:
    return main(argv)


def test_guide_from_a_program_to_stdout(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["guide", "programs/saas_reseller.yaml", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# CloudNote パートナープログラム パートナーガイド\n")
    assert out == (in_root / "tests/golden/guides/saas_reseller.ja.md").read_text(encoding="utf-8")


def test_guide_from_a_rule_set_to_a_file(in_root: Path, tmp_path: Path,
                                         examples: Callable[[str], ir.RuleSet]) -> None:
    artifact = tmp_path / "cloudnote.json"
    artifact.write_text(ir_json.dumps(examples("saas_reseller")), encoding="utf-8")
    out = tmp_path / "guide.html"
    assert _run(["guide", str(artifact), "--lang", "en", "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == \
        (in_root / "tests/golden/guides/saas_reseller.en.html").read_text(encoding="utf-8")


def test_guide_of_the_version_on_a_date(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["guide", "programs/saas_reseller.yaml", "--on", "2026-05-01"]) == 0
    assert "Version 2026.04, in force from 1 April 2026 to 30 September 2026." in capsys.readouterr().out


def test_a_date_before_every_version_is_a_usage_error(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["guide", "programs/saas_reseller.yaml", "--on", "2020-01-01"]) == 2
    assert "ppl guide: no version of program `cloudnote-partners` is in force on 2020-01-01" in capsys.readouterr().err


def test_a_bad_date_is_refused_by_the_parser(in_root: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        _run(["guide", "programs/saas_reseller.yaml", "--on", "someday"])
    assert stop.value.code == 2


def test_a_program_with_errors_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ppl: 1\nprogram:\n  id: bad\n", encoding="utf-8")
    out = tmp_path / "guide.md"
    assert _run(["guide", str(bad), "-o", str(out)]) == 1
    assert not out.exists()
    assert "error[" in capsys.readouterr().err


def test_an_unwritable_output_is_a_usage_error(in_root: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["guide", "programs/saas_reseller.yaml", "-o", str(tmp_path / "missing" / "guide.md")]) == 2
    assert "ppl guide: cannot write" in capsys.readouterr().err
