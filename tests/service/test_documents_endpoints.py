"""GET /v1/programs/{program}/guide: the program guide of `ppl guide`, for any key, with the rule set in headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import TestKeys
from tests.service.decision_support import V1, cli, problem, service


@pytest.fixture
def client(bundle: Path, keys: TestKeys, log: MemoryLog) -> Iterator[TestClient]:
    with service(bundle, keys, log) as c:
        yield c


@pytest.mark.parametrize(("lang", "fmt", "media"), [("ja", "html", "text/html"), ("en", "md", "text/markdown")])
def test_the_guide_is_the_one_ppl_guide_writes(client: TestClient, keys: TestKeys, log: MemoryLog, bundle: Path,
                                               capsys: pytest.CaptureFixture[str], lang: str, fmt: str,
                                               media: str) -> None:
    answer = client.get(f"{V1}/guide", params={"lang": lang, "format": fmt, "on": "2026-06-01"},
                        headers=keys.header(keys.partner))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    status, printed = cli(["guide", str(bundle / "ad_agency.ruleset.json"), "--lang", lang, "--format", fmt, "--on",
                           "2026-06-01"], capsys)
    assert status == 0 and answer.text == printed
    assert answer.headers["x-ppl-program"] == "newswave-agencies"
    assert answer.headers["x-ppl-ruleset"].startswith("sha256:")
    assert answer.headers["x-ppl-version"] == "2026.04"
    assert log.decisions == []  # a document is no decision


def test_the_guide_holds_no_partners_data(client: TestClient, keys: TestKeys, bundle: Path) -> None:
    answer = client.get(f"{V1}/guide", headers=keys.header(keys.other))
    assert answer.status_code == 200
    assert answer.headers["x-ppl-version"] == "2026.10"  # the latest version by default
    partners = (bundle / "ad_agency.partners.csv").read_text(encoding="utf-8").splitlines()[1:]
    for row in partners:
        partner_id, name = row.split(",")[:2]
        assert partner_id not in answer.text and name not in answer.text


@pytest.mark.parametrize(("query", "field", "code"), [
    ({"lang": "fr"}, "query.lang", "invalid_request"),
    ({"format": "pdf"}, "query.format", "invalid_request"),
    ({"on": "June"}, "query.on", "invalid_request"),
    ({"on": "2020-01-01"}, "query.on", "no_version"),
])
def test_a_bad_guide_request_is_a_422_naming_the_parameter(client: TestClient, keys: TestKeys,
                                                           query: dict[str, str], field: str, code: str) -> None:
    body = problem(client.get(f"{V1}/guide", params=query, headers=keys.header(keys.partner)), 422)
    assert (body["field"], body["code"]) == (field, code)


def test_the_guide_needs_a_key(client: TestClient) -> None:
    problem(client.get(f"{V1}/guide"), 401)
