"""schemathesis over the API's own OpenAPI schema, against a live uvicorn with a valid
Bearer token: whatever it generates, no operation answers a server error (5xx).

Every operation of ``/api/v1/openapi.json`` is covered, including those added later.
Examples are bounded (``MAX_EXAMPLES`` per operation) so the run stays under a minute.
(schemathesis' pytest loader ``from_fixture`` fails under pytest 9, so each operation's
hypothesis strategy is driven here directly.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from tests.web.conftest import LiveServer, ensure_user

MAX_EXAMPLES = 25


def _fuzz(operation: Any, base_url: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    check()


def test_no_server_errors(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "admin", "NL-POL")  # an admin reaches every route
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # a token per operation: DELETE /tokens/{id} may revoke it, but only for this one
        token = identity.create_token(live_server.context, local_operator(), email)
        try:
            _fuzz(operation, live_server.url, {"Authorization": f"Bearer {token}"})
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations > 3
    assert not failures, "\n".join(failures)
