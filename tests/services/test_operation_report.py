"""services.operation_report: the after-action report of an action day (self-contained
printable HTML: handling banners, H-hour per agency, per-country outcome, counters, issues
open first, the timeline of every change from the case's evidence log and the log size
and root it reflects) and its addition to the case as evidence (0600 file, never
half-written, refused before anything is written for those who may not add to the case)."""

from __future__ import annotations

import io
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.config import load_settings
from leaktrace.errors import ConflictError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.identity.roles import Permission
from leaktrace.operations.model import TargetKind
from leaktrace.services import (
    case_items,
    case_log,
    case_timeline,
    cases,
    identity,
    operation_changes,
    operation_report,
    operations,
)
from leaktrace.services.case_access import case_access
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operations import NewTarget
from leaktrace.store.evidence_log import entries
from leaktrace.store.schema_access import AUDIT_LOG
from tests.services.test_leaks import agency_actor

OPERATOR = local_operator()


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "ops.db"))) as context:
        yield context


@pytest.fixture(params=["sqlite", "postgresql"])
def any_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    if request.param == "sqlite":
        target = str(tmp_path / "ops.db")
    else:
        target = request.getfixturevalue("postgres_database")
    with build_context(load_settings(db=target)) as context:
        yield context


@dataclass
class World:
    ctx: AppContext
    case_id: int
    op_id: int
    lead: Actor
    """NL-POL: case lead, operation participant."""
    member: Actor
    """DE-BKA: case member, operation participant."""
    case_observer: Actor
    """FR-PJ: case observer, operation participant."""
    outside_case: Actor
    """ES-PN: operation participant, not in the case."""
    stranger: Actor
    """IT-CC: in neither."""


def make_world(ctx: AppContext) -> World:
    for code, country in (
        ("NL-POL", "NL"),
        ("DE-BKA", "DE"),
        ("FR-PJ", "FR"),
        ("ES-PN", "ES"),
        ("IT-CC", "IT"),
    ):
        identity.add_agency(ctx, OPERATOR, code=code, name=f"{code} police", country=country,
                            kind="police")  # fmt: skip
    lead = agency_actor(ctx, "NL-POL")
    case_id = cases.open_case(ctx, lead, "Operation Tinsel").id
    cases.add_member(ctx, lead, case_id, "DE-BKA", "member")
    cases.add_member(ctx, lead, case_id, "FR-PJ", "observer")
    op = operations.create_operation(
        ctx,
        lead,
        case_id=case_id,
        name="Day <One>",
        day="2026-03-01",
        h_hour="06:00",
        agencies=["DE-BKA=Europe/Berlin", "FR-PJ", "ES-PN", "NL-POL:coordinator"],
        handling="H1",
        targets=[
            NewTarget(TargetKind.server, "198.51.100.7", country="DE", group="EMBERS"),
            NewTarget(TargetKind.server, "203.0.113.9", country="FR"),
            NewTarget(
                TargetKind.person,
                "zed<script>x()</script>",
                country="NL",
                real_name="Johannes Geheim",
            ),  # fmt: skip
            NewTarget(TargetKind.premises, "Warehouse 4, Calle Mayor", country="ES"),
        ],
    )
    return World(
        ctx=ctx,
        case_id=case_id,
        op_id=op.id,
        lead=lead,
        member=agency_actor(ctx, "DE-BKA"),
        case_observer=agency_actor(ctx, "FR-PJ"),
        outside_case=agency_actor(ctx, "ES-PN"),
        stranger=agency_actor(ctx, "IT-CC"),
    )


def play_the_day(w: World) -> tuple[int, int]:
    """Moves, outcomes, checks and issues (one resolved, one open); (open, resolved) ids."""
    ctx, op = w.ctx, w.op_id
    for status in ("go", "in-progress"):
        operation_changes.change_status(ctx, w.member, op, "198.51.100.7", status)
    operation_changes.change_status(
        ctx, w.member, op, "198.51.100.7", "done", note="two racks <b>bold</b>",
        outcome={"seized": 2, "offline": True},
    )  # fmt: skip
    operation_changes.check_item(ctx, w.member, op, "198.51.100.7", "seizure", reference="EX-1")
    for status in ("go", "in-progress"):
        operation_changes.change_status(ctx, w.case_observer, op, "203.0.113.9", status)
    operation_changes.change_status(
        ctx, w.case_observer, op, "203.0.113.9", "failed",
        outcome={"moved_to": "another provider <i>"},
    )  # fmt: skip
    resolved = operation_changes.raise_issue(ctx, w.case_observer, op, "203.0.113.9", "moved")
    operation_changes.resolve_issue(ctx, w.lead, op, resolved.id, "we <em>followed</em> it")
    still_open = operation_changes.raise_issue(
        ctx, w.member, op, "Warehouse 4, Calle Mayor", "warrant <script>alert(1)</script> missing"
    )
    operation_changes.check_item(ctx, w.lead, op, 3, "arrest")
    return still_open.id, resolved.id


