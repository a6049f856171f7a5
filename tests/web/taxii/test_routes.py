"""The TAXII endpoints over HTTP (httpx): TAXII's media type on every answer, errors
included (401, 403, 404, 405, 406, 413, 415, 422) with TAXII error bodies; pages, ``more``,
``next`` and the date headers computed from visible rows only; what one may not see answers
exactly as what does not exist; status resources seen by the posting agency alone."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from leaktrace.exchange.markings import TLP_MARKING_IDS
from tests.web.taxii.world import TIMES, TaxiiWorld, indicator

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/leaktrace"


def _client(
    world: TaxiiWorld, agency: str = "NL-POL", role: str | None = "analyst"
) -> httpx.Client:
    client = world.server.client(role, agency=agency)
    client.headers["Accept"] = TAXII
    return client


def _objects(world: TaxiiWorld, collection: str | None = None) -> str:
    return f"{ROOT}/collections/{collection or world.alpha}/objects/"


def _is_taxii_error(reply: httpx.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == TAXII
    body: dict[str, Any] = reply.json()
    assert body["http_status"] == str(status)
    assert body["title"] and body["description"]
    return body


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _post(
    client: httpx.Client, path: str, body: bytes, content_type: str = TAXII
) -> httpx.Response:
    return client.post(path, content=body, headers={"Content-Type": content_type})


def test_every_read_answers_with_the_taxii_media_type(world: TaxiiWorld) -> None:
    client = _client(world)
    collection = f"{ROOT}/collections/{world.alpha}"
    a = world.ids["A"]
    for path in (
        "/taxii2/",
        f"{ROOT}/",
        f"{ROOT}/collections/",
        f"{collection}/",
        f"{collection}/objects/",
        f"{collection}/objects/{a}/",
        f"{collection}/objects/{a}/versions/",
        f"{collection}/manifest/",
    ):
        reply = client.get(path)
        assert reply.status_code == 200, (path, reply.text)
        assert reply.headers["content-type"] == TAXII, path


@pytest.mark.parametrize(
    "accept",
    [
        "application/taxii+json",
        "application/taxii+json; version=2.1",
        "*/*",
        "application/*",
        "text/html, application/taxii+json;version=2.1;q=0.5",
    ],
)
def test_accept_headers_that_take_taxii(world: TaxiiWorld, accept: str) -> None:
    reply = _client(world).get("/taxii2/", headers={"Accept": accept})
    assert reply.status_code == 200 and reply.headers["content-type"] == TAXII


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/taxii+json;version=2.0",
        "text/html",
        "application/taxii+json;q=0",
        "application/stix+json;version=2.1",
    ],
)
def test_406_for_an_accept_without_taxii(world: TaxiiWorld, accept: str) -> None:
    reply = _client(world).get(_objects(world), headers={"Accept": accept})
    _is_taxii_error(reply, 406)


def test_401_without_or_with_wrong_credentials(world: TaxiiWorld) -> None:
    anonymous = _client(world, role=None)
    for path in ("/taxii2/", _objects(world)):
        body = _is_taxii_error(anonymous.get(path), 401)
        assert body["details"]["type"] == "AuthenticationError"
    wrong = httpx.get(
        f"{world.url}/taxii2/", auth=(world.email("analyst", "NL-POL"), "not-the-token")
    )
    _is_taxii_error(wrong, 401)
    assert "WWW-Authenticate" in wrong.headers
    _is_taxii_error(_post(anonymous, _objects(world), b"{}"), 401)


def test_basic_credentials_are_accepted(world: TaxiiWorld) -> None:
    reply = httpx.get(
        f"{world.url}/taxii2/",
        auth=(world.email("analyst", "DE-BKA"), world.token("analyst", "DE-BKA")),
        headers={"Accept": TAXII},
    )
    assert reply.status_code == 200 and reply.json()["api_roots"] == [f"{ROOT}/"]


def test_403_for_viewers_and_missing_rights(world: TaxiiWorld) -> None:
    viewer = _client(world, role="viewer")
    for path in ("/taxii2/", f"{ROOT}/collections/", _objects(world)):
        _is_taxii_error(viewer.get(path), 403)
    _is_taxii_error(_post(viewer, _objects(world), b"{}"), 403)
    # DE-BKA reads Alpha but may not write it; FR-GN writes Drop but may not read it
    _is_taxii_error(_post(_client(world, "DE-BKA"), _objects(world), b"{}"), 403)
    fr = _client(world, "FR-GN")
    assert fr.get(f"{ROOT}/collections/{world.drop}/").json()["can_read"] is False
    for path in ("objects/", "manifest/", f"objects/{world.ids['A']}/versions/"):
        _is_taxii_error(fr.get(f"{ROOT}/collections/{world.drop}/{path}"), 403)


def _same_but_key(a: dict[str, Any], key_a: str, b: dict[str, Any], key_b: str) -> None:
    assert str(a).replace(key_a, "<key>") == str(b).replace(key_b, "<key>")


def test_a_collection_without_rights_is_a_missing_collection(world: TaxiiWorld) -> None:
    fr = _client(world, "FR-GN")
    missing = str(uuid.uuid4())
    for tail in ("", "objects/", "manifest/", f"objects/{world.ids['A']}/"):
        hidden = _is_taxii_error(fr.get(f"{ROOT}/collections/{world.alpha}/{tail}"), 404)
        absent = _is_taxii_error(fr.get(f"{ROOT}/collections/{missing}/{tail}"), 404)
        _same_but_key(hidden, world.alpha, absent, missing)
    posted = _is_taxii_error(_post(fr, _objects(world), b'{"objects": []}'), 404)
    _same_but_key(
        posted,
        world.alpha,
        _is_taxii_error(_post(fr, _objects(world, missing), b'{"objects": []}'), 404),
        missing,
    )
    # by title or alias, a collection is not a TAXII address
    _is_taxii_error(_client(world).get(f"{ROOT}/collections/Alpha/"), 404)


def test_an_object_one_may_not_see_is_a_missing_object(world: TaxiiWorld) -> None:
    de = _client(world, "DE-BKA")
    missing = f"indicator--{uuid.uuid4()}"
    collection = f"{ROOT}/collections/{world.alpha}/objects"
    for tail in ("/", "/versions/"):
        hidden = _is_taxii_error(de.get(f"{collection}/{world.ids['B']}{tail}"), 404)
        absent = _is_taxii_error(de.get(f"{collection}/{missing}{tail}"), 404)
        _same_but_key(hidden, world.ids["B"], absent, missing)
    # the marking only B needs is not served to DE-BKA either
    red = TLP_MARKING_IDS["red"]
    _is_taxii_error(de.get(f"{collection}/{red}/"), 404)
    assert de.get(f"{collection}/", params={"match[id]": red}).json() == {"more": False}


def test_pages_count_visible_rows_only(world: TaxiiWorld) -> None:
    de = _client(world, "DE-BKA")
    whole = de.get(_objects(world), params={"limit": "4"}).json()
    assert len(whole["objects"]) == 4 and whole["more"] is False and "next" not in whole
    first = de.get(_objects(world), params={"limit": "3"})
    page = first.json()
    assert len(page["objects"]) == 3 and page["more"] is True
    second = de.get(_objects(world), params={"limit": "3", "next": page["next"]})
    rest = second.json()
    assert [o["id"] for o in rest["objects"]] == [world.ids["S"]] and rest["more"] is False
    manifest = de.get(f"{ROOT}/collections/{world.alpha}/manifest/").json()["objects"]
    assert first.headers["X-TAXII-Date-Added-First"] == manifest[0]["date_added"]
    assert first.headers["X-TAXII-Date-Added-Last"] == manifest[2]["date_added"]
    assert second.headers["X-TAXII-Date-Added-First"] == manifest[3]["date_added"]
    assert second.headers["X-TAXII-Date-Added-Last"] == manifest[3]["date_added"]


def test_next_and_added_after_together(world: TaxiiWorld) -> None:
    nl = _client(world)
    manifest = nl.get(f"{ROOT}/collections/{world.alpha}/manifest/").json()["objects"]
    after = manifest[1]["date_added"]
    seen: list[str] = []
    params: dict[str, str] = {"limit": "1", "added_after": after}
    while True:
        page = nl.get(_objects(world), params=params).json()
        seen += [o["id"] for o in page.get("objects", [])]
        if not page["more"]:
            break
        params["next"] = page["next"]
    assert seen == [r["id"] for r in manifest if r["date_added"] > after]
    assert seen  # the world adds in several batches: something comes after


def test_headers_on_versions_and_manifest(world: TaxiiWorld) -> None:
    de = _client(world, "DE-BKA")
    versions = de.get(f"{_objects(world)}{world.ids['A']}/versions/")
    manifest = de.get(
        f"{ROOT}/collections/{world.alpha}/manifest/",
        params={"match[id]": world.ids["A"], "match[version]": "all"},
    )
    dates = [r["date_added"] for r in manifest.json()["objects"]]
    for reply in (versions, manifest):
        assert reply.headers["X-TAXII-Date-Added-First"] == dates[0]
        assert reply.headers["X-TAXII-Date-Added-Last"] == dates[-1]
    empty = de.get(_objects(world), params={"match[type]": "campaign"})
    assert empty.json() == {"more": False}
    assert "X-TAXII-Date-Added-First" not in empty.headers


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "-3"),
        ("limit", "ten"),
        ("next", "garbage"),
        ("next", "WyJ0YXhpaSIsMSwyXQ"),
        ("added_after", "yesterday"),
        ("match[version]", "2026-13-01T00:00:00Z"),
        ("match[spec_version]", "banana"),
    ],
)
def test_malformed_parameters_are_422(world: TaxiiWorld, name: str, value: str) -> None:
    body = _is_taxii_error(_client(world).get(_objects(world), params={name: value}), 422)
    assert body["details"]["field"] == name


def test_a_limit_over_the_maximum_is_served_as_the_maximum(world: TaxiiWorld) -> None:
    reply = _client(world).get(_objects(world), params={"limit": "1000000"})
    assert reply.status_code == 200 and reply.json()["more"] is False


def test_405_and_unknown_paths(world: TaxiiWorld) -> None:
    client = _client(world)
    _is_taxii_error(client.put(_objects(world), content=b"{}"), 405)
    _is_taxii_error(client.delete(f"{ROOT}/collections/{world.alpha}/"), 405)
    _is_taxii_error(client.get(f"{ROOT}/no-such-endpoint/"), 404)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/taxii+json;version=2.0",
        "text/plain",
        "application/stix+json;version=2.1",
    ],
)
def test_415_for_a_body_that_is_not_taxii(world: TaxiiWorld, content_type: str) -> None:
    _is_taxii_error(_post(_client(world), _objects(world), b"{}", content_type), 415)


def test_415_without_a_content_type(world: TaxiiWorld) -> None:
    client = _client(world)
    reply = client.post(_objects(world), content=b"{}", headers={"Content-Type": ""})
    _is_taxii_error(reply, 415)


def test_413_for_a_body_over_the_limit(world: TaxiiWorld) -> None:
    limit = world.server.context.settings.server.max_body_bytes
    body = b'{"objects": [' + b" " * limit + b"]}"
    _is_taxii_error(_post(_client(world), _objects(world), body), 413)

    def chunks() -> Any:  # no Content-Length: counted as it streams in
        yield body[: limit // 2]
        yield body[limit // 2 :]

    reply = _client(world).post(_objects(world), content=chunks(), headers={"Content-Type": TAXII})
    _is_taxii_error(reply, 413)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"text"',
        b'{"objects": {"type": "x"}}',
        b'{"objects": NaN}',
        b"[" * 100_000,
    ],
)
def test_422_for_what_is_not_an_envelope(world: TaxiiWorld, body: bytes) -> None:
    _is_taxii_error(_post(_client(world), _objects(world), body), 422)


def test_status_is_seen_by_the_posting_agency_only(world: TaxiiWorld) -> None:
    fr = _client(world, "FR-GN")
    good = indicator(f"indicator--{uuid.uuid4()}", TIMES[0])
    bad = {"type": "indicator", "id": "not-an-id", "modified": TIMES[1]}
    reply = _post(fr, _objects(world, world.drop), _json({"objects": [good, bad, 42]}))
    assert reply.status_code == 202 and reply.headers["content-type"] == TAXII
    status = reply.json()
    assert status["status"] == "complete" and status["total_count"] == 3
    assert status["success_count"] == 1 and status["failure_count"] == 2
    assert status["pending_count"] == 0
    assert status["successes"] == [{"id": good["id"], "version": "2026-01-01T00:00:00.000000Z"}]
    assert [f["id"] for f in status["failures"]] == ["not-an-id", ""]
    assert "objects[1].id" in status["failures"][0]["message"]
    for path in (f"{ROOT}/status/{status['id']}/", f"{ROOT}/status/{status['id']}"):
        again = fr.get(path)
        assert again.status_code == 200 and again.json() == status
    other = _is_taxii_error(_client(world).get(f"{ROOT}/status/{status['id']}/"), 404)
    missing = str(uuid.uuid4())
    absent = _is_taxii_error(_client(world).get(f"{ROOT}/status/{missing}/"), 404)
    _same_but_key(other, status["id"], absent, missing)


def test_even_a_bug_answers_with_a_taxii_error(
    world: TaxiiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaktrace.services import taxii

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(taxii, "discovery", broken)
    body = _is_taxii_error(_client(world).get("/taxii2/"), 500)
    assert "a bug" not in str(body)
