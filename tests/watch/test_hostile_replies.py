"""Hostile replies through the whole watcher: what lands in the quarantine table.

Real local HTTP servers, real sources, a real database. A reply refused as a whole
(oversize or a compression bomb, unsafe XML, wrong content type, not JSON) is stored with
the source, the URL with its secrets redacted, the reason and a bounded sample; a predb
row with invalid UTF-8 is quarantined alone and its neighbours are stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leaktrace.sources.http_reply import SAMPLE_BYTES
from leaktrace.sources.predb import PredbConfig, PredbSource
from leaktrace.sources.rss import RssConfig, RssSource
from leaktrace.sources.torznab import TorznabConfig, TorznabSource
from leaktrace.store.database import Database
from leaktrace.store.schema import RELEASES
from leaktrace.store.source_state import list_quarantine, list_states
from leaktrace.watch.runner import Watcher
from tests.sources._bombs import MIB, deflate_bomb, gzip_bomb, stacked_gzip_bomb
from tests.sources._servers import Reply, Request, http_server

KEY = "indexer-api-key-0123456789abcdef"
MakeWatcher = Callable[..., Watcher]


def _only_entry(db: Database, source: str) -> dict[str, Any]:
    with db.reading() as conn:
        entries = list_quarantine(conn, source)
    assert len(entries) == 1, entries
    return entries[0]


def _check_entry(entry: dict[str, Any], source: str, url: str, reason: str) -> str:
    assert entry["source"] == source
    assert entry["location"] == url
    assert KEY not in json.dumps(entry)
    assert entry["reason"].startswith("poll failed: ") and reason in entry["reason"]
    sample = entry["sample"]
    assert isinstance(sample, str) and 0 < len(sample) <= 4 * SAMPLE_BYTES + 40
    return sample


def _torznab(url: str, **more: Any) -> TorznabSource:
    return TorznabSource(
        TorznabConfig(name="idx", url=url, api_key=KEY, total_timeout=10.0, **more)
    )


@pytest.mark.parametrize(
    ("encoding", "build"),
    [("gzip", gzip_bomb), ("gzip, gzip", stacked_gzip_bomb), ("deflate", deflate_bomb)],
)
def test_compression_bombs_become_quarantine_entries(
    make_watcher: MakeWatcher, loaded_db: Database, encoding: str, build: Callable[[int], bytes]
) -> None:
    bomb = build(64)  # 64 MiB once decoded; the cap is 1 MiB

    def app(req: Request) -> Reply:
        ctype = "application/json" if req.path.startswith("/predb") else "application/rss+xml"
        return Reply(200, bomb, {"Content-Encoding": encoding}, ctype)

    with http_server(app) as srv:
        sources = [
            _torznab(srv.url + "/api", max_bytes=MIB),
            RssSource(RssConfig(name="feed", url=f"{srv.url}/rss?token={KEY}", max_bytes=MIB)),
            PredbSource(PredbConfig(name="pre", url=srv.url + "/predb/", max_bytes=MIB)),
        ]
        summary = make_watcher(sources).run_once()
    assert summary.failures == 3
    urls = {
        "idx": f"{srv.url}/api?t=search&q=&limit=100&extended=1&apikey=***",
        "feed": f"{srv.url}/rss?token=***",
        "pre": f"{srv.url}/predb/?count=100&page=1",
    }
    for name, url in urls.items():
        entry = _only_entry(loaded_db, name)
        sample = _check_entry(entry, name, url, f"oversize reply: response larger than {MIB}")
        assert encoding in entry["reason"]
        assert sample.startswith("\\x00" * 8) and sample.endswith("\\x00")


def test_unsafe_xml_and_wrong_content_type_entries(
    make_watcher: MakeWatcher, loaded_db: Database, tmp_path: Path
) -> None:
    secret_file = tmp_path / "passwd"
    secret_file.write_text("root:x:0:0")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        f"<rss><channel><item><title>&x;</title><link>http://t/d?apikey={KEY}</link>"
        "</item></channel></rss>"
    ).encode()

    def app(req: Request) -> Reply:
        if req.path == "/html":
            return Reply(200, b"<html>\n<b>login</b>" + b" " * 5000, content_type="text/html")
        return Reply(200, xxe, content_type="text/xml")

    with http_server(app) as srv:
        sources = [
            _torznab(srv.url + "/xxe"),
            RssSource(RssConfig(name="feed", url=srv.url + "/html")),
        ]
        make_watcher(sources).run_once()
    unsafe = _check_entry(
        _only_entry(loaded_db, "idx"),
        "idx",
        f"{srv.url}/xxe?t=search&q=&limit=100&extended=1&apikey=***",
        "unsafe XML",
    )
    assert unsafe.startswith('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM')
    assert "root:x" not in unsafe and "apikey=***" in unsafe
    html = _check_entry(
        _only_entry(loaded_db, "feed"),
        "feed",
        f"{srv.url}/html",
        "unexpected content type 'text/html' (expected XML)",
    )
    assert html.startswith("<html>\\n<b>login</b>   ") and html.endswith("… (5019 bytes)")


def _predb_page(rows: list[dict[str, Any]]) -> bytes:
    body = {"status": "success", "message": "", "data": {"rowCount": len(rows), "rows": rows}}
    return json.dumps(body).encode()


def test_invalid_utf8_in_a_predb_row_spares_its_neighbours(
    make_watcher: MakeWatcher, loaded_db: Database
) -> None:
    rows = [
        {"id": i, "name": f"Rel.{i:03d}.2026.1080p.WEB-DL-GRP", "preAt": 1_780_000_000 + i}
        for i in (3, 2, 1)
    ]
    rows[1]["name"] = "Rel.BAD.2026.1080p.WEB-DL-GRP"
    page = _predb_page(rows).replace(b"Rel.BAD", b"Rel.\xffAD")
    with http_server(lambda req: Reply(200, page, content_type="application/json")) as srv:
        source = PredbSource(PredbConfig(name="pre", url=srv.url + "/api/v1/"))
        watcher = make_watcher([source])
        watcher.run_once()
        watcher.run_once()  # the page again: nothing fails, nothing doubles
    with loaded_db.reading() as conn:
        names = sorted(conn.execute(select(RELEASES.c.name)).scalars())
        state = {s.name: s for s in list_states(conn)}["pre"]
    assert names == ["Rel.001.2026.1080p.WEB-DL-GRP", "Rel.003.2026.1080p.WEB-DL-GRP"]
    assert state.consecutive_failures == 0 and state.last_error is None
    assert state.checkpoint is not None and state.checkpoint["last_id"] == 3
    entry = _only_entry(loaded_db, "pre")
    assert entry["reason"] == "bad predb row (name): invalid UTF-8 (\\xff)"
    assert entry["location"] == f"{srv.url}/api/v1/?count=100&page=1 page 1 row 2"
    assert '"name": "Rel.\\xffAD.2026' in entry["sample"]