def log_entries(ctx: AppContext, case_id: int) -> list[dict[str, object]]:
    with ctx.database.reading() as conn:
        return [json.loads(e.entry) for e in entries(conn, case_id)]


def rows_of(html: str, section: str) -> list[str]:
    """The ``<tr>`` rows of the table after ``<h2 id="section">``."""
    start = html.index(f'<h2 id="{section}">')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.S)


def test_the_report_states_the_day_its_outcome_and_the_log_it_reflects(
    any_ctx: AppContext,
) -> None:
    ctx = any_ctx
    w = make_world(ctx)
    open_id, resolved_id = play_the_day(w)
    html = operation_report.render_report(ctx, w.member, w.op_id)

    assert "After-action report: Day &lt;One&gt;" in html
    assert "2026-03-01" in html and "2026-03-01 06:00 UTC" in html
    # H-hour per agency, in its own zone
    assert "2026-03-01 07:00 CET (UTC+01:00)" in html  # DE-BKA, Europe/Berlin
    assert "Europe/Madrid" in html  # ES-PN: its country's zone
    # the handling code at the top and the bottom, on screen and on every printed page
    # (the page's layout table: its head and foot repeat on every printed page)
    layout = html.index('<table class="layout"')
    assert layout < html.index('<thead><tr><td><div class="handling" id="handling-top">')
    assert html.index('id="handling-top"') < html.index("<main>")
    assert html.index("</main>") < html.index("<tfoot>") < html.index('id="handling-bottom"')
    assert html.count("HANDLING H1") == 2
    assert "not for judicial proceedings" in html

    # per-country outcome: DE one done and two seized; FR one failed and moved
    countries = {
        re.sub(r"<[^>]+>", "|", row).split("|")[2]: row for row in rows_of(html, "countries")
    }
    cells = lambda row: [c for c in re.sub(r"<[^>]+>", "|", row).split("|") if c]  # noqa: E731
    assert cells(countries["DE Germany"]) == ["DE Germany", "done", "1", "0", "0", "0", "1", "0",
                                               "0", "2", "0", "1", "0"]  # fmt: skip
    assert cells(countries["FR France"])[-4:] == ["0", "0", "0", "1"]
    assert cells(countries["FR France"])[1] == "failed"  # the tile's state, in words
    assert cells(countries["FR France"])[7] == "1"  # failed
    # the tiles are the board's (services.operation_board.countries)
    board = operation_board(ctx, w.member, w.op_id)
    assert [c.country for c in board.countries] == [
        cells(row)[0].split()[0] for row in rows_of(html, "countries")
    ]
    # counters: seized 2, one arrest (checked on the person), one open issue
    assert re.search(r"Servers seized</div><div class=\"value\">2<", html)
    assert re.search(r"Arrests</div><div class=\"value\">1<", html)
    assert re.search(r"Open issues</div><div class=\"value\">1<", html)

    # issues: the open one first, then the resolved one
    issues = rows_of(html, "issues")
    assert [re.search(r'<td class="num">(\d+)</td>', r).group(1) for r in issues] == [  # type: ignore[union-attr]
        str(open_id),
        str(resolved_id),
    ]
    assert "issue-open" in issues[0] and "issue-resolved" in issues[1]

    # the timeline: every operation entry of the log, in order, with its number and hash
    log = log_entries(ctx, w.case_id)
    ours = [e for e in log if str(e["event"]).startswith("operation.")]
    timeline = rows_of(html, "timeline")
    assert len(timeline) == len(ours) == 1 + 4 + 3 + 1 + 3 + 2 + 1 + 1
    assert [int(re.search(r'<td class="num">(\d+)</td>', r).group(1)) for r in timeline] == [  # type: ignore[union-attr]
        e["seq"] for e in ours
    ]
    assert "planned → go" in html and "in-progress → done (seized 2, offline): two racks" in html

    # the log size and root the report reflects: the case's head when it was written
    with ctx.database.reading() as conn:
        head = case_log.tree_head_view(conn, w.case_id)
    assert head.tree_size == len(log)
    assert f'<strong id="tree-size">{head.tree_size}</strong>' in html
    assert f'<code id="root-hash">{head.root_hash}</code>' in html

    # no real names, no outside assets, nothing that runs
    assert "Johannes" not in html and "Geheim" not in html
    assert not re.search(r"<script|<link|<img|src=|https?://", html, flags=re.I)


