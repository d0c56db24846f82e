"""`ppl check --format github`: one GitHub workflow annotation per diagnostic, escaped by GitHub's rules, and
the exit status of `ppl check` as with any format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_lang import diagnostics as dg
from policy_lang.source import Span
from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
BROKEN = ROOT / "examples" / "broken_reseller.yaml"
ANNOTATION = re.compile(r"^::(error|warning) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def _unescape(text: str) -> str:
    """What the runner reads back from an escaped message or property."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = ANNOTATION.match(line)
    assert match is not None, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))


def test_each_diagnostic_is_one_annotation_at_its_place(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "--format", "github", "examples/broken_reseller.yaml"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert status == 1 and err == "" and lines
    kinds = [_parse(line) for line in lines]
    first_kind, props, message = kinds[0]
    assert first_kind == "error" and props["file"] == "examples/broken_reseller.yaml"
    assert props["title"].startswith("E") and int(props["line"]) >= 1 and int(props["col"]) >= 1
    assert {"endLine", "endColumn"} <= props.keys()
    assert ("error", "E302", "in tier `gold`: qualification: unknown field `partner.certifed_engineers`\n"
            "did you mean `partner.certified_engineers`?") in [(k, p["title"], m) for k, p, m in kinds]
    assert any("`amount * (100% + 5%)`" in m for _, _, m in kinds)  # `%` escaped, read back as written


def test_a_clean_program_prints_nothing_and_exits_zero(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github", "programs/"]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_missing_file_is_an_annotation_without_a_place(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github", "no/such/program.yaml"]) == 2
    [line] = capsys.readouterr().out.splitlines()
    assert _parse(line) == ("error", {"title": "E107"}, "cannot read `no/such/program.yaml`: no such file or directory")


def test_percent_newlines_colons_and_commas_are_escaped_by_github_s_rules() -> None:
    span = Span("dir:a,b%/x.yaml", 3, 5, 3, 9)
    diagnostic = dg.warning("W305", "rate 50% is odd:\r\nreally, odd", span, hint="write it, once")
    [line] = dg.render_github([diagnostic]).splitlines()
    assert line == ("::warning file=dir%3Aa%2Cb%25/x.yaml,line=3,col=5,endLine=3,endColumn=9,title=W305::"
                    "rate 50%25 is odd:%0D%0Areally, odd%0Awrite it, once")
    assert _parse(line) == ("warning", {"file": "dir:a,b%/x.yaml", "line": "3", "col": "5", "endLine": "3",
                                        "endColumn": "9", "title": "W305"},
                            "rate 50% is odd:\r\nreally, odd\nwrite it, once")


def test_a_warning_is_a_warning_annotation_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    path = tmp_path / "warn.yaml"
    path.write_text(text.replace("  max_discount: 10%", "  max_discount: 14%"), encoding="utf-8")
    assert main(["check", "--format", "github", str(path)]) == 0
    warned = [_parse(line) for line in capsys.readouterr().out.splitlines()]
    assert {kind for kind, _, _ in warned} == {"warning"} and "W305" in {p["title"] for _, p, _ in warned}
    assert main(["check", "--format", "github", "--strict", str(path)]) == 1
    strict = [_parse(line) for line in capsys.readouterr().out.splitlines()]
    assert strict == [("error", props, message) for _, props, message in warned]
