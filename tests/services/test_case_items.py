"""services.case_items: findings frozen as canonical-JSON snapshots of their read models,
files stored once by SHA-256 (bounded, never unpacked, the name kept as data only), each
added by one ``item.added`` log entry naming its hash, downloads audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.config import load_settings
from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.evidence.canonical import canonical_json
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.identity.roles import Permission, Role
from leaktrace.services import case_items, case_timeline, cases, groups, hosts
from leaktrace.services.audit import list_audit
from leaktrace.services.case_items import original_name
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.leaks import LeakQuery, list_leaks
from leaktrace.services.triage import triage_leak
from leaktrace.store import cases as case_store
from leaktrace.store.evidence_log import entries
from leaktrace.store.schema_cases import EVIDENCE_BLOBS
from tests.services.demo_world import demo_context
from tests.services.test_case_access import ctx, events, log_size, world
from tests.services.test_leaks import agency_actor

__all__ = ["ctx"]


def _blobs(ctx: AppContext) -> int:
    with ctx.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(EVIDENCE_BLOBS)).scalar_one())


def _entry(ctx: AppContext, case_id: int, seq: int) -> dict[str, object]:
    with ctx.database.reading() as conn:
        found = [e for e in entries(conn, case_id) if e.seq == seq]
    parsed = json.loads(found[0].entry)
    assert isinstance(parsed, dict)
    return parsed


def test_the_same_file_twice_is_one_blob_and_two_items(ctx: AppContext) -> None:
    w = world(ctx)
    content = b"\x00binary\xffevidence" * 100
    digest = hashlib.sha256(content).hexdigest()
    first = case_items.add_file(
        ctx, w.lead, w.case_id, name="capture.pcap", content=io.BytesIO(content), reason="seized"
    )
    second = case_items.add_file(
        ctx, w.member, w.case_id, name="copy.bin", content=io.BytesIO(content)
    )
    assert first.id != second.id
    assert (first.sha256, second.sha256) == (digest, digest)
    assert (first.size, first.media_type) == (len(content), "application/octet-stream")
    assert (first.original_name, second.original_name) == ("capture.pcap", "copy.bin")
    assert (first.added_by, first.agency, first.reason) == (
        "analyst@nl-pol.example",
        "NL-POL",
        "seized",
    )
    assert _blobs(ctx) == 1
    assert events(ctx, w.case_id)[-2:] == ["item.added", "item.added"]
    entry = _entry(ctx, w.case_id, first.entry_seq)
    assert entry["event"] == "item.added" and entry["sha256"] == [digest]
    assert entry["data"] == {
        "item": first.id,
        "kind": "file",
        "reference": "capture.pcap",
        "label": first.label,
        "reason": "seized",
        "sha256": digest,
        "size": len(content),
        "media_type": "application/octet-stream",
        "original_name": "capture.pcap",
        "personal": False,
    }
    shown = cases.show_case(ctx, w.observer, w.case_id)
    assert [(i.id, i.entry_seq) for i in shown.evidence] == [
        (first.id, first.entry_seq),
        (second.id, second.entry_seq),
    ]
    assert shown.items == 2
    view, data = case_items.item_content(ctx, w.observer, w.case_id, second.id)
    assert (view, data) == (second, content)


def test_downloads_are_audited_and_scoped_to_the_case(ctx: AppContext) -> None:
    w = world(ctx)
    item = case_items.add_file(ctx, w.lead, w.case_id, name="a.txt", content=io.BytesIO(b"a"))
    other = cases.open_case(ctx, w.outsider, "ES case").id
    foreign = case_items.add_file(ctx, w.outsider, other, name="b.txt", content=io.BytesIO(b"b"))
    for wrong in (foreign.id, 999, 0, -3, 2**40):
        with pytest.raises(NotFoundError) as missing:
            case_items.item_content(ctx, w.lead, w.case_id, wrong)
        assert missing.value.kind == "item"
    with pytest.raises(NotFoundError) as hidden:
        case_items.item_content(ctx, w.outsider, w.case_id, item.id)
    assert (hidden.value.kind, str(hidden.value)) == ("case", f"no case {w.case_id}")
    case_items.item_content(ctx, w.observer, w.case_id, item.id)
    read = list_audit(ctx, local_operator(), action="case.read").items
    assert [(e.actor, e.subject, e.detail) for e in read] == [
        ("analyst@fr-pj.example", f"case {w.case_id}", f"item {item.id}")
    ]


class _Endless(io.RawIOBase):
    """A stream of zeros that counts how much was read from it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = b"\x00" * n
        self.left -= n
        self.given += n
        return n


