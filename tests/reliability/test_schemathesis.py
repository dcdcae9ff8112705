"""Schemathesis over /api/v1/openapi.json of `python run.py`, with a valid token, on the demo company.

Every documented operation gets a few generated requests (valid and boundary values from the
document itself); the checks: no 5xx, every answer's status is documented for the operation, its
content type is the documented one and its body matches the documented schema. Kept small
(PEYK_SCHEMATHESIS_EXAMPLES, default 8 per operation) so CI stays quick; raise it for a long hunt.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.service import RunningService, run_py

EXAMPLES = int(os.environ.get("PEYK_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
async def api(fresh_db_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The service on the demo company, and an admin's API token."""
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_ADMIN_PASSWORD": "a-long-enough-password-1405",
    }
    await run_py(env, tmp_path, "demo")
    await run_py(env, tmp_path, "createadmin", "fuzzer")
    token = (await run_py(env, tmp_path, "token", "fuzzer")).splitlines()[-1].strip()
    running = RunningService(env, tmp_path)
    await running.start()
    yield running.url, token
    assert await running.stop() == 0, running.log()


def test_every_api_operation_answers_without_5xx_and_as_its_openapi_document_says(api: tuple[str, str]) -> None:
    base, token = api
    document = requests.get(base + "/api/v1/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base, session=session, headers=headers, checks=CHECKS)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, reported together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
