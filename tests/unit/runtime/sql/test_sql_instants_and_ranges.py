"""The DuckDB engine and the row engine on timestamps, input ranges and rates computed from inputs: the same
files written; and an explicit refusal where the SQL cannot follow (a version that starts during a day)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.cli import main

PROGRAM = """\
ppl: 1
program:
  id: test-program
  title: Test program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  time_zone: Asia/Tokyo
  rounding: {mode: down}
  fiscal_year_start: 4
enums:
  channel: [web, store, phone]
inputs:
  transaction:
    seats: {type: integer, min: 1, max: 1000}
    channel: {type: channel, values: [web, store]}
    signed: {type: date, min: 2026-01-01}
contracts:
  - id: reseller
    kind: distributor
    margin: >-
      if transaction.channel == web and transaction.seats >= 10 and transaction.signed >= 2026-04-01
      then 12% else 10%
revisions:
  - version: "2026.10"
    effective_from: START
    contracts:
      - id: reseller
        kind: distributor
        margin: 20%
"""

ROWS = """\
id,date,partner,list_price,sell_price,quantity,seats,channel,signed
T1,2026-09-30T15:00:00Z,P1,100000,100000,1,10,web,2026-04-02
T2,2026-09-30T14:59:59Z,P1,100000,100000,1,10,web,2026-04-02
T3,2026-09-30T23:59:59+09:00,P1,100000,100000,1,10,store,2026-04-02
T4,2026-09-30T15:00:00,P1,100000,100000,1,10,web,2026-04-02
T5,2026-06-01,P1,100000,100000,1,0,web,2026-04-02
T6,2026-06-01,P1,100000,100000,1,5,phone,2026-04-02
T7,2026-06-01,P1,100000,100000,1,5,web,2025-12-31
T8,2026-06-01,P1,100000,100000,1,1001,web,2026-04-02
T9,2026-06-01,P1,100000,100000,1,10,web,2026-04-01
"""


def _settle(tmp_path: Path, start: str, engine: str, rows: str = ROWS) -> tuple[int, Path]:
    program = tmp_path / "p.yaml"
    program.write_text(PROGRAM.replace("START", start), encoding="utf-8")
    partners = tmp_path / "partners.csv"
    partners.write_text("id,contract\nP1,reseller\n", encoding="utf-8")
    transactions = tmp_path / "t.csv"
    transactions.write_text(rows, encoding="utf-8")
    out = tmp_path / engine
    code = main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--period", "FY2026", "--out", str(out), "--engine", engine, "--color", "never"])
    return code, out


def test_timestamps_and_input_ranges_settle_alike_on_both_engines(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _settle(tmp_path, "2026-10-01", "rows")
    assert code == 0
    code, duck = _settle(tmp_path, "2026-10-01", "duckdb")
    assert code == 0 and "duckdb engine" in capsys.readouterr().out
    for name in ("statements.json", "lines.csv", "rejects.csv"):
        assert (duck / name).read_bytes() == (rows / name).read_bytes(), name
    rejects = (rows / "rejects.csv").read_text(encoding="utf-8")
    # T4 has no offset; T5–T8 are outside their inputs' ranges, each named.
    for row, code_, words in ((4, "E530", "no UTC offset"), (5, "E561", "`transaction.seats` is 0, below"),
                              (6, "E561", "`transaction.channel` is phone"),
                              (7, "E561", "`transaction.signed` is 2025-12-31, below its minimum 2026-01-01"),
                              (8, "E561", "`transaction.seats` is 1001, above its maximum 1000")):
        line = next(x for x in rejects.splitlines() if x.startswith(f"{row},"))
        assert code_ in line and words in line, line
    lines = (rows / "lines.csv").read_text(encoding="utf-8")
    # T1 (1 October in Tokyo) is under 2026.10: margin 20% of ¥100,000 = ¥20,000. T2 and T3 are 30 September:
    # 2026.04, web with 10 seats signed on or after 1 April: 12% = ¥12,000; T3 is sold in store: 10% = ¥10,000.
    margin = [x for x in lines.splitlines() if ",margin," in x]
    assert any("T1" in x and ",20000," in x and "2026.10" in x for x in margin)
    assert any("T2" in x and ",12000," in x and "2026.04" in x for x in margin)
    assert any("T3" in x and ",10000," in x and "2026.04" in x for x in margin)
    # T9's contract was signed on 1 April itself, which `>= 2026-04-01` includes: 12%, ¥12,000.
    assert any("T9" in x and ",12000," in x for x in margin)


def test_a_version_starting_mid_day_is_refused_by_the_sql_engine(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _settle(tmp_path, '"2026-10-01T12:00:00+09:00"', "duckdb")
    assert code == 1
    err = capsys.readouterr().err
    assert "during a day in Asia/Tokyo (2026-10-01)" in err and "Traceback" not in err
    code, _ = _settle(tmp_path, '"2026-10-01T12:00:00+09:00"', "auto")
    assert code == 0 and "compiled engine" in capsys.readouterr().out


RATE_ROWS = """\
id,date,partner,list_price,sell_price,quantity,seats,channel,signed
T1,2026-06-01,P1,100000,100000,1,50,store,2026-04-02
T2,2026-06-01,P1,100000,100000,1,150,store,2026-04-02
T3,2026-06-01,P1,100000,100000,1,10,web,2026-04-02
T4,2026-06-01,R1,100000,100000,1,120,store,2026-04-02
T5,2026-06-01,R1,100000,100000,1,30,store,2026-04-02
"""


def test_a_rate_computed_from_inputs_rejects_the_same_rows_on_both_engines(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    program = PROGRAM.replace("then 12% else 10%", "then 12% else transaction.seats * 1%").replace(
        "revisions:", "  - id: introducer\n    kind: referral\n    fee: transaction.seats * 1%\nrevisions:")
    (tmp_path / "q.yaml").write_text(program.replace("START", "2026-10-01"), encoding="utf-8")
    (tmp_path / "partners.csv").write_text("id,contract\nP1,reseller\nR1,introducer\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text(RATE_ROWS, encoding="utf-8")
    args = ["settle", str(tmp_path / "q.yaml"), "--partners", str(tmp_path / "partners.csv"), "--transactions",
            str(tmp_path / "t.csv"), "--period", "FY2026", "--color", "never"]
    assert main([*args, "--out", str(tmp_path / "d"), "--engine", "duckdb"]) == 0
    assert "duckdb engine" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "r"), "--engine", "rows"]) == 0
    for name in ("statements.json", "lines.csv", "rejects.csv"):
        assert (tmp_path / "d" / name).read_bytes() == (tmp_path / "r" / name).read_bytes(), name
    rejects = (tmp_path / "r" / "rejects.csv").read_text(encoding="utf-8").splitlines()[1:]
    # T2: 150 seats sold in store make a margin of 150 × 1% = 150%; T4: a referral fee of 120%.
    assert [line.split(",")[:4] for line in rejects] == [["2", "T2", "", "E560"], ["4", "T4", "", "E560"]]
    assert "margin 150% is outside 0% to 100%" in rejects[0] and "fee 120% is outside 0% to 100%" in rejects[1]
    lines = (tmp_path / "r" / "lines.csv").read_text(encoding="utf-8")
    # T1: 50% of ¥100,000 = ¥50,000 margin; T5: a referral fee of 30% of ¥100,000 = ¥30,000.
    assert "P1,T1,margin,margin on T1,50000," in lines and "R1,T5,referral_fee,referral fee on T5,30000," in lines


def test_a_parquet_timestamp_column_is_read_alike_by_both_engines(tmp_path: Path) -> None:
    import duckdb

    # A TIMESTAMP WITH TIME ZONE column carries its instant: 15:00 UTC on 30 September is 1 October in Tokyo.
    # A TIMESTAMP without a zone names no instant: the row is rejected (E530), as a naive text timestamp is.
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    path = tmp_path / "t.parquet"
    con.execute(
        "COPY (SELECT * FROM (VALUES "
        "('T1', TIMESTAMPTZ '2026-09-30 15:00:00+00', 'P1', 100000, 100000, 1, 10, 'web', DATE '2026-04-02'), "
        "('T2', TIMESTAMPTZ '2026-09-30 14:59:59+00', 'P1', 100000, 100000, 1, 10, 'web', DATE '2026-04-02')) "
        "AS v(id, date, partner, list_price, sell_price, quantity, seats, channel, signed)) "
        f"TO '{path}' (FORMAT parquet)")
    naive = tmp_path / "naive.parquet"
    con.execute("COPY (SELECT 'T1' AS id, TIMESTAMP '2026-09-30 15:00:00' AS date, 'P1' AS partner, 100000 AS "
                "list_price, 100000 AS sell_price, 1 AS quantity, 10 AS seats, 'web' AS channel, "
                f"DATE '2026-04-02' AS signed) TO '{naive}' (FORMAT parquet)")
    con.close()
    (tmp_path / "p.yaml").write_text(PROGRAM.replace("START", "2026-10-01"), encoding="utf-8")
    (tmp_path / "partners.csv").write_text("id,contract\nP1,reseller\n", encoding="utf-8")
    for source in (path, naive):
        outs = []
        for engine in ("rows", "duckdb"):
            out = tmp_path / f"{source.stem}-{engine}"
            assert main(["settle", str(tmp_path / "p.yaml"), "--partners", str(tmp_path / "partners.csv"),
                         "--transactions", str(source), "--period", "FY2026", "--out", str(out), "--engine", engine,
                         "--color", "never"]) == 0
            outs.append(out)
        for name in ("statements.json", "lines.csv", "rejects.csv"):
            assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), (source, name)
    lines = (tmp_path / "t-rows" / "lines.csv").read_text(encoding="utf-8")
    # T1 is 1 October in Tokyo: version 2026.10, 20% of ¥100,000; T2 is 30 September: 12%.
    assert "T1,margin,margin on T1,20000," in lines and "T2,margin,margin on T2,12000," in lines
    assert ",E530," in (tmp_path / "naive-rows" / "rejects.csv").read_text(encoding="utf-8")
