"""`/api/v1/notices` and `/api/v1/notice-contacts` over a real uvicorn and a real local
SMTP server (aiosmtpd): draft from a leak, review, send (the mail arrives), mark, export,
read the figures; another agency's notice is a 404 exactly like a missing one; bad input
is a 4xx naming the field, never a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.demo.infra import DEMO_SWARM_KEY
from tests.web.notice_world import (
    CONTACT_EMAIL,
    CONTACT_HOST,
    INDUSTRY,
    POLICE,
    NoticeWorld,
    notice_world,
    peer_and_stranger,
)

URL_1 = f"https://{CONTACT_HOST}/leak/alpha.mkv"
URL_2 = f"https://{CONTACT_HOST}/leak/beta.mkv?x=1&y=<b>"
MISSING = 2_000_000_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoticeWorld]:
    with notice_world(Path(tmp_path_factory.mktemp("notices-api"))) as built:
        yield built


def _industry(world: NoticeWorld, role: str = "analyst") -> httpx.Client:
    return world.server.client(role, agency=INDUSTRY)


def _police(world: NoticeWorld, role: str = "analyst") -> httpx.Client:
    return world.server.client(role, agency=POLICE)


def _draft(client: httpx.Client, world: NoticeWorld, **body: Any) -> dict[str, Any]:
    payload = {"leak_id": world.leak_id, "form": "dmca", **body}
    reply = client.post("/api/v1/notices/drafts", json=payload)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def _contact_notice(result: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        n for n in result["notices"] if n["recipient_key"] == CONTACT_HOST
    ]
    assert len(found) == 1, result
    return found[0]


@pytest.fixture(scope="module")
def drafted(world: NoticeWorld) -> dict[str, Any]:
    """The industry analyst's draft from the leak with two more URLs on files.example, a
    private address and a URL that does not parse."""
    return _draft(
        _industry(world),
        world,
        urls=[URL_1, URL_2, "http://10.1.2.3/film.mkv", "not a url"],
    )


def test_drafting_groups_locations_per_recipient_and_names_every_refusal(
    world: NoticeWorld, drafted: dict[str, Any]
) -> None:
    notice = _contact_notice(drafted)
    assert notice["status"] == "drafted" and notice["form"] == "dmca"
    assert notice["recipient_email"] == CONTACT_EMAIL and not notice["needs_contact"]
    assert notice["locations"] == 2
    assert re.fullmatch(r"LT-N-\d{6}", notice["reference"])
    assert notice["agency"] == INDUSTRY
    reasons = {r["url"]: r["reason"] for r in drafted["refused"]}
    assert reasons == {"http://10.1.2.3/film.mkv": "private-address", "not a url": "bad-url"}
    # the leak's own sightings: recipients without a contact are listed, never dropped
    assert drafted["needs_contact"], "the demo leak has sightings on hosts without contact"
    for needs in drafted["needs_contact"]:
        assert any(n["id"] == needs["notice_id"] and n["needs_contact"] for n in drafted["notices"])
    # drafting the same again: every location is already in an open notice
    again = _draft(_industry(world), world, urls=[URL_1])
    assert again["notices"] == []
    assert URL_1 in {s["url"] for s in again["skipped"]}


def test_a_peer_and_an_address_never_seen_are_refused_alike(
    world: NoticeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No membership oracle: with the demo's swarm key, an address the swarm saw only as
    a downloading peer and an address never seen give byte-identical refusals (the
    address withheld), and the address appears nowhere in the answer."""
    monkeypatch.setenv("LEAKTRACE_SWARM_KEY", DEMO_SWARM_KEY)
    client = _police(world)  # any analyst may draft: the one who would probe
    refusals = []
    for address in peer_and_stranger():
        reply = client.post(
            "/api/v1/notices/drafts",
            json={"leak_id": world.leak_id, "form": "dsa", "urls": [f"http://{address}/f.mkv"]},
        )
        assert reply.status_code == 201, reply.text
        assert address not in reply.text
        [refused] = [r for r in reply.json()["refused"] if r["reason"] == "downloader"]
        assert refused["url"] == "http://[address withheld]/f.mkv"
        refusals.append(json.dumps(refused, sort_keys=True))
    assert refusals[0] == refusals[1]


