"""Replaying a decision log against another rule set: the counts reconcile and every yen of a change is right.

The log is made here as the service makes it: bundled transactions quoted through the runtime, each
decision appended with its input (`quote_input`) and its output (`quote_json` and an envelope).
"""

from __future__ import annotations

import csv
import datetime
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import ir
from runtime.decisions import QuoteError, Rejected, quote
from runtime.decisions.refunds import quote_problem
from runtime.io import parse_transaction, quote_json, read_partners, ruleset_sha256
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.service.context import Caller, Decision
from runtime.service.decision_log import JsonLinesLog, read_log
from runtime.service.replay import Filter, Report, new_report, quote_input, replay

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "programs" / "ad_agency.yaml"
ROWS = 60  # the first rows of the bundled transactions
START = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)


def compiled(path: Path) -> ir.RuleSet:
    result = check([str(path)])
    assert result.programs and not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    return compile_program(result.programs[0])


@pytest.fixture(scope="module")
def old() -> ir.RuleSet:
    return compiled(PROGRAM)


def changed_program(folder: Path) -> Path:
    """ad_agency with the 3rd-tier margin raised from 10% to 12%, and `ad_spend` at most ¥5,000,000."""
    text = PROGRAM.read_text(encoding="utf-8")
    level3 = "      title: {en: 3rd-tier agency, ja: 三次代理店}\n      margin: 10%"
    spend = "    ad_spend:\n      type: money\n"
    assert text.count(level3) == 1 and text.count(spend) == 1
    text = text.replace(level3, level3.replace("10%", "12%")).replace(spend, spend + "      max: ¥500万\n")
    path = folder / "ad_agency.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def new(tmp_path_factory: pytest.TempPathFactory) -> ir.RuleSet:
    return compiled(changed_program(tmp_path_factory.mktemp("changed")))