def test_size_limit_refuses_before_reading_it_all_and_writes_nothing(tmp_path: Path) -> None:
    settings = load_settings(db=str(tmp_path / "small.db"))
    settings.evidence.max_file_bytes = 1024
    with build_context(settings) as small:
        w = world(small)
        size = log_size(small, w.case_id)
        big = _Endless(100 << 20)
        with pytest.raises(InputError) as refused:
            case_items.add_file(small, w.lead, w.case_id, name="big.iso", content=big)
        assert refused.value.field == "file" and "1024 bytes" in str(refused.value)
        assert big.given < 1 << 20  # stopped soon after the limit, not at 100 MiB
        with pytest.raises(InputError):
            case_items.add_file(small, w.lead, w.case_id, name="x", content=io.BytesIO(b"y" * 1025))
        assert (_blobs(small), log_size(small, w.case_id)) == (0, size)
        exact = case_items.add_file(
            small, w.lead, w.case_id, name="x", content=io.BytesIO(b"y" * 1024)
        )
        assert exact.size == 1024


def test_a_zip_bomb_is_kept_as_opaque_bytes(ctx: AppContext) -> None:
    w = world(ctx)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../../etc/cron.d/evil", b"\x00" * (20 << 20))
    bomb = packed.getvalue()
    assert len(bomb) < 100_000
    item = case_items.add_file(ctx, w.lead, w.case_id, name="bomb.zip", content=io.BytesIO(bomb))
    assert (item.size, item.media_type) == (len(bomb), "application/octet-stream")
    assert case_items.item_content(ctx, w.lead, w.case_id, item.id)[1] == bomb


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs", "abs"),
        ("C:\\x", "x"),
        ("C:\\Users\\me\\..\\evidence.txt", "evidence.txt"),
        ("..\\..\\windows\\system32", "system32"),
        ("plain name (1).pdf", "plain name (1).pdf"),
        ("é" * 127, "é" * 127),  # 254 bytes
    ],
)
def test_hostile_names_are_reduced_to_their_last_component(
    ctx: AppContext, given: str, kept: str
) -> None:
    assert original_name(given) == kept
    w = world(ctx)
    item = case_items.add_file(ctx, w.lead, w.case_id, name=given, content=io.BytesIO(b"z"))
    assert item.original_name == kept and item.reference == kept


@pytest.mark.parametrize(
    "given",
    [
        "",
        ".",
        "..",
        "dir/",
        "a/..",
        "nul\x00byte.txt",
        "new\nline",
        "esc\x1b[31m",
        "invoice\u202egpj.exe",
        "a" * 256,
        "é" * 128,  # 256 bytes
        "bad\udcffsurrogate",
    ],
)
def test_names_that_name_no_file_are_refused(ctx: AppContext, given: str) -> None:
    w = world(ctx)
    size = log_size(ctx, w.case_id)
    with pytest.raises(InputError) as refused:
        case_items.add_file(ctx, w.lead, w.case_id, name=given, content=io.BytesIO(b"z"))
    assert refused.value.field == "name"
    assert (_blobs(ctx), log_size(ctx, w.case_id)) == (0, size)


# -- findings on the demo database --------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """One copy of the demo database for the module's snapshot tests (each test opens its
    own case; nothing here depends on another test's items)."""
    yield from demo_context(tmp_path_factory.mktemp("demo"))


def _snapshot(ctx: AppContext, actor: Actor, case_id: int, item_id: int) -> dict[str, object]:
    view, content = case_items.item_content(ctx, actor, case_id, item_id)
    parsed = json.loads(content)
    assert canonical_json(parsed) == content  # stored as RFC 8785 canonical JSON
    assert hashlib.sha256(content).hexdigest() == view.sha256
    assert view.media_type == "application/json" and view.original_name is None
    assert set(parsed) == {"kind", "reference", "taken_at", "view"}
    assert parsed["kind"] == view.kind and parsed["reference"] == view.reference
    assert isinstance(parsed, dict)
    return parsed


