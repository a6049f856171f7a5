"""The case pages over the demo scenario, signed in through the login form: the cases
list and its "open a case" form, a case page with its evidence, timeline (every leaf
hash) and signed tree head, its forms (CSRF required), the "Add to case" menu of the
finding pages, downloads and the export button, hostile text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.services.evidence import verify_bundle_file
from tests.web.api.test_cases_api import case_demo_server
from tests.web.conftest import LiveServer
from tests.web.pages.conftest import csrf_of, signed_in

HOSTILE = "<script>alert('case')</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from case_demo_server(Path(tmp_path_factory.mktemp("cases-pages")))


@pytest.fixture(scope="module")
def analyst(demo: LiveServer) -> httpx.Client:
    return signed_in(demo, "analyst", "NL-POL")


def _post(client: httpx.Client, path: str, page: str, **fields: Any) -> httpx.Response:
    """A form of the page at ``page`` posted to ``path`` with the page's CSRF token."""
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **fields})


def _open(client: httpx.Client, title: str) -> int:
    answer = _post(client, "/cases", "/cases", title=title, reference="R-1")
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/cases/(\d+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def _no_raw_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_open_a_case_and_its_page_shows_every_hash(analyst: httpx.Client) -> None:
    listing = analyst.get("/cases")
    assert listing.status_code == 200
    assert 'href="/cases"' in listing.text and ">Cases</a>" in listing.text  # the nav link
    assert 'method="post" action="/cases"' in listing.text
    case = _open(analyst, HOSTILE)
    page = analyst.get(f"/cases/{case}")
    assert page.status_code == 200
    _no_raw_markup(page.text)
    assert "&lt;script&gt;alert(&#39;case&#39;)&lt;/script&gt;" in page.text
    detail = analyst.get(f"/api/v1/cases/{case}").json()  # the session signs API reads too
    for entry in detail["timeline"]:
        assert f'id="entry-{entry["seq"]}"' in page.text
        assert entry["leaf_hash"] in page.text
    head = detail["tree_head"]
    for value in (head["root_hash"], head["signature"], head["key_fingerprint"]):
        assert value in page.text
    checkpoint = re.search(r'data-testid="checkpoint">(.*?)</pre>', page.text, re.S)
    assert checkpoint is not None and unescape(checkpoint.group(1)) == head["checkpoint"]
    listed = analyst.get("/cases")
    _no_raw_markup(listed.text)
    assert f'href="/cases/{case}"' in listed.text


def test_the_forms_of_a_case_page_add_entries(analyst: httpx.Client, tmp_path: Path) -> None:
    case = _open(analyst, "Forms")
    here = f"/cases/{case}"
    steps = [
        (f"{here}/notes", {"text": f"first line\n{HOSTILE}"}, "note.added"),
        (f"{here}/tasks", {"title": "Ask the host", "assignee": ""}, "task.added"),
        (f"{here}/subjects", {"kind": "group", "value": "EMBERS"}, "subject.added"),
        (f"{here}/items", {"kind": "supply-rank", "reference": "", "reason": HOSTILE},
         "item.added"),
        (f"{here}/status", {"status": "suspended", "reason": "waiting"}, "status.changed"),
        (f"{here}/status", {"status": "open", "reason": ""}, "status.changed"),
    ]  # fmt: skip
    for path, fields, event in steps:
        answer = _post(analyst, path, here, **fields)
        assert answer.status_code == 303, (path, answer.text)
        assert answer.headers["location"].startswith(here)
        events = [e["event"] for e in analyst.get(f"/api/v1/cases/{case}").json()["timeline"]]
        assert events[-1] == event
    task = analyst.get(f"/api/v1/cases/{case}").json()["tasks"][0]
    assert _post(analyst, f"{here}/tasks/{task['id']}", here, status="done").status_code == 303

    token = csrf_of(analyst.get(here).text)
    upload = analyst.post(
        f"{here}/files",
        data={"csrf_token": token, "reason": "seized"},
        files={"file": ("<img src=x onerror=alert(3)>.txt", b"hello evidence\n", "text/plain")},
    )
    assert upload.status_code == 303, upload.text
    assert re.fullmatch(rf"{here}#item-\d+", upload.headers["location"])

    page = analyst.get(here).text
    _no_raw_markup(page)
    assert "file name: &lt;img src=x onerror=alert(3)&gt;.txt" in page
    detail = analyst.get(f"/api/v1/cases/{case}").json()
    assert detail["tasks"][0]["status"] == "done"
    for item in detail["evidence"]:
        assert item["sha256"] in page
        link = f'href="/api/v1/cases/{case}/items/{item["id"]}/content"'
        assert link in page
    file_item = detail["evidence"][-1]
    download = analyst.get(f"/api/v1/cases/{case}/items/{file_item['id']}/content")
    assert download.content == b"hello evidence\n"
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="img_src_x_onerror_alert_3_.txt"'
    )

    # the export button (a POST with the CSRF token) downloads a bundle that verifies
    exported = _post(analyst, f"{here}/export", here)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    bundle = tmp_path / "case.zip"
    bundle.write_bytes(exported.content)
    assert verify_bundle_file(bundle).ok
    # the API's export is a POST too: a session sends its CSRF token (a link another site
    # could make the browser follow, or a form without the token, exports nothing)
    api_export = f"/api/v1/cases/{case}/export"
    size = analyst.get(f"/api/v1/cases/{case}").json()["tree_size"]
    assert analyst.get(api_export).status_code == 405
    assert analyst.post(api_export).status_code == 403
    assert analyst.post(api_export, data={"csrf_token": "wrong"}).status_code == 403
    assert analyst.get(f"/api/v1/cases/{case}").json()["tree_size"] == size
    token = csrf_of(analyst.get(here).text)
    by_header = analyst.post(api_export, headers={"X-CSRF-Token": token})
    assert by_header.status_code == 200, by_header.text
    assert by_header.headers["content-disposition"].startswith(
        f'attachment; filename="case-{case}-{size + 1}.zip"'
    )
    by_form = analyst.post(api_export, data={"csrf_token": token})
    assert by_form.status_code == 200 and by_form.headers["content-type"] == "application/zip"


