"""/api/v1/leaks against a real uvicorn: filters, sort, cursor pages, triage, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from tests.services.test_leaks import CAMS, LEAKS, load
from tests.web.api.paging import walk
from tests.web.conftest import LiveServer

ALL = LEAKS + CAMS


@pytest.fixture
def server(live_server: LiveServer, tmp_path: Path) -> LiveServer:
    load(live_server.context, tmp_path)
    return live_server


@pytest.mark.parametrize("sort", ["time", "lead", "severity"])
def test_cursor_pages_walk_every_leak_once(server: LiveServer, sort: str) -> None:
    client = server.client("viewer")
    whole = client.get("/api/v1/leaks", params={"sort": sort, "limit": 500, "with_total": True})
    assert whole.status_code == 200
    body = whole.json()
    assert body["total"] == ALL and body["next_cursor"] is None
    paged = walk(client, "/api/v1/leaks", sort=sort, limit=9)
    assert [x["id"] for x in paged] == [x["id"] for x in body["items"]]
    assert len({x["id"] for x in paged}) == ALL


def test_default_page_and_total_only_when_asked(server: LiveServer) -> None:
    page = server.client("viewer").get("/api/v1/leaks").json()
    assert len(page["items"]) == 50 and page["total"] is None and page["next_cursor"]
    first = page["items"][0]
    assert first["released_at"] == "2026-05-10T08:00:00Z" and first["triage"] is None
    assert {"release", "work_id", "window", "lead_days", "severity", "rule"} <= set(first)


def test_filters(server: LiveServer) -> None:
    client = server.client("viewer")

    def ids(**params: Any) -> list[str]:
        reply = client.get("/api/v1/leaks", params={"limit": 500, **params})
        assert reply.status_code == 200, reply.text
        return [x["release"] for x in reply.json()["items"]]

    assert len(ids(window="theatrical")) == CAMS
    assert len(ids(work="northern")) == LEAKS
    assert ids(group="G2X005") == ["Northern.Lights.Protocol.2026.1080p.BluRay.x264-G2X005"]
    assert len(ids(since="2026-05-09", until="2026-05-10")) == 6
    assert len(ids(since="2026-05-09T00:00:00+02:00", until="2026-05-10")) == 6
    assert ids(work="nosuchwork") == []


def test_one_leak_and_404(server: LiveServer) -> None:
    client = server.client("viewer")
    first = client.get("/api/v1/leaks", params={"limit": 1}).json()["items"][0]
    assert client.get(f"/api/v1/leaks/{first['id']}").json() == first
    missing = client.get("/api/v1/leaks/987654")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "type": "NotFoundError",
        "message": "no leak 987654",
        "kind": "leak",
        "key": "987654",
    }
    assert client.get("/api/v1/leaks/abc").status_code == 422
    assert client.get("/api/v1/leaks/99999999999999999999999").status_code == 422


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "WyJsZWFrcy10aW1lIiwxLDJd"}, "cursor"),  # ["leaks-time",1,2]
        # ["leaks-time","0001-01-01T00:00:00+14:00",5]: a time that overflows in UTC
        ({"cursor": "WyJsZWFrcy10aW1lIiwiMDAwMS0wMS0wMVQwMDowMDowMCsxNDowMCIsNV0"}, "cursor"),
        # ["leaks-time","2026-05-01T08:00:00+00:00",10**30]: an id beyond 64 bits
        (
            {
                "cursor": "WyJsZWFrcy10aW1lIiwiMjAyNi0wNS0wMVQwODowMDowMCswMDowMCIsMTAwMDAwMDAw"
                "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0"
            },
            "cursor",
        ),
        ({"sort": "severity", "cursor": "WyJsZWFrcy1zZXZlcml0eSIsOTksMS41LDNd"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"severity": "huge"}, "severity"),
        ({"sort": "name"}, "sort"),
        ({"verdict": "maybe"}, "verdict"),
        ({"since": "last week"}, "since"),
        ({"until": "2026-13-45"}, "until"),
        ({"group": "x" * 200}, "group"),
    ],
)
def test_bad_query_values_are_422(server: LiveServer, params: dict[str, Any], field: str) -> None:
    reply = server.client("viewer").get("/api/v1/leaks", params=params)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["type"] == "InputError" and field in (error["field"] or "")


def test_a_cursor_of_another_sort_is_422(server: LiveServer) -> None:
    client = server.client("viewer")
    cursor = client.get("/api/v1/leaks", params={"limit": 3}).json()["next_cursor"]
    reply = client.get("/api/v1/leaks", params={"sort": "lead", "cursor": cursor})
    assert reply.status_code == 422


def test_triage_per_agency(server: LiveServer) -> None:
    nl = server.client("analyst", agency="NL-POL")
    de = server.client("analyst", agency="DE-BKA")
    leak = nl.get("/api/v1/leaks", params={"limit": 1}).json()["items"][0]
    url = f"/api/v1/leaks/{leak['id']}/triage"
    marked = nl.post(url, json={"verdict": "confirmed", "note": "<b>seen</b> on the FTP"})
    assert marked.status_code == 200, marked.text
    triage = marked.json()["triage"]
    assert (triage["verdict"], triage["note"]) == ("confirmed", "<b>seen</b> on the FTP")
    assert triage["updated_at"].endswith("Z")
    # agency B sees neither the verdict nor the note, in the leak or in any listing
    assert de.get(f"/api/v1/leaks/{leak['id']}").json()["triage"] is None
    listed = de.get("/api/v1/leaks", params={"limit": 500}).json()["items"]
    assert all(x["triage"] is None for x in listed)
    assert "seen" not in de.get("/api/v1/leaks", params={"limit": 500}).text
    assert de.get("/api/v1/leaks", params={"verdict": "confirmed"}).json()["items"] == []
    mine = nl.get("/api/v1/leaks", params={"verdict": "confirmed"}).json()["items"]
    assert [x["id"] for x in mine] == [leak["id"]]
    assert nl.get(f"/api/v1/leaks/{leak['id']}").json()["triage"] == triage
    entries = list_audit(server.context, local_operator(), action="leak.triage").items
    assert [(e.actor, e.agency, e.subject, e.address) for e in entries] == [
        ("analyst@nl-pol.example", "NL-POL", f"leak {leak['id']}", "127.0.0.1")
    ]


def test_triage_refusals(server: LiveServer) -> None:
    leak_id = server.client("viewer").get("/api/v1/leaks").json()["items"][0]["id"]
    url = f"/api/v1/leaks/{leak_id}/triage"
    assert server.client(None).post(url, json={"verdict": "confirmed"}).status_code == 401
    viewer = server.client("viewer").post(url, json={"verdict": "confirmed"})
    assert viewer.status_code == 403
    analyst = server.client("analyst")
    assert analyst.post(url, json={"verdict": "maybe"}).status_code == 422
    assert analyst.post(url, json={"verdict": "confirmed", "note": "x" * 2001}).status_code == 422
    assert analyst.post(url, json={"note": "no verdict"}).status_code == 422
    assert analyst.post(url, content=b"not json").status_code == 422
    assert analyst.post(url, json={"verdict": "confirmed", "extra": 1}).status_code == 422
    gone = analyst.post("/api/v1/leaks/987654/triage", json={"verdict": "confirmed"})
    assert gone.status_code == 404
    assert list_audit(server.context, local_operator(), action="leak.triage").items == []


def test_reads_need_a_signed_in_user(server: LiveServer) -> None:
    assert server.client(None).get("/api/v1/leaks").status_code == 401


HOSTILE = st.one_of(
    st.sampled_from(
        [
            "' OR 1=1 --",
            '"; DROP TABLE alerts; --',
            "%",
            "_",
            "\\",
            "x' UNION SELECT * FROM users --",
            "1; SELECT pg_sleep(1)",
            "\x00",
            "é" * 70,
        ]
    ),
    st.text(max_size=80),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE, field=st.sampled_from(["work", "group", "since", "until", "cursor"]))
def test_hostile_filter_text_is_never_a_server_error(
    server: LiveServer, text: str, field: str
) -> None:
    reply = server.client("viewer").get("/api/v1/leaks", params={field: text})
    assert reply.status_code in (200, 422), reply.text
    if reply.status_code == 200 and field in ("work", "group"):
        assert reply.json()["items"] == [] or text.strip() == ""


def test_pages_filters_and_triage_on_postgresql(
    live_server_on: Callable[[str], LiveServer], postgres_database: str, tmp_path: Path
) -> None:
    server = live_server_on(postgres_database)
    load(server.context, tmp_path)
    for sort in ("time", "lead", "severity"):
        test_cursor_pages_walk_every_leak_once(server, sort)
    test_filters(server)
    test_triage_per_agency(server)
    hostile = server.client("viewer").get("/api/v1/leaks", params={"group": "a\x00' OR 1=1"})
    assert hostile.status_code == 422
    search = server.client("viewer").get("/api/v1/releases", params={"search": "%' --"})
    assert search.status_code == 200 and search.json()["items"] == []
