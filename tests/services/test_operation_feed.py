"""The live feed of action days (services.operation_feed): the per-process hub's
subscribers get the stored events after their resume point and then the live ones, in
order, each once, while changes are made concurrently; overflow ends a subscriber (which
resumes without loss); pollers stop with their last subscriber; the terminal board's
synchronous follower; the resume point parser (outside data: hypothesis)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import aclosing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.config import load_settings
from leaktrace.errors import (
    AuthenticationError,
    InputError,
    NotFoundError,
    RateLimitedError,
    StoreError,
)
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_events import events_after
from leaktrace.services.operation_feed import (
    MAX_EVENT_ID,
    NOTIFY_CHANNEL,
    AccessWithdrawn,
    OperationFeed,
    SubscriptionEnded,
    follow,
    resume_point,
)
from tests.services.operation_live_world import LiveWorld, actor_of, make_world, walk


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "feed.db"))) as context:
        yield context


@pytest.fixture
def world(ctx: AppContext) -> LiveWorld:
    return make_world(ctx, targets=12)


def all_ids(ctx: AppContext, world: LiveWorld, after: int = 0) -> list[int]:
    return [e.id for e in events_after(ctx, local_operator(), world.operation_id, after=after)]


def test_replay_then_live_in_order_without_loss_or_duplicates_while_writing(
    ctx: AppContext, world: LiveWorld
) -> None:
    de = actor_of(ctx, "analyst", "DE-BKA")
    stored_before = all_ids(ctx, world)
    changes = 30

    async def run() -> list[int]:
        feed = OperationFeed(ctx, poll_interval=0.01)
        subscription = await feed.subscribe(de, world.operation_id, after=0)
        writer = threading.Thread(target=walk, args=(ctx, world, changes))
        got: list[int] = []
        deadline = time.monotonic() + 30
        async with aclosing(subscription.batches(keep_alive=0.2)) as batches:
            async for batch in batches:
                got += [e.id for e in batch]
                if writer.ident is None and len(got) == len(stored_before):
                    writer.start()  # the writes start once the replay is through
                if len(got) >= len(stored_before) + changes or time.monotonic() > deadline:
                    break
        writer.join()
        assert feed.polled == []  # the stream's end removed the poller
        return got

    got = asyncio.run(run())
    assert got == all_ids(ctx, world)
    assert len(got) == len(stored_before) + changes


def test_concurrent_writes_during_the_replay_are_neither_lost_nor_repeated(
    ctx: AppContext, world: LiveWorld
) -> None:
    walk(ctx, world, 6)
    de = actor_of(ctx, "viewer", "DE-BKA")
    first = all_ids(ctx, world)[2]
    changes = 24

    async def run() -> list[list[int]]:
        feed = OperationFeed(ctx, poll_interval=0.005, page=3)  # replay in many small reads
        streams = [await feed.subscribe(de, world.operation_id, after=first) for _ in range(3)]
        writer = threading.Thread(target=walk, args=(ctx, world, changes), kwargs={"skip": 6})
        writer.start()
        seen: list[list[int]] = [[] for _ in streams]

        async def read(index: int) -> None:
            async for batch in streams[index].batches(keep_alive=0.1):
                seen[index] += [e.id for e in batch]
                if not writer.is_alive() and seen[index][-1:] == all_ids(ctx, world)[-1:]:
                    return

        with_deadline = [asyncio.wait_for(read(i), 30) for i in range(len(streams))]
        await asyncio.gather(*with_deadline)
        writer.join()
        return seen

    for seen in asyncio.run(run()):
        assert seen == all_ids(ctx, world, after=first)


def test_a_subscriber_that_does_not_read_is_ended_and_resumes_without_loss(
    ctx: AppContext, world: LiveWorld
) -> None:
    coordinator = actor_of(ctx, "analyst", "NL-POL")
    head = all_ids(ctx, world)[-1]

    async def run() -> tuple[list[int], int]:
        feed = OperationFeed(ctx, poll_interval=0.005, buffer_limit=4)
        slow = await feed.subscribe(coordinator, world.operation_id, after=head)
        batches = slow.batches(keep_alive=0.05)
        assert await anext(batches) == []  # registered, caught up, nothing new
        await asyncio.to_thread(walk, ctx, world, 9)  # more than its buffer holds
        deadline = time.monotonic() + 30
        while feed.subscribers(world.operation_id) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # the poller hands it 9 > 4 events: ended
        with pytest.raises(SubscriptionEnded):
            await anext(batches)
        assert feed.polled == []
        resumed = await feed.subscribe(coordinator, world.operation_id, after=slow.last_sent)
        got: list[int] = []
        async for batch in resumed.batches(keep_alive=0.05):
            if not batch:
                break
            got += [e.id for e in batch]
        return got, slow.last_sent

    got, last_sent = asyncio.run(run())
    assert last_sent == head
    assert got == all_ids(ctx, world, after=head)
    assert len(got) == 9


def test_a_stream_whose_access_is_withdrawn_ends_before_delivering_more(
    ctx: AppContext, world: LiveWorld
) -> None:
    de = actor_of(ctx, "analyst", "DE-BKA")
    head = all_ids(ctx, world)[-1]
    withdrawn = threading.Event()
    checks: list[bool] = []

    def reauthenticate() -> Actor:
        checks.append(withdrawn.is_set())
        if withdrawn.is_set():
            raise AuthenticationError("invalid or expired credentials")
        return de

    async def run() -> list[int]:
        # recheck_interval=0: access is checked before every delivery (and at keep-alives)
        feed = OperationFeed(ctx, poll_interval=0.005, recheck_interval=0)
        stream = await feed.subscribe(de, world.operation_id, head, reauthenticate=reauthenticate)
        got: list[int] = []
        batches = stream.batches(keep_alive=0.05)
        await asyncio.to_thread(walk, ctx, world, 1)
        deadline = time.monotonic() + 30
        while not got and time.monotonic() < deadline:
            got += [e.id for e in await anext(batches)]
        withdrawn.set()  # e.g. the token is revoked
        await asyncio.to_thread(walk, ctx, world, 1, skip=1)
        with pytest.raises(AccessWithdrawn):
            for _ in range(1000):
                got += [e.id for e in await anext(batches)]
        assert feed.polled == []
        return got

    got = asyncio.run(run())
    assert got == all_ids(ctx, world, after=head)[:1]  # the change after it never came
    assert len(all_ids(ctx, world, after=head)) == 2
    assert checks[-1] is True and checks.count(True) == 1


def test_a_database_away_at_a_keep_alive_check_does_not_end_the_stream(
    ctx: AppContext, world: LiveWorld
) -> None:
    de = actor_of(ctx, "viewer", "DE-BKA")
    head = all_ids(ctx, world)[-1]
    away = threading.Event()
    away.set()

    def reauthenticate() -> Actor:
        if away.is_set():
            raise StoreError("the database is not reachable")
        return de

    async def run() -> None:
        # as by default, the keep-alives come further apart than the re-check interval
        feed = OperationFeed(ctx, poll_interval=0.005, recheck_interval=0.05)
        stream = await feed.subscribe(de, world.operation_id, head, reauthenticate=reauthenticate)
        async with aclosing(stream.batches(keep_alive=0.1)) as batches:
            assert await anext(batches) == []  # a keep-alive whose check could not be made
            assert await anext(batches) == []  # the stream waits on
            checked = stream.checked_at
            await asyncio.to_thread(walk, ctx, world, 1)
            with pytest.raises(SubscriptionEnded) as ended:  # not checked: not delivered
                for _ in range(1000):
                    assert await anext(batches) == []
            assert not isinstance(ended.value, AccessWithdrawn)  # the client resumes
            assert stream.last_sent == head and stream.checked_at == checked

    asyncio.run(run())


def test_access_is_checked_again_once_the_interval_passed_not_for_every_event(
    ctx: AppContext, world: LiveWorld
) -> None:
    de = actor_of(ctx, "viewer", "DE-BKA")
    head = all_ids(ctx, world)[-1]
    checks: list[float] = []

    def reauthenticate() -> Actor:
        checks.append(time.monotonic())
        return de

    async def run() -> None:
        feed = OperationFeed(ctx, poll_interval=0.005, recheck_interval=3600)
        stream = await feed.subscribe(de, world.operation_id, head, reauthenticate=reauthenticate)
        deadline = time.monotonic() + 30
        async with aclosing(stream.batches(keep_alive=60)) as batches:
            await asyncio.to_thread(walk, ctx, world, 6)
            got: list[int] = []
            while len(got) < 6 and time.monotonic() < deadline:
                got += [e.id for e in await anext(batches)]
            assert checks == []  # checked when subscribing, not again for each event
            stream.checked_at -= 3601  # the last check is now older than the interval
            await asyncio.to_thread(walk, ctx, world, 1, skip=6)
            assert [e.status for e in await anext(batches)] == ["go"]
            assert len(checks) == 1  # checked before those events came out
            await asyncio.to_thread(walk, ctx, world, 1, skip=7)
            assert len(await anext(batches)) == 1
            assert len(checks) == 1

    asyncio.run(run())


def test_wake_reads_at_once_from_any_thread(ctx: AppContext, world: LiveWorld) -> None:
    head = all_ids(ctx, world)[-1]

    async def run() -> list[str | None]:
        feed = OperationFeed(ctx, poll_interval=3600)  # reads only when woken
        feed.wake(world.operation_id)  # nothing polled yet: nothing to do
        stream = await feed.subscribe(local_operator(), world.operation_id, head)
        async with aclosing(stream.batches(keep_alive=60)) as batches:
            first = asyncio.create_task(anext(batches))
            while not feed.subscribers(world.operation_id):
                await asyncio.sleep(0.005)
            await asyncio.to_thread(walk, ctx, world, 1)
            # the replay may have found it; else the poller has it once woken
            await asyncio.to_thread(feed.wake, world.operation_id)  # from another thread
            got = await asyncio.wait_for(first, 30)
            if not got:
                got = await asyncio.wait_for(anext(batches), 30)
            return [e.status for e in got]

    assert asyncio.run(run()) == ["go"]


def test_streams_are_limited_per_user_per_process_and_operations_per_process(
    ctx: AppContext, world: LiveWorld
) -> None:
    other = make_world(ctx, targets=1, name="Second action day")
    de = actor_of(ctx, "analyst", "DE-BKA")
    nl = actor_of(ctx, "analyst", "NL-POL")
    be = actor_of(ctx, "viewer", "BE-FOD")
    op = world.operation_id

    async def run() -> None:
        feed = OperationFeed(ctx, max_streams_per_user=2, max_streams=3, max_operations=1)
        first = await feed.subscribe(de, op)
        second = await feed.subscribe(de, op)
        with pytest.raises(RateLimitedError) as per_user:
            await feed.subscribe(de, op)
        assert per_user.value.retry_after > 0
        with pytest.raises(RateLimitedError):  # a second operation: one only
            await feed.subscribe(nl, other.operation_id)
        third = await feed.subscribe(nl, op)
        with pytest.raises(RateLimitedError):  # three streams in the process
            await feed.subscribe(be, op)
        assert feed.streams == 3
        async with aclosing(first.batches(keep_alive=0.05)) as batches:
            assert await anext(batches)  # its replay
        assert feed.streams == 2  # the ended stream gave its place back
        fourth = await feed.subscribe(de, op)
        del second  # never iterated, dropped: its place comes back too
        assert feed.streams == 2
        third.close()
        third.close()  # once only
        assert feed.streams == 1
        fourth.close()
        assert feed.streams == 0
        elsewhere = await feed.subscribe(nl, other.operation_id)
        elsewhere.close()

    asyncio.run(run())


def test_the_replay_comes_in_pages(ctx: AppContext, world: LiveWorld) -> None:
    walk(ctx, world, 12)
    stored = all_ids(ctx, world)
    assert len(stored) > 12

    async def run() -> list[list[int]]:
        feed = OperationFeed(ctx, page=5)
        assert OperationFeed(ctx).page == 100  # the default page
        stream = await feed.subscribe(local_operator(), world.operation_id)
        pages: list[list[int]] = []
        async with aclosing(stream.batches(keep_alive=0.05)) as batches:
            async for batch in batches:
                if not batch:
                    break
                pages.append([e.id for e in batch])
        return pages

    pages = asyncio.run(run())
    assert [i for page in pages for i in page] == stored
    assert max(len(page) for page in pages) == 5


def test_non_participants_get_not_found_like_a_missing_operation(
    ctx: AppContext, world: LiveWorld
) -> None:
    outsider = actor_of(ctx, "admin", "FR-PN")
    observer = actor_of(ctx, "viewer", "BE-FOD")

    async def run() -> None:
        feed = OperationFeed(ctx)
        with pytest.raises(NotFoundError) as hidden:
            await feed.subscribe(outsider, world.operation_id)
        with pytest.raises(NotFoundError) as missing:
            await feed.subscribe(outsider, world.operation_id + 1000)
        assert (hidden.value.kind, missing.value.kind) == ("operation", "operation")
        assert feed.polled == []
        watching = await feed.subscribe(observer, world.operation_id)
        batches = watching.batches(keep_alive=0.05)
        first = await anext(batches)
        assert [e.type for e in first][:1] == ["created"]
        await batches.aclose()
        assert feed.polled == []

    asyncio.run(run())
    with pytest.raises(NotFoundError):
        follow(ctx, outsider, world.operation_id)


def test_follow_yields_stored_then_new_events_until_stopped(
    ctx: AppContext, world: LiveWorld
) -> None:
    de = actor_of(ctx, "analyst", "DE-BKA")
    stop = threading.Event()
    got: list[int] = []
    types: set[str] = set()

    def board() -> None:
        for batch in follow(ctx, de, world.operation_id, after=0, stop=stop, poll=0.01):
            got.extend(e.id for e in batch)
            types.update(e.type for e in batch)

    reader = threading.Thread(target=board)
    reader.start()
    walk(ctx, world, 5)
    expected = all_ids(ctx, world)
    deadline = time.monotonic() + 30
    while got != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    reader.join(timeout=10)
    assert not reader.is_alive()
    assert got == expected
    assert {"created", "target", "status"} <= types


def test_follow_heartbeat_yields_empty_lists_in_silence(ctx: AppContext, world: LiveWorld) -> None:
    head = all_ids(ctx, world)[-1]
    stream = follow(ctx, local_operator(), world.operation_id, head, poll=0.01, heartbeat=0.02)
    assert next(stream) == []
    walk(ctx, world, 1)
    deadline = time.monotonic() + 30
    batch = next(stream)
    while not batch and time.monotonic() < deadline:
        batch = next(stream)
    assert [e.status for e in batch] == ["go"]


# --- the resume point (Last-Event-ID header, ?after=) -----------------------------------


@given(st.integers(0, MAX_EVENT_ID), st.one_of(st.none(), st.integers(0, MAX_EVENT_ID)))
def test_the_header_wins_over_the_query(header: int, after: int | None) -> None:
    assert resume_point(str(header), after) == header
    assert resume_point(f" {header}\t", None) == header


@given(st.one_of(st.none(), st.integers(0, MAX_EVENT_ID)))
def test_no_or_empty_header_falls_back_to_the_query(after: int | None) -> None:
    expected = 0 if after is None else after
    assert resume_point(None, after) == expected
    assert resume_point("", after) == expected
    assert resume_point(None, None if after is None else str(after)) == expected


@given(st.text(max_size=30))
def test_any_header_is_a_resume_point_or_an_input_error(text: str) -> None:
    try:
        point = resume_point(text, None)
    except InputError as exc:
        assert exc.field == "Last-Event-ID"
        return
    stripped = text.strip(" \t")
    assert point == (int(stripped) if stripped else 0)
    assert stripped == "" or (stripped.isascii() and stripped.isdigit())


@pytest.mark.parametrize(
    "bad", ["-1", "1.5", "1e3", "٣", "１２", "0x10", "9" * 20, str(MAX_EVENT_ID + 1), "1 2"]
)
def test_malformed_resume_points_are_refused(bad: str) -> None:
    with pytest.raises(InputError) as refused:
        resume_point(bad, None)
    assert refused.value.field == "Last-Event-ID"
    with pytest.raises(InputError) as refused:
        resume_point(None, bad)
    assert refused.value.field == "after"


def test_a_failing_poller_ends_its_streams_instead_of_leaving_them_waiting(
    ctx: AppContext, world: LiveWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        feed = OperationFeed(ctx, poll_interval=0.005)
        stream = await feed.subscribe(local_operator(), world.operation_id, after=0)
        batches = stream.batches(keep_alive=0.05)
        assert await anext(batches)  # the replay
        monkeypatch.setattr(feed, "_read", broken)
        with pytest.raises(SubscriptionEnded):
            for _ in range(1000):
                await anext(batches)
        assert feed.polled == []

    def broken(operation_id: int, after: int) -> list[object]:
        raise RuntimeError("a bug")

    asyncio.run(run())


def test_a_stream_cancelled_while_joining_leaves_no_subscriber_behind(
    ctx: AppContext, world: LiveWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        feed = OperationFeed(ctx, poll_interval=0.005)
        gate = threading.Event()
        real_head = feed._head

        def slow_head(operation_id: int) -> int:
            gate.wait(10)  # the first read of the head is slow (a busy database)
            return real_head(operation_id)

        monkeypatch.setattr(feed, "_head", slow_head)
        stream = await feed.subscribe(local_operator(), world.operation_id)
        joining = asyncio.create_task(anext(stream.batches(keep_alive=0.05)))
        while not feed.subscribers(world.operation_id):
            await asyncio.sleep(0.005)
        joining.cancel()  # the client goes away before its stream started
        with pytest.raises(asyncio.CancelledError):
            await joining
        assert feed.subscribers(world.operation_id) == 0
        assert feed.polled == []
        gate.set()

    asyncio.run(run())


# --- PostgreSQL: LISTEN/NOTIFY wakes the pollers ---------------------------------------


def notify(ctx: AppContext, payload: str) -> None:
    """What a change sends on commit (``pg_notify`` on the feed's channel)."""
    from sqlalchemy import text

    with ctx.database.transaction() as conn:
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": payload})


def test_on_postgresql_a_notification_wakes_the_operations_poller(
    postgres_database: str,
) -> None:
    with build_context(load_settings(db=postgres_database)) as ctx:
        world = make_world(ctx, targets=2)
        before = all_ids(ctx, world)

        async def run() -> tuple[list[int], OperationFeed]:
            feed = OperationFeed(ctx, poll_interval=3600)  # reads only when woken
            listening = feed.listening
            assert listening is not None
            stream = await feed.subscribe(local_operator(), world.operation_id, before[-2])
            async with aclosing(stream.batches(keep_alive=60)) as batches:
                assert [e.id for e in await anext(batches)] == before[-1:]  # the replay
                assert await asyncio.to_thread(listening.wait, 30)
                await asyncio.to_thread(walk, ctx, world, 1)
                await asyncio.to_thread(notify, ctx, "not an id")  # ignored
                await asyncio.to_thread(notify, ctx, str(world.operation_id + 1))  # not polled
                await asyncio.to_thread(notify, ctx, str(world.operation_id))
                got = [e.id for e in await asyncio.wait_for(anext(batches), 30)]
                # a change notifies by itself (record_change, on commit)
                await asyncio.to_thread(walk, ctx, world, 1, skip=1)
                got += [e.id for e in await asyncio.wait_for(anext(batches), 30)]
            deadline = time.monotonic() + 30
            while listening.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # nothing polled: the listener stops
            assert not listening.is_set()
            feed.close()
            return got, feed

        got, feed = asyncio.run(run())
        assert got == all_ids(ctx, world, after=before[-1])
        assert len(got) == 2


def test_a_feed_on_sqlite_does_not_listen(ctx: AppContext) -> None:
    assert OperationFeed(ctx).listening is None
