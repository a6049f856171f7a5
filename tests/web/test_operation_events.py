"""GET /api/v1/operations/{id}/events against real uvicorn servers: status changes reach
every SSE client in order, each once, while they are made; a reconnect with
``Last-Event-ID`` gets exactly the missed events; a ``kill -9`` of the server while changes
go on from another process, then a restart: the client resumes and nothing is lost or
repeated; two server processes on one PostgreSQL database deliver a change made through
one to a client of the other; 404 for non-participants exactly as for a missing
operation; viewers read; the route is in the OpenAPI schema as text/event-stream.

The streams are read with httpx's async client (never TestClient or ASGITransport: an
endless stream hangs them)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity, sessions
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_events import events_after
from leaktrace.services.operation_feed import OperationFeed
from leaktrace.web.auth import SESSION_COOKIE
from tests.services.operation_live_world import LiveWorld, make_world, walk
from tests.web.conftest import LiveServer, ServeProcess, ensure_user, start_serve

DEADLINE = 30.0


@dataclass
class Stream:
    """What one SSE connection received."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    retry: str | None = None
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [event_id for event_id, _ in self.events]


async def read_stream(
    url: str,
    token: str,
    stream: Stream,
    until: Callable[[Stream], bool],
    *,
    last_event_id: int | None = None,
    params: dict[str, str] | None = None,
    cookie: str | None = None,
) -> Stream:
    """Read the SSE stream at ``url`` into ``stream`` until ``until(stream)`` holds, or
    the server ends it or goes away: then return what came. Signed in with the API
    ``token``, or with the session ``cookie`` when given."""
    headers = {"Accept": "text/event-stream"}
    if cookie is not None:
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    else:
        headers["Authorization"] = f"Bearer {token}"
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    async with httpx.AsyncClient(timeout=httpx.Timeout(DEADLINE, connect=5)) as client:
        try:
            async with client.stream("GET", url, headers=headers, params=params) as response:
                stream.status = response.status_code
                stream.headers = dict(response.headers)
                if response.status_code != 200:
                    await response.aread()
                    return stream
                event_id: int | None = None
                data: list[str] = []
                async for line in response.aiter_lines():
                    if line.startswith(":"):
                        stream.comments.append(line)
                    elif line.startswith("retry:"):
                        stream.retry = line[6:].strip()
                    elif line.startswith("id:"):
                        event_id = int(line[3:].strip())
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        assert event_id is not None
                        stream.events.append((event_id, json.loads("\n".join(data))))
                        data = []
                    if until(stream):
                        return stream
        except (httpx.ReadError, httpx.RemoteProtocolError):
            return stream  # the server went away
    return stream


def stream_until(url: str, token: str, until: Callable[[Stream], bool], **kwargs: Any) -> Stream:
    stream = Stream()
    asyncio.run(asyncio.wait_for(read_stream(url, token, stream, until, **kwargs), DEADLINE))
    return stream


def stored_ids(ctx: AppContext, world: LiveWorld, after: int = 0) -> list[int]:
    return [e.id for e in events_after(ctx, local_operator(), world.operation_id, after=after)]


def events_url(base: str, world: LiveWorld) -> str:
    return f"{base}/api/v1/operations/{world.operation_id}/events"


@pytest.fixture
def world(live_server: LiveServer) -> LiveWorld:
    return make_world(live_server.context, targets=20)


@contextmanager
def feed_swapped(live_server: LiveServer, feed: OperationFeed) -> Iterator[OperationFeed]:
    """The server's streams use ``feed`` inside the block (its own feed again after)."""
    state = live_server.app.state
    before = getattr(state, "operation_feed", None)
    state.operation_feed = feed
    try:
        yield feed
    finally:
        state.operation_feed = before