def test_each_finding_kind_is_frozen_from_its_read_model(demo: AppContext) -> None:
    analyst = agency_actor(demo, "NL-POL")
    case_id = cases.open_case(demo, analyst, "Demo snapshots").id
    leak = list_leaks(demo, analyst, LeakQuery(limit=1)).items[0]
    host = next(h for h in hosts.host_list(demo).hosts if h.country)
    added = {
        "leak": case_items.add_finding(demo, analyst, case_id, "leak", str(leak.id), reason="r"),
        "release": case_items.add_finding(demo, analyst, case_id, "release", leak.release),
        "group": case_items.add_finding(demo, analyst, case_id, "group", leak.group or ""),
        "host": case_items.add_finding(demo, analyst, case_id, "host", host.server.upper()),
        "supply-rank": case_items.add_finding(demo, analyst, case_id, "supply-rank"),
        "targets": case_items.add_finding(demo, analyst, case_id, "targets", host.country or ""),
        "impact": case_items.add_finding(demo, analyst, case_id, "impact", leak.work_id),
    }
    snap = {kind: _snapshot(demo, analyst, case_id, item.id) for kind, item in added.items()}
    assert added["leak"].label == f"leak {leak.id}: {leak.release}"
    assert added["leak"].reference == str(leak.id) and added["leak"].reason == "r"
    leak_view = snap["leak"]["view"]
    assert isinstance(leak_view, dict)
    assert leak_view["leak"]["id"] == leak.id
    assert leak_view["release"]["name"] == leak.release
    assert leak_view["release"]["sightings"]  # the release with its sightings
    release_view = snap["release"]["view"]
    assert isinstance(release_view, dict) and release_view["name"] == leak.release
    assert added["release"].label == f"release {leak.release_id}: {leak.release}"
    group_view = snap["group"]["view"]
    assert isinstance(group_view, dict) and group_view["group"] == leak.group
    assert group_view["distributors"] is not None  # the dossier as the analyst sees it
    assert added["host"].reference == host.server  # the host as stored, found in any case
    host_view = snap["host"]["view"]
    assert isinstance(host_view, dict)
    assert host_view["server"] == host.server and "evidence_text" in host_view
    ranking = snap["supply-rank"]["view"]
    assert isinstance(ranking, dict) and ranking["accounts"]
    assert all("explanation" in account for account in ranking["accounts"])
    targets = snap["targets"]["view"]
    assert isinstance(targets, dict) and targets["country"] == host.country
    assert any(row["server"] == host.server for row in targets["hosts"])
    impact = snap["impact"]["view"]
    assert isinstance(impact, dict) and impact["filters"]["work"] == leak.work_id
    # one item.added entry per snapshot, naming its hash
    with demo.database.reading() as conn:
        timeline = case_timeline.timeline(conn, case_id)
    assert [e.event for e in timeline] == ["case.opened"] + ["item.added"] * 7
    assert [e.sha256 for e in timeline[1:]] == [[item.sha256] for item in added.values()]
    # reading the supply ranking is a read of personal data: audited by its own service
    assert list_audit(demo, local_operator(), action="supply.rank").items


def test_unknown_findings_and_missing_permission(demo: AppContext) -> None:
    analyst = agency_actor(demo, "NL-POL")
    case_id = cases.open_case(demo, analyst, "Demo refusals").id
    for kind, reference, missing in (
        ("leak", "99999999", "leak"),
        ("release", "No.Such.Release.2020-NOBODY", "release"),
        ("group", "NOSUCHGROUP", "group"),
        ("host", "nowhere.invalid", "host"),
        ("impact", "no-such-work", "work"),
    ):
        with pytest.raises(NotFoundError) as unknown:
            case_items.add_finding(demo, analyst, case_id, kind, reference)  # type: ignore[arg-type]
        assert unknown.value.kind == missing, kind
    for kind, reference in (("leak", "12x"), ("targets", "Narnia"), ("supply-rank", "x")):
        with pytest.raises(InputError) as bad:
            case_items.add_finding(demo, analyst, case_id, kind, reference)  # type: ignore[arg-type]
        assert bad.value.field == "reference", kind
    with pytest.raises(InputError) as kind_error:
        case_items.add_finding(demo, analyst, case_id, "dossier", "x")  # type: ignore[arg-type]
    assert kind_error.value.field == "kind"
    # may add to cases, may not read personal data: no supply ranking
    no_personal = Actor(
        name=analyst.name,
        role=Role.analyst,
        user_id=analyst.user_id,
        agency_id=analyst.agency_id,
        agency_code=analyst.agency_code,
        permissions=frozenset(
            {Permission.read_intel, Permission.read_cases, Permission.write_cases}
        ),
    )
    with pytest.raises(PermissionDeniedError) as denied:
        case_items.add_finding(demo, no_personal, case_id, "supply-rank")
    assert denied.value.permission == "read:personal"
    assert events(demo, case_id) == ["case.opened"]


