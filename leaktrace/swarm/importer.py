"""Import swarm observation files: validate, reduce addresses, enrich, store — one transaction.

Ordinary peers: the address becomes ``peer_key`` (HMAC-SHA256 under the swarm key), plus
country and ASN (:mod:`leaktrace.geo`: offline, by default from the ip-location-db data
shipped in the package); address and port are dropped before the row is built. The client
column keeps only a recognised client name and version (:mod:`leaktrace.swarm.clients`),
and any address in the file's name is masked before it is stored. Infrastructure
(rows tagged ``infrastructure``, ``seedbox``, ``initial-seeder`` or ``server``): address and
port are kept in clear as well. Bad rows are skipped and counted, or with ``strict`` the
first one aborts the import and nothing is written. Importing the same file twice adds
nothing (rows carry a keyed fingerprint). The first import ties the database to its key
(:func:`leaktrace.swarm.keys.bind_database_key`): another key is refused.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import ConfigError
from leaktrace.geo import GeoLookup
from leaktrace.store.database import Database
from leaktrace.store.swarm import (
    insert_observations,
    link_infohashes,
    referenced_id_floor,
    relink_observations,
)
from leaktrace.swarm.keys import MIN_KEY_BYTES, bind_database_key, key_check
from leaktrace.swarm.model import INFRASTRUCTURE, SwarmError, SwarmRecord
from leaktrace.swarm.privacy import (
    canonical_ip,
    mask_addresses,
    observation_fingerprint,
    peer_key,
)
from leaktrace.swarm.reader import read_swarm

__all__ = [
    "BATCH",
    "KEEP_ERRORS",
    "SwarmImportReport",
    "import_records",
    "import_swarm_files",
    "store_records",
    "swarm_rows",
]

KEEP_ERRORS = 10
BATCH = 5000


@dataclass(slots=True)
class SwarmImportReport:
    """What an import did, for people and for scripts. Holds no address.

    ``geo``: the file used for country and for ASN; ``geo_sources``: their labels (type,
    licence, build date) and the attribution their licences require; ``geo_notes``: what
    could not be looked up."""

    files: list[str]
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[SwarmError] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0
    peers: int = 0
    infrastructure: int = 0
    linked: int = 0
    unlinked: int = 0
    relinked: int = 0
    geo: dict[str, str | None] = field(default_factory=dict)
    geo_sources: list[str] = field(default_factory=list)
    geo_notes: list[str] = field(default_factory=list)
    key_check: str = ""
    """The first 12 hex digits of the key's check value (which key, never the key)."""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "added": self.added,
            "duplicates": self.duplicates,
            "peers_hashed": self.peers,
            "infrastructure_in_clear": self.infrastructure,
            "linked_to_release": self.linked,
            "unlinked": self.unlinked,
            "relinked_earlier": self.relinked,
            "geo": self.geo,
            "geo_sources": self.geo_sources,
            "geo_notes": self.geo_notes,
            "key_check": self.key_check,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def import_swarm_files(
    db: Database,
    paths: Sequence[Path],
    key: bytes,
    geo: GeoLookup,
    *,
    strict: bool = False,
    key_source: str = "the given key",
    demo: bool = False,
) -> SwarmImportReport:
    """Import swarm files (CSV or JSON Lines) in one transaction.

    ``key_source`` says where the key came from (in errors); ``demo``: this is the demo
    building its own database, the only place the demo's published key is accepted."""

    return import_records(
        db,
        swarm_rows(paths),
        key,
        geo,
        files=[str(p) for p in paths],
        strict=strict,
        key_source=key_source,
        demo=demo,
    )


def import_records(
    db: Database,
    entries: Iterable[tuple[str, SwarmRecord | SwarmError]],
    key: bytes,
    geo: GeoLookup,
    *,
    files: list[str] | None = None,
    strict: bool = False,
    key_source: str = "the given key",
    demo: bool = False,
) -> SwarmImportReport:
    """Import (file name, record or error) pairs in one transaction; see
    :func:`import_swarm_files`."""
    with db.transaction() as conn:
        return store_records(
            conn,
            entries,
            key,
            geo,
            files=files,
            strict=strict,
            key_source=key_source,
            demo=demo,
        )


