"""The identity and audit routes: one agency never sees another's users, tokens or audit
entries (their ids answer 404, exactly like ids that do not exist)."""

from __future__ import annotations

from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from tests.web.conftest import LiveServer, ensure_user


def _user_id(server: LiveServer, email: str) -> int:
    users = identity.list_users(server.context, local_operator())
    return next(user.id for user in users if user.email == email)


def test_admin_sees_only_their_agencys_users(live_server: LiveServer) -> None:
    nl_admin = live_server.client("admin", agency="NL-POL")
    live_server.client("analyst", agency="DE-BKA")
    german = ensure_user(live_server.context, "analyst", "DE-BKA")
    listed = nl_admin.get("/api/v1/users")
    assert listed.status_code == 200
    assert {user["agency"] for user in listed.json()} == {"NL-POL"}
    own = nl_admin.get(f"/api/v1/users/{_user_id(live_server, 'admin@nl-pol.example')}")
    assert own.status_code == 200 and own.json()["email"] == "admin@nl-pol.example"
    other = nl_admin.get(f"/api/v1/users/{_user_id(live_server, german)}")
    missing = nl_admin.get("/api/v1/users/987654")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["type"] == missing.json()["error"]["type"] == "NotFoundError"


def test_admin_cannot_revoke_another_agencys_token(live_server: LiveServer) -> None:
    nl_admin = live_server.client("admin", agency="NL-POL")
    de_client = live_server.client("viewer", agency="DE-BKA")
    german = identity.list_tokens(live_server.context, local_operator(), "viewer@de-bka.example")
    reply = nl_admin.delete(f"/api/v1/tokens/{german[0].id}")
    assert reply.status_code == 404
    assert de_client.get("/api/v1/me").status_code == 200  # still valid
    de_admin = live_server.client("admin", agency="DE-BKA")
    assert de_admin.delete(f"/api/v1/tokens/{german[0].id}").status_code == 200
    assert de_client.get("/api/v1/me").status_code == 401


def test_admin_adds_users_to_their_own_agency_only(live_server: LiveServer) -> None:
    nl_admin = live_server.client("admin", agency="NL-POL")
    made = nl_admin.post("/api/v1/users", json={"email": "x@nl-pol.example", "role": "viewer"})
    assert made.status_code == 201 and made.json()["agency"] == "NL-POL"
    again = nl_admin.post("/api/v1/users", json={"email": "X@nl-pol.example", "role": "viewer"})
    assert again.status_code == 409
    bad = nl_admin.post("/api/v1/users", json={"email": "not an address", "role": "viewer"})
    assert bad.status_code == 422


def test_agencies_and_me(live_server: LiveServer) -> None:
    client = live_server.client("viewer", agency="NL-POL")
    live_server.client("viewer", agency="DE-BKA")
    codes = [agency["code"] for agency in client.get("/api/v1/agencies").json()]
    assert codes == ["DE-BKA", "NL-POL"]
    me = client.get("/api/v1/me").json()
    assert me == {
        "email": "viewer@nl-pol.example",
        "agency": "NL-POL",
        "role": "viewer",
        "permissions": ["read:cases", "read:intel"],
        "via": "token",
    }


def test_audit_route_shows_own_agency_with_cursor(live_server: LiveServer) -> None:
    nl = live_server.client("coordinator", agency="NL-POL")
    live_server.client("coordinator", agency="DE-BKA")
    nl_admin = live_server.client("admin", agency="NL-POL")
    for n in range(5):
        nl_admin.post("/api/v1/users", json={"email": f"u{n}@nl-pol.example", "role": "viewer"})
    first = nl.get("/api/v1/audit", params={"limit": 3})
    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 3 and body["next_cursor"]
    seen = list(body["items"])
    cursor = body["next_cursor"]
    while cursor:
        page = nl.get("/api/v1/audit", params={"limit": 3, "cursor": cursor}).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
    assert {entry["agency"] for entry in seen} == {"NL-POL"}
    ids = [entry["id"] for entry in seen]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert sum(entry["action"] == "user.add" for entry in seen) == 5
    assert nl.get("/api/v1/audit", params={"cursor": "garbage"}).status_code == 422
    assert live_server.client("analyst").get("/api/v1/audit").status_code == 403