def test_the_timeline_words_are_the_case_timeline_s(ctx: AppContext) -> None:
    """The report's Change column and ``case show`` word an entry the same way (one
    formatter): a checklist item cleared again says "cleared", not "checked"."""
    w = make_world(ctx)
    for undo in (False, True):
        operation_changes.check_item(
            ctx, w.member, w.op_id, "198.51.100.7", "seizure", reference="EX-1", undo=undo
        )
    html = operation_report.render_report(ctx, w.member, w.op_id)
    rows = rows_of(html, "timeline")
    assert "<td>198.51.100.7</td><td>Checklist: seizure checked: EX-1</td>" in rows[-2]
    assert "<td>198.51.100.7</td><td>Checklist: seizure cleared</td>" in rows[-1]
    with ctx.database.reading() as conn:
        words = [e.summary for e in case_timeline.timeline(conn, w.case_id)]
    assert words[-1] == "[Day <One> \u00b7 H1] 198.51.100.7: Checklist: seizure cleared"


def names_audited(ctx: AppContext) -> int:
    with ctx.database.reading() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(AUDIT_LOG)
                .where(AUDIT_LOG.c.action == "operation.names")
            ).scalar_one()
        )


def test_no_real_name_is_read_for_the_report(ctx: AppContext) -> None:
    """The lead coordinates and holds read:personal (its board shows the name, audited);
    its report has no name and reading it for the report audits none."""
    w = make_world(ctx)
    person = next(t for t in operation_board(ctx, w.lead, w.op_id).targets if t.kind == "person")
    assert person.real_name == "Johannes Geheim" and names_audited(ctx) == 1
    html = operation_report.render_report(ctx, w.lead, w.op_id)
    assert "Johannes" not in html and "Geheim" not in html
    assert names_audited(ctx) == 1
    assert operation_report.names_withheld(w.lead).can(Permission.write_cases)
    assert not operation_report.names_withheld(w.lead).can(Permission.read_personal)


def test_the_timeline_is_the_operation_s_by_its_id(ctx: AppContext) -> None:
    """Entries are the operation's by ``operation_id`` (another operation of the case,
    or an entry that names the operation but carries another id, are not); an entry
    from before ``operation_id`` was written falls back to the name."""
    w = make_world(ctx)
    other = operations.create_operation(
        ctx, w.lead, case_id=w.case_id, name="Day two", day="2026-03-02", h_hour="06:00",
        agencies=["NL-POL:coordinator"],
        targets=[NewTarget(TargetKind.server, "192.0.2.77", country="NL")],
    )  # fmt: skip
    operation_changes.change_status(ctx, w.lead, other.id, "192.0.2.77", "go")
    with case_log.writing(ctx) as conn:
        case = case_access(conn, w.lead, w.case_id, "write")
        for data in (
            {"operation": "Day <One>", "operation_id": other.id, "target": "192.0.2.88",
             "issue": 98, "text": "same name, other id"},
            {"operation": "Day <One>", "target": "192.0.2.99", "issue": 99,
             "text": "an entry from before operation_id"},
            {"operation": "Day two", "target": "192.0.2.66", "issue": 97,
             "text": "old entry of the other operation"},
        ):  # fmt: skip
            case_log.append_event(conn, ctx, case, w.lead, "operation.issue", data)
    html = operation_report.render_report(ctx, w.lead, w.op_id)
    targets = [re.findall(r"<td>([^<]*)</td>", row)[2] for row in rows_of(html, "timeline")]
    assert targets == [""] + ["198.51.100.7", "203.0.113.9", "zed&lt;script&gt;x()&lt;/script&gt;",
                              "Warehouse 4, Calle Mayor"] + ["192.0.2.99"]  # fmt: skip
    assert "an entry from before operation_id" in html
    for theirs in ("192.0.2.77", "same name, other id", "old entry of the other operation"):
        assert theirs not in html


