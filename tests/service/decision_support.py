"""Helpers of the deal, routing, settlement and document tests: a service with a registry, and the command line
run on the same artifact, so that an answer can be compared with what `ppl` prints for the same input."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # as in conftest: Starlette asks for a renamed httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from ppl.cli import main
from runtime.service.app import create_app
from runtime.service.deps import MemoryLog
from tests.service.conftest import TestKeys

OTHER = "ag3-02"  # the partner of `keys.other`
V1 = "/v1/programs/newswave-agencies"


@contextmanager
def service(bundle: Path, keys: TestKeys, log: MemoryLog, registry: str | None = None) -> Iterator[TestClient]:
    """A test client of a service over the bundle (with a registry when given); its jobs closed after."""
    app = create_app(bundle, keys.path, log=log, registry=registry)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    jobs = getattr(app.state, "ppl_jobs", None)
    if jobs is not None:
        jobs.close()


def artifact(bundle: Path) -> list[str]:
    """The program and partners arguments of `ppl` for the bundle's artifact (the rule set the service serves)."""
    return [str(bundle / "ad_agency.ruleset.json"), "--partners", str(bundle / "ad_agency.partners.csv")]


def cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `ppl` and give its exit status and standard output."""
    capsys.readouterr()
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, _err = capsys.readouterr()
    return status, out


def cli_json(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Any:
    """What `ppl … --format json` prints, parsed."""
    _status, out = cli(argv, capsys)
    return json.loads(out)


def problem(answer: Any, status: int) -> dict[str, Any]:
    """A problem answer's body, after checking its status and media type."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    return body
