"""The names and ids a large ingest keeps: a stored name is never missed (with its row's
id), new names rarely have a candidate, and a large ingest that keeps them (with the name
index gone) stores what an ingest asking the database stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

import leaktrace.pipeline.ingest as ingest_module
import leaktrace.store.releases as releases_store
from leaktrace.feeds.item import NukeEvent
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.ingest import BatchWriter, IngestReport, ingest_files
from leaktrace.pipeline.name_ids import MAX_ID, NameIds
from leaktrace.store.releases import NAME_INDEX, deferred_indexes
from leaktrace.store.schema import NUKES, RELEASES
from leaktrace.store.works import load_works

from .test_ingest import ROWS
from .test_ingest_deferred_indexes import fresh, table_rows

Write = Callable[..., Path]


@given(
    st.lists(st.text(max_size=40), max_size=300, unique=True),
    st.integers(0, 5000),
    st.lists(st.text(max_size=40), max_size=100),
)
def test_a_held_name_is_never_missed(names: list[str], expected: int, others: list[str]) -> None:
    held = NameIds(expected)
    pairs = [(name, rid) for rid, name in enumerate(names, start=1)]
    for start in range(0, len(pairs), 7):  # in batches, as an ingest adds them
        held.add(pairs[start : start + 7])
    assert len(held) == len(names)
    found = held.candidates(names + others)
    for name, rid in pairs:
        assert rid in found[name]
    for name in others:  # a name not held has only other names' ids, if any
        if name not in names:
            assert all(names[rid - 1] != name for rid in found.get(name, []))


def test_it_grows_and_keeps_every_name() -> None:
    held = NameIds(1)
    first = held.size_bytes
    names = [f"Grown.Name.{n}.2026.1080p.WEB-DL-GRP" for n in range(20_000)]
    held.add((name, rid) for rid, name in enumerate(names, start=1))
    assert held.size_bytes > first
    assert held.size_bytes == 8 * 65_536  # at most half full, a power of two
    found = held.candidates(names)
    assert all(rid + 1 in found[name] for rid, name in enumerate(names))


def test_new_names_rarely_have_a_candidate() -> None:
    held = NameIds(20_000)
    held.add((f"Stored.Name.{n}.2026.1080p.WEB-DL-GRP", n + 1) for n in range(20_000))
    new = [f"New.Name.{n}.2026.1080p.WEB-DL-GRP" for n in range(20_000)]
    assert len(held.candidates(new)) < 0.001 * len(new)  # a 32-bit hash: about 1 in 10,000


def test_ids_must_fit_in_an_entry() -> None:
    held = NameIds(10)
    with pytest.raises(ValueError, match="outside"):
        held.add([("a", 0)])
    with pytest.raises(ValueError, match="outside"):
        held.add([("a", MAX_ID + 1)])
    held.add([("a", MAX_ID)])
    assert held.candidates(["a"]) == {"a": [MAX_ID]}


def test_a_large_ingest_keeping_the_names_stores_what_asking_the_database_stores(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second ingest brings the first one's names again (one earlier: its time and
    status move), the same sightings again, and new names."""
    first = write_feed(ROWS[:3])
    earlier = {**ROWS[0], "time": "2026-05-10T08:00:00Z", "site": "predb-b"}
    more: list[dict[str, Any]] = [
        {"name": f"Filler.Release.{n:03d}.2026.1080p.WEB-DL-GRP", "time": "2026-02-01T00:00:00Z"}
        for n in range(40)
    ]
    second = write_feed([*ROWS, earlier, *more, ROWS[1]])
    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 1)
    used: list[NameIds] = []
    real = ingest_module._name_ids

    def spy(conn: Any, expected: int) -> NameIds:
        used.append(real(conn, expected))
        return used[-1]

    monkeypatch.setattr(ingest_module, "_name_ids", spy)
    filtered, settings = fresh(tmp_path, "filtered.db", catalog_csv)
    settings = settings.model_copy(update={"batch_size": 4})  # repeats across batches
    reports = [ingest_files(filtered, [path], settings).as_dict() for path in (first, second)]
    assert len(used) == 2  # both deferred, so both kept the names
    assert used[1].candidates([str(ROWS[0]["name"])]) == {ROWS[0]["name"]: [1]}

    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 10**9)
    plain, settings = fresh(tmp_path, "plain.db", catalog_csv)
    settings = settings.model_copy(update={"batch_size": 4})
    expected = [ingest_files(plain, [path], settings).as_dict() for path in (first, second)]
    assert len(used) == 2  # not this time
    for got, want in zip(reports, expected, strict=True):
        for key in ("seconds", "run_id"):
            got.pop(key), want.pop(key)
        assert got == want
    assert reports[1]["earlier_times"] == 1 and reports[1]["new_releases"] == 42
    assert table_rows(filtered) == table_rows(plain)
    filtered.close()
    plain.close()


def test_nukes_find_their_releases_by_id_with_the_name_index_gone(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    db, settings = fresh(tmp_path, "nukes.db", catalog_csv)
    ingest_files(db, [write_feed(ROWS)], settings)
    name = str(ROWS[0]["name"])
    nuke = NukeEvent(name, "nuke", datetime(2026, 5, 20, tzinfo=UTC), "dupe", "NET")
    stranger = NukeEvent("Not.Stored.2026.1080p.WEB-DL-GRP", "nuke", nuke.time, "bad")
    with db.transaction() as conn:
        with deferred_indexes(conn, keys=True):
            left = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            assert NAME_INDEX not in set(left.scalars())
            writer = BatchWriter(
                Assessor(Matcher(load_works(conn), settings.match_threshold)),
                ingest_module._name_ids(conn, 10),
            )
            report = IngestReport(files=[])
            writer.nukes(conn, [nuke, stranger], report)
    assert report.nukes == 1
    with db.reading() as conn:
        rows = conn.execute(
            select(RELEASES.c.name, RELEASES.c.nuke_status, RELEASES.c.nuke_reason).where(
                RELEASES.c.nuke_status.is_not(None)
            )
        ).all()
        kept = conn.execute(select(NUKES.c.name, NUKES.c.release_id)).all()
    assert rows == [(name, "nuked", "dupe")]
    assert sorted(kept, key=str) == sorted([(name, 1), (stranger.name, None)], key=str)
    db.close()
