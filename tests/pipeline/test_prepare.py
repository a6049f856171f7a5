"""Preparing a batch without the database: grouping by name and sighting, judging only
the names not stored, rows as the store inserts them."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.catalog.model import Work
from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.prepare import (
    RELEASE_COLUMNS,
    SIGHTING_COLUMNS,
    feed_batches,
    fingerprint,
    prepare_batch,
    release_row,
    sighting_row,
)
from leaktrace.store.portable import sqlite_time, sqlite_time_of

AT = datetime(2026, 5, 16, 8, 0, tzinfo=UTC)
NAME = "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE"


def assessor() -> Assessor:
    work = Work(id="w1", kind="movie", title="Northern Lights Protocol", year=2026)
    return Assessor(Matcher([work], 88))


def test_the_fingerprint_is_the_stored_one() -> None:
    """Stored sightings are recognised again on re-ingest only if this never changes."""
    item = FeedItem(name=NAME, time=AT, site="predb-a", url="https://x.example/a")
    key = f"{NAME}\x1f2026-05-16T08:00:00+00:00\x1fjsonl\x1fpredb-a\x1fhttps://x.example/a\x1f"
    assert fingerprint(item) == hashlib.sha1(key.encode()).hexdigest()
    assert fingerprint(item) != fingerprint(FeedItem(name=NAME, time=AT, site="predb-b"))


def test_a_batch_is_grouped_by_name_and_sighting() -> None:
    later = AT + timedelta(hours=5)
    batch = [
        FeedItem(name=NAME, time=later, site="p2p"),
        FeedItem(name=NAME, time=AT, site="predb-a", group="SPARKLE"),
        FeedItem(name=NAME, time=AT, site="predb-a", group="SPARKLE"),  # the same sighting
        FeedItem(name="Other.2026-G", time=AT, nfo_text="GREETZ"),
    ]
    prepared = prepare_batch(batch, assessor(), run_id=3)
    assert prepared.accepted == 4
    assert prepared.earliest == {NAME: AT, "Other.2026-G": AT}
    assert prepared.per_name == {NAME: 2, "Other.2026-G": 1}
    assert [name for name, _ in prepared.sightings] == [NAME, NAME, "Other.2026-G"]
    values, alert = prepared.releases[NAME]
    row = dict(zip(RELEASE_COLUMNS, values, strict=True))
    assert (row["work_id"], row["released_at"], row["sightings"], row["first_run_id"]) == (
        "w1",
        AT,
        2,
        3,
    )
    assert row["group_name"] == "SPARKLE" and alert is None  # the work has no window dates
    assert prepared.nfos == [("Other.2026-G", None, "GREETZ", AT)]


def test_names_stored_already_are_not_judged() -> None:
    batch = [FeedItem(name=NAME, time=AT), FeedItem(name="Other.2026-G", time=AT)]
    asked: list[list[str]] = []

    def stored(names: list[str]) -> set[str]:
        asked.append(names)
        return {NAME}

    prepared = prepare_batch(batch, assessor(), None, stored)
    assert asked == [[NAME, "Other.2026-G"]]  # once, every name of the batch
    assert list(prepared.releases) == ["Other.2026-G"]
    assert list(prepared.earliest) == [NAME, "Other.2026-G"]  # still compared with the store


def test_sighting_rows_are_built_as_sighting_row_builds_them() -> None:
    items = [
        FeedItem(name=NAME, time=AT, site="predb-a", size_bytes=7, group="SPARKLE"),
        FeedItem(name=NAME, time=AT, origin="torznab", attrs={"seeders": "3"}, tmdb_id=9),
    ]
    prepared = prepare_batch(items, assessor(), run_id=5)
    assert [row for _, row in prepared.sightings] == [
        sighting_row(fingerprint(item), item, 5) for item in items
    ]
    extra = dict(zip(SIGHTING_COLUMNS[1:], prepared.sightings[1][1], strict=True))["extra"]
    assert extra == '{"attrs": {"seeders": "3"}, "tmdb_id": 9}'


def test_rows_hold_times_as_the_store_takes_them() -> None:
    batch = [FeedItem(name=NAME, time=AT, site="predb-a")]
    prepared = prepare_batch(batch, assessor(), None, times=sqlite_time_of)
    (values, _), (_, sighting) = prepared.releases[NAME], prepared.sightings[0]
    assert dict(zip(RELEASE_COLUMNS, values, strict=True))["released_at"] == sqlite_time(AT)
    assert dict(zip(SIGHTING_COLUMNS[1:], sighting, strict=True))["seen_at"] == sqlite_time(AT)
    assert prepared.earliest == {NAME: AT}  # compared with stored times: kept as times


def test_feed_batches_take_every_entry_and_keep_errors_in_small_pieces() -> None:
    good = FeedItem(name=NAME, time=AT)
    entries: list[FeedItem | FeedError] = [good, *(FeedError("bad", line=n) for n in range(5))]
    entries += [good, good]
    chunks = list(feed_batches(entries, 2))
    assert [(lines, len(errors), len(batch)) for lines, errors, batch in chunks] == [
        (3, 2, 1),  # two errors: cut before a second item came
        (2, 2, 0),
        (3, 1, 2),
    ]
    assert sum(lines for lines, _, _ in chunks) == len(entries)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_release_rows_round_scores_as_round_does(score: float) -> None:
    item = FeedItem(name=NAME, time=AT)
    outcome = assessor().outcome(NAME, AT)
    changed = outcome._replace(match=replace(outcome.match, score=score))
    for _ in range(2):  # the second time from the rounded scores kept
        row = dict(zip(RELEASE_COLUMNS, release_row(changed, NAME, item, None), strict=True))
        assert row["match_score"] == round(score, 2)
    assert row["languages"] is None and row["tags"] is None
    multi = outcome._replace(parsed=replace(outcome.parsed, languages=("it", "en")))
    row = dict(zip(RELEASE_COLUMNS, release_row(multi, NAME, item, None), strict=True))
    assert row["languages"] == "it,en"
