"""predb.ovh API v1: an incremental poller (kind ``predb``) and a websocket follower
(kind ``predb-ws``).

**Polling** (``GET {url}?q=&count=&page=``, newest first). The first poll (no checkpoint)
reads page 1 only: it starts the bookmark, it does not backfill history. Later polls read
page 1, 2, ... until a page reaches the checkpoint's ``last_id`` (or is short, or
``max_pages`` pages were read); rows with ``id <= last_id`` are dropped. Items are returned
oldest first. If ``max_pages`` ran out before reaching ``last_id``, the rows in between
are skipped (logged as a warning): raise ``max_pages`` or poll more often.

Checkpoint: ``{"last_id": int | None, "etag": str | None, "last_modified": str | None}``
(the validators are those of page 1, sent back as If-None-Match / If-Modified-Since).

Nukes: a row's ``nuke`` object yields a :class:`NukeEvent`. Polling only sees rows newer
than ``last_id``, so a later nuke of an older release is seen only through the websocket.

**Streaming** (``wss://api.predb.ovh/api/v1/ws``): one :class:`PollResult` per frame
(see :mod:`leaktrace.formats.predb_json` for what each action yields), checkpoint
``{"last_id": int | None}``. On every (re)connection with a known ``last_id`` and
``backfill`` on, the HTTP API is polled first to catch up on what was missed while
disconnected. Dropped connections are retried with exponential back-off and full jitter;
``stop`` is checked at least every ``recv_timeout`` seconds. Only permanent failures (bad
URL, handshake refused with a 4xx other than 429) end the stream, with a
:class:`SourceError`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, field_validator
from websockets.exceptions import (
    ConnectionClosed,
    InvalidStatus,
    InvalidURI,
    WebSocketException,
)
from websockets.sync.client import connect

from leaktrace.feeds.item import FeedItem, NukeEvent
from leaktrace.formats.predb_json import parse_frame, parse_reply
from leaktrace.sources.base import (
    Checkpoint,
    PollResult,
    Quarantined,
    SourceError,
    SourcePlugin,
)
from leaktrace.sources.http import (
    HttpFetcher,
    HttpSourceConfig,
    about_reply,
    backoff_delay,
    raise_for_status,
    redact_url,
)

__all__ = [
    "PLUGINS",
    "PredbConfig",
    "PredbSource",
    "PredbWebsocketConfig",
    "PredbWebsocketSource",
]

DEFAULT_URL = "https://api.predb.ovh/api/v1/"
DEFAULT_WS_URL = "wss://api.predb.ovh/api/v1/ws"

_log = logging.getLogger(__name__)


def _check_ws(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value.lower().startswith(("ws://", "wss://")):
        raise ValueError("websocket_url must start with ws:// or wss://")
    return value


class _PredbCommon(HttpSourceConfig):
    url: str = DEFAULT_URL
    """The API v1 endpoint (``.../api/v1/``)."""
    query: str = ""
    count: int = Field(default=100, ge=1, le=100)
    max_pages: int = Field(default=5, ge=1, le=100)


class PredbConfig(_PredbCommon):
    kind: Literal["predb"] = "predb"
    websocket_url: str | None = None
    """Informational here; the ``predb-ws`` kind follows the websocket."""

    @field_validator("websocket_url")
    @classmethod
    def _ws(cls, value: str | None) -> str | None:
        return _check_ws(value)


class PredbWebsocketConfig(_PredbCommon):
    kind: Literal["predb-ws"] = "predb-ws"
    websocket_url: str = DEFAULT_WS_URL
    backfill: bool = True
    """Poll the HTTP API (``url``) on each (re)connection to catch up from ``last_id``."""
    open_timeout: float = Field(default=10.0, gt=0, le=300)
    recv_timeout: float = Field(default=0.5, gt=0, le=60)
    """How often ``stop`` is checked while no frame arrives."""
    max_frame_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    reconnect_base: float = Field(default=1.0, gt=0, le=600)
    reconnect_cap: float = Field(default=300.0, gt=0, le=3600)
    ping_interval: float | None = Field(default=20.0, gt=0)

    @field_validator("websocket_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        checked = _check_ws(value)
        assert checked is not None
        return checked


def _fetcher(config: _PredbCommon) -> HttpFetcher:
    return config.fetcher()


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _item_id(item: FeedItem) -> int | None:
    return _as_int(item.extra.get("id"))


class PredbSource:
    """Polls predb.ovh API v1 incrementally (see the module docs)."""

    def __init__(self, config: _PredbCommon, fetcher: HttpFetcher | None = None) -> None:
        self.config = config
        self.name = config.name
        self._fetcher = fetcher or _fetcher(config)

    def __repr__(self) -> str:
        return f"PredbSource(name={self.name!r}, url={redact_url(self.config.url)!r})"

    def close(self) -> None:
        self._fetcher.close()

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        checkpoint = checkpoint or {}
        last_id = _as_int(checkpoint.get("last_id"))
        etag = checkpoint.get("etag")
        last_modified = checkpoint.get("last_modified")
        pages = self.config.max_pages if last_id is not None else 1
        items: list[FeedItem] = []
        nukes: list[NukeEvent] = []
        quarantined: list[Quarantined] = []
        seen_ids: set[int] = set()
        newest = last_id
        validators: tuple[str | None, str | None] = (None, None)
        reached = last_id is None
        for page in range(1, pages + 1):
            params: dict[str, str | int | float | None] = {
                "q": self.config.query or None,
                "count": self.config.count,
                "page": page,
            }
            result = self._fetcher.fetch(
                self.config.url,
                params=params,
                accept="application/json",
                etag=etag if page == 1 and isinstance(etag, str) else None,
                last_modified=(
                    last_modified if page == 1 and isinstance(last_modified, str) else None
                ),
            )
            if result.not_modified and page == 1:
                return PollResult(not_modified=True)
            with about_reply(result):
                if result.status >= 400:
                    self._raise_error_reply(result.content, result.status)
                raise_for_status(result, source=self.name)
                batch = parse_reply(
                    result.content,
                    source=self.name,
                    location=f"{result.url} page {page}",
                    after_id=last_id,
                )
            if page == 1:
                validators = (result.etag, result.last_modified)
            for item in batch.items:
                item_id = _item_id(item)
                if item_id is not None:
                    if last_id is not None and item_id <= last_id:
                        continue
                    if item_id in seen_ids:
                        continue
                    seen_ids.add(item_id)
                items.append(item)
            nuke_names = {i.name for i in items}
            nukes.extend(n for n in batch.nukes if n.name in nuke_names)
            quarantined.extend(batch.quarantined)
            if batch.ids:
                top = max(batch.ids)
                newest = top if newest is None else max(newest, top)
            if last_id is not None and any(i <= last_id for i in batch.ids):
                reached = True
                break
            if len(batch.ids) < self.config.count and (batch.row_count or 0) < self.config.count:
                reached = True
                break
        if not reached:
            _log.warning(
                "%s: read %d pages without reaching id %s; older new rows skipped",
                self.name,
                pages,
                last_id,
            )
        items.reverse()
        items.sort(key=lambda i: _item_id(i) or 0)
        nukes.sort(key=lambda n: n.time)
        return PollResult(
            items=items,
            nukes=nukes,
            quarantined=quarantined,
            checkpoint={"last_id": newest, "etag": validators[0], "last_modified": validators[1]},
        )

    def _raise_error_reply(self, content: bytes, status: int) -> None:
        """A 4xx/5xx whose body is a predb ``status: error`` reply: say what it said."""
        if status == 429 or status >= 500 or not content:
            return
        try:
            parse_reply(content[:65536], source=self.name)
        except SourceError as exc:
            if "replied status" in exc.reason:
                raise SourceError(
                    f"HTTP {status}: {exc.reason}", source=self.name, transient=False, status=status
                ) from None


class PredbWebsocketSource:
    """Follows predb.ovh's websocket (see the module docs)."""

    def __init__(self, config: PredbWebsocketConfig) -> None:
        self.config = config
        self.name = config.name
        self._poller = PredbSource(config) if config.backfill else None

    def __repr__(self) -> str:
        return (
            f"PredbWebsocketSource(name={self.name!r}, "
            f"url={redact_url(self.config.websocket_url)!r})"
        )

    def close(self) -> None:
        if self._poller is not None:
            self._poller.close()

    def stream(self, checkpoint: Checkpoint | None, stop: threading.Event) -> Iterator[PollResult]:
        last_id = _as_int((checkpoint or {}).get("last_id"))
        failures = 0
        url = self.config.websocket_url
        while not stop.is_set():
            connected_at: float | None = None
            frames = 0
            try:
                with connect(
                    url,
                    open_timeout=self.config.open_timeout,
                    close_timeout=1.0,
                    max_size=self.config.max_frame_bytes,
                    ping_interval=self.config.ping_interval,
                    ping_timeout=self.config.ping_interval,
                    user_agent_header="LeakTrace/0.1",
                ) as ws:
                    connected_at = time.monotonic()
                    _log.info("%s: connected to %s", self.name, redact_url(url))
                    if last_id is not None and self._poller is not None:
                        caught_up = self._backfill(last_id)
                        if caught_up is not None:
                            last_id = _as_int((caught_up.checkpoint or {}).get("last_id"))
                            caught_up.checkpoint = {"last_id": last_id}
                            yield caught_up
                    while not stop.is_set():
                        try:
                            message = ws.recv(timeout=self.config.recv_timeout)
                        except TimeoutError:
                            continue
                        frames += 1
                        batch = parse_frame(
                            message,
                            source=self.name,
                            received=datetime.now(UTC),
                            location=redact_url(url),
                        )
                        if batch.ids and batch.action in ("insert", "update"):
                            top = max(batch.ids)
                            last_id = top if last_id is None else max(last_id, top)
                        yield PollResult(
                            items=batch.items,
                            nukes=batch.nukes,
                            quarantined=batch.quarantined,
                            checkpoint={"last_id": last_id},
                        )
            except InvalidURI as exc:
                raise SourceError(
                    f"bad websocket URL {redact_url(url)!r}: {exc}"[:300],
                    source=self.name,
                    transient=False,
                ) from None
            except InvalidStatus as exc:
                status = exc.response.status_code
                if 400 <= status < 500 and status != 429:
                    raise SourceError(
                        f"{redact_url(url)}: websocket handshake refused (HTTP {status})",
                        source=self.name,
                        transient=False,
                        status=status,
                    ) from None
                _log.warning("%s: websocket handshake got HTTP %d", self.name, status)
            except ConnectionClosed as exc:
                _log.info("%s: websocket closed (%s)", self.name, exc.rcvd or "no close frame")
            except (WebSocketException, OSError, TimeoutError) as exc:
                _log.warning("%s: websocket %s: %s", self.name, redact_url(url), type(exc).__name__)
            lasted = time.monotonic() - connected_at if connected_at is not None else 0.0
            failures = 1 if frames or lasted > 30 else failures + 1
            if stop.is_set():
                break
            stop.wait(
                max(
                    0.05,
                    backoff_delay(failures, self.config.reconnect_base, self.config.reconnect_cap),
                )
            )

    def _backfill(self, last_id: int) -> PollResult | None:
        assert self._poller is not None
        try:
            result = self._poller.poll({"last_id": last_id})
        except SourceError as exc:
            _log.warning("%s: backfill from the HTTP API failed: %s", self.name, exc)
            return None
        if not (result.items or result.nukes or result.quarantined):
            return None
        return result


def _create_poller(config: Any) -> PredbSource:
    return PredbSource(config)


def _create_ws(config: Any) -> PredbWebsocketSource:
    return PredbWebsocketSource(config)


PLUGINS = [
    SourcePlugin("predb", PredbConfig, _create_poller),
    SourcePlugin("predb-ws", PredbWebsocketConfig, _create_ws),
]
