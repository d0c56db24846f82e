"""The README's quick start of the service: its `curl` body quotes on the bundled agency program."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.service.conftest import ROOT, TestKeys


def test_the_readme_curl_gets_a_quote_of_the_bundled_agency_program(client: TestClient, keys: TestKeys) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [path] = re.findall(r"curl -s localhost:8080(\S+)", readme)
    [body] = re.findall(r"-d '(\{.*?\})'", readme, re.S)
    answer = client.post(path, json=json.loads(body), headers=keys.header(keys.vendor))
    assert answer.status_code == 200, answer.text
    quote = answer.json()["quote"]
    # ¥2,000,000 sold by a level-3 agency: ag1-01 keeps 22 % of list less what it passes on, ag3-01 keeps 10 %.
    assert quote["partner_gross"] == 200_000 and quote["wholesale"] == 1_560_000
    assert [share["keeps"] for share in quote["chain"]] == [140_000, 100_000, 200_000]