async def until_true(condition: Callable[[], bool], what: str) -> None:
    """Wait (polling) for ``condition``; fail after the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"waited {DEADLINE} s for {what}"
        await asyncio.sleep(0.01)


def test_changes_through_the_api_reach_every_client_in_order_once(
    live_server: LiveServer, world: LiveWorld
) -> None:
    url = events_url(live_server.url, world)
    coordinator = live_server.client("analyst", agency="NL-POL")
    before = stored_ids(live_server.context, world)
    changes = 24
    readers = {
        "participant": live_server.token("analyst", "DE-BKA"),
        "viewer": live_server.token("viewer", "DE-BKA"),
        "observer": live_server.token("viewer", "BE-FOD"),
    }

    def change_through_the_api() -> None:
        for target_id, status in list(world.moves())[:changes]:
            answer = coordinator.post(
                f"/api/v1/operations/{world.operation_id}/targets/{target_id}/status",
                json={"status": status},
            )
            assert answer.status_code == 200, answer.text

    async def run() -> list[Stream]:
        streams = [Stream() for _ in readers]
        done = lambda s: len(s.ids) >= len(before) + changes  # noqa: E731
        tasks = [
            asyncio.create_task(read_stream(url, token, stream, done))
            for token, stream in zip(readers.values(), streams, strict=True)
        ]
        deadline = time.monotonic() + DEADLINE
        while any(len(s.ids) < len(before) for s in streams) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # every client has its replay: now change things
        await asyncio.to_thread(change_through_the_api)
        await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
        return streams

    streams = asyncio.run(run())
    feed = live_server.app.state.operation_feed
    deadline = time.monotonic() + DEADLINE
    while feed.polled and time.monotonic() < deadline:
        time.sleep(0.01)
    assert feed.polled == []  # the clients left: the poller stopped
    expected = stored_ids(live_server.context, world)
    assert len(expected) == len(before) + changes
    for name, stream in zip(readers, streams, strict=True):
        assert stream.status == 200, name
        assert stream.ids == expected, name
        assert stream.retry == "1000"
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        assert stream.headers["x-accel-buffering"] == "no"
    moves = [data for _, data in streams[0].events if data["type"] == "status"]
    assert [(m["target_id"], m["status"]) for m in moves] == list(world.moves())[:changes]
    assert all(m["handling"] == "H2" and m["label"] and m["by_agency"] == "NL-POL" for m in moves)


def test_reconnect_with_last_event_id_gets_exactly_the_missed_events(
    live_server: LiveServer, world: LiveWorld
) -> None:
    ctx = live_server.context
    url = events_url(live_server.url, world)
    token = live_server.token("analyst", "DE-BKA")
    walk(ctx, world, 6)
    first = stream_until(url, token, lambda s: len(s.ids) >= 10)
    assert first.ids == stored_ids(ctx, world)[:10]
    walk(ctx, world, 9, skip=6)  # made while the client is away
    missed = stored_ids(ctx, world, after=first.ids[-1])
    resumed = stream_until(
        url, token, lambda s: len(s.ids) >= len(missed), last_event_id=first.ids[-1]
    )
    assert resumed.ids == missed
    # the header wins over ?after=; ?after= alone works too
    again = stream_until(
        url,
        token,
        lambda s: len(s.ids) >= len(missed),
        last_event_id=first.ids[-1],
        params={"after": "0"},
    )
    assert again.ids == missed
    by_query = stream_until(
        url, token, lambda s: len(s.ids) >= len(missed), params={"after": str(first.ids[-1])}
    )
    assert by_query.ids == missed


def test_silence_gets_keep_alive_comments(
    live_server: LiveServer, world: LiveWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("leaktrace.web.api.operation_events.KEEP_ALIVE", 0.05)
    head = stored_ids(live_server.context, world)[-1]
    quiet = stream_until(
        events_url(live_server.url, world),
        live_server.token("viewer", "BE-FOD"),
        lambda s: len(s.comments) >= 2,
        last_event_id=head,
    )
    assert quiet.comments[:2] == [": keep-alive", ": keep-alive"]
    assert quiet.events == []


def test_a_client_ended_for_overflow_reconnects_and_loses_nothing(
    live_server: LiveServer, world: LiveWorld
) -> None:
    ctx = live_server.context
    # a hub that buffers 2 events and reads only when woken (its interval: an hour)
    feed = OperationFeed(ctx, poll_interval=3600, buffer_limit=2)
    url = events_url(live_server.url, world)
    token = live_server.token("analyst", "DE-BKA")
    before = stored_ids(ctx, world)
    ended = Stream()

    async def first_connection() -> None:
        reading = asyncio.create_task(
            read_stream(url, token, ended, lambda s: False, last_event_id=before[-2])
        )
        # its replay (the last stored event) came: the poller has read the head, the
        # stream waits for live events
        await until_true(lambda: ended.ids == before[-1:], "the replay")
        await asyncio.to_thread(walk, ctx, world, 6)
        feed.wake(world.operation_id)  # one read finds 6 events: more than 2
        await asyncio.wait_for(reading, DEADLINE)  # the server ends the stream

    with feed_swapped(live_server, feed):
        asyncio.run(first_connection())
        expected = stored_ids(ctx, world, after=before[-1])
        assert ended.status == 200
        assert len(expected) == 6 and ended.ids == before[-1:]
        resumed = stream_until(url, token, lambda s: len(s.ids) >= 6, last_event_id=ended.ids[-1])
    assert resumed.ids == expected


PASSWORD = "a long enough password"


def withdraw(ctx: AppContext, how: str, email: str, token: str, cookie: str) -> None:
    """End a user's credentials: ``leaktrace token revoke``, logging out, or deactivating
    the user."""
    if how == "token revoked":
        identity.revoke_token(ctx, local_operator(), token)
    elif how == "session ended":
        sessions.logout(ctx, cookie)
    else:
        from leaktrace.store import identity as identity_store  # no service does it yet

        with ctx.database.transaction() as conn:
            user = identity_store.user_by_email(conn, email)
            assert user is not None
            identity_store.set_user_active(conn, user.id, False)


@pytest.mark.parametrize("how", ["token revoked", "session ended", "user deactivated"])
def test_an_open_stream_ends_without_delivering_once_its_credentials_are_withdrawn(
    live_server: LiveServer, world: LiveWorld, how: str
) -> None:
    ctx = live_server.context
    email = ensure_user(ctx, "analyst", "DE-BKA", password=PASSWORD)
    token = identity.create_token(ctx, local_operator(), email)
    cookie = sessions.login(ctx, email, PASSWORD, None).cookie
    signed_in = {"cookie": cookie} if how == "session ended" else {}
    url = events_url(live_server.url, world)
    head = stored_ids(ctx, world)[-1]
    stream = Stream()
    # recheck_interval=0: the first delivery after the withdrawal is checked (the default,
    # 10 s, only bounds how long after it a stream may still deliver)
    feed = OperationFeed(ctx, poll_interval=0.01, recheck_interval=0)

    async def run() -> None:
        reading = asyncio.create_task(
            read_stream(url, token, stream, lambda s: False, last_event_id=head, **signed_in)
        )
        await until_true(lambda: feed.subscribers(world.operation_id) == 1, "the subscriber")
        await asyncio.to_thread(walk, ctx, world, 1)
        await until_true(lambda: len(stream.ids) == 1, "the first change")
        await asyncio.to_thread(withdraw, ctx, how, email, token, cookie)
        await asyncio.to_thread(walk, ctx, world, 1, skip=1)
        await asyncio.wait_for(reading, DEADLINE)  # the server ends the stream

    with feed_swapped(live_server, feed):
        asyncio.run(run())
        changes = stored_ids(ctx, world, after=head)
        assert len(changes) == 2
        assert stream.status == 200
        assert stream.ids == changes[:1]  # the change after the withdrawal never came
        again = stream_until(url, token, lambda s: True, last_event_id=head, **signed_in)
        assert again.status == 401 and again.events == []


def test_a_silent_stream_ends_at_its_keep_alive_after_the_token_is_revoked(
    live_server: LiveServer, world: LiveWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("leaktrace.web.api.operation_events.KEEP_ALIVE", 0.05)
    ctx = live_server.context
    token = token_for(ctx, "viewer", "BE-FOD")
    url = events_url(live_server.url, world)
    head = stored_ids(ctx, world)[-1]
    stream = Stream()

    async def run() -> None:
        reading = asyncio.create_task(
            read_stream(url, token, stream, lambda s: False, last_event_id=head)
        )
        await until_true(lambda: len(stream.comments) >= 1, "a keep-alive")
        await asyncio.to_thread(identity.revoke_token, ctx, local_operator(), token)
        await asyncio.wait_for(reading, DEADLINE)  # ended at a later keep-alive

    asyncio.run(run())  # the server's own feed, default recheck interval
    assert stream.status == 200 and stream.events == []
    assert stream_until(url, token, lambda s: True).status == 401


def test_streams_beyond_a_users_limit_get_429_until_one_ends(
    live_server: LiveServer, world: LiveWorld
) -> None:
    ctx = live_server.context
    feed = OperationFeed(ctx, max_streams_per_user=1)
    url = events_url(live_server.url, world)
    token = live_server.token("viewer", "DE-BKA")
    head = stored_ids(ctx, world)[-1]
    open_one = Stream()

    async def run() -> tuple[Stream, Stream]:
        reading = asyncio.create_task(
            read_stream(url, token, open_one, lambda s: False, last_event_id=head)
        )
        await until_true(lambda: feed.streams == 1, "the first stream")
        refused = await read_stream(url, token, Stream(), lambda s: True)
        reading.cancel()  # the first client leaves
        await asyncio.gather(reading, return_exceptions=True)
        await until_true(lambda: feed.streams == 0, "its place back")
        later = await read_stream(url, token, Stream(), lambda s: len(s.ids) >= 1)
        return refused, later

    with feed_swapped(live_server, feed):
        refused, later = asyncio.run(run())
    assert refused.status == 429 and int(refused.headers["retry-after"]) > 0
    assert later.status == 200 and later.ids[:1] == stored_ids(ctx, world)[:1]


def test_outsiders_get_the_404_of_a_missing_operation(
    live_server: LiveServer, world: LiveWorld
) -> None:
    outsider = live_server.client("admin", agency="FR-PN")
    hidden = outsider.get(f"/api/v1/operations/{world.operation_id}/events")
    missing_id = world.operation_id + 4242
    missing = outsider.get(f"/api/v1/operations/{missing_id}/events")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["content-type"] == missing.headers["content-type"]
    assert hidden.text == missing.text.replace(str(missing_id), str(world.operation_id))
    assert live_server.client(None).get(hidden.url).status_code == 401
    malformed = live_server.client("viewer", agency="DE-BKA").get(
        f"/api/v1/operations/{world.operation_id}/events", headers={"Last-Event-ID": "7e3"}
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"]["field"] == "Last-Event-ID"


def test_the_route_is_in_the_openapi_schema_as_an_event_stream(live_server: LiveServer) -> None:
    schema = live_server.client(None).get("/api/v1/openapi.json").json()
    route = schema["paths"]["/api/v1/operations/{operation_id}/events"]["get"]
    assert "text/event-stream" in route["responses"]["200"]["content"]
    names = {p["name"] for p in route["parameters"]}
    assert {"operation_id", "after", "Last-Event-ID"} <= names


# --- server processes: kill -9 and restart; two processes on PostgreSQL ------------------


def token_for(ctx: AppContext, role: str, agency: str) -> str:
    return identity.create_token(ctx, local_operator(), ensure_user(ctx, role, agency))


def test_kill_9_and_restart_lose_nothing_while_changes_go_on(tmp_path: Path) -> None:
    db = str(tmp_path / "live.db")
    with build_context(load_settings(db=db)) as ctx:
        world = make_world(ctx, targets=20)
        token = token_for(ctx, "analyst", "DE-BKA")
        phases = Phases(running=15, down=15, restarted=15)
        server = start_serve(db, tmp_path / "first.log")
        writer = threading.Thread(target=phased_walk, args=(ctx, world, phases))
        try:
            before = len(stored_ids(ctx, world))
            writer.start()  # changes from this process, through the services
            first = stream_until(
                events_url(server.url, world), token, lambda s: len(s.ids) > before + 5
            )
            server.process.kill()  # SIGKILL while the writer goes on
            server.process.wait(timeout=30)
            phases.killed.set()
            assert phases.made_while_down.wait(DEADLINE)  # changes while no server runs
            assert writer.is_alive()  # and more to come after the restart
            server = start_serve(db, tmp_path / "second.log")
            phases.back.set()
            resumed = stream_until(
                events_url(server.url, world),
                token,
                lambda s: (before + phases.total) - len(first.ids) <= len(s.ids),
                last_event_id=first.ids[-1],
            )
        finally:
            phases.killed.set()
            phases.back.set()
            writer.join(timeout=60)
            server.stop()
        expected = stored_ids(ctx, world)
        assert len(expected) == before + phases.total
        assert first.ids + resumed.ids == expected


@dataclass
class Phases:
    """How many changes :func:`phased_walk` makes while the server runs, after it was
    killed, and after it was restarted; the events that separate the phases."""

    running: int
    down: int
    restarted: int
    killed: threading.Event = field(default_factory=threading.Event)
    made_while_down: threading.Event = field(default_factory=threading.Event)
    back: threading.Event = field(default_factory=threading.Event)

    @property
    def total(self) -> int:
        return self.running + self.down + self.restarted


def phased_walk(ctx: AppContext, world: LiveWorld, phases: Phases) -> None:
    """Changes while the first server runs (one every 60 ms), then, once it is killed,
    while none runs, then, once it is back, while it streams."""
    made = 0
    for count, gate in (
        (phases.running, None),
        (phases.down, phases.killed),
        (phases.restarted, phases.back),
    ):
        if gate is not None:
            gate.wait(DEADLINE * 4)
        for _ in range(count):
            walk(ctx, world, 1, skip=made)
            made += 1
            time.sleep(0.06 if gate is None else 0.01)
        if gate is phases.killed:
            phases.made_while_down.set()


def test_two_server_processes_on_postgresql_deliver_to_each_others_clients(
    postgres_database: str, tmp_path: Path
) -> None:
    with build_context(load_settings(db=postgres_database)) as ctx:
        world = make_world(ctx, targets=10)
        coordinator = token_for(ctx, "analyst", "NL-POL")
        reader = token_for(ctx, "viewer", "DE-BKA")
        servers: list[ServeProcess] = []
        try:
            servers.append(start_serve(postgres_database, tmp_path / "a.log"))
            servers.append(start_serve(postgres_database, tmp_path / "b.log"))
            a, b = servers
            before = stored_ids(ctx, world)
            changes = 9

            def change_through_a() -> None:
                with httpx.Client(
                    base_url=a.url, headers={"Authorization": f"Bearer {coordinator}"}
                ) as client:
                    for target_id, status in list(world.moves())[:changes]:
                        answer = client.post(
                            f"/api/v1/operations/{world.operation_id}/targets/{target_id}/status",
                            json={"status": status},
                        )
                        assert answer.status_code == 200, answer.text

            async def run() -> list[Stream]:
                streams = [Stream(), Stream()]
                done = lambda s: len(s.ids) >= len(before) + changes  # noqa: E731
                tasks = [
                    asyncio.create_task(read_stream(events_url(srv.url, world), reader, s, done))
                    for srv, s in zip((b, a), streams, strict=True)
                ]
                deadline = time.monotonic() + DEADLINE
                while any(len(s.ids) < len(before) for s in streams):
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(change_through_a)
                await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
                return streams

            on_b, on_a = asyncio.run(run())
        finally:
            for server in servers:
                server.stop()
        expected = stored_ids(ctx, world)
        assert len(expected) == len(before) + changes
        assert on_b.ids == expected
        assert on_a.ids == expected
        statuses = [d["status"] for _, d in on_b.events if d["type"] == "status"]
        assert statuses == [s for _, s in list(world.moves())[:changes]]