def test_review_shows_the_text_as_it_will_be_sent(
    world: NoticeWorld, drafted: dict[str, Any]
) -> None:
    notice_id = _contact_notice(drafted)["id"]
    reply = _industry(world).get(f"/api/v1/notices/{notice_id}")
    assert reply.status_code == 200
    notice = reply.json()
    assert URL_1 in notice["body"] and URL_2 in notice["body"]
    assert notice["reference"] in notice["subject"]
    assert notice["template"] == "dmca.en.txt"
    assert notice["next_statuses"] == []  # 'sent' is reached only by sending
    assert {loc["url"] for loc in notice["location_list"]} == {URL_1, URL_2}
    assert all(loc["status"] == "drafted" for loc in notice["location_list"])
    listed = _industry(world, "viewer").get("/api/v1/notices", params={"status": "drafted"})
    assert listed.status_code == 200
    assert notice_id in {n["id"] for n in listed.json()}


def _same_as_missing(client: httpx.Client, method: str, path: str, **kw: Any) -> None:
    """``path`` (naming a notice of another agency) answers exactly as the same path
    with an id that does not exist (the ids themselves aside)."""
    found = re.search(r"/notices/(\d+)", path)
    assert found
    real = client.request(method, path, **kw)
    missing = client.request(method, path.replace(found.group(1), str(MISSING)), **kw)
    assert real.status_code == missing.status_code == 404, (real.text, missing.text)
    assert real.json()["error"]["type"] == "NotFoundError"
    assert real.text.replace(found.group(1), "N") == missing.text.replace(str(MISSING), "N")


def test_another_agency_meets_a_404_identical_to_a_missing_notice(
    world: NoticeWorld, drafted: dict[str, Any]
) -> None:
    notice_id = _contact_notice(drafted)["id"]
    police = _police(world)
    _same_as_missing(police, "GET", f"/api/v1/notices/{notice_id}")
    _same_as_missing(police, "GET", f"/api/v1/notices/{notice_id}/export?format=lumen")
    _same_as_missing(police, "POST", f"/api/v1/notices/{notice_id}/send")
    _same_as_missing(
        police, "POST", f"/api/v1/notices/{notice_id}/marks", json={"status": "removed"}
    )
    _same_as_missing(
        police,
        "POST",
        f"/api/v1/notices/{notice_id}/recipient",
        json={"name": "X", "email": "x@x.example"},
    )
    assert notice_id not in {n["id"] for n in police.get("/api/v1/notices").json()}


def test_only_an_industry_agency_sends(world: NoticeWorld) -> None:
    police = _police(world)
    own = _draft(police, world, urls=[f"https://{CONTACT_HOST}/police/own.mkv"])
    notice_id = _contact_notice(own)["id"]
    refused = police.post(f"/api/v1/notices/{notice_id}/send")
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["type"] == "PermissionDeniedError"
    assert police.get(f"/api/v1/notices/{notice_id}").json()["status"] == "drafted"
    viewer = _industry(world, "viewer").post(f"/api/v1/notices/{notice_id}/send")
    assert viewer.status_code == 403
    assert viewer.json()["error"]["permission"] == "send:notices"


