from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.alerts.base import DeliveryError, SinkConfig
from leaktrace.detect.rules import Severity
from leaktrace.sources.base import PollResult, SourceConfig, SourceError
from leaktrace.sources.jsonl_tail import JsonlSource, JsonlSourceConfig
from leaktrace.store.database import Database
from leaktrace.store.schema import (
    ALERT_EVENTS,
    DEAD_LETTERS,
    DELIVERIES,
    RELEASES,
    SIGHTINGS,
)
from leaktrace.store.source_state import list_quarantine, list_states
from leaktrace.watch.runner import Watcher
from tests.watch.conftest import MemorySink

LEAK = {
    "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
    "time": "2026-05-16T08:00:00Z",
}
INSIDE = {
    "name": "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
    "time": "2026-04-15T03:00:00Z",
}
CAM = {"name": "Protocollo.Aurora.2026.iTALiAN.TS.XviD-CAMGRP", "time": "2026-03-01T22:00:00Z"}


def count(db: Database, table: object) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def append(path: Path, *rows: object) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")


def jsonl_source(path: Path, name: str = "feed", **kw: object) -> JsonlSource:
    return JsonlSource(JsonlSourceConfig(name=name, paths=[path], interval=0.05, **kw))


class Broken:
    def __init__(self, name: str, error: SourceError) -> None:
        self.name = name
        self.config = SourceConfig(name=name, kind="broken", interval=0.05)
        self.error = error

    def poll(self, checkpoint: object) -> PollResult:
        raise self.error

    def close(self) -> None:
        return None


