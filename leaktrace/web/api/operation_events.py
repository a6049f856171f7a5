"""`/api/v1/operations/{id}/events`: an action day's live events, as server-sent events.

The stream starts after the ``Last-Event-ID`` header (a reconnecting ``EventSource``),
else after ``?after=N``, else at the operation's first event. It opens with
``retry: 1000``; each event is ``id: <id>`` and ``data: <the event's JSON>`` (no
``event:`` field, so ``EventSource.onmessage`` gets them); ``: keep-alive`` comments
fill 15 seconds of silence. The events come from the outbox (stored with the change
itself) through the process's :class:`~leaktrace.services.operation_feed.OperationFeed`;
no database connection is held while a stream is open. An agency that does not take part
gets the same 404 as for a missing operation. A user may hold 8 streams in one process,
a process streams at most 1000 clients and 200 operations: beyond that, 429 with
``Retry-After``. Events go out at most 100 per write (a client that does not read holds
one such page in the server, not its whole replay).

While the stream is open the request's credentials are authenticated again and the
operation's access re-checked (at every keep-alive, and at least every 10 s while events
flow): a revoked token, a logged-out session or a deactivated user ends the stream
before it delivers another event, and the client's reconnect gets 401 (404 when its
agency no longer takes part).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse

from leaktrace.errors import AuthenticationError, StoreError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.operation_feed import (
    KEEP_ALIVE,
    MAX_EVENT_ID,
    REPLAY_PAGE,
    OperationFeed,
    Subscription,
    SubscriptionEnded,
    resume_point,
)
from leaktrace.web.api.params import MAX_ID
from leaktrace.web.auth import optional_actor
from leaktrace.web.policy import requires

__all__ = ["EVENT_STREAM", "feed_of", "router"]

router = APIRouter(tags=["operations"])

EVENT_STREAM = "text/event-stream"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
_FEED = "operation_feed"
_READ = requires(Permission.read_cases)

OperationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The operation's id.")]

_EXAMPLE = (
    "retry: 1000\n\n"
    "id: 42\n"
    'data: {"id":42,"operation_id":7,"type":"status","at":"2026-12-06T06:00:03.1Z",'
    '"handling":"H2","target_id":3,"label":"203.0.113.7","kind":"server","country":"NL",'
    '"agency":"NL-POL","status":"done","previous":"in-progress", ...}\n\n'
    ": keep-alive\n\n"
)


def feed_of(request: Request) -> OperationFeed:
    """The process's hub (made on first use, in the server's event loop)."""
    state = request.app.state
    feed: OperationFeed | None = getattr(state, _FEED, None)
    if feed is None:
        feed = OperationFeed(state.context)
        setattr(state, _FEED, feed)
    return feed


def _reauthenticator(request: Request) -> Callable[[], Actor]:
    """Authenticates ``request`` again from its credentials (token, Basic or session
    cookie), as the database knows them now: AuthenticationError when they no longer
    hold."""

    def reauthenticate() -> Actor:
        actor = optional_actor(request)
        if actor is None:
            raise AuthenticationError("the stream's credentials are no longer valid")
        return actor

    return reauthenticate


async def _stream(subscription: Subscription) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"
    try:
        async for batch in subscription.batches(KEEP_ALIVE):
            if not batch:
                yield ": keep-alive\n\n"
                continue
            for start in range(0, len(batch), REPLAY_PAGE):  # a page per write
                page = batch[start : start + REPLAY_PAGE]
                yield "".join(f"id: {e.id}\ndata: {e.model_dump_json()}\n\n" for e in page)
    except (SubscriptionEnded, StoreError):
        return  # the client reconnects with Last-Event-ID


@router.get(
    "/operations/{operation_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `id:` the event id, `data:` the event "
            "(OperationEventView JSON); keep-alive comments; `retry: 1000`.",
            "content": {EVENT_STREAM: {"schema": {"type": "string"}, "example": _EXAMPLE}},
        }
    },
)
async def operation_events(
    request: Request,
    operation_id: OperationId,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_EVENT_ID,
            description="Start after this event id (when no Last-Event-ID header is sent).",
        ),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=64,
            description="The id of the last event received (sent by a reconnecting "
            "EventSource): the stream resumes right after it.",
        ),
    ] = None,
    actor: Actor = _READ,
) -> StreamingResponse:
    """The operation's live events (text/event-stream): every change of its targets and
    issues, with its id, oldest first; exactly the missed ones after a reconnect."""
    start = resume_point(last_event_id, after)
    subscription = await feed_of(request).subscribe(
        actor, operation_id, start, reauthenticate=_reauthenticator(request)
    )
    return StreamingResponse(_stream(subscription), media_type=EVENT_STREAM, headers=STREAM_HEADERS)
