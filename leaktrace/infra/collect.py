"""Collect hosts from what the database already holds: sightings and infrastructure peers.

* every sighting's trackers, web seeds and URL (site, streaming host or cyberlocker) become
  hosts, each tied to the sighting's release and group by ``sighting:<id>``;
* every swarm observation of role ``infrastructure`` (the only ones kept with the address
  in clear) becomes an IP host: ``initial-seeder`` when it was already seeding within
  :data:`INITIAL_SEED_HOURS` of the swarm's first observation, ``seedbox`` otherwise; it is
  tied by ``swarm:<id>``.

Running it again adds only what is new: evidence is unique per host, kind and reference.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Connection

from leaktrace.infra.hosts import normalise_host, sighting_hosts
from leaktrace.infra.model import CollectReport, Evidence, HostRecord, Role
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.store.infra import (
    insert_evidence,
    iter_sightings,
    load_infra_swarm,
    upsert_hosts,
)

__all__ = ["INITIAL_SEED_HOURS", "collect_hosts"]

INITIAL_SEED_HOURS = 6.0
"""A seeder seen this soon after the swarm was first observed counts as an initial seeder."""
_BATCH = 5000


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
        for kind, value, role in sighting_hosts(s.url, s.site, s.extra, services):
            pending.append(
                (
                    HostRecord(kind, value, role, s.seen_at, s.seen_at, source="sightings"),
                    Evidence(role, f"sighting:{s.id}", s.release_id, s.group_key, s.seen_at),
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
                Evidence(str(role), f"swarm:{w.id}", w.release_id, w.group_key, w.observed_at),
            )
        )
        seen.add(("ip", address))
        report.roles[str(role)] = report.roles.get(str(role), 0) + 1
    if pending:
        flush()
    report.hosts_seen = len(seen)
    return report
