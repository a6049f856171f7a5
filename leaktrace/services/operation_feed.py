"""Live events of action days: a per-process hub that streams an operation's events to its
live boards (the server-sent events of ``/api/v1/operations/{id}/events``), and a
synchronous follower for the terminal board.

The events are the outbox's topic events (``operation:<id>``), written in the same
transaction as the change they describe (:mod:`leaktrace.services.operation_events`), so
nothing here can lose one: a stream that ends (a slow client, a server killed) is resumed
from the last id the client received. Within one operation the ids become visible in
increasing order (the writers hold the operation's row lock), so "everything above the
last id seen" is exactly what a reader has not seen yet.

:class:`OperationFeed` (one per process and event loop) runs one poller task per
operation that has at least one subscriber in this process: every ``poll_interval`` it
reads the operation's new events from the database in a worker thread (a short read, no
connection held between polls) and hands them to each subscriber's bounded buffer. Several
server processes on one PostgreSQL database each poll the shared outbox, so a change made
through any process reaches the clients of every process.

On PostgreSQL a feed also listens (``LISTEN leaktrace_operation``, one connection per
process in a thread, only while it polls something): a change's notification (payload:
the operation's id, sent on commit) wakes that operation's poller at once; the polling
stays, so a notification lost (the listener reconnecting, no notification sent) costs at
most one poll interval.

A subscriber (:meth:`OperationFeed.subscribe`, access checked when it subscribes) first
gets the events after its resume point from the database, then the live ones; it tracks
the last id it sent, so no id is sent twice or out of order. A subscriber whose buffer
overflows (a client that does not read) is ended; it reconnects with ``Last-Event-ID``
and loses nothing.

Access is checked again while a stream is open: at every keep-alive, and before handing
out events when the last check is ``recheck_interval`` seconds old (10 s). The check
re-authenticates the client's credentials (the ``reauthenticate`` callable the route
gives: a revoked token, an ended session or a deactivated user fail it) and re-checks
the operation's access for the user as the database now knows them (a lost permission,
an agency no longer taking part). When it fails the stream ends with
:class:`AccessWithdrawn` before the events are handed out; the client's reconnect then
gets 401 or 404.

Limits per process: 8 open streams per user, 1000 streams, 200 operations polled
(RateLimitedError beyond, HTTP 429); events are read and handed out 100 at a time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread

from leaktrace.errors import InputError, LeakTraceError, RateLimitedError, StoreError
from leaktrace.identity.actor import Actor
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import operation_access
from leaktrace.services.operation_events import NOTIFY_CHANNEL, REPLAY_LIMIT, event_view, topic
from leaktrace.services.operation_views import OperationEventView
from leaktrace.store.outbox import TopicEvent, topic_events, topic_head

__all__ = [
    "BUFFER_LIMIT",
    "NOTIFY_CHANNEL",
    "MAX_OPERATIONS",
    "MAX_STREAMS",
    "MAX_STREAMS_PER_USER",
    "REPLAY_PAGE",
    "RECHECK_INTERVAL",
    "AccessWithdrawn",
    "KEEP_ALIVE",
    "MAX_EVENT_ID",
    "POLL_INTERVAL",
    "OperationFeed",
    "Subscription",
    "SubscriptionEnded",
    "follow",
    "resume_point",
]

_log = logging.getLogger("leaktrace.operation_feed")

POLL_INTERVAL = 0.05
"""Seconds between two reads of an operation's new events (per process, per operation
with subscribers)."""
BUFFER_LIMIT = 2000
"""Events a subscriber may have waiting before it is ended (it then reconnects)."""
KEEP_ALIVE = 15.0
"""Seconds of silence after which a stream sends a keep-alive comment."""
RECHECK_INTERVAL = 10.0
"""Seconds after which an open stream's access is checked again before it is handed
more events (it is also checked at every keep-alive)."""
MAX_EVENT_ID = 2**63 - 1
"""The largest event id (the outbox's 64-bit key)."""
REPLAY_PAGE = 100
"""Events read (and handed out) at a time: a replay of thousands of events goes out in
pages, so a client that does not read holds one page, not the whole replay."""
MAX_STREAMS_PER_USER = 8
"""Open streams a user may hold in one process (more: RateLimitedError, HTTP 429)."""
MAX_STREAMS = 1000
"""Open streams of one process."""
MAX_OPERATIONS = 200
"""Distinct operations one process streams (each has its poller)."""
BUSY_RETRY = 5
"""Seconds a refused stream is told to wait (Retry-After)."""
_LISTEN_TIMEOUT = 0.5
"""Seconds between two looks of the listener at whether it is still needed."""
_RETRY_LIMIT = 1.0
"""The longest pause between two reads after a database error."""


def resume_point(last_event_id: str | None, after: str | int | None) -> int:
    """Where a stream starts: after the ``Last-Event-ID`` header when the client sent one
    (a reconnecting EventSource), else after the ``after`` query value, else 0 (every
    event from the start). Each must be a whole number from 0 to 2**63 - 1 in ASCII
    digits, else InputError (``field`` the header or query name); an empty header counts
    as absent (EventSource sends none before its first event)."""
    for value, name in ((last_event_id, "Last-Event-ID"), (after, "after")):
        if value is None:
            continue
        if isinstance(value, int):
            number = value
        else:
            text = value.strip(" \t")
            if not text and name == "Last-Event-ID":
                continue
            if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
                raise InputError(
                    f"{name} must be an event id (a whole number), not {value[:40]!r}",
                    field=name,
                )
            number = int(text)
        if not 0 <= number <= MAX_EVENT_ID:
            raise InputError(f"{name} must be from 0 to {MAX_EVENT_ID}", field=name)
        return number
    return 0


class SubscriptionEnded(LeakTraceError):
    """A subscriber was ended by the hub (its buffer overflowed, or the hub closed): the
    client resumes from the last id it received."""


class AccessWithdrawn(SubscriptionEnded):
    """An open stream's access was checked again and failed (token revoked, session
    ended, user deactivated, permission or participation lost): the stream ends without
    the events it was about to hand out."""


Reauthenticate = Callable[[], Actor]
"""Re-authenticates a stream's request from its credentials (run in a worker thread):
the actor as the database now knows them, or AuthenticationError."""


class _Subscriber:
    """One stream's buffer on the event loop: the poller offers events, the stream takes
    them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending: deque[OperationEventView] = deque()
        self.wakeup = asyncio.Event()
        self.ended: str | None = None

    def offer(self, events: list[OperationEventView]) -> bool:
        """Buffer ``events``; False (and the subscriber ended) when that overflows."""
        if self.ended is not None:
            return False
        if len(self.pending) + len(events) > self.limit:
            self.end("overflow")
            return False
        self.pending.extend(events)
        self.wakeup.set()
        return True

    def end(self, reason: str) -> None:
        self.ended = reason
        self.pending.clear()
        self.wakeup.set()

    async def take(self, timeout: float) -> list[OperationEventView]:
        """What is buffered (waiting up to ``timeout`` seconds for something; [] when
        nothing came); SubscriptionEnded once ended."""
        if not self.pending and self.ended is None:
            self.wakeup.clear()
            with anyio.move_on_after(timeout):
                await self.wakeup.wait()
        if self.ended is not None:
            raise SubscriptionEnded(f"stream ended ({self.ended}): resume from the last id")
        taken = list(self.pending)
        self.pending.clear()
        return taken


@dataclass(eq=False)
class _Poller:
    operation_id: int
    subscribers: set[_Subscriber] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    cursor: int = 0
    task: asyncio.Task[None] | None = None
    failure: BaseException | None = None
    nudged: asyncio.Event = field(default_factory=asyncio.Event)
    """Set to read before the poll interval is over (:meth:`OperationFeed.wake`)."""


class OperationFeed:
    """The hub of one process (and one event loop): pollers per operation, subscribers'
    buffers. Create it inside the running loop (e.g. lazily in a route)."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        poll_interval: float = POLL_INTERVAL,
        buffer_limit: int = BUFFER_LIMIT,
        page: int = REPLAY_PAGE,
        recheck_interval: float = RECHECK_INTERVAL,
        max_streams_per_user: int = MAX_STREAMS_PER_USER,
        max_streams: int = MAX_STREAMS,
        max_operations: int = MAX_OPERATIONS,
        listen: bool | None = None,
    ) -> None:
        self.ctx = ctx
        self.poll_interval = poll_interval
        self.recheck_interval = recheck_interval
        self.max_streams_per_user = max_streams_per_user
        self.max_streams = max_streams
        self.max_operations = max_operations
        self._by_user: dict[str, int] = {}
        self._by_operation: dict[int, int] = {}
        self._streams = 0
        self.buffer_limit = buffer_limit
        self.page = page
        self._pollers: dict[int, _Poller] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        if listen is None:
            listen = ctx.database.dialect == "postgresql"
        self._listener = _Listener(self) if listen else None

    @property
    def listening(self) -> threading.Event | None:
        """Set while this feed's LISTEN connection listens (None: it does not listen)."""
        return self._listener.listening if self._listener is not None else None

    def close(self) -> None:
        """Stop listening (the pollers end with their streams)."""
        if self._listener is not None:
            self._listener.close()

    @property
    def polled(self) -> list[int]:
        """The operations this process is polling now (for tests and diagnostics)."""
        return sorted(self._pollers)

    def subscribers(self, operation_id: int) -> int:
        poller = self._pollers.get(operation_id)
        return len(poller.subscribers) if poller else 0

    def wake(self, operation_id: int) -> None:
        """Read ``operation_id``'s new events now rather than at the end of the poll
        interval (nothing when this process does not poll it). Safe to call from any
        thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._nudge(operation_id)
        else:
            try:
                loop.call_soon_threadsafe(self._nudge, operation_id)
            except RuntimeError:  # the loop closed meanwhile
                pass

    def _nudge(self, operation_id: int) -> None:
        poller = self._pollers.get(operation_id)
        if poller is not None:
            poller.nudged.set()

    async def _pause(self, poller: _Poller, seconds: float) -> None:
        """Wait ``seconds`` or until :meth:`wake`."""
        with anyio.move_on_after(seconds):
            await poller.nudged.wait()
        poller.nudged.clear()

    async def subscribe(
        self,
        actor: Actor,
        operation_id: int,
        after: int = 0,
        *,
        reauthenticate: Reauthenticate | None = None,
    ) -> Subscription:
        """A stream of the events of ``operation_id`` with an id above ``after``, for
        ``actor``: access is checked now (NotFoundError for an agency that does not take
        part, exactly as for a missing operation) and again while the stream is open,
        with the actor ``reauthenticate`` returns then (None: ``actor`` as it is, for a
        local reader). Nothing is registered until the stream is iterated
        (:meth:`Subscription.batches`)."""
        await anyio.to_thread.run_sync(self._check_access, actor, operation_id)
        release = self._reserve(actor, operation_id)
        subscription = Subscription(self, operation_id, max(after, 0), actor, reauthenticate)
        subscription._release = release
        weakref.finalize(subscription, release)  # a stream never iterated, then dropped
        return subscription

    @property
    def streams(self) -> int:
        """Streams open (subscribed and not yet ended) in this process."""
        return self._streams

    def _reserve(self, actor: Actor, operation_id: int) -> Callable[[], None]:
        """Count a new stream of ``actor`` on ``operation_id`` against the limits
        (RateLimitedError beyond them); the function that gives its place back (once)."""
        user = str(actor.user_id) if actor.user_id is not None else actor.name
        if self._streams >= self.max_streams:
            raise RateLimitedError(
                f"this server streams to {self.max_streams} clients already: try again later",
                retry_after=BUSY_RETRY,
            )
        if self._by_user.get(user, 0) >= self.max_streams_per_user:
            raise RateLimitedError(
                f"at most {self.max_streams_per_user} open streams per user: close one",
                retry_after=BUSY_RETRY,
            )
        if operation_id not in self._by_operation and (
            len(self._by_operation) >= self.max_operations
        ):
            raise RateLimitedError(
                f"this server streams {self.max_operations} operations already: try again later",
                retry_after=BUSY_RETRY,
            )
        self._streams += 1
        self._by_user[user] = self._by_user.get(user, 0) + 1
        self._by_operation[operation_id] = self._by_operation.get(operation_id, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._streams -= 1
            _uncount(self._by_user, user)
            _uncount(self._by_operation, operation_id)

        return release

    def _check_access(self, actor: Actor, operation_id: int) -> None:
        with self.ctx.database.reading() as conn:
            operation_access(conn, actor, operation_id)

    # --- pollers ------------------------------------------------------------------------

    async def _join(self, operation_id: int) -> _Subscriber:
        subscriber = _Subscriber(self.buffer_limit)
        poller = self._pollers.get(operation_id)
        if poller is None:
            poller = _Poller(operation_id)
            self._pollers[operation_id] = poller
            self._loop = asyncio.get_running_loop()
            poller.task = self._loop.create_task(
                self._poll(poller), name=f"leaktrace-operation-feed-{operation_id}"
            )
            if self._listener is not None:
                self._listener.ensure()
        poller.subscribers.add(subscriber)
        try:
            await poller.ready.wait()
        except BaseException:  # cancelled (the client left) before the first read
            self._leave(operation_id, subscriber)
            raise
        return subscriber

    def _leave(self, operation_id: int, subscriber: _Subscriber) -> None:
        poller = self._pollers.get(operation_id)
        if poller is None:
            return
        poller.subscribers.discard(subscriber)
        if not poller.subscribers:
            del self._pollers[operation_id]
            if poller.task is not None:
                poller.task.cancel()

    def _read(self, operation_id: int, after: int) -> list[TopicEvent]:
        with self.ctx.database.reading() as conn:
            return topic_events(conn, topic(operation_id), after=after, limit=self.page)

    def _head(self, operation_id: int) -> int:
        with self.ctx.database.reading() as conn:
            return topic_head(conn, topic(operation_id))

    async def _poll(self, poller: _Poller) -> None:
        try:
            await self._polling(poller)
        except Exception:  # a bug must not leave streams waiting forever: end them
            _log.exception("operation %s events: poller failed", poller.operation_id)
            for subscriber in poller.subscribers:
                subscriber.end("error")
            poller.subscribers.clear()
            if self._pollers.get(poller.operation_id) is poller:
                del self._pollers[poller.operation_id]

    async def _polling(self, poller: _Poller) -> None:
        pause = self.poll_interval
        while True:
            try:
                if not poller.ready.is_set():
                    poller.cursor = await anyio.to_thread.run_sync(self._head, poller.operation_id)
                    poller.ready.set()
                    found: list[TopicEvent] = []
                else:
                    found = await anyio.to_thread.run_sync(
                        self._read, poller.operation_id, poller.cursor
                    )
                pause = self.poll_interval
            except LeakTraceError as exc:  # the database is away: try again, slower
                _log.warning("operation %s events not read: %s", poller.operation_id, exc)
                await self._pause(poller, pause)
                pause = min(pause * 2, _RETRY_LIMIT)
                continue
            if found:
                poller.cursor = found[-1].id
                views = [event_view(e) for e in found]  # once for every subscriber
                for subscriber in list(poller.subscribers):
                    if not subscriber.offer(views):
                        poller.subscribers.discard(subscriber)
                if not poller.subscribers and self._pollers.get(poller.operation_id) is poller:
                    del self._pollers[poller.operation_id]
                    return
            if len(found) < self.page:
                await self._pause(poller, self.poll_interval)


class _Listener:
    """A feed's ``LISTEN`` connection (PostgreSQL) in a daemon thread, running while the
    feed polls something: each notification wakes the poller of the operation it names.
    A lost connection is opened again (after a pause); meanwhile the polling goes on."""

    def __init__(self, feed: OperationFeed) -> None:
        self.feed = feed
        self.listening = threading.Event()
        self._lock = threading.Lock()
        self._running = False
        self._closed = False

    def ensure(self) -> None:
        """Start the thread unless it runs (called after a poller was added)."""
        with self._lock:
            if self._running or self._closed:
                return
            self._running = True
        thread = threading.Thread(target=self._run, name="leaktrace-operation-listen", daemon=True)
        thread.start()

    def close(self) -> None:
        with self._lock:
            self._closed = True

    def _needed(self) -> bool:
        """Whether to go on; when not, the thread is marked ended (under the lock, so a
        poller added meanwhile starts a new one)."""
        with self._lock:
            if self._closed or not self.feed._pollers:
                self._running = False
                self.listening.clear()
                return False
            return True

    def _run(self) -> None:
        pause = 0.1
        while True:
            try:
                self._listen()
                return  # no longer needed
            except Exception as exc:  # noqa: BLE001 - the database is away: poll, retry
                self.listening.clear()
                _log.warning("operation events: LISTEN failed (%s); polling only", exc)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
            if not self._needed():
                return

    def _listen(self) -> None:
        """Listen until no longer needed (returns) or the connection fails (raises)."""
        import psycopg

        url = self.feed.ctx.database.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self.listening.set()
            while self._needed():
                for note in conn.notifies(timeout=_LISTEN_TIMEOUT):
                    payload = note.payload.strip()
                    if payload.isascii() and payload.isdigit() and len(payload) <= 19:
                        self.feed.wake(int(payload))


class Subscription:
    """One client's stream of an operation's events (access checked when made, and again
    while it runs)."""

    def __init__(
        self,
        feed: OperationFeed,
        operation_id: int,
        after: int,
        actor: Actor,
        reauthenticate: Reauthenticate | None = None,
    ) -> None:
        self.feed = feed
        self.operation_id = operation_id
        self.last_sent = after
        """The id of the last event handed out (the resume point at first)."""
        self.actor = actor
        self.reauthenticate = reauthenticate
        self.checked_at = time.monotonic()
        """When access was last checked (monotonic seconds)."""
        self._release: Callable[[], None] = _nothing

    def close(self) -> None:
        """Give the stream's place back (done when :meth:`batches` ends; for a stream
        that is never iterated)."""
        self._release()

    def _recheck(self) -> None:
        actor = self.reauthenticate() if self.reauthenticate is not None else self.actor
        self.feed._check_access(actor, self.operation_id)

    async def _still_allowed(self, *, due: bool = True) -> None:
        """Check access again (when ``due``, or when the last check is
        ``recheck_interval`` old): AccessWithdrawn when it fails. When the database cannot
        answer (StoreError), a keep-alive's check (``due``) lets the stream wait on (it
        delivers nothing without the database, and its next delivery is checked first:
        the last check stays old); a check before a delivery ends the stream (the client
        resumes from its last id)."""
        if not due and time.monotonic() - self.checked_at < self.feed.recheck_interval:
            return
        try:
            await anyio.to_thread.run_sync(self._recheck)
        except StoreError as exc:
            if due:
                _log.warning("operation %s stream: access not checked: %s", self.operation_id, exc)
                return
            raise SubscriptionEnded(f"stream ended ({exc}): resume from the last id") from None
        except LeakTraceError as exc:  # refused, not found
            _log.info("operation %s stream ended: %s", self.operation_id, exc)
            raise AccessWithdrawn(f"stream ended ({exc}): sign in again") from None
        self.checked_at = time.monotonic()

    async def batches(
        self, keep_alive: float = KEEP_ALIVE
    ) -> AsyncIterator[list[OperationEventView]]:
        """The events after the resume point, oldest first, in batches: first those
        stored, then the live ones; [] after ``keep_alive`` seconds of silence.
        Raises SubscriptionEnded when the hub ends the stream (overflow), AccessWithdrawn
        when access, checked again, fails (at each keep-alive, and before events when
        the last check is ``recheck_interval`` seconds old)."""
        subscriber = await self.feed._join(self.operation_id)
        try:
            while True:  # replay: what the database holds now
                stored = await anyio.to_thread.run_sync(
                    self.feed._read, self.operation_id, self.last_sent
                )
                if stored:
                    await self._still_allowed(due=False)
                    self.last_sent = stored[-1].id
                    yield [event_view(e) for e in stored]
                if len(stored) < self.feed.page:
                    break
            while True:
                taken = await subscriber.take(keep_alive)
                if not taken:
                    await self._still_allowed()
                    yield []
                    continue
                fresh = [e for e in taken if e.id > self.last_sent]
                if fresh:
                    await self._still_allowed(due=False)
                    self.last_sent = fresh[-1].id
                    yield fresh
        finally:
            self.feed._leave(self.operation_id, subscriber)
            self.close()


def _nothing() -> None:
    return None


def _uncount(table: dict[Any, int], key: Any) -> None:
    if table[key] > 1:
        table[key] -= 1
    else:
        del table[key]


def follow(
    ctx: AppContext,
    actor: Actor,
    operation_id: int,
    after: int = 0,
    *,
    stop: threading.Event | None = None,
    poll: float = 0.2,
    heartbeat: float | None = None,
) -> Iterator[list[OperationEventView]]:
    """The events of ``operation_id`` above ``after`` for a synchronous reader (the
    terminal board): lists of events, oldest first, as they are stored; also [] after
    ``heartbeat`` seconds without any (None: never). Access is checked now, once
    (NotFoundError / PermissionDeniedError before iterating). Reads every ``poll``
    seconds until ``stop`` is set (checked between reads) or the iterator is closed."""
    with ctx.database.reading() as conn:
        operation_access(conn, actor, operation_id)
    return _following(ctx, operation_id, max(after, 0), stop or threading.Event(), poll, heartbeat)


def _following(
    ctx: AppContext,
    operation_id: int,
    after: int,
    stop: threading.Event,
    poll: float,
    heartbeat: float | None,
) -> Iterator[list[OperationEventView]]:
    cursor = after
    quiet_since = time.monotonic()
    while not stop.is_set():
        with ctx.database.reading() as conn:
            found = topic_events(conn, topic(operation_id), after=cursor, limit=REPLAY_LIMIT)
        if found:
            cursor = found[-1].id
            quiet_since = time.monotonic()
            yield [event_view(e) for e in found]
            if len(found) == REPLAY_LIMIT:
                continue
        elif heartbeat is not None and time.monotonic() - quiet_since >= heartbeat:
            quiet_since = time.monotonic()
            yield []
        stop.wait(poll)
