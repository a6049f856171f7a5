"""Every route declares a policy, and every role meets every route as the policy says.

The routes are read from the app itself (routes added later are checked without
touching this file; the TAXII routes under /taxii2/ are sent TAXII's media types): public
routes never answer 401/403; the others answer 401 to a client that is not signed in
(pages: a redirect to the login page), 403 to a role without the permission, neither to a
role holding it; no route ever answers 500.
"""

from __future__ import annotations

import re
from typing import Any, cast

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from leaktrace.identity.roles import ROLE_PERMISSIONS, Role
from leaktrace.services.context import AppContext
from leaktrace.web.app import create_app
from leaktrace.web.policy import declared_policy
from tests.web.conftest import LiveServer

_CHECKS_CREDENTIALS = {("POST", "/login"), ("POST", "/logout")}
"""Public routes whose purpose is to check credentials or a session's own CSRF token
(login, logout): with what the matrix sends they may answer 401/403 by design, not by
policy. They must still never answer 500."""
_TAXII = "application/taxii+json;version=2.1"
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_DUMMY = {int: "987654", float: "1.5", bool: "true"}


def _routes(context: AppContext) -> list[APIRoute]:
    """Every API route of the app as served: the path with its router's prefix, the
    dependencies with its router's (FastAPI >= 0.16x keeps included routers lazily)."""
    return [
        cast(APIRoute, route)
        for route in iter_route_contexts(create_app(context).routes)
        if isinstance(route.original_route, APIRoute)
    ]


def _path(route: APIRoute) -> str:
    """The route's path with every parameter filled with a dummy id (unknown: 404)."""
    types = {}
    for param in route.dependant.path_params:
        annotation = getattr(param, "type_", None) or param.field_info.annotation
        types[param.name] = annotation

    def fill(match: re.Match[str]) -> str:
        return _DUMMY.get(types.get(match.group(1)), "no-such-thing")  # type: ignore[arg-type]

    return _PARAM.sub(fill, route.path)


def _calls(context: AppContext) -> list[tuple[str, str, APIRoute]]:
    calls = []
    for route in _routes(context):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            calls.append((method, _path(route), route))
    return calls


_HIDDEN_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]*)"')


def _form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token the page at ``path`` puts in its form, as a browser would send it
    back (a form's own CSRF check is not the route's policy)."""
    page = client.get(path)
    found = _HIDDEN_CSRF.search(page.text) if page.status_code == 200 else None
    return found.group(1) if found else "x"


def _send(client: httpx.Client, method: str, path: str) -> httpx.Response:
    extra: dict[str, Any] = {}
    if path.startswith("/taxii2/"):
        # TAXII clients send and accept TAXII's media type (an empty envelope on a POST)
        extra["headers"] = {"Accept": _TAXII}
        if method == "POST":
            extra["headers"]["Content-Type"] = _TAXII
            extra["content"] = b"{}"
    elif method in ("POST", "PUT", "PATCH"):
        if path.startswith("/api/"):
            extra = {"json": {}}
        else:
            extra = {"data": {"csrf_token": _form_token(client, path)}}
    return client.request(method, path, **extra)


def test_every_route_declares_a_policy(app_context: AppContext) -> None:
    routes = _routes(app_context)
    assert len(routes) > 3
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if declared_policy(r) is None]
    assert not missing, f"routes without a declared policy: {missing}"


def _signed_out_answer(path: str, reply: httpx.Response) -> bool:
    if reply.status_code == 401:
        return True
    # pages send a browser that is not signed in to the login page
    location = reply.headers.get("location", "")
    return (
        not path.startswith("/api/")
        and reply.status_code in (302, 303, 307)
        and (location.startswith("/login"))
    )


def test_signed_out_clients_meet_every_route(live_server: LiveServer) -> None:
    client = live_server.client(None)
    client.follow_redirects = False
    problems = []
    for method, path, route in _calls(live_server.context):
        policy = declared_policy(route)
        assert policy is not None, path
        reply = _send(client, method, path)
        if reply.status_code >= 500:
            problems.append(f"{method} {path}: {reply.status_code}")
        elif (
            policy.permission is None
            and reply.status_code in (401, 403)
            and (method, path) not in _CHECKS_CREDENTIALS
        ):
            problems.append(f"{method} {path} (public): {reply.status_code}")
        elif policy.permission is not None and not _signed_out_answer(path, reply):
            problems.append(f"{method} {path} (signed out): {reply.status_code}")
    assert not problems, problems


@pytest.mark.parametrize("role", list(Role))
def test_every_role_meets_every_route(live_server: LiveServer, role: Role) -> None:
    client = live_server.client(role.value)
    client.follow_redirects = False
    held = ROLE_PERMISSIONS[role]
    problems = []
    for method, path, route in _calls(live_server.context):
        policy = declared_policy(route)
        assert policy is not None, path
        reply = _send(client, method, path)
        status = reply.status_code
        if status >= 500:
            problems.append(f"{method} {path}: {status} {reply.text[:200]}")
        elif policy.permission is None or policy.permission in held:
            if status in (401, 403) and (method, path) not in _CHECKS_CREDENTIALS:
                problems.append(f"{method} {path} (allowed): {status} {reply.text[:200]}")
        elif status != 403:
            problems.append(f"{method} {path} (needs {policy.permission.value}): {status}")
    assert not problems, problems