def test_user_text_is_escaped_everywhere(ctx: AppContext) -> None:
    w = make_world(ctx)
    play_the_day(w)
    html = operation_report.render_report(ctx, w.lead, w.op_id)
    assert "<script" not in html.lower()
    for raw, shown in (
        ("warrant <script>alert(1)</script> missing",
         "warrant &lt;script&gt;alert(1)&lt;/script&gt; missing"),
        ("zed<script>x()</script>", "zed&lt;script&gt;x()&lt;/script&gt;"),
        ("two racks <b>bold</b>", "two racks &lt;b&gt;bold&lt;/b&gt;"),
        ("we <em>followed</em> it", "we &lt;em&gt;followed&lt;/em&gt; it"),
        ("another provider <i>", "another provider &lt;i&gt;"),
        ("Day <One>", "Day &lt;One&gt;"),
    ):  # fmt: skip
        assert raw not in html
        assert shown in html


def test_report_to_case_writes_a_private_file_and_adds_the_same_bytes_as_evidence(
    ctx: AppContext, tmp_path: Path
) -> None:
    w = make_world(ctx)
    play_the_day(w)
    before = log_entries(ctx, w.case_id)
    out = tmp_path / "reports" / "day-one.html"
    view = operation_report.report_to_case(ctx, w.member, w.op_id, out)

    assert (view.operation_id, view.case_id, view.path) == (w.op_id, w.case_id, str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert (view.bytes, len(data)) == (len(data), len(data))
    assert [p.name for p in out.parent.iterdir()] == ["day-one.html"]  # no temporary left
    item, stored = case_items.item_content(ctx, w.lead, w.case_id, view.item_id or 0)
    assert stored == data and item.sha256 == view.sha256
    assert re.fullmatch(
        rf"operation-{w.op_id}-report-\d{{8}}T\d{{6}}Z\.html", item.original_name or ""
    )
    assert item.added_by == "analyst@de-bka.example"

    after = log_entries(ctx, w.case_id)
    assert len(after) == len(before) + 1
    added = after[-1]
    assert added["event"] == "item.added" and added["sha256"] == [view.sha256]
    # the report reflects the log as it was before its own entry
    assert f'<strong id="tree-size">{len(before)}</strong>' in data.decode()


def test_without_out_the_report_is_only_added_to_the_case(ctx: AppContext) -> None:
    w = make_world(ctx)
    view = operation_report.report_to_case(ctx, OPERATOR, w.op_id, None)
    assert view.item_id is not None and view.path.startswith(f"operation-{w.op_id}-report-")
    assert log_entries(ctx, w.case_id)[-1]["event"] == "item.added"
    assert log_entries(ctx, w.case_id)[-1]["actor"] == {"name": OPERATOR.name, "agency": None}


def test_who_may_not_add_to_the_case_gets_nothing_written(ctx: AppContext, tmp_path: Path) -> None:
    w = make_world(ctx)
    size = len(log_entries(ctx, w.case_id))
    out = tmp_path / "r.html"
    # a participant of the operation that is not a member of the case: it may print it
    assert "After-action report" in operation_report.render_report(ctx, w.outside_case, w.op_id)
    with pytest.raises(PermissionDeniedError, match="not a member of case"):
        operation_report.report_to_case(ctx, w.outside_case, w.op_id, out)
    # an observer of the case
    with pytest.raises(PermissionDeniedError):
        operation_report.report_to_case(ctx, w.case_observer, w.op_id, out)
    # an agency in neither: the operation does not exist for it
    for call in (
        lambda: operation_report.render_report(ctx, w.stranger, w.op_id),
        lambda: operation_report.report_to_case(ctx, w.stranger, w.op_id, out),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.kind == "operation"
    assert not out.exists() and len(log_entries(ctx, w.case_id)) == size
    # a closed case refuses, also the local operator
    cases.set_status(ctx, w.lead, w.case_id, "closed")
    size = len(log_entries(ctx, w.case_id))
    with pytest.raises(ConflictError):
        operation_report.report_to_case(ctx, OPERATOR, w.op_id, out)
    assert not out.exists() and list(tmp_path.glob(".r.html-*")) == []
    assert len(log_entries(ctx, w.case_id)) == size


def test_a_failure_while_adding_leaves_no_file(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(ctx)
    out = tmp_path / "r.html"
    out.write_text("the old report")

    def refuse(*args: object, **kwargs: object) -> object:
        raise ConflictError("the database said no")

    monkeypatch.setattr(case_items, "add_file", refuse)
    with pytest.raises(ConflictError):
        operation_report.report_to_case(ctx, OPERATOR, w.op_id, out)
    assert out.read_text() == "the old report"  # the old file as it was
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r.html")) == []


def test_the_report_of_an_operation_without_changes_and_the_items_content(ctx: AppContext) -> None:
    w = make_world(ctx)
    html = operation_report.render_report(ctx, OPERATOR, w.op_id)
    assert "no issues were raised" in html
    assert "<title>H1 - After-action report: Day &lt;One&gt; (2026-03-01)</title>" in html
    # a file item is bytes: reading it back gives exactly what was rendered then
    view = operation_report.report_to_case(ctx, OPERATOR, w.op_id, None)
    _, data = case_items.item_content(ctx, OPERATOR, w.case_id, view.item_id or 0)
    assert io.BytesIO(data).read().startswith(b"<!DOCTYPE html>")


def test_a_change_during_the_reads_is_read_again_not_half_shown(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's rows and its log size are of one moment: a change that commits while
    they are read makes them be read again (here: a move committed right after the
    first read of the targets)."""
    w = make_world(ctx)
    real = operation_report.operation_board
    calls: list[int] = []

    def board_then_a_change(context: AppContext, actor: Actor, operation_id: int) -> object:
        found = real(context, actor, operation_id)
        calls.append(operation_id)
        if len(calls) == 1:
            operation_changes.change_status(ctx, w.member, w.op_id, "198.51.100.7", "go")
        return found

    monkeypatch.setattr(operation_report, "operation_board", board_then_a_change)
    html = operation_report.render_report(ctx, w.lead, w.op_id)
    assert len(calls) >= 2
    size = len(log_entries(ctx, w.case_id))
    assert f'<strong id="tree-size">{size}</strong>' in html
    assert "planned → go" in html  # in the timeline ...
    assert 'status-go">go</td>' in html  # ... and in the target's row


BANNER_FILL = re.compile(rb"\.498 \.1137 \.1137 rg")
"""The handling banner's colour (#7f1d1d) as chromium's PDF sets it."""


def test_the_handling_code_is_on_top_and_bottom_of_every_printed_page(
    ctx: AppContext, tmp_path: Path
) -> None:
    """Printed by chromium (Debian's, through Playwright) to PDF: every page's content
    paints the banner twice (the layout table's head and foot repeat on each page)."""
    import zlib

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    w = make_world(ctx)
    for number in range(60):  # enough rows for several pages
        operations.add_target(
            ctx, w.lead, w.op_id, NewTarget(TargetKind.server, f"192.0.2.{number}", country="DE")
        )
    page_file = tmp_path / "report.html"
    page_file.write_text(operation_report.render_report(ctx, w.lead, w.op_id))
    pdf_file = tmp_path / "report.pdf"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.pdf(path=str(pdf_file), format="A4")
        finally:
            browser.close()
    data = pdf_file.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    contents = []
    # each stream is cut by its dictionary's /Length (chromium writes it directly); a
    # search for the "endstream" after it would lose a stream whose data ends in "\r"
    for found in re.finditer(rb"/Length (\d+)>>\s*stream\r?\n", data):
        raw = data[found.end() : found.end() + int(found.group(1))]
        try:
            stream = zlib.decompress(raw)
        except zlib.error:
            continue
        if b"BT" in stream and b" rg" in stream:  # a page's drawing, not a font
            contents.append(stream)
    assert pages >= 3
    assert len(contents) == pages
    assert [len(BANNER_FILL.findall(c)) for c in contents] == [2] * pages


def test_a_reader_outside_the_case_sees_agencies_not_users_nor_the_case_title(
    ctx: AppContext,
) -> None:
    """An agency never sees another agency's users, nor a case it is not a member of:
    the report of a participant outside the case names who acted by agency only."""
    w = make_world(ctx)
    play_the_day(w)
    inside = operation_report.render_report(ctx, w.lead, w.op_id)
    outside = operation_report.render_report(ctx, w.outside_case, w.op_id)
    assert "Operation Tinsel" in inside and "Operation Tinsel" not in outside
    users = {str(e["actor"]["name"]) for e in log_entries(ctx, w.case_id)}  # type: ignore[index]
    assert users and all("@" in u for u in users)
    assert any(u in inside for u in users)
    assert not any(u in outside for u in users)
    assert "DE-BKA" in outside  # who acted, by agency