def test_once_ingests_checkpoints_and_alerts(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    append(feed, LEAK, INSIDE, CAM)
    sink = MemorySink()
    watcher = make_watcher([jsonl_source(feed)], [(SinkConfig(name="memory", kind="memory"), sink)])
    summary = watcher.run_once()
    assert (summary.items, summary.report.new_releases, summary.report.new_alerts) == (3, 3, 2)
    assert {e.payload["release"] for e in sink.events} == {LEAK["name"], CAM["name"]}
    leak = next(e for e in sink.events if e.payload["release"] == LEAK["name"])
    assert leak.kind == "leak" and leak.window == "physical" and leak.key.startswith("leak-")
    assert leak.payload["work_id"] == "northern" and leak.payload["lead_days"] > 2
    (state,) = list_states(loaded_db.engine.connect())
    assert state.items_seen == 3 and state.checkpoint is not None
    again = make_watcher(
        [jsonl_source(feed)], [(SinkConfig(name="memory", kind="memory"), sink)]
    ).run_once()
    assert again.items == 0 and len(sink.events) == 2
    assert count(loaded_db, ALERT_EVENTS) == 2


def test_batches_follow_a_growing_file(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    append(
        feed,
        *({"name": f"Film.{n}.2020.1080p.WEB-DL-G", "time": 1600000000 + n} for n in range(10)),
    )
    source = jsonl_source(feed, max_items=4)
    watcher = make_watcher([source])
    seen = [watcher.run_once().items for _ in range(4)]
    assert seen == [4, 8, 10, 10]  # cumulative per watcher
    append(feed, {"name": "Film.Late.2020.1080p.WEB-DL-G", "time": 1600001000})
    assert watcher.run_once().items == 11
    assert count(loaded_db, RELEASES) == 11


def test_partial_last_line_waits_and_bad_lines_are_quarantined(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    append(feed, LEAK, "{not json", {"name": "X", "time": "tomorrow"})
    with feed.open("a") as handle:
        handle.write('{"name": "Half.Written.2020.1080p.WEB-DL-G", "ti')
    watcher = make_watcher([jsonl_source(feed)])
    assert watcher.run_once().items == 1
    bad = list_quarantine(loaded_db.engine.connect(), "feed")
    assert len(bad) == 2
    assert {"time" in b["reason"] or "not JSON" in b["reason"] for b in bad} == {True}
    with feed.open("a") as handle:
        handle.write('me": 1600000000}\n')
    assert watcher.run_once().items == 2
    assert count(loaded_db, RELEASES) == 2


def test_a_failing_source_does_not_stop_the_others(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    append(feed, LEAK)
    broken = Broken(
        "indexer", SourceError("HTTP 503 from https://x/api?apikey=***", retry_after=30)
    )
    watcher = make_watcher([broken, jsonl_source(feed)])
    summary = watcher.run_once()
    assert summary.failures == 1 and summary.items == 1
    states = {s.name: s for s in list_states(loaded_db.engine.connect())}
    assert states["indexer"].consecutive_failures == 1
    assert "503" in (states["indexer"].last_error or "")
    assert states["feed"].items_seen == 1


def test_retry_then_deliver_and_dead_letters(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    append(feed, LEAK, CAM)
    flaky = MemorySink("flaky", [DeliveryError("503", transient=True)])
    refusing = MemorySink("refusing", [DeliveryError("410 gone", transient=False)] * 2)
    watcher = make_watcher(
        [jsonl_source(feed)],
        [
            (SinkConfig(name="flaky", kind="memory", min_severity=Severity.HIGH), flaky),
            (SinkConfig(name="refusing", kind="memory"), refusing),
        ],
        retry_base=0.01,
        retry_cap=0.05,
    )
    watcher.run_once()
    time.sleep(0.1)
    watcher.dispatcher.deliver_due()
    # the cam leak is 4 days early: medium, filtered out of the "flaky" sink
    assert [e.payload["release"] for e in flaky.events] == [LEAK["name"]]
    assert count(loaded_db, DEAD_LETTERS) == 2 and refusing.events == []
    with loaded_db.reading() as conn:
        statuses = dict(
            conn.execute(
                select(DELIVERIES.c.sink, func.count())
                .where(DELIVERIES.c.status == "delivered")
                .group_by(DELIVERIES.c.sink)
            ).all()
        )
    assert statuses == {"flaky": 1}


def test_nukes_update_releases_and_raise_events(
    make_watcher: Callable[..., Watcher], loaded_db: Database
) -> None:
    from datetime import UTC, datetime

    from leaktrace.feeds.item import FeedItem, NukeEvent

    class Pre:
        name = "pre"
        config = SourceConfig(name="pre", kind="pre")

        def __init__(self) -> None:
            self.calls = 0

        def poll(self, checkpoint: object) -> PollResult:
            self.calls += 1
            if self.calls == 1:
                return PollResult(
                    items=[
                        FeedItem(LEAK["name"], datetime(2026, 5, 16, 8, tzinfo=UTC), origin="predb")
                    ]
                )
            return PollResult(
                nukes=[
                    NukeEvent(
                        LEAK["name"],
                        "nuke",
                        datetime(2026, 5, 16, 9, tzinfo=UTC),
                        reason="mislabeled",
                        net="LOCAL",
                    )
                ]
            )

        def close(self) -> None:
            return None

    sink = MemorySink()
    watcher = make_watcher([Pre()], [(SinkConfig(name="memory", kind="memory"), sink)])
    watcher.run_once()
    watcher.run_once()
    watcher.run_once()  # the same nuke again: no second event
    assert [e.kind for e in sink.events] == ["leak", "nuke"]
    nuke = sink.events[1]
    assert nuke.payload["nuke"] == {
        "action": "nuke",
        "reason": "mislabeled",
        "net": "LOCAL",
        "at": "2026-05-16T09:00:00Z",
    }
    with loaded_db.reading() as conn:
        row = conn.execute(select(RELEASES.c.nuke_status, RELEASES.c.nuke_reason)).one()
    assert tuple(row) == ("nuked", "mislabeled")
    assert count(loaded_db, RELEASES) == 1


def test_run_until_stopped(
    make_watcher: Callable[..., Watcher], loaded_db: Database, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.touch()
    sink = MemorySink()
    watcher = make_watcher([jsonl_source(feed)], [(SinkConfig(name="memory", kind="memory"), sink)])
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    try:
        append(feed, LEAK)
        deadline = time.monotonic() + 10
        while not sink.events and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [e.payload["release"] for e in sink.events] == [LEAK["name"]]
    finally:
        stop.set()
        thread.join(timeout=15)
    assert not thread.is_alive()
    assert count(loaded_db, SIGHTINGS) == 1


def test_config_file_errors(tmp_path: Path) -> None:
    from leaktrace.errors import ConfigError
    from leaktrace.watch.config import load_watch_config

    def load(text: str) -> object:
        path = tmp_path / "w.toml"
        path.write_text(text)
        return load_watch_config(path)

    with pytest.raises(ConfigError, match="not valid TOML"):
        load("[[source]\n")
    with pytest.raises(ConfigError, match="no \\[\\[source\\]\\]"):
        load("[watch]\nbatch_size = 10\n")
    with pytest.raises(ConfigError, match="unknown kind 'gopher'"):
        load('[[source]]\nkind = "gopher"\n')
    with pytest.raises(ConfigError, match=r"source\[0\], field 'paths'"):
        load('[[source]]\nkind = "jsonl"\n')
    with pytest.raises(ConfigError, match="duplicate source name"):
        load(
            '[[source]]\nname="a"\nkind = "jsonl"\npaths=["x"]\n'
            '[[source]]\nname="a"\nkind = "jsonl"\npaths=["y"]\n'
        )
    with pytest.raises(ConfigError, match="unknown section"):
        load('[[sources]]\nkind = "jsonl"\n')
    config = load('[watch]\nbatch_size = 7\n[[source]]\nkind = "jsonl"\npaths = ["f.jsonl"]\n')
    assert config.options.batch_size == 7  # type: ignore[attr-defined]
    assert config.sources[0].name == "jsonl-0"  # type: ignore[attr-defined]


def test_once_delivers_every_due_alert_not_only_the_first_page(
    make_watcher: Callable[..., Watcher], tmp_path: Path
) -> None:
    """``watch --once`` delivers what is due: more than one page (200) of deliveries, and
    events past a page (1,000) of the outbox whose first page a sink's filter drops."""
    feed = tmp_path / "feed.jsonl"
    northern = [{**LEAK, "name": LEAK["name"].replace("SPARKLE", f"G{i}")} for i in range(1000)]
    cams = [{**CAM, "name": CAM["name"].replace("CAMGRP", f"C{i}")} for i in range(250)]
    append(feed, *northern, *cams)
    everything, picky = MemorySink("everything"), MemorySink("picky")
    watcher = make_watcher(
        [jsonl_source(feed, max_items=2000)],
        [
            (SinkConfig(name="everything", kind="memory"), everything),
            (SinkConfig(name="picky", kind="memory", windows=["theatrical"]), picky),
        ],
        batch_size=2000,
    )
    summary = watcher.run_once()
    assert summary.report.new_alerts == 1250
    assert len({e.key for e in everything.events}) == 1250
    assert {e.payload["release"] for e in picky.events} == {c["name"] for c in cams}
    assert summary.delivered == 1500
    with watcher.db.reading() as conn:
        pending = conn.execute(
            select(func.count()).select_from(DELIVERIES).where(DELIVERIES.c.status == "pending")
        ).scalar_one()
    assert pending == 0
