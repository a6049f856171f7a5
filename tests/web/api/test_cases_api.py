"""/api/v1/cases and /api/v1/evidence/key against a real uvicorn over the demo scenario:
every finding kind frozen into a case, a file uploaded and downloaded, the exported bundle
verified, proofs checked, need-to-know between agencies (404 like a missing case),
case roles, user roles, limits and bad input."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.evidence.standalone import verify_consistency, verify_inclusion
from leaktrace.services.context import build_context
from leaktrace.services.evidence import verify_bundle_file
from tests.services.demo_world import demo_copy
from tests.web.conftest import LiveServer, serve

MAX_FILE = 32 * 1024
MAX_BODY = 16 * 1024


def case_demo_server(directory: Path, **settings: Any) -> Iterator[LiveServer]:
    """The demo scenario's database served by uvicorn, with the evidence key in
    ``directory`` (one key for the whole module, whatever a test's data folder)."""
    database = demo_copy(directory / "demo")  # built once per test run
    evidence = {"key_file": str(directory / "evidence.pem"), **settings.pop("evidence", {})}
    loaded = load_settings(db=str(database), evidence=evidence, **settings)
    with build_context(loaded) as context:
        yield from serve(context)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from case_demo_server(
        Path(tmp_path_factory.mktemp("cases-api")),
        evidence={"max_file_bytes": MAX_FILE},
        server={"max_body_bytes": MAX_BODY},
    )


def open_case(client: httpx.Client, title: str = "Operation Lantern", **fields: Any) -> int:
    answer = client.post("/api/v1/cases", json={"title": title, **fields})
    assert answer.status_code == 201, answer.text
    case_id: int = answer.json()["id"]
    return case_id


def _first(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    answer = client.get(path, params={"limit": 1, **params})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    assert items, path
    return items[0]


def test_every_finding_a_file_and_an_export_that_verifies(demo: LiveServer, tmp_path: Path) -> None:
    analyst = demo.client("analyst", agency="NL-POL")
    case = open_case(analyst, reference="NL-2025-7", retention_until="2035-01-31")
    leak = _first(analyst, "/api/v1/leaks")
    host = _first(analyst, "/api/v1/hosts", country="CA")
    findings = [
        ("leak", str(leak["id"])),
        ("release", leak["release"]),
        ("group", leak["group"]),
        ("host", host["server"]),
        ("supply-rank", ""),
        ("targets", "CA"),
        ("impact", leak["work_id"]),
        ("impact", ""),
    ]
    items = []
    for kind, reference in findings:
        answer = analyst.post(
            f"/api/v1/cases/{case}/items",
            json={"kind": kind, "reference": reference, "reason": f"why {kind}"},
        )
        assert answer.status_code == 201, (kind, answer.text)
        item = answer.json()
        assert item["kind"] == kind and item["reason"] == f"why {kind}"
        assert len(item["sha256"]) == 64 and item["media_type"] == "application/json"
        items.append(item)

    content = b"<html><script>alert(1)</script></html>\n" * 100
    upload = analyst.post(
        f"/api/v1/cases/{case}/files",
        files={"file": ("../../etc/évidence <1>.html", content, "text/html")},
        data={"reason": "from the seizure"},
    )
    assert upload.status_code == 201, upload.text
    stored = upload.json()
    assert stored["kind"] == "file" and stored["size"] == len(content)
    assert stored["original_name"] == "évidence <1>.html"  # the path is dropped
    download = analyst.get(f"/api/v1/cases/{case}/items/{stored['id']}/content")
    assert download.status_code == 200 and download.content == content
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="evidence_1_.html"')
    assert "/" not in disposition.split(";")[1]
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-content-type-options"] == "nosniff"
    snapshot = analyst.get(f"/api/v1/cases/{case}/items/{items[0]['id']}/content")
    assert snapshot.status_code == 200
    assert snapshot.headers["content-disposition"].startswith(
        f'attachment; filename="leak-{items[0]["id"]}.json"'
    )
    assert hashlib.sha256(snapshot.content).hexdigest() == items[0]["sha256"]

    detail = analyst.get(f"/api/v1/cases/{case}").json()
    assert detail["reference"] == "NL-2025-7" and detail["retention_until"] == "2035-01-31"
    assert [i["id"] for i in detail["evidence"]] == [i["id"] for i in [*items, stored]]
    assert len(detail["timeline"]) == detail["tree_head"]["tree_size"] == len(findings) + 2
    assert detail["timeline"][-1]["event"] == "item.added"
    assert stored["sha256"] in detail["timeline"][-1]["sha256"]

    assert analyst.get(f"/api/v1/cases/{case}/export").status_code == 405  # a change: POST
    assert analyst.get(f"/api/v1/cases/{case}").json()["tree_size"] == len(findings) + 2
    exported = analyst.post(f"/api/v1/cases/{case}/export")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert exported.headers["content-disposition"].startswith("attachment;")
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(exported.content)
    key = analyst.get("/api/v1/evidence/key").json()
    result = verify_bundle_file(bundle, expect_key=key["fingerprint"])
    assert result.ok, result.problem
    assert result.tree_size == len(findings) + 3  # the export is an entry too
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        names = set(archive.namelist())
    assert f"files/{stored['sha256']}" in names
    assert {f"files/{i['sha256']}" for i in items} <= names

    # a second export after a note proves it extends the first
    assert analyst.post(f"/api/v1/cases/{case}/notes", json={"text": "later"}).status_code == 201
    later = tmp_path / "later.zip"
    later.write_bytes(analyst.post(f"/api/v1/cases/{case}/export").content)
    assert verify_bundle_file(later, against=bundle).ok
    assert not verify_bundle_file(bundle, against=later).ok


def test_checkpoint_and_proofs_verify(demo: LiveServer) -> None:
    analyst = demo.client("analyst", agency="NL-POL")
    case = open_case(analyst, "Proofs")
    for n in range(5):
        assert (
            analyst.post(f"/api/v1/cases/{case}/notes", json={"text": f"n{n}"}).status_code == 201
        )
    head = analyst.get(f"/api/v1/cases/{case}/log/checkpoint").json()
    assert head["tree_size"] == 6
    text = analyst.get(f"/api/v1/cases/{case}/log/checkpoint.txt")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == head["checkpoint"]
    assert text.text.splitlines()[:3] == [head["log_id"], "6", text.text.splitlines()[2]]
    older = analyst.get(f"/api/v1/cases/{case}/log/checkpoint", params={"tree_size": 3}).json()
    assert older["tree_size"] == 3 and older["root_hash"] != head["root_hash"]

    timeline = analyst.get(f"/api/v1/cases/{case}").json()["timeline"]
    for index in (0, 3, 5):
        proof = analyst.get(f"/api/v1/cases/{case}/log/inclusion", params={"index": index})
        assert proof.status_code == 200, proof.text
        body = proof.json()
        assert body["leaf_hash"] == timeline[index]["leaf_hash"]
        verify_inclusion(
            index,
            body["tree_size"],
            bytes.fromhex(body["leaf_hash"]),
            [bytes.fromhex(h) for h in body["proof"]],
            bytes.fromhex(body["tree_head"]["root_hash"]),
        )
    consistency = analyst.get(
        f"/api/v1/cases/{case}/log/consistency", params={"old_size": 3, "new_size": 6}
    ).json()
    assert consistency["old_root"] == older["root_hash"]
    verify_consistency(
        3,
        6,
        bytes.fromhex(consistency["old_root"]),
        bytes.fromhex(consistency["new_root"]),
        [bytes.fromhex(h) for h in consistency["proof"]],
    )
    assert consistency["new_root"] == head["root_hash"]
    for params in ({"index": 6}, {"index": 1, "tree_size": 9}):
        beyond = analyst.get(f"/api/v1/cases/{case}/log/inclusion", params=params)
        assert beyond.status_code == 422, beyond.text
    reversed_sizes = analyst.get(
        f"/api/v1/cases/{case}/log/consistency", params={"old_size": 5, "new_size": 2}
    )
    assert reversed_sizes.status_code == 422


def _error_shape(answer: httpx.Response, case: int) -> tuple[int, str, list[str], str]:
    error = answer.json()["error"]
    return (
        answer.status_code,
        error["type"],
        sorted(error),
        error["message"].replace(str(case), "N"),
    )


def test_another_agencys_case_is_404_exactly_like_a_missing_one(demo: LiveServer) -> None:
    owner = demo.client("analyst", agency="NL-POL")
    case = open_case(owner, "Need to know")
    item = owner.post(f"/api/v1/cases/{case}/items", json={"kind": "supply-rank"}).json()
    stranger = demo.client("analyst", agency="FR-PN")
    missing = 9_999_999
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/cases/{}", {}),
        ("PATCH", "/api/v1/cases/{}", {"json": {"status": "closed"}}),
        ("POST", "/api/v1/cases/{}/notes", {"json": {"text": "hello"}}),
        ("POST", "/api/v1/cases/{}/items", {"json": {"kind": "supply-rank"}}),
        ("POST", "/api/v1/cases/{}/members", {"json": {"agency": "FR-PN"}}),
        ("GET", "/api/v1/cases/{}/items/" + str(item["id"]) + "/content", {}),
        ("POST", "/api/v1/cases/{}/export", {}),
        ("GET", "/api/v1/cases/{}/log/checkpoint", {}),
        ("GET", "/api/v1/cases/{}/log/inclusion?index=0", {}),
    ]
    for method, path, extra in calls:
        theirs = stranger.request(method, path.format(case), **extra)
        absent = stranger.request(method, path.format(missing), **extra)
        assert theirs.status_code == 404, (path, theirs.text)
        assert _error_shape(theirs, case) == _error_shape(absent, missing), path
    assert case not in [c["id"] for c in stranger.get("/api/v1/cases").json()]
    assert case in [c["id"] for c in owner.get("/api/v1/cases").json()]


def test_observers_read_viewers_cannot_write_and_leads_manage(demo: LiveServer) -> None:
    lead = demo.client("analyst", agency="NL-POL")
    case = open_case(lead, "Roles")
    demo.client("analyst", agency="BE-FCCU")  # the agency exists
    demo.client("analyst", agency="ES-GC")
    added = lead.post(f"/api/v1/cases/{case}/members", json={"agency": "be-fccu",
                                                             "role": "observer"})  # fmt: skip
    assert added.status_code == 201 and added.json()["role"] == "observer"
    assert lead.post(f"/api/v1/cases/{case}/members", json={"agency": "ES-GC"}).status_code == 201
    again = lead.post(f"/api/v1/cases/{case}/members", json={"agency": "ES-GC"})
    assert again.status_code == 409

    observer = demo.client("analyst", agency="BE-FCCU")
    assert observer.get(f"/api/v1/cases/{case}").status_code == 200
    assert observer.get(f"/api/v1/cases/{case}").json()["my_role"] == "observer"
    refused = observer.post(f"/api/v1/cases/{case}/notes", json={"text": "may I?"})
    assert refused.status_code == 403
    assert case not in [c["id"] for c in observer.get("/api/v1/cases?writable=true").json()]

    member = demo.client("analyst", agency="ES-GC")
    assert member.post(f"/api/v1/cases/{case}/notes", json={"text": "yes"}).status_code == 201
    assert member.patch(f"/api/v1/cases/{case}", json={"status": "closed"}).status_code == 403
    invited = member.post(f"/api/v1/cases/{case}/members", json={"agency": "FR-PN"})
    assert invited.status_code == 403

    viewer = demo.client("viewer", agency="NL-POL")
    assert viewer.get(f"/api/v1/cases/{case}").status_code == 200
    for method, path, body in (
        ("POST", "/api/v1/cases", {"title": "mine"}),
        ("POST", f"/api/v1/cases/{case}/notes", {"text": "x"}),
        ("POST", f"/api/v1/cases/{case}/items", {"kind": "supply-rank"}),
        ("PATCH", f"/api/v1/cases/{case}", {"status": "closed"}),
    ):
        answer = viewer.request(method, path, json=body)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"]["permission"] == "write:cases"
    assert viewer.get(f"/api/v1/cases/{case}/export").status_code == 405


def test_status_fields_tasks_and_a_closed_case(demo: LiveServer) -> None:
    lead = demo.client("analyst", agency="NL-POL")
    case = open_case(lead, "Lifecycle")
    task = lead.post(f"/api/v1/cases/{case}/tasks", json={"title": "Ask the host",
                     "assignee": "analyst@nl-pol.example"})  # fmt: skip
    assert task.status_code == 201, task.text
    done = lead.patch(f"/api/v1/cases/{case}/tasks/{task.json()['id']}", json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    subject = lead.post(f"/api/v1/cases/{case}/subjects", json={"kind": "group",
                        "value": "EMBERS"})  # fmt: skip
    assert subject.status_code == 201

    edited = lead.patch(f"/api/v1/cases/{case}", json={"title": "Lifecycle II",
                        "reference": "R-2"})  # fmt: skip
    assert edited.status_code == 200 and edited.json()["title"] == "Lifecycle II"
    closed = lead.patch(f"/api/v1/cases/{case}", json={"status": "closed", "reason": "done"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = lead.post(f"/api/v1/cases/{case}/notes", json={"text": "too late"})
    assert late.status_code == 409
    assert case not in [c["id"] for c in lead.get("/api/v1/cases?writable=true").json()]
    reopened = lead.patch(f"/api/v1/cases/{case}", json={"status": "open", "title": "III"})
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["title"]) == ("open", "III")
    events = [e["event"] for e in lead.get(f"/api/v1/cases/{case}").json()["timeline"]]
    assert events == [
        "case.opened", "task.added", "task.updated", "subject.added", "case.updated",
        "status.changed", "status.changed", "case.updated",
    ]  # fmt: skip


def test_a_patch_is_all_or_nothing(demo: LiveServer) -> None:
    lead = demo.client("analyst", agency="NL-POL")
    case = open_case(lead, "Atomic patch")
    assert lead.patch(f"/api/v1/cases/{case}", json={"status": "closed"}).status_code == 200
    before = lead.get(f"/api/v1/cases/{case}").json()
    for body in ({"status": "open", "title": "   "}, {"status": "open", "title": "a\u202eb"}):
        refused = lead.patch(f"/api/v1/cases/{case}", json=body)
        assert refused.status_code == 422, refused.text
    after = lead.get(f"/api/v1/cases/{case}").json()
    assert after["status"] == "closed" and after["title"] == "Atomic patch"
    assert after["timeline"] == before["timeline"]  # not reopened, no entry
    late = lead.patch(f"/api/v1/cases/{case}", json={"title": "Renamed while closed"})
    assert late.status_code == 409
    both = lead.patch(f"/api/v1/cases/{case}", json={"status": "open", "title": "Reopened"})
    assert both.status_code == 200, both.text
    assert (both.json()["status"], both.json()["title"]) == ("open", "Reopened")
    same = lead.patch(f"/api/v1/cases/{case}", json={"status": "open"})  # already so
    assert same.status_code == 200
    events = [e["event"] for e in lead.get(f"/api/v1/cases/{case}").json()["timeline"]]
    assert events == [
        "case.opened", "status.changed", "status.changed", "case.updated"
    ]  # fmt: skip


def test_personal_items_need_read_personal_and_observers_download(demo: LiveServer) -> None:
    lead = demo.client("analyst", agency="NL-POL")
    case = open_case(lead, "Personal")
    demo.client("analyst", agency="BE-FCCU")
    member = lead.post(f"/api/v1/cases/{case}/members",
                       json={"agency": "BE-FCCU", "role": "observer"})  # fmt: skip
    assert member.status_code == 201
    ranking = lead.post(f"/api/v1/cases/{case}/items", json={"kind": "supply-rank"}).json()
    sheet = lead.post(f"/api/v1/cases/{case}/items",
                      json={"kind": "targets", "reference": "CA"}).json()  # fmt: skip
    assert (ranking["personal"], sheet["personal"]) == (True, False)

    observer = demo.client("analyst", agency="BE-FCCU")
    detail = observer.get(f"/api/v1/cases/{case}").json()
    assert detail["may"] == {"add": False, "manage": False, "export": True,
                             "read_personal": True}  # fmt: skip
    for item in (ranking, sheet):
        answer = observer.get(f"/api/v1/cases/{case}/items/{item['id']}/content")
        assert answer.status_code == 200, answer.text
        assert hashlib.sha256(answer.content).hexdigest() == item["sha256"]

    viewer = demo.client("viewer", agency="NL-POL")
    assert viewer.get(f"/api/v1/cases/{case}").json()["may"]["read_personal"] is False
    refused = viewer.get(f"/api/v1/cases/{case}/items/{ranking['id']}/content")
    assert refused.status_code == 403
    assert refused.json()["error"]["permission"] == "read:personal"
    allowed = viewer.get(f"/api/v1/cases/{case}/items/{sheet['id']}/content")
    assert allowed.status_code == 200

    # an export is a read too: any member may, with read:personal when items name people
    exported = observer.post(f"/api/v1/cases/{case}/export")
    assert exported.status_code == 200, exported.text
    personal = viewer.post(f"/api/v1/cases/{case}/export")
    assert personal.status_code == 403
    assert personal.json()["error"]["permission"] == "read:personal"
    plain = open_case(lead, "Nothing personal")
    assert viewer.post(f"/api/v1/cases/{plain}/export").status_code == 200


def test_upload_limits_and_the_larger_body_limit_of_the_upload_route(demo: LiveServer) -> None:
    analyst = demo.client("analyst", agency="NL-POL")
    case = open_case(analyst, "Uploads")
    # bigger than any other request may be, within the evidence file limit
    big = bytes(range(256)) * ((MAX_BODY + 4096) // 256)
    assert MAX_BODY < len(big) <= MAX_FILE
    first = analyst.post(f"/api/v1/cases/{case}/files", files={"file": ("big.bin", big)})
    assert first.status_code == 201, first.text
    twice = analyst.post(f"/api/v1/cases/{case}/files", files={"file": ("copy.bin", big)})
    assert twice.status_code == 201 and twice.json()["sha256"] == first.json()["sha256"]
    note = analyst.post(f"/api/v1/cases/{case}/notes", json={"text": "x" * (MAX_BODY + 10)})
    assert note.status_code == 413
    over = analyst.post(
        f"/api/v1/cases/{case}/files", files={"file": ("over.bin", b"z" * (MAX_FILE + 1))}
    )
    assert over.status_code in (413, 422), over.text
    huge = analyst.post(
        f"/api/v1/cases/{case}/files", files={"file": ("huge.bin", b"z" * (MAX_FILE + 70_000))}
    )
    assert huge.status_code == 413
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros", b"\0" * 5_000_000)  # 5 MB that compress to a few KB
    kept = analyst.post(
        f"/api/v1/cases/{case}/files", files={"file": ("bomb.zip", bomb.getvalue())}
    )
    assert kept.status_code == 201 and kept.json()["size"] == len(bomb.getvalue())
    items = analyst.get(f"/api/v1/cases/{case}").json()["evidence"]
    assert [i["original_name"] for i in items] == ["big.bin", "copy.bin", "bomb.zip"]


def test_bad_input_is_422_never_500(demo: LiveServer) -> None:
    analyst = demo.client("analyst", agency="NL-POL")
    case = open_case(analyst, "Bad input")
    bad: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/v1/cases", {"json": {}}),
        ("POST", "/api/v1/cases", {"json": {"title": "x" * 301}}),
        ("POST", "/api/v1/cases", {"json": {"title": "x", "retention_until": "soon"}}),
        ("POST", "/api/v1/cases", {"json": {"title": "x", "owner": "me"}}),
        ("POST", "/api/v1/cases", {"json": {"title": "a\u0000b"}}),
        (
            "POST",
            "/api/v1/cases",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        ),
        ("PATCH", f"/api/v1/cases/{case}", {"json": {}}),
        ("PATCH", f"/api/v1/cases/{case}", {"json": {"status": "frozen"}}),
        ("POST", f"/api/v1/cases/{case}/items", {"json": {"kind": "weather"}}),
        ("POST", f"/api/v1/cases/{case}/items", {"json": {"kind": "leak", "reference": "abc"}}),
        ("POST", f"/api/v1/cases/{case}/notes", {"json": {"text": ""}}),
        ("POST", f"/api/v1/cases/{case}/subjects", {"json": {"kind": "planet", "value": "x"}}),
        ("POST", f"/api/v1/cases/{case}/members", {"json": {"agency": "X", "role": "lead"}}),
        ("POST", f"/api/v1/cases/{case}/tasks", {"json": {"title": "t", "assignee": "who@x"}}),
        ("PATCH", f"/api/v1/cases/{case}/tasks/1", {"json": {}}),
        ("POST", f"/api/v1/cases/{case}/files", {"data": {"reason": "no file"}}),
        ("GET", "/api/v1/cases/0", {}),
        ("GET", f"/api/v1/cases/{2**63}", {}),
        ("GET", "/api/v1/cases/abc", {}),
        ("GET", f"/api/v1/cases/{case}/log/inclusion", {}),
        ("GET", f"/api/v1/cases/{case}/log/inclusion?index=-1", {}),
        ("GET", f"/api/v1/cases/{case}/log/consistency?old_size=0", {}),
        ("GET", "/api/v1/cases?status=lost", {}),
    ]
    for method, path, extra in bad:
        answer = analyst.request(method, path, **extra)
        assert answer.status_code == 422, (method, path, answer.status_code, answer.text)
        assert answer.json()["error"]["type"] == "InputError"
    absent = analyst.post(
        f"/api/v1/cases/{case}/items", json={"kind": "leak", "reference": "99999999"}
    )
    assert absent.status_code == 404
    no_item = analyst.get(f"/api/v1/cases/{case}/items/999999/content")
    assert no_item.status_code == 404
    assert len(analyst.get(f"/api/v1/cases/{case}").json()["timeline"]) == 1  # nothing added
