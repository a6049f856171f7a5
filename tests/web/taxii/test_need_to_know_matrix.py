"""The need-to-know matrix of issue 12, over HTTP: 5 agencies (owner, an agency named in
``--to``, another reader, a writer-only agency, an agency without rights) x objects for every
TLP case (none, CLEAR, GREEN, AMBER, AMBER+STRICT, RED with and without ``--to``) x every
handling code (none, H0-H3 with its text) x every TAXII endpoint (objects with match[version]
last / first / all, paging with limit=1 to the end, one object, its versions, the manifest,
the date headers, the status resource of the POST that added them, error bodies), plus the
failure modes: an empty sharing group means nobody, a removed share stops at once (also
through an old ``next`` token), paging that mixes ``next`` and ``added_after``.

What each agency must get is computed from the generated data by the oracle of
tests/exchange/need_to_know.py, never from the server. One uvicorn and one SQLite database
for the module; the objects arrive in two batches: a TAXII POST by the owner (no audience:
its RED objects are "RED without --to") and a publication with ``--to`` (store_batch with
the audience, as the publish service does).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.exchange.classify import check_object
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import build_context
from leaktrace.services.exchange_collections import add_collection, set_collection_rights
from leaktrace.store.exchange_batches import store_batch
from tests.exchange import need_to_know as ntk
from tests.services.test_leaks import agency_id_of
from tests.web.conftest import LiveServer, ensure_user, serve

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/leaktrace"
READERS = (ntk.OWNER, ntk.TO, ntk.READER)
MISSING_OBJECT = ntk.stix_id("intrusion-set", "never stored anywhere")
MISSING_STATUS = "6f1ab4a4-07ad-4c59-9d1e-5ae4b1d1c2a9"


@dataclass
class Matrix:
    server: LiveServer
    collection: str
    empty: str
    rows: list[ntk.Row]
    status_id: str
    posted: dict[str, Any]
    writer_status: dict[str, Any]
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, agency: str) -> httpx.Client:
        if agency not in self.clients:
            client = self.server.client("analyst", agency=agency)
            client.headers["Accept"] = TAXII
            self.clients[agency] = client
        return self.clients[agency]

    def get(self, agency: str, path: str, **params: Any) -> httpx.Response:
        return self.client(agency).get(f"{ROOT}/{path}", params=params)

    def objects_url(self, collection: str | None = None) -> str:
        return f"collections/{collection or self.collection}/objects/"


def post(
    server: LiveServer, collection: str, agency: str, objects: list[dict[str, Any]]
) -> dict[str, Any]:
    """POST an envelope as an analyst of ``agency``: the status resource."""
    answer = server.client("analyst", agency=agency).post(
        f"{ROOT}/collections/{collection}/objects/",
        content=json.dumps({"objects": objects}),
        headers={"Accept": TAXII, "Content-Type": TAXII},
    )
    assert answer.status_code == 202, answer.text
    status: dict[str, Any] = answer.json()
    return status


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    with build_context(load_settings(db=str(folder / "matrix.db"))) as ctx:
        for code in ntk.AGENCIES:
            ensure_user(ctx, "analyst", code)
        operator = local_operator()
        readers = [c for c, (r, _) in ntk.RIGHTS.items() if r]
        writers = [c for c, (_, w) in ntk.RIGHTS.items() if w]
        view = add_collection(ctx, operator, "matrix", read=readers, write=writers)
        empty = add_collection(ctx, operator, "nobody reads", read=[], write=[])
        without, with_to, by_writer = ntk.publications()
        with ctx.database.transaction() as conn:
            ids = {code: agency_id_of(conn, code) for code in ntk.AGENCIES}
            # an empty sharing group holds objects too: still nobody may see them
            store_batch(
                conn,
                empty.id,
                [check_object(o) for o in without.objects],
                owner_agency_id=ids[ntk.OWNER],
                origin="published",
            )
        for server in serve(ctx):
            posted = post(server, view.id, ntk.OWNER, without.objects)
            with ctx.database.transaction() as conn:
                store_batch(
                    conn,
                    view.id,
                    [check_object(o) for o in with_to.objects],
                    owner_agency_id=ids[ntk.OWNER],
                    origin="published",
                    audience=[ids[ntk.TO]],
                )
            written = post(server, view.id, ntk.WRITER, by_writer.objects)
            yield Matrix(
                server=server,
                collection=view.id,
                empty=empty.id,
                rows=ntk.rows_of([without, with_to, by_writer]),
                status_id=posted["id"],
                posted=posted,
                writer_status=written,
            )


def pairs(objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["id"], ntk.normal(o.get("modified", o.get("created")))) for o in objects]


def read_status(agency: str) -> int:
    """What a request for the collection's objects answers: 200 to a reader, 403 to an
    agency that may only write (the collection exists for it), 404 to one without rights."""
    if ntk.may_read(agency):
        return 200
    return 403 if agency in ntk.RIGHTS else 404


def not_found_body(response: httpx.Response, key: str) -> bytes:
    """The error body with ``key`` taken out: what must be identical for hidden and missing."""
    return response.content.replace(key.encode(), b"<key>")


# --- the POST and its status resource ---------------------------------------------------------


def test_the_posts_stored_every_object(matrix: Matrix) -> None:
    without, _, by_writer = ntk.publications()
    assert matrix.writer_status["success_count"] == len(by_writer.objects)
    assert matrix.writer_status["failure_count"] == 0
    assert matrix.posted["status"] == "complete"
    assert matrix.posted["total_count"] == len(without.objects)
    assert matrix.posted["failure_count"] == 0, matrix.posted.get("failures")
    assert matrix.posted["success_count"] == len(without.objects)


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_status_resource_only_for_the_poster(matrix: Matrix, agency: str) -> None:
    """Each POST's status resource: its poster reads it (the writer-only agency too), any
    other agency gets the bytes a missing status gives."""
    missing = matrix.get(agency, f"status/{MISSING_STATUS}/")
    for poster, status in ((ntk.OWNER, matrix.posted), (ntk.WRITER, matrix.writer_status)):
        answer = matrix.get(agency, f"status/{status['id']}/")
        assert answer.headers["content-type"] == TAXII
        if agency == poster:
            assert answer.status_code == 200
            assert answer.json()["id"] == status["id"]
            assert answer.json()["success_count"] == status["success_count"]
        else:
            assert answer.status_code == missing.status_code == 404
            assert not_found_body(answer, status["id"]) == not_found_body(missing, MISSING_STATUS)


# --- object lists -----------------------------------------------------------------------------


@pytest.mark.parametrize("versions", ["last", "first", "all"])
@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_objects_list(matrix: Matrix, agency: str, versions: str) -> None:
    params = {} if versions == "last" else {"match[version]": versions}
    answer = matrix.get(agency, matrix.objects_url(), **params)
    assert answer.status_code == read_status(agency), answer.text
    assert answer.headers["content-type"] == TAXII
    if answer.status_code != 200:
        assert "objects" not in answer.json()
        return
    envelope = answer.json()
    got = pairs(envelope["objects"])
    assert len(got) == len(set(got))
    assert set(got) == ntk.expected(agency, matrix.rows, versions)
    assert envelope.get("more", False) is False
    by_id = {(r.stix_id, r.version): r for r in matrix.rows}
    for body in envelope["objects"]:
        row = by_id[(body["id"], ntk.normal(body.get("modified", body.get("created"))))]
        assert body == ntk.body_seen(agency, row)


@pytest.mark.parametrize("agency", READERS)
def test_manifest_and_date_headers(matrix: Matrix, agency: str) -> None:
    manifest = matrix.get(agency, f"collections/{matrix.collection}/manifest/")
    objects = matrix.get(agency, matrix.objects_url())
    assert manifest.status_code == objects.status_code == 200
    records = manifest.json()["objects"]
    assert {(r["id"], r["version"]) for r in records} == ntk.expected(agency, matrix.rows)
    assert all(r["media_type"] == "application/stix+json;version=2.1" for r in records)
    added = [r["date_added"] for r in records]
    assert added == sorted(added)  # one date_added per batch: equal dates are allowed
    for answer in (manifest, objects):
        assert answer.headers["X-TAXII-Date-Added-First"] == added[0]
        assert answer.headers["X-TAXII-Date-Added-Last"] == added[-1]
    every = matrix.get(
        agency, f"collections/{matrix.collection}/manifest/", **{"match[version]": "all"}
    )
    assert {(r["id"], r["version"]) for r in every.json()["objects"]} == ntk.expected(
        agency, matrix.rows, "all"
    )


@pytest.mark.parametrize("agency", [ntk.WRITER, ntk.NOBODY])
def test_manifest_of_non_readers(matrix: Matrix, agency: str) -> None:
    answer = matrix.get(agency, f"collections/{matrix.collection}/manifest/")
    assert answer.status_code == read_status(agency)
    assert "X-TAXII-Date-Added-First" not in answer.headers


@pytest.mark.parametrize("endpoint", ["objects", "manifest"])
@pytest.mark.parametrize("agency", READERS)
def test_paging_one_by_one_to_the_end(matrix: Matrix, agency: str, endpoint: str) -> None:
    """limit=1, following ``next``: exactly the visible set, each once, ``more`` true until
    the last visible row (hidden rows after it do not make a page)."""
    seen: list[tuple[str, str]] = []
    stamps: list[str] = []
    token: str | None = None
    path = f"collections/{matrix.collection}/{endpoint}/"
    while True:
        params: dict[str, Any] = {"limit": 1, "match[version]": "all"}
        if token:
            params["next"] = token
        answer = matrix.get(agency, path, **params)
        assert answer.status_code == 200
        page = answer.json()
        entries = page.get("objects", [])
        assert len(entries) == 1, page
        if endpoint == "objects":
            seen.extend(pairs(entries))
        else:
            seen.extend((e["id"], e["version"]) for e in entries)
            assert answer.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
        first = answer.headers["X-TAXII-Date-Added-First"]
        assert first == answer.headers["X-TAXII-Date-Added-Last"]
        stamps.append(first)
        if not page.get("more"):
            assert "next" not in page or page["next"] is None
            break
        token = page["next"]
        assert token
    assert len(seen) == len(set(seen))
    assert set(seen) == ntk.expected(agency, matrix.rows, "all")
    assert stamps == sorted(stamps)  # one date_added per batch: equal dates are allowed


# --- one object, its versions, error bodies ---------------------------------------------------


def every_id(matrix: Matrix) -> list[str]:
    return list(dict.fromkeys(r.stix_id for r in matrix.rows))


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_each_object_and_its_versions(matrix: Matrix, agency: str) -> None:
    last = dict(ntk.expected(agency, matrix.rows, "last"))
    every: dict[str, set[str]] = {}
    for stix_id, version in ntk.expected(agency, matrix.rows, "all"):
        every.setdefault(stix_id, set()).add(version)
    base = f"collections/{matrix.collection}/objects"
    missing_one = matrix.get(agency, f"{base}/{MISSING_OBJECT}/")
    missing_versions = matrix.get(agency, f"{base}/{MISSING_OBJECT}/versions/")
    for stix_id in every_id(matrix):
        one = matrix.get(agency, f"{base}/{stix_id}/")
        versions = matrix.get(agency, f"{base}/{stix_id}/versions/")
        assert one.headers["content-type"] == versions.headers["content-type"] == TAXII
        if stix_id in last:
            assert one.status_code == versions.status_code == 200
            assert pairs(one.json()["objects"]) == [(stix_id, last[stix_id])]
            assert set(versions.json()["versions"]) == every[stix_id]
            assert len(versions.json()["versions"]) == len(every[stix_id])
            for answer in (one, versions):
                assert answer.headers["X-TAXII-Date-Added-First"]
        else:
            # hidden or missing: the same status and the same bytes but for the id
            expected_status = read_status(agency) if read_status(agency) != 200 else 404
            assert one.status_code == missing_one.status_code == expected_status
            assert versions.status_code == missing_versions.status_code == expected_status
            assert not_found_body(one, stix_id) == not_found_body(missing_one, MISSING_OBJECT)
            assert not_found_body(versions, stix_id) == not_found_body(
                missing_versions, MISSING_OBJECT
            )
            assert "X-TAXII-Date-Added-First" not in one.headers


def test_the_matrix_tells_the_agencies_apart(matrix: Matrix) -> None:
    """The data generated is rich enough that each reader sees a different set."""
    sets = [ntk.expected(a, matrix.rows, "all") for a in READERS]
    assert sets[2] < sets[1] < sets[0]
    cases = {(t, h) for t in ntk.TLP_CASES for h in ntk.HANDLING_CASES}
    assert len(cases) == 35
    named = {r.body.get("name") for r in matrix.rows}
    assert all(f"matrix {t} {h}" in named for t, h in cases)


# --- failure modes ----------------------------------------------------------------------------


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_an_empty_sharing_group_means_nobody(matrix: Matrix, agency: str) -> None:
    listed = matrix.get(agency, "collections/")
    assert listed.status_code == 200
    assert matrix.empty not in {c["id"] for c in listed.json().get("collections", [])}
    nowhere = "2b5fd3d5-0f4c-4b8e-9a37-4b1b8c8a7f00"
    for path in (
        "",
        "objects/",
        "manifest/",
        f"objects/{ntk.stix_id('intrusion-set', 'matrix none none')}/",
    ):
        hidden = matrix.get(agency, f"collections/{matrix.empty}/{path}")
        missing = matrix.get(agency, f"collections/{nowhere}/{path}")
        assert hidden.status_code == missing.status_code == 404
        assert not_found_body(hidden, matrix.empty) == not_found_body(missing, nowhere)


def test_a_removed_share_stops_at_once_even_through_an_old_next(
    matrix: Matrix, tmp_path: Path
) -> None:
    ctx = matrix.server.context
    operator = local_operator()
    name = "revocable"
    view = add_collection(ctx, operator, name, read=[ntk.OWNER, ntk.READER], write=[ntk.OWNER])
    without, _, _ = ntk.publications()
    with ctx.database.transaction() as conn:
        store_batch(
            conn,
            view.id,
            [check_object(o) for o in without.objects],
            owner_agency_id=agency_id_of(conn, ntk.OWNER),
            origin="published",
        )
    url = matrix.objects_url(view.id)
    first = matrix.get(ntk.READER, url, limit=2)
    assert first.status_code == 200 and first.json()["more"]
    token = first.json()["next"]
    assert matrix.get(ntk.READER, url, limit=2, next=token).status_code == 200
    # write only now: the collection exists for READER, reading is refused
    set_collection_rights(ctx, operator, name, read=[ntk.OWNER], write=[ntk.OWNER, ntk.READER])
    for params in ({"limit": 2, "next": token}, {}):
        assert matrix.get(ntk.READER, url, **params).status_code == 403
    # no right at all: the collection is gone for READER, old token or not
    set_collection_rights(ctx, operator, name, read=[ntk.OWNER], write=[ntk.OWNER])
    nowhere = "0c1f3a55-7d0e-4d4b-8a3e-2a3b2f7d9e01"
    for params in ({"limit": 2, "next": token}, {}):
        hidden = matrix.get(ntk.READER, url, **params)
        missing = matrix.get(ntk.READER, matrix.objects_url(nowhere), **params)
        assert hidden.status_code == missing.status_code == 404
        assert not_found_body(hidden, view.id) == not_found_body(missing, nowhere)
    manifest = matrix.get(ntk.READER, f"collections/{view.id}/manifest/")
    assert manifest.status_code == 404
    # and the owner still reads
    assert matrix.get(ntk.OWNER, url).status_code == 200


@pytest.mark.parametrize("agency", [ntk.TO, ntk.READER])
def test_paging_mixing_next_and_added_after(matrix: Matrix, agency: str) -> None:
    """Both apply: a page after a token holds only rows after the token's position *and*
    after ``added_after``, whichever is later; nothing repeats, nothing hidden leaks."""
    # the order of date_added, from the owner's manifest (the owner sees every row)
    owner = matrix.get(
        ntk.OWNER, f"collections/{matrix.collection}/manifest/", **{"match[version]": "all"}
    ).json()["objects"]
    order = [((r["id"], r["version"]), r["date_added"]) for r in owner]
    assert {pair for pair, _ in order} == ntk.expected(ntk.OWNER, matrix.rows, "all")
    visible = ntk.expected(agency, matrix.rows, "all")
    mine = [(pair, added) for pair, added in order if pair in visible]
    url = matrix.objects_url()
    first = matrix.get(agency, url, limit=3, **{"match[version]": "all"}).json()
    assert pairs(first["objects"]) == [pair for pair, _ in mine[:3]]
    token = first["next"]
    at_token = mine[2][1]
    for cut in (order[0][1], at_token, order[len(order) // 2][1], order[-2][1]):
        answer = matrix.get(
            agency, url, next=token, added_after=cut, limit=1000, **{"match[version]": "all"}
        )
        assert answer.status_code == 200
        after = max(cut, at_token)
        want = [pair for pair, added in mine if added > after]
        assert pairs(answer.json().get("objects", [])) == want
        assert answer.json().get("more", False) is False
    # added_after alone, against the oracle
    middle = order[len(order) // 2][1]
    alone = matrix.get(agency, url, added_after=middle, **{"match[version]": "all"}).json()
    assert pairs(alone.get("objects", [])) == [pair for pair, added in mine if added > middle]


# --- the web pages (/exchange/...) --------------------------------------------------------------

_LISTED_ROW = re.compile(r'<tr data-stix-id="([^"]+)"')
_NEXT = re.compile(r'<a class="next" rel="next" href="([^"]+)"')
_MARKING_TYPES = ("marking-definition", "extension-definition")


def page(matrix: Matrix, agency: str, path: str, **params: Any) -> httpx.Response:
    return matrix.client(agency).get(path, params=params, headers={"Accept": "text/html"})


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_web_collection_page(matrix: Matrix, agency: str) -> None:
    """The collection's page, a few objects a page, following "Next" to the end: the latest
    version of each object the agency may see (markings are not listed), its count."""
    first = page(matrix, agency, f"/exchange/{matrix.collection}", limit=7)
    assert first.status_code == read_status(agency)
    wanted = {
        stix_id
        for stix_id, _ in ntk.expected(agency, matrix.rows)
        if stix_id.split("--")[0] not in _MARKING_TYPES
    }
    if first.status_code != 200:
        assert not wanted & set(_LISTED_ROW.findall(first.text))
        return
    assert f"{len(wanted)} objects you may see" in first.text
    listed: list[str] = []
    answer = first
    while True:
        assert answer.status_code == 200
        rows = _LISTED_ROW.findall(answer.text)
        assert len(rows) <= 7
        listed.extend(rows)
        following = _NEXT.search(answer.text)
        if following is None:
            break
        answer = matrix.client(agency).get(html.unescape(following.group(1)))
    assert len(listed) == len(set(listed))
    assert set(listed) == wanted


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_web_object_pages(matrix: Matrix, agency: str) -> None:
    """Each object's page: shown (with the versions the agency may see, without a RED
    property it may not) or answered exactly as a missing object."""
    last = dict(ntk.expected(agency, matrix.rows))
    every: dict[str, set[str]] = {}
    for stix_id, version in ntk.expected(agency, matrix.rows, "all"):
        every.setdefault(stix_id, set()).add(version)
    base = f"/exchange/{matrix.collection}/objects"
    missing = page(matrix, agency, f"{base}/{MISSING_OBJECT}")
    for stix_id in every_id(matrix):
        answer = page(matrix, agency, f"{base}/{stix_id}")
        if stix_id in last:
            assert answer.status_code == 200
            assert stix_id in answer.text and last[stix_id] in answer.text
            shown = set(re.findall(r"<tr><td class=\"mono\">([^<]+)</td>", answer.text))
            assert shown == every[stix_id]
            if stix_id == ntk.stix_id("intrusion-set", "granular"):
                assert ("the uploader" in answer.text) == (agency != ntk.READER)
        else:
            expected_status = read_status(agency) if read_status(agency) != 200 else 404
            assert answer.status_code == missing.status_code == expected_status
            assert not_found_body(answer, stix_id) == not_found_body(missing, MISSING_OBJECT)


@pytest.mark.parametrize("agency", ntk.AGENCIES)
def test_web_pages_of_an_empty_sharing_group(matrix: Matrix, agency: str) -> None:
    nowhere = "2b5fd3d5-0f4c-4b8e-9a37-4b1b8c8a7f00"
    assert matrix.empty not in page(matrix, agency, "/exchange").text
    hidden = page(matrix, agency, f"/exchange/{matrix.empty}")
    missing = page(matrix, agency, f"/exchange/{nowhere}")
    assert hidden.status_code == missing.status_code == 404
    assert not_found_body(hidden, matrix.empty) == not_found_body(missing, nowhere)
