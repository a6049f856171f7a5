"""Read-side SQL for release-group attribution: releases with their leak alerts, NFO texts,
swarm sightings (trackers, web seeds) and the shipments of works, as plain records.

Everything the :mod:`leaktrace.attribution` package computes starts from these records;
this module holds all of its SQL and none of its logic.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.engine import Connection, Row

from leaktrace.store.portable import chunked
from leaktrace.store.schema import (
    ALERTS,
    NFOS,
    NUKES,
    RELEASES,
    SHIPMENTS,
    SIGHTINGS,
    SUPPLY_ACCOUNTS,
    WORKS,
)

__all__ = [
    "NfoRecord",
    "ReleaseRecord",
    "ShipmentRecord",
    "SwarmRecord",
    "data_version",
    "load_group_releases",
    "load_nfos",
    "load_shipments",
    "load_swarm_sightings",
]

_R = RELEASES
_AL = ALERTS
_W = WORKS
_N = NFOS
_S = SIGHTINGS
_SH = SHIPMENTS
_SA = SUPPLY_ACCOUNTS
_CHUNK_ROWS = 5000


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """One release of a named group, with its matched work and leak alert (if any)."""

    id: int
    name: str
    group_name: str
    group_key: str
    kind: str
    title: str | None
    year: int | None
    season: int | None
    episode: int | None
    source: str | None
    resolution: str | None
    codec: str | None
    status: str
    released_at: datetime
    work_id: str | None = None
    work_title: str | None = None
    work_year: int | None = None
    work_kind: str | None = None
    work_season: int | None = None
    work_theatrical: date | None = None
    work_digital: date | None = None
    work_physical: date | None = None
    work_broadcast: date | None = None
    """The work's window dates (for the follower test's window openings)."""
    nuke_status: str | None = None
    nuke_reason: str | None = None
    window: str | None = None
    lead_days: float | None = None
    severity: str | None = None

    @property
    def is_leak(self) -> bool:
        return self.window is not None


@dataclass(frozen=True, slots=True)
class NfoRecord:
    """One stored NFO text and the release (and group) it announced."""

    id: int
    release_id: int
    release: str
    group_key: str
    group_name: str
    text: str


@dataclass(frozen=True, slots=True)
class SwarmRecord:
    """A sighting of a group's release that may name trackers or web seeds."""

    release_id: int
    release: str
    group_key: str
    origin: str
    url: str | None
    extra: str | None


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """Discs of a work shipped to a distributor's customer account."""

    work_id: str
    distributor: str
    account: str
    declared_business: str
    country: str | None
    format: str
    quantity: int
    shipped_at: datetime
    street_date: date


def _release_query() -> Select[Any]:
    return (
        select(
            _R.c.id,
            _R.c.name,
            _R.c.group_name,
            _R.c.group_key,
            _R.c.kind,
            _R.c.title,
            _R.c.year,
            _R.c.season,
            _R.c.episode,
            _R.c.source,
            _R.c.resolution,
            _R.c.codec,
            _R.c.status,
            _R.c.released_at,
            _R.c.work_id,
            _W.c.title.label("work_title"),
            _W.c.year.label("work_year"),
            _W.c.kind.label("work_kind"),
            _W.c.season.label("work_season"),
            _W.c.theatrical.label("work_theatrical"),
            _W.c.digital.label("work_digital"),
            _W.c.physical.label("work_physical"),
            _W.c.broadcast.label("work_broadcast"),
            _R.c.nuke_status,
            _R.c.nuke_reason,
            _AL.c.window,
            _AL.c.lead_days,
            _AL.c.severity,
        )
        .select_from(
            _R.outerjoin(_W, _R.c.work_id == _W.c.id).outerjoin(_AL, _AL.c.release_id == _R.c.id)
        )
        .where(_R.c.group_key.is_not(None), _R.c.group_key != "")
        .order_by(_R.c.released_at, _R.c.id)
    )


def load_group_releases(
    conn: Connection, group_keys: Sequence[str] | None = None
) -> list[ReleaseRecord]:
    """Every release that names a group (only those of ``group_keys`` when given),
    oldest first, with its work and its leak alert."""
    queries: list[Select[Any]]
    if group_keys is None:
        queries = [_release_query()]
    else:
        keys = sorted({k.lower() for k in group_keys})
        queries = [_release_query().where(_R.c.group_key.in_(part)) for part in chunked(keys)]
    out: list[ReleaseRecord] = []
    # reading every release, the few distinct values of the repeated columns are shared,
    # not copied per release (a million releases would hold a million copies of "1080p")
    same = _Interner(enabled=group_keys is None)
    for query in queries:
        for r in _stream(conn, query):
            out.append(
                ReleaseRecord(
                    id=int(r.id),
                    name=str(r.name),
                    group_name=same.text(str(r.group_name or r.group_key)),
                    group_key=same.text(str(r.group_key)),
                    kind=same.text(str(r.kind)),
                    title=r.title,
                    year=r.year,
                    season=r.season,
                    episode=r.episode,
                    source=same.maybe(r.source),
                    resolution=same.maybe(r.resolution),
                    codec=same.maybe(r.codec),
                    status=same.text(str(r.status)),
                    released_at=r.released_at,
                    work_id=same.maybe(r.work_id),
                    work_title=same.maybe(r.work_title),
                    work_year=r.work_year,
                    work_kind=same.maybe(r.work_kind),
                    work_season=r.work_season,
                    work_theatrical=same.value(r.work_theatrical),
                    work_digital=same.value(r.work_digital),
                    work_physical=same.value(r.work_physical),
                    work_broadcast=same.value(r.work_broadcast),
                    nuke_status=same.maybe(r.nuke_status),
                    nuke_reason=r.nuke_reason,
                    window=same.maybe(r.window),
                    lead_days=None if r.lead_days is None else float(r.lead_days),
                    severity=same.maybe(r.severity),
                )
            )
    if group_keys is not None:
        out.sort(key=lambda rec: (rec.released_at, rec.id))
    return out


