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
from leaktrace.pipeline.assess import Assessor

__all__ = [
    "PreparedBatch",
    "feed_batches",
    "fingerprint",
    "prepare_batch",
    "release_row",
    "sighting_row",
]

ReleaseRow = dict[str, Any]
"""A ``releases`` row as the store inserts it."""


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
    sightings: list[tuple[str, dict[str, Any]]]
    """Each distinct sighting's name and row (its ``release_id`` still to fill in)."""
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
) -> PreparedBatch:
    """Group ``batch`` by name and sighting and judge each name, but those ``stored``
    says are stored already (given the batch's names, when the caller can tell)."""
    earliest: dict[str, FeedItem] = {}
    by_print: dict[str, FeedItem] = {}  # the last item of each sighting
    per_name: dict[str, int] = {}
    for item in batch:
        name = item.name
        first = earliest.get(name)
        if first is None or item.time < first.time:
            earliest[name] = item
        fp = fingerprint(item)
        if fp not in by_print:
            per_name[name] = per_name.get(name, 0) + 1
        by_print[fp] = item
    skip = stored(list(earliest)) if stored is not None else ()
    releases: dict[str, tuple[ReleaseRow, Alert | None]] = {}
    for name, item in earliest.items():
        if name in skip:
            continue
        outcome = assessor.outcome(name, item.time, item.imdb_id, item.tmdb_id)
        row = release_row(outcome, name, item, run_id)
        row["sightings"] = per_name[name]  # the batch's sightings of it
        releases[name] = (row, outcome.verdict.alert if outcome.verdict is not None else None)
    return PreparedBatch(
        accepted=len(batch),
        earliest={name: item.time for name, item in earliest.items()},
        per_name=per_name,
        releases=releases,
        sightings=[(item.name, sighting_row(fp, item, run_id)) for fp, item in by_print.items()],
        nfos=[
            (i.name, (i.group or "").lower() or None, i.nfo_text, i.time)
            for i in batch
            if i.nfo_text
        ],
    )


def release_row(outcome: Any, name: str, item: FeedItem, run_id: int | None) -> ReleaseRow:
    """The ``releases`` row for a release first seen as ``item`` (``outcome``: an
    :class:`~leaktrace.pipeline.assess.Outcome`)."""
    parsed, match = outcome.parsed, outcome.match
    group = parsed.group or item.group
    return {
        "name": name,
        "title": parsed.title[:512] if parsed.title else None,
        "year": parsed.year,
        "kind": parsed.kind,
        "season": parsed.season,
        "episode": parsed.episodes[0] if parsed.episodes else None,
        "resolution": parsed.resolution,
        "source": parsed.source,
        "codec": parsed.codec,
        "languages": ",".join(parsed.languages)[:64] or None,
        "tags": ",".join(parsed.tags)[:256] or None,
        "group_name": group[:128] if group else None,
        "group_key": group.lower()[:128] if group else None,
        "service": parsed.service,
        "website": parsed.website[:128] if parsed.website else None,
        "work_id": match.work_id,
        "match_score": round(match.score, 2),
        "match_reason": match.reason[:512],
        "status": outcome.status,
        "imdb_id": item.imdb_id,
        "released_at": item.time,
        "sightings": 0,
        "first_run_id": run_id,
    }


def sighting_row(fp: str, item: FeedItem, run_id: int | None) -> dict[str, Any]:
    """The ``sightings`` row of ``item`` (fingerprint ``fp``), less its release id."""
    return {
        "fingerprint": fp,
        "seen_at": item.time,
        "origin": item.origin,
        "site": item.site,
        "url": item.url,
        "size_bytes": item.size_bytes,
        "group_name": item.group,
        "extra": (
            _extra(item)
            if item.extra or item.attrs or item.tmdb_id is not None or item.tvdb_id is not None
            else None
        ),
        "run_id": run_id,
        "source": item.source,
        "infohash": item.infohash,
        "infohash_v2": item.infohash_v2,
        "seeders": item.seeders,
        "leechers": item.leechers,
        "grabs": item.grabs,
        "category": item.category,
    }


def fingerprint(item: FeedItem) -> str:
    """What makes a sighting distinct: name, time, origin, site, URL, infohash."""
    key = "\x1f".join(
        (
            item.name,
            item.time.isoformat(),
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
