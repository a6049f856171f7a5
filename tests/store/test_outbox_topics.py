"""store.outbox topic events (action days) on SQLite and PostgreSQL: they round-trip in id
order per topic, they never reach a sink (plan_deliveries, the dispatcher, the delivery
counts of ``leaktrace sources``), and a reader polling ``topic_events(after=last)`` while
several threads and a process change one operation at once sees every event exactly once,
in increasing id order. On PostgreSQL an alert committed after a newer topic event must
still reach the sinks."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leaktrace.alerts.base import AlertEvent, SinkConfig
from leaktrace.config import load_settings
from leaktrace.detect.rules import Severity
from leaktrace.errors import ConflictError
from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import operation_changes as changes
from leaktrace.services import operations
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_events import events_after, topic
from leaktrace.services.sources import sources_health
from leaktrace.store import outbox
from leaktrace.store.database import Database
from leaktrace.store.schema import ALERT_EVENTS, DELIVERIES
from leaktrace.watch.dispatcher import Dispatcher
from tests.services.operation_setup import op_world, postgres_copy, sqlite_copy, sqlite_ctx
from tests.watch.conftest import MemorySink

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(sqlite_copy(tmp_path)) as db:
            yield db
        return
    for target in postgres_copy(request.getfixturevalue("postgres_url")):
        with Database(target) as db:
            yield db


def _alert(n: int, kind: str = "leak") -> AlertEvent:
    return AlertEvent(
        key=f"alert-{n}",
        kind=kind,  # type: ignore[arg-type]
        created_at=NOW,
        severity=Severity.HIGH,
        window="theatrical",
        work_id="w1",
        payload={"n": n},
    )


def _topic_event(conn: object, topic_name: str, n: int) -> int:
    return outbox.enqueue_topic_event(
        conn,  # type: ignore[arg-type]
        key=f"{topic_name}-{n}",
        topic=topic_name,
        payload={"type": "status", "n": n, "label": "ünï"},
        created_at=NOW + timedelta(seconds=n),
    )


def test_topic_events_round_trip_per_topic(database: Database) -> None:
    with database.transaction() as conn:
        assert outbox.topic_head(conn, "operation:1") == 0
        assert outbox.topic_events(conn, "operation:1") == []
        ids: dict[str, list[int]] = {"operation:1": [], "operation:2": []}
        for n in range(12):
            name = "operation:1" if n % 3 else "operation:2"
            ids[name].append(_topic_event(conn, name, n))
            outbox.enqueue_events(conn, [_alert(n)], [None])
    with database.reading() as conn:
        one = outbox.topic_events(conn, "operation:1")
        assert [e.id for e in one] == ids["operation:1"] == sorted(ids["operation:1"])
        assert one[0] == outbox.TopicEvent(
            id=ids["operation:1"][0],
            topic="operation:1",
            created_at=NOW + timedelta(seconds=1),
            payload={"type": "status", "n": 1, "label": "ünï"},
        )
        assert [e.payload["n"] for e in outbox.topic_events(conn, "operation:2")] == [0, 3, 6, 9]
        after = ids["operation:1"][2]
        assert [e.id for e in outbox.topic_events(conn, "operation:1", after=after)] == ids[
            "operation:1"
        ][3:]
        assert [e.id for e in outbox.topic_events(conn, "operation:1", after=0, limit=2)] == ids[
            "operation:1"
        ][:2]
        assert outbox.topic_events(conn, "operation:1", after=ids["operation:1"][-1]) == []
        assert outbox.topic_head(conn, "operation:1") == ids["operation:1"][-1]
        assert outbox.topic_head(conn, "operation:2") == ids["operation:2"][-1]
        assert [e.id for e in outbox.latest_topic_events(conn, "operation:1", 3)] == ids[
            "operation:1"
        ][-3:]
        assert outbox.topic_events(conn, "operation:3") == []
        assert outbox.topic_events(conn, "operation:") == []  # no prefix matching
        # alert events have no topic
        kinds = conn.execute(
            select(ALERT_EVENTS.c.kind, func.count())
            .where(ALERT_EVENTS.c.topic.is_(None))
            .group_by(ALERT_EVENTS.c.kind)
        ).all()
        assert dict(kinds) == {"leak": 12}


def test_topic_events_are_never_planned_for_sinks(database: Database) -> None:
    with database.transaction() as conn:
        # a backfilling sink starts at 0; another registered before anything happened
        outbox.sink_cursor(conn, "late", backfill=False)
        for n in range(5):
            _topic_event(conn, "operation:1", n)
        outbox.enqueue_events(conn, [_alert(1), _alert(2, "nuke")], [None, None])
        for n in range(5, 1010):  # more than a page (1000) of topic events after the alerts
            _topic_event(conn, "operation:1", n)
        outbox.enqueue_events(conn, [_alert(3)], [None])
    with database.transaction() as conn:
        while True:  # page by page until the cursor stops moving (as the dispatcher)
            before = outbox.sink_cursor(conn, "all", backfill=True)
            outbox.plan_deliveries(conn, "all", lambda e: True, backfill=True)
            if outbox.sink_cursor(conn, "all", backfill=True) == before:
                break
        end = conn.execute(select(func.max(ALERT_EVENTS.c.id))).scalar_one()
        assert before == end  # past every event
        late = 0
        for _ in range(3):
            late += outbox.plan_deliveries(conn, "late", lambda e: True)
        seen = conn.execute(
            select(ALERT_EVENTS.c.kind)
            .select_from(DELIVERIES.join(ALERT_EVENTS, DELIVERIES.c.event_id == ALERT_EVENTS.c.id))
            .where(DELIVERIES.c.sink == "all")
            .order_by(ALERT_EVENTS.c.id)
        ).scalars()
        assert list(seen) == ["leak", "nuke", "leak"]
        assert late == 3
        # every delivery anyone could attempt is an alert
        due = outbox.due_deliveries(conn, ["all", "late"], NOW + timedelta(days=3650))
        assert sorted(d.event.key for d in due) == sorted(["alert-1", "alert-2", "alert-3"] * 2)
        assert outbox.event_counts(conn) == {"all": {"pending": 3}, "late": {"pending": 3}}


def _ctx(target: str) -> Iterator[AppContext]:
    with build_context(load_settings(db=target)) as context:
        yield context


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    if request.param == "sqlite":
        yield from sqlite_ctx(tmp_path)
        return
    for target in postgres_copy(request.getfixturevalue("postgres_url")):
        yield from _ctx(target)


def test_the_dispatcher_and_sources_never_see_operation_events(ctx: AppContext) -> None:
    sink = MemorySink()
    dispatcher = Dispatcher(ctx.database, [(SinkConfig(name="memory", kind="memory"), sink)])
    dispatcher.register()
    w = op_world(ctx)
    changes.change_status(ctx, w.coordinator, w.operation_id, w.targets["h4x"], "go")
    with ctx.database.transaction() as conn:
        outbox.enqueue_events(conn, [_alert(1)], [None])
    changes.raise_issue(ctx, w.nl, w.operation_id, w.targets["h4x"], "warrant missing")
    assert dispatcher.plan() == 1
    dispatcher.deliver_all_due()
    assert [e.key for e in sink.events] == ["alert-1"]
    assert sources_health(ctx, local_operator()).deliveries == {"memory": {"delivered": 1}}
    # a sink added later with backfill gets the alerts of the whole outbox, still no event
    backfill = MemorySink("everything")
    again = Dispatcher(
        ctx.database,
        [(SinkConfig(name="everything", kind="memory", backfill=True), backfill)],
    )
    again.register()
    again.plan()
    again.deliver_all_due()
    assert [e.key for e in backfill.events] == ["alert-1"]
    assert len(events_after(ctx, w.coordinator, w.operation_id)) >= 7


# --- ordering under concurrent writers (both backends) ------------------------------------

WRITERS = 3
"""Writer threads; one more writer runs in a process of its own."""
PER_WRITER = 3


def _writer(
    ctx: AppContext,
    operation_id: int,
    labels: list[str],
    errors: list[BaseException],
    conflicts: list[int],
) -> None:
    actor = local_operator()
    rng = random.Random(labels[0])
    try:
        steps = [(label, status) for status in ("go", "in-progress") for label in labels]
        steps += [(label, "done") for label in labels]
        for label, status in steps:
            changes.change_status(ctx, actor, operation_id, label, status, note=f"{label} {status}")
            if rng.random() < 0.5:
                changes.check_item(ctx, actor, operation_id, label, "search")
            if rng.random() < 0.3:
                issue = changes.raise_issue(ctx, actor, operation_id, label, "moved?")
                changes.resolve_issue(ctx, actor, operation_id, issue.id, "no")
            # everyone also fights over one shared target: exactly one move wins each time
            try:
                changes.change_status(ctx, actor, operation_id, "shared.example", "aborted")
            except ConflictError:
                conflicts.append(1)
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def _process_writer(url: str, operation_id: int, labels: list[str], results: Any) -> None:
    """:func:`_writer` in a process of its own (spawned: a fork of a test process that runs
    threads can inherit a lock held by one of them and hang)."""
    errors: list[BaseException] = []
    conflicts: list[int] = []
    with build_context(load_settings(db=url)) as ctx:
        _writer(ctx, operation_id, labels, errors, conflicts)
    results.put((repr(errors[0]) if errors else None, len(conflicts)))


def test_concurrent_writers_reader_sees_every_event_once_in_order(ctx: AppContext) -> None:
    context = ctx
    operator = local_operator()
    w = op_world(context, name="Concurrent")
    other = op_world(context, name="Elsewhere")  # another topic in the same sequence
    labels = [[f"w{i}-t{j}.example" for j in range(PER_WRITER)] for i in range(WRITERS + 1)]
    for label in [x for group in labels for x in group] + ["shared.example"]:
        operations.add_target(
            context, operator, w.operation_id, operations.NewTarget(TargetKind.server, label)
        )
    operations.add_target(
        context, operator, other.operation_id, operations.NewTarget(TargetKind.server, "o.ex")
    )
    name = topic(w.operation_id)
    with context.database.reading() as conn:
        last = outbox.topic_head(conn, name)
        before = outbox.topic_events(conn, name)
    seen: list[int] = [e.id for e in before]
    errors: list[BaseException] = []
    conflicts: list[int] = []
    done = threading.Event()

    def read() -> None:
        nonlocal last
        deadline = time.monotonic() + 300  # never outlive the test, even a failed one
        try:
            while time.monotonic() < deadline:
                finished = done.is_set()
                with context.database.reading() as conn:
                    found = outbox.topic_events(conn, name, after=last, limit=7)
                for event in found:
                    assert event.id > last
                    seen.append(event.id)
                    last = event.id
                if finished and not found:
                    return
                if not found:
                    time.sleep(0.001)  # let the writers have the GIL
            errors.append(TimeoutError("the reader did not finish"))
        except BaseException as exc:
            errors.append(exc)

    def disturb() -> None:
        for status in ("go", "in-progress", "done"):
            changes.change_status(context, operator, other.operation_id, "o.ex", status)

    reader = threading.Thread(target=read, daemon=True)
    writers = [
        threading.Thread(target=_writer, args=(context, w.operation_id, group, errors, conflicts))
        for group in labels[:WRITERS]
    ]
    everyone = [*writers, threading.Thread(target=disturb)]
    spawned = multiprocessing.get_context("spawn")
    results = spawned.Queue()
    process = spawned.Process(
        target=_process_writer,
        args=(context.settings.db, w.operation_id, labels[WRITERS], results),
    )
    process.start()
    reader.start()
    try:
        for thread in everyone:
            thread.start()
        for thread in everyone:
            thread.join(120)
        error, lost = results.get(timeout=120)
        process.join(30)
        assert error is None and process.exitcode == 0, error
        conflicts.extend([1] * lost)
    finally:
        done.set()  # the reader ends whatever happened above
        if process.is_alive():
            process.kill()
    reader.join(120)
    assert not errors, errors
    with context.database.reading() as conn:
        everything = [e.id for e in outbox.topic_events(conn, name, limit=100_000)]
    # every event, once, in order: an event committed after the reader had passed its id
    # (a lower id made visible late) would be missing from ``seen``
    assert seen == everything
    assert len(set(seen)) == len(seen)
    # one created, targets, 3 status changes per target, the checks, one abort
    statuses = [
        e
        for e in events_after(context, operator, w.operation_id, limit=100_000)
        if e.type == "status"
    ]
    assert len(statuses) == (WRITERS + 1) * PER_WRITER * 3 + 1
    assert len(conflicts) == (WRITERS + 1) * PER_WRITER * 3 - 1


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    for target in postgres_copy(postgres_url):
        with Database(target) as db:
            yield db


def test_an_alert_committed_after_a_newer_topic_event_still_reaches_the_sinks(
    pg_db: Database,
) -> None:
    sink = MemorySink()
    dispatcher = Dispatcher(pg_db, [(SinkConfig(name="memory", kind="memory"), sink)])
    dispatcher.register()
    with pg_db.engine.connect() as ingest:  # the watcher's batch, still open
        ingest.begin()
        outbox.enqueue_events(ingest, [_alert(1)], [None])
        with pg_db.transaction() as web:  # a status change on an action day, committed
            _topic_event(web, "operation:1", 1)
        dispatcher.plan()  # meanwhile the dispatcher plans
        ingest.commit()
    dispatcher.plan()
    dispatcher.deliver_all_due()
    assert [e.key for e in sink.events] == ["alert-1"]


def test_control_an_alert_committed_late_without_topic_events_reaches_the_sinks(
    pg_db: Database,
) -> None:
    """The same as above without the topic event: the alert is delivered (the one writer
    of alerts commits them in id order)."""
    sink = MemorySink()
    dispatcher = Dispatcher(pg_db, [(SinkConfig(name="memory", kind="memory"), sink)])
    dispatcher.register()
    with pg_db.engine.connect() as ingest:
        ingest.begin()
        outbox.enqueue_events(ingest, [_alert(1)], [None])
        dispatcher.plan()
        ingest.commit()
    dispatcher.plan()
    dispatcher.deliver_all_due()
    assert [e.key for e in sink.events] == ["alert-1"]