class _Interner:
    """One shared object per distinct value of the repeated columns."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._values: dict[object, object] = {}
        self._enabled = enabled

    def text(self, value: str) -> str:
        return sys.intern(value) if self._enabled else value

    def maybe(self, value: str | None) -> str | None:
        if value is None or not self._enabled:
            return value
        return sys.intern(value)

    def value(self, value: date | None) -> date | None:
        if value is None or not self._enabled:
            return value
        found = self._values.setdefault(value, value)
        assert isinstance(found, date)
        return found


def data_version(conn: Connection) -> tuple[object, ...]:
    """A cheap fingerprint of what group attribution reads: the newest id of releases,
    alerts, NFOs, sightings and nukes (a nuke changes its release's status), the count of
    releases (on PostgreSQL a transaction may commit a lower id after a higher one) and of
    alerts (deleted when a release is judged again), and the count and newest update of
    works (a catalogue import, after which releases are matched again). The application
    deletes no releases, NFOs, sightings or nukes. Equal fingerprints: nothing was added
    or deleted since, so results computed from the data may be reused. A few milliseconds
    on SQLite at a million releases (each part answered from an index)."""
    parts: list[object] = []
    for table in (_R, _AL, _N, _S, NUKES):
        parts.append(conn.execute(select(func.max(table.c.id))).scalar())
    for table in (_R, _AL):
        parts.append(conn.execute(select(func.count()).select_from(table)).scalar())
    parts.extend(conn.execute(select(func.count(), func.max(_W.c.updated_at))).one())
    return tuple(parts)


def load_nfos(conn: Connection) -> list[NfoRecord]:
    """Every stored NFO whose release (or the NFO's own sighting) names a group.

    The group the release name carries wins over the one the feed gave with the NFO."""
    key = func.coalesce(func.nullif(_R.c.group_key, ""), func.nullif(_N.c.group_key, ""))
    query = (
        select(
            _N.c.id,
            _N.c.release_id,
            _R.c.name,
            key.label("group_key"),
            _R.c.group_name,
            _N.c.text,
        )
        .select_from(_N.join(_R, _N.c.release_id == _R.c.id))
        .where(key.is_not(None))
        .order_by(_N.c.id)
    )
    out: list[NfoRecord] = []
    for r in _stream(conn, query):
        group_key = str(r.group_key)
        name = r.group_name if r.group_name and r.group_name.lower() == group_key else group_key
        out.append(NfoRecord(int(r.id), int(r.release_id), str(r.name), group_key, name, r.text))
    return out


def load_swarm_sightings(conn: Connection) -> list[SwarmRecord]:
    """Sightings of groups' releases that can name trackers or web seeds: .torrent and
    magnet sightings, and any sighting whose extra data mentions trackers, web seeds or a
    magnet URI (Torznab items carry ``magneturl``)."""
    extra = _S.c.extra
    query = (
        select(_S.c.release_id, _R.c.name, _R.c.group_key, _S.c.origin, _S.c.url, extra)
        .select_from(_S.join(_R, _S.c.release_id == _R.c.id))
        .where(
            _R.c.group_key.is_not(None),
            _R.c.group_key != "",
            or_(
                _S.c.origin.in_(("torrent", "magnet")),
                extra.like('%"trackers"%'),
                extra.like('%"web_seeds"%'),
                extra.like('%"magneturl"%'),
            ),
        )
        .order_by(_S.c.id)
    )
    return [
        SwarmRecord(int(r.release_id), str(r.name), str(r.group_key), str(r.origin), r.url, r.extra)
        for r in _stream(conn, query)
    ]


def load_shipments(conn: Connection, work_ids: Sequence[str]) -> list[ShipmentRecord]:
    """Shipments of the given works, with the distributor and account they went to."""
    out: list[ShipmentRecord] = []
    for part in chunked(sorted(set(work_ids))):
        query = (
            select(
                _SH.c.work_id,
                _SA.c.distributor,
                _SA.c.account,
                _SA.c.declared_business,
                _SA.c.country,
                _SH.c.format,
                _SH.c.quantity,
                _SH.c.shipped_at,
                _SH.c.street_date,
            )
            .select_from(_SH.join(_SA, _SH.c.account_id == _SA.c.id))
            .where(_SH.c.work_id.in_(part))
            .order_by(_SH.c.shipped_at, _SH.c.id)
        )
        out.extend(
            ShipmentRecord(
                work_id=str(r.work_id),
                distributor=str(r.distributor),
                account=str(r.account),
                declared_business=str(r.declared_business),
                country=r.country,
                format=str(r.format),
                quantity=int(r.quantity),
                shipped_at=r.shipped_at,
                street_date=r.street_date,
            )
            for r in conn.execute(query)
        )
    return out


def _stream(conn: Connection, query: Select[Any]) -> Iterator[Row[Any]]:
    yield from conn.execute(query.execution_options(yield_per=_CHUNK_ROWS))
