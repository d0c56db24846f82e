"""The OpenAPI document is exact: schemathesis calls every operation with a key and checks each answer against
it (no 500s, documented statuses, content types and schemas), with data that fits the schema and data that
does not."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

from fastapi.testclient import TestClient

from runtime.service.app import create_app
from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, TestKeys

EXAMPLES = 12
"""Examples per operation and mode: enough to reach every branch of the validation, bounded in time."""


def test_every_operation_answers_as_its_schema_says(bundle: Path, keys: TestKeys) -> None:
    app = create_app(bundle, keys.path, log=MemoryLog())
    with TestClient(app):
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        assert len(operations) >= 8
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _check(operation, mode, keys)


def _check(operation: Any, mode: GenerationMode, keys: TestKeys) -> None:
    # Half the cases name the served program, so that the quote endpoints get past the 404.
    path = st.sampled_from([{"program": PROGRAM}, {}]) if "{program}" in operation.path else st.just({})
    cases = path.flatmap(lambda params: operation.as_strategy(generation_mode=mode, path_parameters=params or None))

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        # A body that fits the schema may still be a transaction the program rejects (a documented 422
        # problem): the check that every fitting body gets a 2xx does not hold for such an API.
        case.call_and_validate(headers=keys.header(keys.admin), excluded_checks=[positive_data_acceptance])

    try:
        run()
    except Unsatisfiable:  # no data can break an operation that takes none (`GET /healthz`)
        assert mode is GenerationMode.NEGATIVE
    except Exception as exc:  # noqa: BLE001 - any failure is reported with the operation it came from
        pytest.fail(f"{operation.method.upper()} {operation.path} ({mode}): {exc}")


def test_the_document_names_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/programs/{program}/quote", "/v1/programs/{program}/explain", "/v1/programs/{program}/quotes",
            "/v1/programs", "/v1/admin/reload", "/healthz", "/readyz", "/metrics"} <= set(paths)
    quote = paths["/v1/programs/{program}/quote"]["post"]
    assert {"200", "401", "403", "404", "422"} <= set(quote["responses"])
