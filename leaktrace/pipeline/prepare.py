"""A batch of feed items made ready to store, without the database: each name's earliest
time, the release rows of the names judged (parsed, matched, detected), the sighting
rows, the NFOs.

:class:`~leaktrace.pipeline.ingest.BatchWriter` prepares and stores in one process; a
large file ingest prepares in a second one
(:class:`~leaktrace.pipeline.judging.ParallelJudge`) and only stores in the first. The
same functions build the rows either way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leaktrace.detect.detector import Alert
from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.timeparse import iso_text
from leaktrace.pipeline.assess import Assessor
from leaktrace.store.releases import ROW_TIMES, RowTimes

__all__ = [
    "GROUP_AT",
    "RELEASE_COLUMNS",
    "SIGHTING_COLUMNS",
    "STATUS_AT",
    "PreparedBatch",
    "feed_batches",
    "fingerprint",
    "prepare_batch",
    "release_row",
    "sighting_row",
]

RELEASE_COLUMNS = (
    "name",
    "title",
    "year",
    "kind",
    "season",
    "episode",
    "resolution",
    "source",
    "codec",
    "languages",
    "tags",
    "group_name",
    "group_key",
    "service",
    "website",
    "work_id",
    "match_score",
    "match_reason",
    "status",
    "imdb_id",
    "released_at",
    "sightings",
    "first_run_id",
)
"""The columns of a release row, in order."""
SIGHTING_COLUMNS = (
    "release_id",
    "fingerprint",
    "seen_at",
    "origin",
    "site",
    "url",
    "size_bytes",
    "group_name",
    "extra",
    "run_id",
    "source",
    "infohash",
    "infohash_v2",
    "seeders",
    "leechers",
    "grabs",
    "category",
)
"""The columns of a sighting row, in order (a prepared row lacks the first, the
release's id, known only once the release is stored)."""
STATUS_AT = RELEASE_COLUMNS.index("status")
GROUP_AT = RELEASE_COLUMNS.index("group_name")

ReleaseRow = tuple[Any, ...]
"""A ``releases`` row as the store inserts it: the values of :data:`RELEASE_COLUMNS`
(rows of plain values are what the second process sends fastest, and what the driver
binds without a look-up per column)."""
SightingRow = tuple[Any, ...]
"""A ``sightings`` row less its release id: the values of :data:`SIGHTING_COLUMNS` but
the first."""


@dataclass(slots=True)
class PreparedBatch:
    """One batch of feed items, ready for the store."""

    accepted: int
    """How many feed items the batch holds."""
    earliest: dict[str, datetime]
    """Each name's earliest time in the batch (the first item of equal times)."""
    per_name: dict[str, int]
    """Each name's distinct sightings in the batch."""
    releases: dict[str, tuple[ReleaseRow, Alert | None]]
    """The release row and alert of every name judged (all but the ``skip``-ped ones)."""
    sightings: list[tuple[str, SightingRow]]
    """Each distinct sighting's name and row (its release's id still to put first)."""
    nfos: list[tuple[str, str | None, str, datetime]]
    """Name, group key, text and time of each item that came with an NFO."""


def feed_batches(
    entries: Iterable[FeedItem | FeedError], batch_size: int
) -> Iterator[tuple[int, list[FeedError], list[FeedItem]]]:
    """A feed's entries in batches of ``batch_size`` items: each batch with how many
    entries it took (items and errors) and the errors among them (a batch is cut early
    when those reach ``batch_size`` too, so a feed of bad lines stays in small pieces)."""
    lines = 0
    errors: list[FeedError] = []
    batch: list[FeedItem] = []
    for entry in entries:
        lines += 1
        if isinstance(entry, FeedError):
            errors.append(entry)
            if len(errors) < batch_size:
                continue
        else:
            batch.append(entry)
            if len(batch) < batch_size:
                continue
        yield lines, errors, batch
        lines, errors, batch = 0, [], []
    if lines:
        yield lines, errors, batch


def prepare_batch(
    batch: Sequence[FeedItem],
    assessor: Assessor,
    run_id: int | None,
    stored: Callable[[list[str]], Container[str]] | None = None,
    times: RowTimes = ROW_TIMES["as-is"],
) -> PreparedBatch:
    """Group ``batch`` by name and sighting and judge each name, but those ``stored``
    says are stored already (given the batch's names, when the caller can tell). Rows
    hold times as ``times`` gives them."""
    earliest: dict[str, tuple[FeedItem, Any]] = {}  # the item and its time as rows hold it
    by_print: dict[str, tuple[FeedItem, Any]] = {}  # the last item of each sighting
    per_name: dict[str, int] = {}
    for item in batch:
        name = item.name
        iso = iso_text(item.time)
        stamped = (item, times(item.time, iso))
        first = earliest.get(name)
        if first is None or item.time < first[0].time:
            earliest[name] = stamped
        fp = fingerprint(item, iso)
        if fp not in by_print:
            per_name[name] = per_name.get(name, 0) + 1
        by_print[fp] = stamped
    skip = stored(list(earliest)) if stored is not None else ()
    releases: dict[str, tuple[ReleaseRow, Alert | None]] = {}
    outcome_of = assessor.outcome
    for name, (item, stamp) in earliest.items():
        if name in skip:
            continue
        outcome = outcome_of(name, item.time, item.imdb_id, item.tmdb_id)
        # counting the batch's sightings of it
        row = release_row(outcome, name, item, run_id, per_name[name], stamp)
        releases[name] = (row, outcome.verdict.alert if outcome.verdict is not None else None)
    return PreparedBatch(
        accepted=len(batch),
        earliest={name: item.time for name, (item, _) in earliest.items()},
        per_name=per_name,
        releases=releases,
        sightings=[
            (item.name, sighting_row(fp, item, run_id, stamp))
            for fp, (item, stamp) in by_print.items()
        ],
        nfos=[
            (i.name, (i.group or "").lower() or None, i.nfo_text, i.time)
            for i in batch
            if i.nfo_text
        ],
    )


_ROUNDED: dict[float, float] = {}
"""Match scores rounded to two places (``round`` takes longer than a look-up, and a
catalogue's matches give the same scores again and again)."""
_ROUNDED_KEPT = 100_000


def release_row(
    outcome: Any,
    name: str,
    item: FeedItem,
    run_id: int | None,
    sightings: int = 0,
    stamp: Any = None,
) -> ReleaseRow:
    """The ``releases`` row for a release first seen as ``item`` (``outcome``: an
    :class:`~leaktrace.pipeline.assess.Outcome`) and ``sightings`` times in its batch;
    ``stamp`` is ``item``'s time as the store takes it (the time itself if not given)."""
    parsed, match = outcome.parsed, outcome.match
    group = parsed.group or item.group
    episodes = parsed.episodes
    title = parsed.title
    website = parsed.website
    languages = parsed.languages
    tags = parsed.tags
    score = match.score
    rounded = _ROUNDED.get(score)
    if rounded is None:
        if len(_ROUNDED) >= _ROUNDED_KEPT:
            _ROUNDED.clear()
        rounded = _ROUNDED[score] = round(score, 2)
    return (
        name,
        title[:512] if title else None,
        parsed.year,
        parsed.kind,
        parsed.season,
        episodes[0] if episodes else None,
        parsed.resolution,
        parsed.source,
        parsed.codec,
        (",".join(languages)[:64] or None) if languages else None,
        (",".join(tags)[:256] or None) if tags else None,
        group[:128] if group else None,
        group.lower()[:128] if group else None,
        parsed.service,
        website[:128] if website else None,
        match.work_id,
        rounded,
        match.reason[:512],
        outcome.status,
        item.imdb_id,
        item.time if stamp is None else stamp,
        sightings,
        run_id,
    )


def sighting_row(fp: str, item: FeedItem, run_id: int | None, stamp: Any = None) -> SightingRow:
    """The ``sightings`` row of ``item`` (fingerprint ``fp``), less its release id;
    ``stamp`` is ``item``'s time as the store takes it (the time itself if not given)."""
    return (
        fp,
        item.time if stamp is None else stamp,
        item.origin,
        item.site,
        item.url,
        item.size_bytes,
        item.group,
        (
            _extra(item)
            if item.extra or item.attrs or item.tmdb_id is not None or item.tvdb_id is not None
            else None
        ),
        run_id,
        item.source,
        item.infohash,
        item.infohash_v2,
        item.seeders,
        item.leechers,
        item.grabs,
        item.category,
    )


def fingerprint(item: FeedItem, iso: str | None = None) -> str:
    """What makes a sighting distinct: name, time, origin, site, URL, infohash (``iso``:
    the time's ``isoformat()``, if the caller has it)."""
    key = "\x1f".join(
        (
            item.name,
            item.time.isoformat() if iso is None else iso,
            item.origin,
            item.site or "",
            item.url or "",
            item.infohash or "",
        )
    )
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def _extra(item: FeedItem) -> str | None:
    extra: dict[str, object] = dict(item.extra)
    if item.attrs:
        extra["attrs"] = item.attrs
    for key in ("tmdb_id", "tvdb_id"):
        value = getattr(item, key)
        if value is not None:
            extra[key] = value
    return json.dumps(extra, ensure_ascii=False, default=str) if extra else None
