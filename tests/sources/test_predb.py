"""predb.ovh sources against a real local HTTP server and a real local websocket server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from leaktrace.sources.base import PollResult, SourceError, StreamingSource
from leaktrace.sources.predb import (
    PLUGINS,
    PredbConfig,
    PredbSource,
    PredbWebsocketConfig,
    PredbWebsocketSource,
)
from tests.sources._servers import CORPORA, Reply, Request, http_server

JSON = "application/json; charset=utf-8"


def row(row_id: int, nuke: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": row_id,
        "name": f"Rel.{row_id:05d}.1080p.BluRay.x264-GRP",
        "team": "GRP",
        "cat": "X264",
        "genre": "",
        "url": "",
        "size": 4000,
        "files": 50,
        "preAt": 1_700_000_000 + row_id,
        "nuke": nuke,
    }


def nuke(type_id: int, at: int = 1_700_500_000) -> dict[str, Any]:
    return {
        "id": 9,
        "typeId": type_id,
        "type": "NUKE",
        "preId": 1,
        "reason": "dupe",
        "net": "LocalNet",
        "nukeAt": at,
    }


class PredbApi:
    """Rows 1..newest, newest first, ``count`` per page; some rows nuked, one broken."""

    def __init__(self, newest: int) -> None:
        self.newest = newest
        self.nuked = {7: nuke(1)}
        self.broken: set[int] = set()

    def __call__(self, req: Request) -> Reply:
        count = int(req.query.get("count", "20"))
        page = int(req.query.get("page", "1"))
        ids = list(range(self.newest, 0, -1))[(page - 1) * count : page * count]
        rows: list[Any] = []
        for i in ids:
            rows.append(
                {"id": i, "name": "", "preAt": "x"}
                if i in self.broken
                else row(i, self.nuked.get(i))
            )
        body = {
            "status": "success",
            "message": "",
            "data": {
                "rowCount": len(rows),
                "offset": (page - 1) * count,
                "reqCount": 1,
                "total": self.newest,
                "time": 0.001,
                "rows": rows,
            },
        }
        return Reply(200, json.dumps(body).encode(), content_type=JSON)


def make(url: str, **more: Any) -> PredbSource:
    config = PredbConfig.model_validate(
        {"name": "predb", "url": url + "/api/v1/", "total_timeout": 5.0, **more}
    )
    source = PLUGINS[0].create(config)
    assert isinstance(source, PredbSource)
    return source


def test_plugins() -> None:
    assert [p.kind for p in PLUGINS] == ["predb", "predb-ws"]
    assert PLUGINS[0].config_model is PredbConfig
    assert PLUGINS[1].config_model is PredbWebsocketConfig
    with pytest.raises(ValueError):
        PredbConfig(name="x", count=101)
    ws = PLUGINS[1].create(PredbWebsocketConfig(name="ws"))
    assert isinstance(ws, StreamingSource)


def test_corpus_reply_over_http() -> None:
    path = CORPORA / "predb" / "predb_ovh_example.json"
    if not path.exists():
        pytest.skip("predb corpus not available")
    with http_server(lambda req: Reply(200, path.read_bytes(), content_type=JSON)) as srv:
        result = make(srv.url, query="HAGGiS").poll(None)
    assert [i.name for i in result.items] == ["Fortitude.S02E07.BDRip.x264-HAGGiS"]
    assert result.checkpoint == {"last_id": 7812994, "etag": None, "last_modified": None}
    assert srv.seen[0].query == {"q": "HAGGiS", "count": "100", "page": "1"}


def test_paging_until_last_id() -> None:
    api = PredbApi(newest=30)
    with http_server(api) as srv:
        source = make(srv.url, count=10, max_pages=5)
        first = source.poll(None)  # page 1 only
        assert [i.extra["id"] for i in first.items] == list(range(21, 31))  # oldest first
        assert first.checkpoint is not None and first.checkpoint["last_id"] == 30
        api.newest = 55
        api.broken = {40}
        api.nuked[50] = nuke(3)
        srv.seen.clear()
        second = source.poll(first.checkpoint)
        assert [s.query["page"] for s in srv.seen] == ["1", "2", "3"]
        ids = [i.extra["id"] for i in second.items]
        assert ids == [i for i in range(31, 56) if i != 40]
        assert len(second.quarantined) == 1 and '"id": 40' in (second.quarantined[0].sample or "")
        assert [(n.name, n.action) for n in second.nukes] == [
            ("Rel.00050.1080p.BluRay.x264-GRP", "modnuke")
        ]
        assert second.checkpoint is not None and second.checkpoint["last_id"] == 55
        third = source.poll(second.checkpoint)
        assert third.items == [] and third.checkpoint is not None
        assert third.checkpoint["last_id"] == 55
        api.newest = 200  # more than max_pages * count new rows: the gap is skipped
        fourth = source.poll(third.checkpoint)
        assert len(fourth.items) == 50 and fourth.checkpoint is not None
        assert fourth.checkpoint["last_id"] == 200


def test_error_reply_and_status() -> None:
    def app(req: Request) -> Reply:
        if req.path.startswith("/bad"):
            body = {"status": "error", "message": "Invalid count value", "data": None}
            return Reply(400, json.dumps(body).encode(), content_type=JSON)
        if req.path.startswith("/html"):
            return Reply(200, b"<html/>", content_type="text/html")
        return Reply(502, b"bad gateway", content_type="text/plain")

    with http_server(app) as srv:
        with pytest.raises(SourceError, match="Invalid count value") as bad:
            make(srv.url + "/bad").poll(None)
        assert not bad.value.transient and bad.value.status == 400
        with pytest.raises(SourceError) as gateway:
            make(srv.url + "/gw").poll(None)
        assert gateway.value.transient and gateway.value.status == 502
        with pytest.raises(SourceError, match="not JSON"):
            make(srv.url + "/html").poll(None)


# --- websocket -----------------------------------------------------------------------------


@contextmanager
def ws_server(handler: Callable[[ServerConnection], None]) -> Iterator[str]:
    server = serve(handler, "127.0.0.1", 0, close_timeout=0.5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/api/v1/ws"
    finally:
        server.shutdown()
        thread.join(5)


def until_closed(ws: ServerConnection) -> None:
    """Keep the connection open until the client goes away."""
    try:
        for _ in ws:
            pass
    except ConnectionClosed:
        pass


def frame(action: str, body: dict[str, Any]) -> str:
    return json.dumps({"action": action, "row": body})


def ws_source(ws_url: str, **more: Any) -> PredbWebsocketSource:
    config = PredbWebsocketConfig.model_validate(
        {
            "name": "ws",
            "websocket_url": ws_url,
            "recv_timeout": 0.1,
            "reconnect_base": 0.05,
            "reconnect_cap": 0.2,
            "backfill": False,
            **more,
        }
    )
    source = PLUGINS[1].create(config)
    assert isinstance(source, PredbWebsocketSource)
    return source


def collect(
    source: PredbWebsocketSource,
    want: int,
    checkpoint: dict[str, Any] | None = None,
    limit: float = 8.0,
) -> list[PollResult]:
    stop = threading.Event()
    out: list[PollResult] = []
    deadline = time.monotonic() + limit
    for result in source.stream(checkpoint, stop):
        out.append(result)
        if len(out) >= want or time.monotonic() > deadline:
            stop.set()
    return out


def test_websocket_every_action_and_reconnect() -> None:
    connections: list[int] = []

    def handler(ws: ServerConnection) -> None:
        connections.append(1)
        if len(connections) == 1:
            ws.send(frame("insert", row(100)))
            ws.send(frame("update", row(101)))
            ws.send("this is not json")
            for action, type_id in (("nuke", 1), ("unnuke", 2), ("modnuke", 3)):
                ws.send(frame(action, row(100, nuke(type_id))))
            # then drop the connection without a close frame
            ws.socket.close()
            return
        for action, type_id in (("delpre", 4), ("undelpre", 5), ("delete", 4)):
            ws.send(frame(action, row(101, nuke(type_id))))
        ws.send(frame("insert", row(102)).encode())  # a binary frame
        until_closed(ws)

    with ws_server(handler) as url:
        results = collect(ws_source(url), want=10)
    assert len(connections) == 2  # reconnected after the drop
    items = [i.name[:9] for r in results for i in r.items]
    assert items == ["Rel.00100", "Rel.00101", "Rel.00102"]
    actions = [n.action for r in results for n in r.nukes]
    assert actions == ["nuke", "unnuke", "modnuke", "delpre", "undelpre", "delpre"]
    assert [len(r.quarantined) for r in results].count(1) == 1
    assert results[-1].checkpoint == {"last_id": 102}
    assert all(n.source == "ws" and n.reason == "dupe" for r in results for n in r.nukes)


def test_websocket_stop_honoured_promptly() -> None:
    def idle(ws: ServerConnection) -> None:
        until_closed(ws)

    with ws_server(idle) as url:
        source = ws_source(url, recv_timeout=0.5)
        stop = threading.Event()
        finished = threading.Event()

        def run() -> None:
            for _ in source.stream({"last_id": 5}, stop):
                pass
            finished.set()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        stop.set()
        assert finished.wait(3.0)
        assert time.monotonic() - started < 1.5
        thread.join(2)


def test_websocket_unreachable_retries_until_stopped() -> None:
    source = ws_source("ws://127.0.0.1:9/api/v1/ws", open_timeout=0.5)
    stop = threading.Event()
    timer = threading.Timer(0.8, stop.set)
    timer.start()
    started = time.monotonic()
    assert list(source.stream(None, stop)) == []
    assert time.monotonic() - started < 2.5
    timer.cancel()


def test_websocket_backfill_from_http_on_connect() -> None:
    api = PredbApi(newest=12)

    def handler(ws: ServerConnection) -> None:
        ws.send(frame("insert", row(13)))
        until_closed(ws)

    with http_server(api) as srv, ws_server(handler) as url:
        source = ws_source(url, backfill=True, url=srv.url + "/api/v1/", count=5)
        results = collect(source, want=2, checkpoint={"last_id": 3})
        source.close()
    assert [i.extra["id"] for i in results[0].items] == list(range(4, 13))
    assert results[0].checkpoint == {"last_id": 12}
    assert [i.extra["id"] for i in results[1].items] == [13]
    assert results[1].checkpoint == {"last_id": 13}


def test_websocket_handshake_refused_is_permanent() -> None:
    with http_server(lambda req: Reply(403, b"no", content_type="text/plain")) as srv:
        source = ws_source(srv.url.replace("http://", "ws://") + "/ws?token=SECRETTOKEN")
        with pytest.raises(SourceError) as info:
            list(source.stream(None, threading.Event()))
    assert not info.value.transient and info.value.status == 403
    assert "SECRETTOKEN" not in str(info.value)
