"""Ingest feed items: parse, match, detect and store, with alert events in the outbox.

:class:`BatchWriter` writes one batch inside a caller's transaction; it is shared by
``leaktrace ingest`` (whole files, one transaction) and ``leaktrace watch`` (one
transaction per source batch, together with the source's checkpoint). It prepares a batch
(:mod:`leaktrace.pipeline.prepare`, no database) and stores it; a large file ingest has a
second process prepare the batches (:mod:`leaktrace.pipeline.judging`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.alerts.base import AlertEvent
from leaktrace.config import Settings
from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem, NukeEvent
from leaktrace.feeds.jsonl import read_feed
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.collector import fewer_collections
from leaktrace.pipeline.events import leak_event, nuke_event, stored_leaks
from leaktrace.pipeline.judging import PARALLEL_MIN_LINES, ParallelJudge, can_judge_apart
from leaktrace.pipeline.name_ids import MAX_NAMES, NameIds
from leaktrace.pipeline.prepare import (
    GROUP_AT,
    RELEASE_COLUMNS,
    SIGHTING_COLUMNS,
    STATUS_AT,
    PreparedBatch,
    ReleaseRow,
    feed_batches,
    prepare_batch,
)
from leaktrace.store.database import Database
from leaktrace.store.nukes import apply_nukes
from leaktrace.store.outbox import enqueue_events
from leaktrace.store.releases import (
    BULK_CACHE_MIB,
    DEFERRED_CACHE_MIB,
    KEYED_CACHE_MIB,
    KnownRelease,
    bulk_writing,
    deferred_indexes,
    delete_alerts,
    find_releases,
    fingerprints_of,
    finish_run,
    insert_nfos,
    insert_releases,
    insert_sightings,
    largest_release_id,
    release_ids,
    releases_by_id,
    row_times,
    row_times_name,
    set_release_times,
    should_defer_indexes,
    start_run,
    upsert_alerts,
)
from leaktrace.store.works import load_works

__all__ = [
    "BatchWriter",
    "IngestReport",
    "ingest_files",
    "ingest_items",
    "ingest_paths",
    "ingest_stream",
]

KEEP_ERRORS = 10
Progress = Callable[[int], None]


@dataclass(slots=True)
class IngestReport:
    """What an ingest did, for people and for scripts."""

    files: list[str]
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[FeedError] = field(default_factory=list)
    new_releases: int = 0
    earlier_times: int = 0
    new_sightings: int = 0
    repeated_sightings: int = 0
    new_alerts: int = 0
    nukes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    seconds: float = 0.0
    prepared_apart: int = 0
    """Feed items a second process prepared (:mod:`leaktrace.pipeline.judging`)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "new_releases": self.new_releases,
            "earlier_times": self.earlier_times,
            "new_sightings": self.new_sightings,
            "repeated_sightings": self.repeated_sightings,
            "new_alerts": self.new_alerts,
            "nukes": self.nukes,
            "statuses": self.statuses,
            "run_id": self.run_id,
            "seconds": round(self.seconds, 3),
        }


