"""The filter of stored names: never misses a stored name, rarely flags a new one, and a
large ingest that uses it stores what an ingest asking the database stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leaktrace.pipeline.ingest as ingest_module
import leaktrace.store.releases as releases_store
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.pipeline.name_filter import MAX_BITS, StoredNames

from .test_ingest import ROWS
from .test_ingest_deferred_indexes import fresh, table_rows

Write = Callable[..., Path]


@given(st.lists(st.text(max_size=40), max_size=300), st.integers(0, 5000))
def test_a_stored_name_is_never_missed(names: list[str], expected: int) -> None:
    stored = StoredNames(expected)
    stored.add(names)
    assert stored.may_hold(names) == names


def test_new_names_are_rarely_flagged() -> None:
    stored = StoredNames(20_000)
    stored.add(f"Stored.Name.{n}.2026.1080p.WEB-DL-GRP" for n in range(20_000))
    new = [f"New.Name.{n}.2026.1080p.WEB-DL-GRP" for n in range(20_000)]
    assert len(stored.may_hold(new)) < 0.03 * len(new)  # about 1.4 % at this load
    assert stored.size_bytes == (1 << 19) // 8  # 16 bits a name, a power of two


def test_a_large_ingest_with_the_filter_stores_what_asking_the_database_stores(
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
    used: list[StoredNames] = []
    real = ingest_module._stored_names

    def spy(conn: Any, expected: int) -> StoredNames:
        used.append(real(conn, expected))
        return used[-1]

    monkeypatch.setattr(ingest_module, "_stored_names", spy)
    filtered, settings = fresh(tmp_path, "filtered.db", catalog_csv)
    reports = [ingest_files(filtered, [path], settings).as_dict() for path in (first, second)]
    assert len(used) == 2  # both deferred, so both used the filter
    assert used[1].may_hold([str(ROWS[0]["name"])]) == [ROWS[0]["name"]]

    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 10**9)
    plain, settings = fresh(tmp_path, "plain.db", catalog_csv)
    expected = [ingest_files(plain, [path], settings).as_dict() for path in (first, second)]
    assert len(used) == 2  # no filter this time
    for got, want in zip(reports, expected, strict=True):
        for key in ("seconds", "run_id"):
            got.pop(key), want.pop(key)
        assert got == want
    assert reports[1]["earlier_times"] == 1 and reports[1]["new_releases"] == 42
    assert table_rows(filtered) == table_rows(plain)
    filtered.close()
    plain.close()


def test_the_filter_is_bounded() -> None:
    assert StoredNames(10**12).size_bytes == MAX_BITS // 8