# -- what a snapshot may carry: no agency's own triage, people only for read:personal ----


def _no_personal(actor: Actor) -> Actor:
    """``actor`` with read:intel, read:cases and write:cases but not read:personal."""
    return Actor(
        name=actor.name,
        role=actor.role,
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        agency_code=actor.agency_code,
        permissions=frozenset(
            {Permission.read_intel, Permission.read_cases, Permission.write_cases}
        ),
    )


def test_an_agencys_triage_never_reaches_another_agency(demo: AppContext) -> None:
    nl = agency_actor(demo, "NL-POL")
    de = agency_actor(demo, "DE-BKA")
    case_id = cases.open_case(demo, nl, "Triage stays home").id
    cases.add_member(demo, nl, case_id, "DE-BKA", "member")
    leak = list_leaks(demo, nl, LeakQuery(limit=1)).items[0]
    secret = "NL only: informant Jansen tipped us"
    triaged = triage_leak(demo, nl, leak.id, verdict="confirmed", note=secret)
    assert triaged.triage is not None and triaged.triage.note == secret  # NL sees its own
    added = case_items.add_items(
        demo,
        nl,
        case_id,
        [
            case_items.AddRequest(kind="leak", reference=str(leak.id)),
            case_items.AddRequest(kind="release", reference=leak.release),
        ],
    ).items
    for item in added:
        _, content = case_items.item_content(demo, de, case_id, item.id)
        assert secret.encode() not in content and b"confirmed" not in content
    leak_view = _snapshot(demo, de, case_id, added[0].id)["view"]
    release_view = _snapshot(demo, de, case_id, added[1].id)["view"]
    assert isinstance(leak_view, dict) and isinstance(release_view, dict)
    assert leak_view["leak"]["id"] == leak.id and leak_view["leak"]["triage"] is None
    assert leak_view["release"]["alert"]["triage"] is None
    assert release_view["alert"]["id"] == leak.id and release_view["alert"]["triage"] is None


def _group_with_accounts(demo: AppContext, actor: Actor) -> str:
    """A group whose dossier lists supply-chain account names."""
    for leak in list_leaks(demo, actor, LeakQuery(limit=200)).items:
        if leak.group and groups.group_dossier(demo, actor, leak.group).account_names:
            return leak.group
    raise AssertionError("the demo has no group with distributor accounts")


def test_items_that_name_people_need_read_personal(demo: AppContext) -> None:
    nl = agency_actor(demo, "NL-POL")
    case_id = cases.open_case(demo, nl, "People").id
    cases.add_member(demo, nl, case_id, "DE-BKA", "observer")
    group = _group_with_accounts(demo, nl)
    host = next(h for h in hosts.host_list(demo).hosts if h.country)
    ranking, dossier, host_item = case_items.add_items(
        demo,
        nl,
        case_id,
        [
            case_items.AddRequest(kind="supply-rank"),
            case_items.AddRequest(kind="group", reference=group),
            case_items.AddRequest(kind="host", reference=host.server),
        ],
    ).items
    # taken without read:personal, the dossier has no account names: not personal
    (withheld,) = case_items.add_items(
        demo, _no_personal(nl), case_id, [case_items.AddRequest(kind="group", reference=group)]
    ).items
    assert [i.personal for i in (ranking, dossier, host_item, withheld)] == [
        True,
        True,
        False,
        False,
    ]
    withheld_view = _snapshot(demo, nl, case_id, withheld.id)["view"]
    assert isinstance(withheld_view, dict)
    assert all(d["accounts"] == [] for d in withheld_view["distributors"])
    assert _entry(demo, case_id, ranking.entry_seq)["data"]["personal"] is True  # type: ignore[index]
    with demo.database.reading() as conn:
        assert case_store.case_has_personal(conn, case_id)
    # an observer's viewer (read:cases, no read:personal): the list, not the people
    viewer = agency_actor(demo, "DE-BKA", "viewer")
    shown = cases.show_case(demo, viewer, case_id)
    assert [i.personal for i in shown.evidence] == [True, True, False, False]
    assert shown.may.read_personal is False and shown.may.export is True
    for item in (ranking, dossier):
        with pytest.raises(PermissionDeniedError) as denied:
            case_items.item_content(demo, viewer, case_id, item.id)
        assert denied.value.permission == "read:personal"
    case_items.item_content(demo, viewer, case_id, host_item.id)
    case_items.item_content(demo, viewer, case_id, withheld.id)
    # an observer's analyst (read:personal) downloads it, audited as a personal read
    analyst = agency_actor(demo, "DE-BKA")
    _, content = case_items.item_content(demo, analyst, case_id, ranking.id)
    assert b"accounts" in content
    personal_reads = [
        e
        for e in list_audit(demo, local_operator(), action="case.read.personal").items
        if e.subject == f"case {case_id}"
    ]
    assert [(e.actor, e.subject, e.detail) for e in personal_reads] == [
        ("analyst@de-bka.example", f"case {case_id}", f"item {ranking.id}")
    ]
    plain_reads = list_audit(demo, local_operator(), action="case.read").items
    assert {(e.actor, e.detail) for e in plain_reads} >= {
        ("viewer@de-bka.example", f"item {host_item.id}"),
        ("viewer@de-bka.example", f"item {withheld.id}"),
    }