def ingest_files(
    db: Database,
    paths: Sequence[Path],
    settings: Settings,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """:func:`ingest_paths` in a transaction of its own (for scripts and tests; the
    application goes through :func:`leaktrace.services.ingest.ingest_files`)."""
    with db.transaction() as conn:
        return ingest_paths(conn, paths, settings, strict=strict, progress=progress)


def ingest_paths(
    conn: Connection,
    paths: Sequence[Path],
    settings: Settings,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest JSON Lines feed files in the caller's transaction. Bad lines are skipped and
    counted (or, with ``strict``, the first one aborts the whole ingest: the caller's
    transaction rolls back and nothing is written)."""

    def items() -> Iterable[FeedItem | FeedError]:
        for path in paths:
            yield from read_feed(path, settings.max_name_length)

    expected = sum(_size(p) for p in paths) // BYTES_PER_LINE
    parallel = (
        settings.parallel_judging and expected >= PARALLEL_MIN_LINES and can_judge_apart(paths)
    )
    return ingest_stream(
        conn,
        items(),
        settings,
        files=[str(p) for p in paths],
        strict=strict,
        progress=progress,
        expected_lines=expected,
        judge_paths=paths if parallel else None,
    )


BYTES_PER_LINE = 160
"""About how long a feed line is (the bench's synthetic lines: 151 bytes; real ones with
URLs and hashes are longer, so files are rather under-counted)."""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # read_feed reports it, with the file's name
        return 0


def ingest_items(
    db: Database,
    items: Iterable[FeedItem | FeedError],
    settings: Settings,
    *,
    files: list[str] | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """:func:`ingest_stream` in a transaction of its own (for scripts and tests)."""
    with db.transaction() as conn:
        return ingest_stream(conn, items, settings, files=files, strict=strict, progress=progress)


def ingest_stream(
    conn: Connection,
    items: Iterable[FeedItem | FeedError],
    settings: Settings,
    *,
    files: list[str] | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    expected_lines: int = 0,
    judge_paths: Sequence[Path] | None = None,
) -> IngestReport:
    """Ingest already-read feed items in the caller's transaction. ``expected_lines``
    (about how many the items are, when known: a file ingest) lets a large ingest into a
    smaller database build the secondary indexes once at its end
    (:func:`~leaktrace.store.releases.deferred_indexes`). With ``judge_paths`` (the
    files ``items`` reads, in order) a second process reads, parses, matches and detects
    them ahead of the writing (:class:`~leaktrace.pipeline.judging.ParallelJudge`), and
    ``items`` is only read, from where the child stopped, if it stops early."""
    started = time.perf_counter()
    report = IngestReport(files=files or [])
    works = load_works(conn)
    report.run_id = start_run(conn, report.files)
    deferring = should_defer_indexes(conn, expected_lines)
    # the name and fingerprint indexes too, when the names fit in memory (NameIds)
    names_held = largest_release_id(conn) + expected_lines if deferring else 0
    keys_apart = deferring and names_held <= MAX_NAMES
    writer = BatchWriter(
        Assessor(Matcher(works, settings.match_threshold)),
        _name_ids(conn, names_held) if keys_apart else None,
    )
    judging = (
        ParallelJudge(
            judge_paths,
            settings.max_name_length,
            settings.batch_size,
            works,
            settings.match_threshold,
            report.run_id,
            row_times_name(conn),
        )
        if judge_paths
        else None
    )
    with (
        fewer_collections() if expected_lines >= PARALLEL_MIN_LINES else nullcontext(),
        bulk_writing(conn, _cache_mib(deferring, keys_apart)),
        deferred_indexes(conn, keys=keys_apart) if deferring else nullcontext(),
        judging if judging is not None else nullcontext(),
    ):
        _write_all(conn, items, settings, writer, report, strict, progress, judging)
        writer.name_ids = None  # its memory back before the deferred indexes are built
    finish_run(
        conn,
        report.run_id,
        lines=report.lines,
        accepted=report.accepted,
        rejected=report.rejected,
        new_releases=report.new_releases,
        new_sightings=report.new_sightings,
    )
    report.seconds = time.perf_counter() - started
    return report


def _cache_mib(deferring: bool, keys: bool) -> int:
    """SQLite's page cache for a file ingest (see the constants)."""
    if keys:
        return KEYED_CACHE_MIB
    return DEFERRED_CACHE_MIB if deferring else BULK_CACHE_MIB


def _name_ids(conn: Connection, expected: int) -> NameIds:
    """The names stored and their ids, in a table made for about ``expected`` names (the
    stored ones and those the ingest brings; only when the database holds no more than
    the ingest brings: reading them all is then cheaper than keeping up the name index;
    the ingest's transaction already holds SQLite's write lock, so nobody else adds any
    until it ends)."""
    names = NameIds(expected)
    for chunk in release_ids(conn):
        names.add(chunk)
    return names


def _write_all(
    conn: Connection,
    items: Iterable[FeedItem | FeedError],
    settings: Settings,
    writer: BatchWriter,
    report: IngestReport,
    strict: bool,
    progress: Progress | None,
    judging: ParallelJudge | None = None,
) -> None:
    if judging is not None:
        done = _store_prepared(conn, judging, writer, report, strict, progress)
        if judging.finished:
            return
        items = islice(items, done, None)  # the child stopped early: go on alone
    for lines, errors, batch in feed_batches(items, settings.batch_size):
        report.lines += lines
        for error in errors:
            _rejected(error, report, strict)
        writer.write(conn, batch, report)
        if progress is not None:
            progress(report.lines)
    if progress is not None:
        progress(report.lines)


def _store_prepared(
    conn: Connection,
    judging: ParallelJudge,
    writer: BatchWriter,
    report: IngestReport,
    strict: bool,
    progress: Progress | None,
) -> int:
    """Store the batches the second process prepares; returns how many feed entries
    (items and errors) they held."""
    done = 0
    while (frame := judging.next_frame()) is not None:
        lines, errors, prepared = frame
        done += lines
        report.lines += lines
        for reason, file, line, field_name in errors:
            _rejected(FeedError(reason, file=file, line=line, field=field_name), report, strict)
        if prepared is not None:
            writer.store(conn, prepared, report)
            report.prepared_apart += prepared.accepted
        if progress is not None:
            progress(report.lines)
    return done


_RELEASE_AT = SIGHTING_COLUMNS.index("release_id")
_PRINT_AT = SIGHTING_COLUMNS.index("fingerprint")


def _unstored_sightings(
    conn: Connection, rows: list[tuple[Any, ...]], known: Mapping[str, KnownRelease]
) -> list[tuple[Any, ...]]:
    """The sighting rows whose fingerprint is not stored: only a release stored before
    the batch (``known``) can have stored sightings, since a fingerprint is made of the
    release's name (among others). A batch holds each fingerprint once."""
    if not known:
        return rows
    old = {k.id for k in known.values()}
    stored = fingerprints_of(conn, sorted(old))
    if not stored:
        return rows
    return [row for row in rows if row[_RELEASE_AT] not in old or row[_PRINT_AT] not in stored]


def _rejected(error: FeedError, report: IngestReport, strict: bool) -> None:
    if strict:
        raise error
    report.rejected += 1
    if len(report.errors) < KEEP_ERRORS:
        report.errors.append(error)


class BatchWriter:
    """Writes batches of feed items (and nukes) inside a caller's transaction."""

    def __init__(self, assessor: Assessor, name_ids: NameIds | None = None) -> None:
        self.assessor = assessor
        self.name_ids = name_ids
        """Every stored name and its id, if the caller keeps them: then the database's
        name and fingerprint indexes may be gone (``deferred_indexes(keys=True)``), so
        releases are looked up by id, the stored fingerprints of known releases by
        release, and new rows inserted as known to be new. The writer adds the releases
        it inserts."""

    def _known(self, conn: Connection, names: list[str]) -> dict[str, KnownRelease]:
        if self.name_ids is None:
            return find_releases(conn, names) if names else {}
        candidates = self.name_ids.candidates(names)
        if not candidates:
            return {}
        ids = [rid for found in candidates.values() for rid in found]
        return {k.name: k for k in releases_by_id(conn, ids) if k.name in candidates}

    def write(
        self, conn: Connection, batch: Sequence[FeedItem], report: IngestReport
    ) -> list[AlertEvent]:
        """Store a batch; returns the alert events it put in the outbox."""
        if not batch:
            return []
        known: dict[str, KnownRelease] = {}

        def stored(names: list[str]) -> dict[str, KnownRelease]:
            known.update(self._known(conn, names))
            return known

        prepared = prepare_batch(batch, self.assessor, report.run_id, stored, row_times(conn))
        return self.store(conn, prepared, report, known)

    def store(
        self,
        conn: Connection,
        prepared: PreparedBatch,
        report: IngestReport,
        known: dict[str, KnownRelease] | None = None,
    ) -> list[AlertEvent]:
        """Store a prepared batch (every name not in ``known`` judged); returns the alert
        events it put in the outbox."""
        report.accepted += prepared.accepted
        if not prepared.accepted:
            return []
        if known is None:
            known = self._known(conn, list(prepared.earliest))
        works = self.assessor.matcher.index.works
        new_rows: list[ReleaseRow] = []
        new_names: list[str] = []
        alerts: list[tuple[str, Any, str | None]] = []
        updates: list[dict[str, Any]] = []
        cleared: list[int] = []
        releases = prepared.releases
        statuses = report.statuses
        for name, first_time in prepared.earliest.items():
            old = known.get(name)
            if old is None:
                row, alert = releases[name]
                new_rows.append(row)
                new_names.append(name)
                status = row[STATUS_AT]
                statuses[status] = statuses.get(status, 0) + 1
                if alert is not None:
                    alerts.append((name, alert, row[GROUP_AT]))
            elif first_time < old.released_at:
                report.earlier_times += 1
                status = old.status
                if old.work_id is not None and old.work_id in works:
                    verdict = self.assessor.redetect(old.source, old.work_id, first_time)
                    status = verdict.status
                    if verdict.alert is not None:
                        alerts.append((name, verdict.alert, old.group_name))
                    elif old.status == "leak":
                        cleared.append(old.id)
                updates.append({"rid": old.id, "released_at": first_time, "status": status})
        ids = {name: k.id for name, k in known.items()}
        counted: dict[int, int] = {}
        if new_rows:
            inserted = insert_releases(
                conn, RELEASE_COLUMNS, new_rows, known_new=self.name_ids is not None
            )
            ids.update(inserted)
            if self.name_ids is not None:
                self.name_ids.add(inserted.items())
            per_name = prepared.per_name
            counted = {rid: per_name[name] for name, rid in inserted.items()}
            report.new_releases += len(inserted)
            if len(inserted) < len(new_rows):  # another writer stored some meanwhile
                missing = [name for name in new_names if name not in inserted]
                ids.update((name, k.id) for name, k in find_releases(conn, missing).items())
        if updates:
            set_release_times(conn, updates)
        if cleared:
            delete_alerts(conn, cleared)
        new_ids = set(upsert_alerts(conn, [(ids[name], alert) for name, alert, _ in alerts]))
        report.new_alerts += len(new_ids)
        rows = [(ids[name], *row) for name, row in prepared.sightings]
        if self.name_ids is not None:
            rows = _unstored_sightings(conn, rows, known)
        new = insert_sightings(
            conn, SIGHTING_COLUMNS, rows, counted, known_new=self.name_ids is not None
        )
        report.new_sightings += new
        report.repeated_sightings += prepared.accepted - new
        if prepared.nfos:
            insert_nfos(conn, [(ids[n], key, text, at) for n, key, text, at in prepared.nfos])
        fresh = [(name, alert) for name, alert, _ in alerts if ids[name] in new_ids]
        if not fresh:
            return []
        stored = stored_leaks(conn, [ids[name] for name, _ in fresh])
        events = [
            leak_event(stored[name], alert, works[alert.work_id])
            for name, alert in fresh
            if name in stored
        ]
        enqueue_events(conn, events, [ids[str(e.payload["release"])] for e in events])
        return events

    def nukes(
        self, conn: Connection, nukes: Sequence[NukeEvent], report: IngestReport
    ) -> list[AlertEvent]:
        """Record nukes; a nuke of a release with a leak alert becomes an event."""
        named = None
        if self.name_ids is not None:  # the name index may be gone
            known = self._known(conn, sorted({nuke.name for nuke in nukes}))
            named = {name: k.id for name, k in known.items()}
        applied = apply_nukes(conn, nukes, named)
        report.nukes += len(applied)
        if not applied:
            return []
        leaks = stored_leaks(conn, [rid for _, rid in applied])
        events = [nuke_event(nuke, leaks[nuke.name]) for nuke, _ in applied if nuke.name in leaks]
        if events:
            rids = {nuke.name: rid for nuke, rid in applied}
            enqueue_events(conn, events, [rids[str(e.payload["release"])] for e in events])
        return events