def test_every_form_needs_the_csrf_token(analyst: httpx.Client) -> None:
    case = _open(analyst, "CSRF")
    before = analyst.get(f"/api/v1/cases/{case}").json()["tree_size"]
    for path, fields in (
        ("/cases", {"title": "forged"}),
        (f"/cases/{case}/notes", {"text": "forged"}),
        (f"/cases/{case}/items", {"kind": "supply-rank"}),
        ("/cases/items", {"case_id": str(case), "kind": "supply-rank"}),
        (f"/cases/{case}/status", {"status": "closed"}),
        (f"/cases/{case}/export", {}),
    ):
        for token in (None, "wrong"):
            data = fields if token is None else {**fields, "csrf_token": token}
            answer = analyst.post(path, data=data)
            assert answer.status_code == 403, (path, token, answer.status_code)
    assert analyst.get(f"/api/v1/cases/{case}").json()["tree_size"] == before


def _leak_release_page(client: httpx.Client) -> tuple[int, str]:
    leak = client.get("/api/v1/leaks", params={"limit": 1}).json()["items"][0]
    return int(leak["id"]), f"/releases/{leak['release_id']}"


def test_add_to_case_from_a_finding_page(demo: LiveServer, analyst: httpx.Client) -> None:
    case = _open(analyst, "Menu target")
    closed = _open(analyst, "Closed one")
    here = f"/cases/{closed}"
    assert _post(analyst, f"{here}/status", here, status="closed").status_code == 303
    leak_id, release_page = _leak_release_page(analyst)
    page = analyst.get(release_page).text
    menu = f"/cases/add?kind=leak&amp;reference={leak_id}"
    assert f'hx-get="{menu}"' in page and f'href="{menu}"' in page
    group = analyst.get("/api/v1/groups", params={"limit": 1}).json()["items"][0]
    assert "/cases/add?kind=group" in analyst.get(f"/groups/{group['group']}").text
    host = analyst.get("/api/v1/hosts", params={"limit": 1}).json()["items"][0]
    assert "/cases/add?kind=host" in analyst.get(f"/hosts/{host['id']}").text

    fragment = analyst.get(
        "/cases/add", params={"kind": "leak", "reference": leak_id}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text  # a fragment for htmx
    assert f'<option value="{case}">' in fragment.text
    assert f'<option value="{closed}">' not in fragment.text  # only open cases
    full = analyst.get("/cases/add", params={"kind": "leak", "reference": leak_id})
    assert "<html" in full.text and f'<option value="{case}">' in full.text

    token = csrf_of(fragment.text)
    added = analyst.post(
        "/cases/items",
        data={"csrf_token": token, "case_id": str(case), "kind": "leak",
              "reference": str(leak_id), "reason": ""},
    )  # fmt: skip
    assert added.status_code == 303, added.text
    location = added.headers["location"]
    assert re.fullmatch(rf"/cases/{case}#item-\d+", location)
    shown = analyst.get(location.split("#")[0]).text
    item_id = location.split("#item-")[1]
    assert f'id="item-{item_id}"' in shown
    detail = analyst.get(f"/api/v1/cases/{case}").json()
    assert detail["timeline"][-1]["event"] == "item.added"
    assert detail["timeline"][-1]["leaf_hash"] in shown

    bad = analyst.get("/cases/add", params={"kind": "weather", "reference": "x"})
    assert bad.status_code == 422
    for fields in ({"kind": ""}, {"kind": "weather"}):  # required, and one of the kinds
        refused = _post(analyst, "/cases/items", here, case_id=str(case), **fields)
        assert refused.status_code == 422 and "kind" in refused.text, refused.text
    no_status = _post(analyst, f"/cases/{case}/status", f"/cases/{case}", status="")
    assert no_status.status_code == 422 and "required" in no_status.text


def test_add_to_case_from_the_supply_and_targets_pages(analyst: httpx.Client) -> None:
    case = _open(analyst, "Supply and targets")
    supply = analyst.get("/supply").text
    menu = "/cases/add?kind=supply-rank&amp;reference="
    assert f'hx-get="{menu}"' in supply and f'href="{menu}"' in supply
    sheet = analyst.get("/targets", params={"country": "CA"}).text
    menu = "/cases/add?kind=targets&amp;reference=CA"
    assert f'hx-get="{menu}"' in sheet and f'href="{menu}"' in sheet
    assert "/cases/add?" not in analyst.get("/targets").text  # no sheet chosen: no menu
    assert "/cases/add?" not in analyst.get("/targets", params={"country": "ZZ"}).text

    for kind, reference in (("supply-rank", ""), ("targets", "CA")):
        fragment = analyst.get(
            "/cases/add", params={"kind": kind, "reference": reference},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert fragment.status_code == 200 and f'<option value="{case}">' in fragment.text
        added = analyst.post(
            "/cases/items",
            data={"csrf_token": csrf_of(fragment.text), "case_id": str(case), "kind": kind,
                  "reference": reference, "reason": ""},
        )  # fmt: skip
        assert added.status_code == 303, added.text
    evidence = analyst.get(f"/api/v1/cases/{case}").json()["evidence"]
    assert [(i["kind"], i["reference"]) for i in evidence] == [
        ("supply-rank", ""), ("targets", "CA")
    ]  # fmt: skip


def _item_row(html: str, item_id: int) -> str:
    found = re.search(rf'<tr id="item-{item_id}".*?</tr>', html, re.S)
    assert found, item_id
    return found.group(0)


def test_the_page_offers_what_the_services_allow(demo: LiveServer, analyst: httpx.Client) -> None:
    case = _open(analyst, "Abilities")
    here = f"/cases/{case}"
    signed_in(demo, "analyst", "BE-FCCU")  # the agency and its analyst exist
    assert _post(analyst, f"{here}/members", here, agency="BE-FCCU",
                 role="observer").status_code == 303  # fmt: skip
    for kind, reference in (("supply-rank", ""), ("targets", "CA")):
        added = _post(analyst, f"{here}/items", here, kind=kind, reference=reference)
        assert added.status_code == 303, added.text
    ranking, sheet = analyst.get(f"/api/v1/cases/{case}").json()["evidence"]
    assert ranking["personal"] and not sheet["personal"]
    download = "/api/v1/cases/{}/items/{}/content"

    lead_page = analyst.get(here).text
    assert 'data-testid="personal-data"' in _item_row(lead_page, ranking["id"])
    assert 'data-testid="personal-data"' not in _item_row(lead_page, sheet["id"])
    assert download.format(case, ranking["id"]) in lead_page
    for form in ('id="export-form"', 'id="status-form"', "Add note", "Add member"):
        assert form in lead_page, form

    viewer_page = signed_in(demo, "viewer", "NL-POL").get(here).text  # no read:personal
    assert 'data-testid="personal-data"' in _item_row(viewer_page, ranking["id"])
    assert download.format(case, ranking["id"]) not in viewer_page
    assert download.format(case, sheet["id"]) in viewer_page
    assert 'id="export-form"' in viewer_page  # an export is a read (its entry names who)
    for form in ('id="status-form"', "Add note", "Add member"):
        assert form not in viewer_page, form

    observer_page = signed_in(demo, "analyst", "BE-FCCU").get(here).text
    assert download.format(case, ranking["id"]) in observer_page
    assert 'id="export-form"' in observer_page
    for form in ('id="status-form"', "Add note", "Add member", "Upload file"):
        assert form not in observer_page, form

    assert _post(analyst, f"{here}/status", here, status="closed").status_code == 303
    closed_page = analyst.get(here).text
    assert 'id="status-form"' in closed_page and 'id="export-form"' in closed_page
    for form in ("Add note", "Add member", "Upload file", "Add task"):
        assert form not in closed_page, form


def test_viewers_and_other_agencies(demo: LiveServer, analyst: httpx.Client) -> None:
    case = _open(analyst, "Need to know")
    viewer = signed_in(demo, "viewer", "NL-POL")
    page = viewer.get(f"/cases/{case}")
    assert page.status_code == 200
    assert "Add note" not in page.text and "Upload file" not in page.text
    assert 'method="post" action="/cases"' not in viewer.get("/cases").text
    _, release_page = _leak_release_page(viewer)
    assert "/cases/add?" not in viewer.get(release_page).text
    assert "/cases/add?" not in viewer.get("/targets", params={"country": "CA"}).text
    refused = viewer.post(
        f"/cases/{case}/notes", data={"csrf_token": csrf_of(page.text), "text": "x"}
    )
    assert refused.status_code == 403

    stranger = signed_in(demo, "analyst", "FR-PN")
    theirs = stranger.get(f"/cases/{case}")
    absent = stranger.get("/cases/99999999")
    assert theirs.status_code == absent.status_code == 404
    assert "Need to know" not in theirs.text
    assert f'href="/cases/{case}"' not in stranger.get("/cases").text
    assert analyst.get("/cases/not-a-number").status_code == 422