def test_findings_that_name_one_thing_need_their_reference(demo: AppContext) -> None:
    analyst = agency_actor(demo, "NL-POL")
    case_id = cases.open_case(demo, analyst, "References").id
    for kind in ("leak", "release", "group", "host", "targets"):
        for empty in ("", "   "):
            with pytest.raises(InputError) as refused:
                case_items.add_finding(demo, analyst, case_id, kind, empty)
            assert refused.value.field == "reference", kind
    # a name that strips to nothing matches no host (not one without reverse DNS)
    assert not all(h.reverse_dns for h in hosts.host_list(demo).hosts)
    for nothing in (".", " .. "):
        with pytest.raises(NotFoundError) as no_host:
            case_items.add_finding(demo, analyst, case_id, "host", nothing)
        assert no_host.value.kind == "host"
    # a country without servers has no target sheet to freeze
    with pytest.raises(NotFoundError) as no_sheet:
        case_items.add_finding(demo, analyst, case_id, "targets", "aq")
    assert (no_sheet.value.kind, no_sheet.value.key) == ("targets", "AQ")
    assert events(demo, case_id) == ["case.opened"]


def test_add_items_writes_all_or_nothing_in_the_order_given(demo: AppContext) -> None:
    analyst = agency_actor(demo, "NL-POL")
    case_id = cases.open_case(demo, analyst, "All or nothing").id
    leak = list_leaks(demo, analyst, LeakQuery(limit=1)).items[0]
    blobs = _blobs(demo)
    Add = case_items.AddRequest
    for requests in (
        [Add("leak", str(leak.id)), Add("release", "No.Such.Release-NOBODY")],
        [
            Add("note", text="first"),
            Add("file", name="a.txt", content=io.BytesIO(b"a")),
            Add("group", "NOSUCHGROUP"),
        ],
        [Add("leak", str(leak.id)), Add("note", text="bell\x07")],
        [Add("note", text="fine"), Add("file", name="../", content=io.BytesIO(b"a"))],
        [Add("file", name="a.txt")],
        [Add("dossier", "x")],
        [],
    ):
        with pytest.raises((InputError, NotFoundError)):
            case_items.add_items(demo, analyst, case_id, requests, reason="r")
        assert events(demo, case_id) == ["case.opened"]
        assert _blobs(demo) == blobs
    added = case_items.add_items(
        demo,
        analyst,
        case_id,
        [
            Add("note", text="before\r\nthe leak"),
            Add("leak", f" {leak.id} "),
            Add("file", name="C:\\seized\\log.txt", content=io.BytesIO(b"log")),
            Add("note", text="after"),
        ],
        reason="one go",
    )
    assert [n.text for n in added.notes] == ["before\nthe leak", "after"]
    assert [(i.kind, i.reference, i.reason) for i in added.items] == [
        ("leak", str(leak.id), "one go"),
        ("file", "log.txt", "one go"),
    ]
    assert events(demo, case_id) == [
        "case.opened",
        "note.added",
        "item.added",
        "item.added",
        "note.added",
    ]
    assert [added.notes[0].entry_seq, *(i.entry_seq for i in added.items)] == [1, 2, 3]
    assert added.notes[1].entry_seq == 4
