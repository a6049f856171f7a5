"""Collect hosts from what the database already holds: sightings and infrastructure peers.

* every sighting's trackers, web seeds and URL (site, streaming host or cyberlocker) become
  hosts, each tied to the sighting's release and group by ``sighting:<id>``;
* every swarm observation of role ``infrastructure`` (the only ones kept with the address
  in clear) becomes an IP host: ``initial-seeder`` when it was already seeding within
  :data:`INITIAL_SEED_HOURS` of the swarm's first observation, ``seedbox`` otherwise; it is
  tied by ``swarm:<id>``.

Running it again adds only what is new: evidence is unique per host, kind and reference.
Each evidence row carries what its record is, in words (:func:`sighting_detail`,
:func:`swarm_detail`): a target sheet is read by partners without the database, and the
words stay when retention deletes the swarm observation itself. Running it again fills
them in for evidence stored before they existed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Connection

from leaktrace.formats.redaction import redact_url
from leaktrace.infra.hosts import normalise_host, sighting_hosts
from leaktrace.infra.model import CollectReport, Evidence, HostRecord, Role
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.store.infra import (
    SightingHostRow,
    SwarmHostRow,
    insert_evidence,
    iter_sightings,
    load_infra_swarm,
    upsert_hosts,
)

__all__ = ["INITIAL_SEED_HOURS", "collect_hosts", "sighting_detail", "swarm_detail"]

INITIAL_SEED_HOURS = 6.0
"""A seeder seen this soon after the swarm was first observed counts as an initial seeder."""
_BATCH = 5000


def sighting_detail(s: SightingHostRow, trackers: list[str]) -> str:
    """``torrent sighting on <site>: <release>, info-hash <hex>, tracker(s) <hosts>``."""
    where = f" on {s.site}" if s.site else ""
    parts = [f"{s.origin or 'feed'} sighting{where}: {s.release_name or 'a release'}"]
    if s.infohash:
        parts.append(f"info-hash {s.infohash}")
    if trackers:
        parts.append(f"tracker{'s' if len(trackers) > 1 else ''} {', '.join(trackers[:4])}")
    elif s.url:
        parts.append(f"URL {redact_url(s.url)[:200]}")  # an API key or passkey: ***
    return ", ".join(parts)


def swarm_detail(w: SwarmHostRow, role: str) -> str:
    """``swarm observation: initial-seeder (seeding) in torrent <hex> of <release>, …``
    (the date is the evidence's own)."""
    state = "seeding" if w.seeder else "not seeding"
    of = f" of {w.release_name}" if w.release_name else ""
    client = f", client {w.client}" if w.client else ""
    return f"swarm observation: {role} ({state}) in torrent info-hash {w.infohash}{of}{client}"


def collect_hosts(conn: Connection, services: ServiceLists = BUILTIN) -> CollectReport:
    """Find hosts in sightings and infrastructure swarm rows; store them and their evidence
    inside the caller's transaction. Idempotent. ``services`` tells cyberlockers and video
    hosts by their domain."""
    report = CollectReport()
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[HostRecord, Evidence]] = []

    def flush() -> None:
        ids, new, _ = upsert_hosts(conn, [rec for rec, _ in pending])
        report.new_hosts += new
        report.new_evidence += insert_evidence(
            conn, [(ids[(rec.kind, rec.value)], ev) for rec, ev in pending]
        )
        pending.clear()

    for s in iter_sightings(conn):
        report.sightings += 1
        named = sighting_hosts(s.url, s.site, s.extra, services)
        detail = sighting_detail(s, [v for _, v, r in named if r == Role.TRACKER])
        for kind, value, role in named:
            pending.append(
                (
                    HostRecord(kind, value, role, s.seen_at, s.seen_at, source="sightings"),
                    Evidence(
                        role, f"sighting:{s.id}", s.release_id, s.group_key, s.seen_at, detail
                    ),
                )
            )
            seen.add((kind, value))
            report.roles[str(role)] = report.roles.get(str(role), 0) + 1
        if len(pending) >= _BATCH:
            flush()
    early = timedelta(hours=INITIAL_SEED_HOURS)
    for w in load_infra_swarm(conn):
        report.swarm_rows += 1
        try:
            kind, address = normalise_host(w.peer_ip)
        except ValueError:
            continue
        if kind != "ip":
            continue
        role = (
            Role.INITIAL_SEEDER
            if w.seeder and w.observed_at - w.first_observed_at <= early
            else Role.SEEDBOX
        )
        note = f"client {w.client}" if w.client else None
        pending.append(
            (
                HostRecord(
                    "ip",
                    address,
                    role,
                    w.observed_at,
                    w.observed_at,
                    source="swarm observations",
                    notes=note,
                ),
                Evidence(
                    str(role),
                    f"swarm:{w.id}",
                    w.release_id,
                    w.group_key,
                    w.observed_at,
                    swarm_detail(w, str(role)),
                ),
            )
        )
        seen.add(("ip", address))
        report.roles[str(role)] = report.roles.get(str(role), 0) + 1
    if pending:
        flush()
    report.hosts_seen = len(seen)
    return report