def test_send_delivers_to_the_smtp_server_then_marks_and_stats(
    world: NoticeWorld, drafted: dict[str, Any]
) -> None:
    client = _industry(world)
    notice_id = _contact_notice(drafted)["id"]
    before = len(world.mailbox.messages)
    reply = client.post(f"/api/v1/notices/{notice_id}/send")
    assert reply.status_code == 200, reply.text
    assert reply.json()["sent"] == [notice_id]
    assert len(world.mailbox.messages) == before + 1
    _, recipients, message = world.mailbox.messages[-1]
    assert recipients == [CONTACT_EMAIL]
    notice = client.get(f"/api/v1/notices/{notice_id}").json()
    assert notice["status"] == "sent" and notice["sent_at"]
    assert message["X-LeakTrace-Notice"] == notice["reference"]
    assert message["Message-ID"] == notice["message_id"]
    body = message.get_body(("plain",))
    assert body is not None and URL_1 in body.get_content()
    assert {loc["status"] for loc in notice["location_list"]} == {"sent"}
    # sending twice: a sent notice is not sent again
    again = client.post(f"/api/v1/notices/{notice_id}/send")
    assert again.status_code in (200, 409), again.text
    assert len(world.mailbox.messages) == before + 1

    # one location removed, by hand; the other stays sent
    marked = client.post(
        f"/api/v1/notices/{notice_id}/marks",
        json={"status": "removed", "location": URL_1, "note": "gone <b>"},
    )
    assert marked.status_code == 200, marked.text
    statuses = {loc["url"]: loc["status"] for loc in marked.json()["location_list"]}
    assert statuses == {URL_1: "removed", URL_2: "sent"}
    assert any(c["status"] == "removed" and c["via"] == "hand" for c in marked.json()["changes"])

    stats = client.get("/api/v1/notices/stats")
    assert stats.status_code == 200, stats.text
    figures = stats.json()
    assert figures["sent"] >= 1 and figures["removed"] >= 1
    provider = [f for f in figures["by_provider"] if f["removed"]]
    assert provider and provider[0]["median_hours"] is not None
    # the police agency sees none of it
    police = _police(world).get("/api/v1/notices/stats").json()
    assert police["removed"] == 0