def swarm_rows(paths: Sequence[Path]) -> Iterator[tuple[str, SwarmRecord | SwarmError]]:
    """(file name, record or error) of every row of ``paths``, read as they are needed."""
    for path in paths:
        for entry in read_swarm(path):
            yield str(path), entry


def store_records(
    conn: Connection,
    entries: Iterable[tuple[str, SwarmRecord | SwarmError]],
    key: bytes,
    geo: GeoLookup,
    *,
    files: list[str] | None = None,
    strict: bool = False,
    key_source: str = "the given key",
    demo: bool = False,
) -> SwarmImportReport:
    """Store (file name, record or error) pairs in the caller's transaction (the rows are
    read as they are stored, so a large file is never held in memory)."""
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"swarm key from {key_source} is {len(key)} bytes long; it must be at least "
            f"{MIN_KEY_BYTES}"
        )
    started = time.perf_counter()
    report = SwarmImportReport(
        files=files or [],
        geo=geo.source_names(),
        geo_sources=geo.sources(),
        geo_notes=geo.notes(),
        key_check=key_check(key)[:12],
    )
    note = bind_database_key(conn, key, source=key_source, demo=demo)
    if note is not None:
        report.notes.append(note)
    floor = referenced_id_floor(conn)  # ids that evidence names are never given again
    batch: list[tuple[str, SwarmRecord]] = []
    for source, entry in entries:
        report.lines += 1
        if isinstance(entry, SwarmError):
            if strict:
                raise entry
            report.rejected += 1
            if len(report.errors) < KEEP_ERRORS:
                report.errors.append(entry)
            continue
        report.accepted += 1
        batch.append((source, entry))
        if len(batch) >= BATCH:
            _write(conn, batch, key, geo, report, floor)
            batch = []
    if batch:
        _write(conn, batch, key, geo, report, floor)
    report.relinked = relink_observations(conn)
    report.seconds = time.perf_counter() - started
    return report


def _write(
    conn: Connection,
    batch: list[tuple[str, SwarmRecord]],
    key: bytes,
    geo: GeoLookup,
    report: SwarmImportReport,
    floor: int = 0,
) -> None:
    links = link_infohashes(conn, [record.infohash for _, record in batch])
    rows: dict[str, dict[str, Any]] = {}
    stored_names: dict[str, str] = {}
    for source, record in batch:
        if source not in stored_names:
            stored_names[source] = mask_addresses(source)[-1024:]
        row = _row(record, stored_names[source], key, geo, links.get(record.infohash))
        rows.setdefault(row["fingerprint"], row)
        if record.role == INFRASTRUCTURE:
            report.infrastructure += 1
        else:
            report.peers += 1
        if record.infohash in links:
            report.linked += 1
        else:
            report.unlinked += 1
    added = insert_observations(conn, list(rows.values()), above=floor)
    report.added += added
    report.duplicates += len(batch) - added


def _row(
    record: SwarmRecord,
    source: str,
    key: bytes,
    geo: GeoLookup,
    link: tuple[int, str | None] | None,
) -> dict[str, Any]:
    """The database row: the only place an address is turned into what may be stored.
    ``source`` is the file's name with any address in it masked already."""
    role = record.role
    peer = peer_key(key, record.ip)
    located = geo.lookup(record.ip)
    infrastructure = role == INFRASTRUCTURE
    return {
        "fingerprint": observation_fingerprint(
            key,
            observed_at=record.observed_at,
            infohash=record.infohash,
            peer=peer,
            port=record.port,
            seeder=record.seeder,
            completed=record.completed,
            role=role,
        ),
        "observed_at": record.observed_at,
        "infohash": record.infohash,
        "release_id": None if link is None else link[0],
        "work_id": None if link is None else link[1],
        "peer_key": peer,
        "peer_ip": canonical_ip(record.ip) if infrastructure else None,
        "port": record.port if infrastructure else None,
        "client": record.client,
        "seeder": record.seeder,
        "completed": record.completed,
        "country": located.country,
        "asn": located.asn,
        "role": role,
        "imported_from": source,
    }