def _quoted(ruleset: ir.RuleSet, partners: dict[str, Partner]) -> Iterator[tuple[dict[str, Any], Any, list[Partner]]]:
    """The bundled rows the rule set quotes, each with its quote and the partners of its chain."""
    rt = Runtime(ruleset)
    with open(ROOT / "examples" / "data" / "transactions.csv", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if n == ROWS:
                return
            txn = parse_transaction(row, ruleset)
            if isinstance(txn, Rejected) or quote_problem(ruleset, txn) is not None:
                continue  # the service answers these with a problem, not a decision
            try:
                q = quote(rt, txn, partners, {})
            except QuoteError:
                continue
            chain = [partners[s.partner] for s in q.chain] or [partners[txn.partner]]
            yield row, q, chain


def make_log(path: Path, ruleset: ir.RuleSet, batch: int = 0) -> list[Decision]:
    """Log the bundled quotes as `quote` decisions (and the last `batch` of them as one `quote_batch`)."""
    partners = read_partners(ROOT / "examples" / "data" / "partners.csv", ruleset)
    envelope = {"ruleset": {"hash": ruleset_sha256(ruleset), "version": "2026.04"}}
    quoted = list(_quoted(ruleset, partners))
    singles, batched = (quoted[:-batch], quoted[-batch:]) if batch else (quoted, [])
    decisions = []
    for n, (row, q, chain) in enumerate(singles):
        decisions.append(Decision(str(uuid.UUID(int=n + 1)), START + datetime.timedelta(hours=n), "quote",
                                  ruleset.program_id, ruleset_sha256(ruleset), q.version, Caller("vendor", "vendor"),
                                  quote_input(row, chain, {}, ruleset), {**quote_json(q), **envelope}))
    if batched:
        data = quote_input({}, [p for _, _, chain in batched for p in chain], {}, ruleset)
        del data["transaction"]
        data["transactions"] = [row for row, _, _ in batched]
        decisions.append(Decision("batch-1", START + datetime.timedelta(days=30), "quote_batch", ruleset.program_id,
                                  ruleset_sha256(ruleset), "2026.04", Caller("vendor", "vendor"), data,
                                  {"quotes": [quote_json(q) for _, q, _ in batched], **envelope}))
    with JsonLinesLog(path) as log:
        for d in decisions:
            log.append(d)
    return decisions


def run_replay(path: Path | str, ruleset: ir.RuleSet, only: Filter | None = None) -> Report:
    report = new_report(ruleset)
    return replay(read_log(path, report.unreadable_record), Runtime(ruleset), only or Filter(ruleset.program_id),
                  report)


def test_against_the_same_rule_set_every_quote_is_unchanged(tmp_path: Path, old: ir.RuleSet) -> None:
    decisions = make_log(tmp_path / "log.jsonl", old, batch=5)
    report = run_replay(tmp_path / "log.jsonl", old)
    quotes = len(decisions) - 1 + 5
    assert (report.read, report.replayed, sum(report.skipped.values())) == (len(decisions), len(decisions), 0)
    assert dict(report.statuses) == {"unchanged": quotes}
    assert not report.changed
    assert all(c.difference == 0 for c in report.partners.values()) and report.partners
    assert report.totals["partner_gross"].quotes == quotes


def test_a_raised_third_tier_margin_moves_two_percent_of_list_from_the_second_tier_to_the_third(
        tmp_path: Path, old: ir.RuleSet, new: ir.RuleSet) -> None:
    decisions = make_log(tmp_path / "log.jsonl", old)
    report = run_replay(tmp_path / "log.jsonl", new)
    by_txn = {r.transaction: r for r in report.largest_changes()}
    # T000004: ag3-13 (under ag2-05? its parent) sells 3 × ¥3,450,000 = ¥10,350,000 at list. At 12% instead of 10%
    # the 3rd tier pays its parent 88% of list instead of 90%: it keeps 2% × ¥10,350,000 = ¥207,000 more, and
    # its parent, which is paid that much less and still pays 85% to the 1st tier, keeps ¥207,000 less.
    t4 = by_txn["T000004"]
    parent = {p: d for p, d in t4.differences().items() if d < 0}
    assert t4.differences()["ag3-13"] == 207_000 and list(parent.values()) == [-207_000]
    assert t4.before is not None and t4.after is not None
    assert (t4.before.partner_gross, t4.after.partner_gross) == (1_035_000, 1_242_000)  # 10% and 12% of list
    # T000003: ag3-10 sells 3 × ¥2,880,000 = ¥8,640,000: +¥172,800 for it, −¥172,800 for ag2-07, ag1-03 unchanged.
    assert by_txn["T000003"].differences() == {"ag1-03": 0, "ag2-07": -172_800, "ag3-10": 172_800}
    # Money moves between the tiers only: the vendor's wholesale does not change, and the differences cancel.
    assert report.totals["wholesale"].difference == 0
    assert sum(c.difference for c in report.partners.values()) == 0
    assert all(c.difference == 0 for p, c in report.partners.items() if p.startswith("ag1-"))
    assert all(c.difference > 0 for p, c in report.partners.items() if p.startswith("ag3-"))
    statuses = report.statuses
    assert statuses["unchanged"] + statuses["changed"] + statuses["now_refused"] == len(decisions)
    assert statuses["changed"] > 0 and report.changed


def test_a_transaction_the_new_rule_set_rejects_is_now_refused_with_the_reason(
        tmp_path: Path, old: ir.RuleSet, new: ir.RuleSet) -> None:
    make_log(tmp_path / "log.jsonl", old)
    report = run_replay(tmp_path / "log.jsonl", new)
    refused = {r.transaction: r for r in report.refusals}
    assert "T000002" in refused  # ad_spend ¥7,110,000, above the new maximum of ¥5,000,000
    reason = refused["T000002"].refusal or ""
    assert "E561" in reason and "ad_spend" in reason and "¥5,000,000" in reason
    assert report.statuses["now_refused"] == len(refused)
    assert "T000002" not in {r.transaction for r in report.largest_changes()}


def test_torn_and_garbage_lines_and_other_decisions_are_skipped_and_the_counts_reconcile(
        tmp_path: Path, old: ir.RuleSet) -> None:
    path = tmp_path / "log.jsonl"
    decisions = make_log(path, old)
    with JsonLinesLog(path) as log:
        log.append(Decision("s-1", START, "settle", old.program_id, "sha256:x", None, Caller("v", "vendor")))
        log.append(Decision("o-1", START, "quote", "other_program", "sha256:x", None, Caller("v", "vendor")))
        log.append(Decision("q-bad", START, "quote", old.program_id, "sha256:x", None, Caller("v", "vendor"),
                            {"transaction": "not a row"}, {}))
    lines = path.read_bytes().split(b"\n")
    lines.insert(3, b'{"id": "cut')  # a garbage line 4
    path.write_bytes(b"\n".join(lines) + b'{"id": "torn')  # and a torn last line
    report = run_replay(path, old)
    last = len(lines)  # the torn text follows the last line end, where split left an empty item
    assert [s.line for s in report.unreadable] == [4, last]
    assert report.read == len(decisions) + 3 + 2 == report.replayed + sum(report.skipped.values())
    assert report.skipped == {"not a decision (unreadable)": 2, "a kind replay does not re-evaluate": 1,
                              "another program": 1,
                              "an input replay cannot read: a transaction or its logged answer is not an object": 1}
    assert dict(report.statuses) == {"unchanged": len(decisions)}


def test_kinds_and_times_select_what_is_replayed(tmp_path: Path, old: ir.RuleSet) -> None:
    decisions = make_log(tmp_path / "log.jsonl", old, batch=3)
    only_batches = run_replay(tmp_path / "log.jsonl", old, Filter(old.program_id, ("quote_batch",)))
    assert (only_batches.replayed, sum(only_batches.statuses.values())) == (1, 3)
    hour = datetime.timedelta(hours=1)
    window = Filter(old.program_id, since=START + 2 * hour, until=START + 4 * hour)
    report = run_replay(tmp_path / "log.jsonl", old, window)
    assert report.replayed == 3 and report.skipped["before --since"] == 2
    assert report.read == len(decisions)


def test_replay_reads_a_postgres_log_too(tmp_path: Path, postgres_url: str, old: ir.RuleSet,
                                         new: ir.RuleSet) -> None:
    from runtime.service.postgres_log import PostgresLog

    decisions = make_log(tmp_path / "log.jsonl", old, batch=2)
    with PostgresLog(postgres_url) as log:
        for d in decisions:
            log.append(d)
    from_file, from_table = run_replay(tmp_path / "log.jsonl", new), run_replay(postgres_url, new)
    assert from_table.statuses == from_file.statuses and from_table.partners == from_file.partners


# --- the command -----------------------------------------------------------------------------------


def test_ppl_replay_exits_0_when_nothing_changes_and_1_when_something_does(
        tmp_path: Path, old: ir.RuleSet, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    make_log(log, old)
    assert main(["replay", str(log), "--ruleset", str(PROGRAM)]) == 0
    out = capsys.readouterr().out
    assert "replayed = " in out and "nothing would change." in out
    changed = changed_program(tmp_path)
    assert main(["replay", str(log), "--ruleset", str(changed), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["quotes"]["changed"] > 0 and data["quotes"]["now_refused"] > 0
    assert data["partners"]["ag3-10"]["difference"] > 0
    assert data["decisions"]["read"] == data["decisions"]["replayed"] + data["decisions"]["skipped"]
    assert main(["replay", str(log), "--ruleset", str(changed), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "| `ag3-10` |" in markdown and "## Now refused" in markdown and "+¥" in markdown


def test_ppl_replay_text_shows_yen_per_partner_and_the_largest_changes(
        tmp_path: Path, old: ir.RuleSet, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    make_log(log, old)
    assert main(["replay", str(log), "--ruleset", str(changed_program(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert "largest changes:" in out and "now refused:" in out and "something would change." in out
    assert "ag3-13 +¥207,000" in out
    [wholesale] = [line for line in out.splitlines() if line.strip().startswith("wholesale")]
    assert wholesale.split()[-1] == "¥0"


@pytest.mark.parametrize("args", [
    ["--since", "yesterday"],
    ["--since", "2026-05-01", "--until", "2026-04-01"],
])
def test_ppl_replay_refuses_bad_times(tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "log.jsonl").write_text("")
    assert main(["replay", str(tmp_path / "log.jsonl"), "--ruleset", str(PROGRAM), *args]) == 2
    assert "ppl replay:" in capsys.readouterr().err


def test_ppl_replay_of_a_log_that_cannot_be_read_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "missing.jsonl"), "--ruleset", str(PROGRAM)]) == 2
    assert "cannot read the decision log" in capsys.readouterr().err


def test_a_decision_whose_logged_volumes_are_not_whole_numbers_is_skipped_not_refused(
        tmp_path: Path, old: ir.RuleSet) -> None:
    [first, *_] = make_log(tmp_path / "log.jsonl", old)
    bad = Decision("v-1", START, "quote", old.program_id, "sha256:x", None, Caller("v", "vendor"),
                   {**first.input, "volumes": {"ag1-01": {"sales": "12"}}}, first.output)
    report = replay([bad], Runtime(old), Filter(old.program_id))
    assert (report.read, report.replayed) == (1, 0)
    assert list(report.skipped) == ["an input replay cannot read: the volumes of `ag1-01` are not whole numbers"]


def test_ppl_replay_of_a_postgres_log_hides_the_password_of_its_url(
        postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from urllib.parse import urlsplit

    from runtime.service.postgres_log import PostgresLog

    PostgresLog(postgres_url).close()  # an empty log
    parts = urlsplit(postgres_url)
    with_password = parts._replace(netloc=f"{parts.username}:s3cret@{parts.hostname}:{parts.port}").geturl()
    assert main(["replay", with_password, "--ruleset", str(PROGRAM)]) == 0  # a trusting server takes any password
    out = capsys.readouterr().out
    assert "s3cret" not in out and f"{parts.username}@{parts.hostname}:{parts.port}" in out


def test_a_batch_replays_on_plans_to_the_same_figures_as_its_quotes_one_by_one(
        tmp_path: Path, old: ir.RuleSet, new: ir.RuleSet) -> None:
    make_log(tmp_path / "singles.jsonl", old)
    make_log(tmp_path / "batched.jsonl", old, batch=20)
    singles, batched = run_replay(tmp_path / "singles.jsonl", new), run_replay(tmp_path / "batched.jsonl", new)
    assert batched.statuses == singles.statuses and batched.partners == singles.partners
    assert batched.totals == singles.totals


def test_ppl_replay_of_a_file_with_no_decision_in_it_exits_2(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("id,partner\nT1,ag1-01\n", encoding="utf-8")
    assert main(["replay", str(tmp_path / "notes.txt"), "--ruleset", str(PROGRAM)]) == 2
    err = capsys.readouterr().err
    assert "is not a decision log: none of its 2 line(s) is a decision" in err and "line 1: not JSON" in err
    (tmp_path / "empty.jsonl").write_text("")
    assert main(["replay", str(tmp_path / "empty.jsonl"), "--ruleset", str(PROGRAM)]) == 0  # empty: nothing changes