def test_exports(world: NoticeWorld, drafted: dict[str, Any]) -> None:
    client = _industry(world)
    notice_id = _contact_notice(drafted)["id"]
    lumen = client.get(f"/api/v1/notices/{notice_id}/export", params={"format": "lumen"})
    assert lumen.status_code == 200, lumen.text
    assert lumen.headers["content-type"].startswith("application/json")
    assert "attachment" in lumen.headers["content-disposition"]
    document = json.loads(lumen.content)["notice"]
    urls = {u["url"] for w in document["works_attributes"] for u in w["infringing_urls_attributes"]}
    assert {URL_1, URL_2} <= urls
    eml = client.get(f"/api/v1/notices/{notice_id}/export", params={"format": "eml"})
    assert eml.status_code == 200
    message = message_from_bytes(eml.content, policy=policy.default)
    assert message["To"] and CONTACT_EMAIL in str(message["To"])
    html = client.get(f"/api/v1/notices/{notice_id}/export", params={"format": "html"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "<script" not in html.text.lower()
    assert "Example Pictures &lt;Studios&gt; &amp; Co" in html.text
    wrong = client.get(f"/api/v1/notices/{notice_id}/export", params={"format": "pdf"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "format"


def test_a_recipient_without_contact_is_listed_and_can_be_given_one(world: NoticeWorld) -> None:
    client = _industry(world)
    result = _draft(
        client, world, leak_id=None, work_id=world.work_id, urls=["https://nocontact.example/x"]
    )
    found = [n for n in result["notices"] if n["recipient_key"] == "nocontact.example"]
    assert len(found) == 1 and found[0]["needs_contact"] and found[0]["recipient_email"] is None
    notice_id = found[0]["id"]
    assert notice_id in {n["notice_id"] for n in result["needs_contact"]}
    failed = client.post(f"/api/v1/notices/{notice_id}/send")
    assert failed.status_code == 200, failed.text
    assert [f["id"] for f in failed.json()["failed"]] == [notice_id]
    given = client.post(
        f"/api/v1/notices/{notice_id}/recipient",
        json={"name": "No Contact Ltd", "email": "abuse@nocontact.example", "country": "FR"},
    )
    assert given.status_code == 200, given.text
    notice = given.json()
    assert not notice["needs_contact"] and notice["recipient_email"] == "abuse@nocontact.example"
    assert "No Contact Ltd" in notice["body"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"form": "dmca"}, "scope"),  # no scope
        ({"leak_id": 1, "host": "a.example", "form": "dmca"}, "scope"),  # two scopes
        ({"host": "a.example", "urls": ["https://a.example/x"], "form": "dmca"}, "urls"),
        ({"leak_id": 1, "form": "gdpr"}, "form"),
        ({"leak_id": 1, "form": "dmca", "surprise": 1}, "surprise"),
        ({"leak_id": 0, "form": "dmca"}, "leak_id"),
        ({"since": "yesterday-ish", "form": "dmca"}, "since"),
        ({"leak_id": 1, "form": "dmca", "language": "EN!"}, "language"),
    ],
)
def test_bad_drafts_are_422_naming_the_field(
    world: NoticeWorld, body: dict[str, Any], field: str
) -> None:
    reply = _industry(world).post("/api/v1/notices/drafts", json=body)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["type"] == "InputError"
    assert error["field"] == field
    assert error["reason"]


def test_bad_input_of_services_is_4xx_with_the_errors_fields(
    world: NoticeWorld, drafted: dict[str, Any]
) -> None:
    client = _industry(world)
    unknown_language = client.post(
        "/api/v1/notices/drafts",
        json={"leak_id": world.leak_id, "form": "dsa", "language": "zz"},
    )
    assert unknown_language.status_code == 422, unknown_language.text
    assert unknown_language.json()["error"]["field"] == "language"
    missing_leak = client.post("/api/v1/notices/drafts", json={"leak_id": MISSING, "form": "dmca"})
    assert missing_leak.status_code == 404
    assert missing_leak.json()["error"]["type"] == "NotFoundError"
    # a drafted notice cannot be marked: 409 naming the allowed moves
    fresh = _draft(client, world, urls=[f"https://{CONTACT_HOST}/leak/gamma.mkv"])
    drafted_id = _contact_notice(fresh)["id"]
    conflict = client.post(f"/api/v1/notices/{drafted_id}/marks", json={"status": "removed"})
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["error"]["type"] == "ConflictError"
    # 'sent' is reached only by sending
    sent = client.post(f"/api/v1/notices/{drafted_id}/marks", json={"status": "sent"})
    assert sent.status_code == 422 and sent.json()["error"]["field"] == "status"
    bad_at = client.post(
        f"/api/v1/notices/{drafted_id}/marks", json={"status": "removed", "at": "soon"}
    )
    assert bad_at.status_code == 422 and bad_at.json()["error"]["field"] == "at"
    bad_email = client.post(
        f"/api/v1/notices/{drafted_id}/recipient", json={"name": "X", "email": "not-an-address"}
    )
    assert bad_email.status_code == 422, bad_email.text
    assert bad_email.json()["error"]["field"] == "email"
    too_big = client.get(f"/api/v1/notices/{2**40}")
    assert too_big.status_code == 422 and too_big.json()["error"]["field"] == "notice_id"


def test_contacts(world: NoticeWorld) -> None:
    client = _industry(world)
    listed = client.get("/api/v1/notice-contacts")
    assert listed.status_code == 200
    assert CONTACT_HOST in {c["match"] for c in listed.json()}
    added = client.post(
        "/api/v1/notice-contacts",
        json={
            "match": "Streams.Example",
            "name": "Streams abuse",
            "email": "abuse@streams.example",
            "country": "US",
            "form": "dmca",
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["match"] == "streams.example" and added.json()["match_kind"] == "domain"
    bad = client.post(
        "/api/v1/notice-contacts",
        json={"match": "streams.example", "name": "X", "email": "nope"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"
    viewer = _industry(world, "viewer").post(
        "/api/v1/notice-contacts",
        json={"match": "a.example", "name": "A", "email": "a@a.example"},
    )
    assert viewer.status_code == 403
    # contacts route every agency's notices: a police analyst (who drafts) may not change one
    police = _police(world).post(
        "/api/v1/notice-contacts",
        json={"match": CONTACT_HOST, "name": "Elsewhere", "email": "abuse@elsewhere.example"},
    )
    assert police.status_code == 403, police.text
    assert police.json()["error"]["permission"] == "send:notices"
    again = {c["match"]: c for c in _police(world).get("/api/v1/notice-contacts").json()}
    assert again[CONTACT_HOST]["email"] == CONTACT_EMAIL


def test_the_stats_filter_says_sent_since(world: NoticeWorld) -> None:
    """One promise for the figures' filter everywhere: notices SENT since the date (the
    CLI's --since help and the page's label say the same)."""
    schema = _industry(world).get("/api/v1/openapi.json").json()
    [since] = [
        p for p in schema["paths"]["/api/v1/notices/stats"]["get"]["parameters"]
        if p["name"] == "since"
    ]  # fmt: skip
    assert "SENT on or after this date" in since["description"]
    page = world.server.client("analyst", agency=INDUSTRY).get("/notices")
    assert "Figures of notices sent since" in page.text
