"""Stored hosts and their evidence: upsert, evidence rows, notes, and loading hosts with
what ties them to releases and groups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import Connection

from leaktrace.store.host_locations import load_locations
from leaktrace.store.host_model import (
    ROLE_PRIORITY,
    Evidence,
    HostRecord,
    HostView,
)
from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import (
    HOST_EVIDENCE,
    HOSTS,
    RELEASES,
    SWARM_OBSERVATIONS,
)

HostKey = tuple[str, str]
UNKNOWN = "unknown"
"""``country`` of :func:`load_hosts` for the hosts no source locates."""
_SOURCE_MAX = 256


def _join(old: str | None, new: str | None, sep: str, limit: int | None) -> str | None:
    parts = [p for p in (old or "").split(sep) if p]
    for piece in (new or "").split(sep):
        if piece and piece not in parts:
            parts.append(piece)
    joined = sep.join(parts) or None
    if joined is not None and limit is not None and len(joined) > limit:
        joined = joined[: limit - 1] + "…"
    return joined


def _merge(current: Mapping[str, Any], rec: HostRecord) -> dict[str, Any]:
    """The columns that change when ``rec`` is folded into the stored host ``current``."""
    changes: dict[str, Any] = {}
    if ROLE_PRIORITY.get(rec.role, 0) > ROLE_PRIORITY.get(current["role"], 0):
        changes["role"] = rec.role
    first = rec.first_seen or rec.last_seen
    last = rec.last_seen or rec.first_seen
    if first is not None and (current["first_seen"] is None or first < current["first_seen"]):
        changes["first_seen"] = first
    if last is not None and (current["last_seen"] is None or last > current["last_seen"]):
        changes["last_seen"] = last
    source = _join(current["information_source"], rec.source, "; ", _SOURCE_MAX)
    if source != current["information_source"]:
        changes["information_source"] = source
    notes = _join(current["notes"], rec.notes, "\n", None)
    if notes != current["notes"]:
        changes["notes"] = notes
    return changes


def upsert_hosts(
    conn: Connection, records: Iterable[HostRecord]
) -> tuple[dict[HostKey, int], int, int]:
    """Store hosts, merging with those already known (roles by priority, the widest
    first/last seen, sources and notes gathered). Returns (key → id, new, updated).
    A record's country is not stored here: it is one source's answer
    (:func:`put_locations`), and the host's country is chosen from all of them."""
    merged: dict[HostKey, dict[str, Any]] = {}
    for rec in records:
        key = (rec.kind, rec.value)
        row = merged.get(key)
        if row is None:
            merged[key] = {
                "kind": rec.kind,
                "value": rec.value,
                "role": rec.role,
                "first_seen": rec.first_seen or rec.last_seen,
                "last_seen": rec.last_seen or rec.first_seen,
                "information_source": (rec.source or "")[:_SOURCE_MAX] or None,
                "notes": rec.notes,
            }
        else:
            row.update(_merge(row, rec))
    ids: dict[HostKey, int] = {}
    existing: dict[HostKey, dict[str, Any]] = {}
    keys = list(merged)
    for kind in ("ip", "domain"):
        values = [v for k, v in keys if k == kind]
        for part in chunked(values):
            for r in conn.execute(
                select(HOSTS).where(and_(HOSTS.c.kind == kind, HOSTS.c.value.in_(part)))
            ).mappings():
                existing[(r["kind"], r["value"])] = dict(r)
    new_rows = [row for key, row in merged.items() if key not in existing]
    updated = 0
    for key, row in merged.items():
        current = existing.get(key)
        if current is None:
            continue
        ids[key] = current["id"]
        rec = HostRecord(
            kind=row["kind"],
            value=row["value"],
            role=row["role"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            source=row["information_source"],
            notes=row["notes"],
        )
        changes = _merge(current, rec)
        if changes:
            conn.execute(HOSTS.update().where(HOSTS.c.id == current["id"]).values(**changes))
            updated += 1
    if new_rows:
        inserted = insert_ignore(conn, HOSTS, new_rows, ("kind", "value"), ("id", "kind", "value"))
        for host_id, kind, value in inserted:
            ids[(kind, value)] = host_id
    return ids, len(new_rows), updated


def insert_evidence(conn: Connection, rows: Iterable[tuple[int, Evidence]]) -> int:
    """Store evidence rows (host id, evidence); those already stored are skipped, except
    that a description (``detail``) they lack is filled in. Returns how many were new."""
    batch: list[dict[str, Any]] = [
        {
            "host_id": host_id,
            "release_id": ev.release_id,
            "group_key": ev.group_key,
            "kind": ev.kind,
            "reference": ev.reference[:512],
            "seen_at": ev.seen_at,
            "detail": ev.detail[:512] if ev.detail else None,
        }
        for host_id, ev in rows
    ]
    new = 0
    fill = (
        update(HOST_EVIDENCE)
        .where(
            HOST_EVIDENCE.c.host_id == bindparam("h"),
            HOST_EVIDENCE.c.kind == bindparam("k"),
            HOST_EVIDENCE.c.reference == bindparam("r"),
            HOST_EVIDENCE.c.detail.is_(None),
        )
        .values(detail=bindparam("d"))
    )
    for part in chunked(batch, 2000):
        rows_in = list(part)
        inserted = insert_ignore(
            conn, HOST_EVIDENCE, rows_in, ("host_id", "kind", "reference"), ("host_id", "kind",
            "reference")
        )  # fmt: skip
        new += len(inserted)
        done = set(inserted)
        waiting = [r for r in rows_in if r["detail"] and (r["host_id"], r["kind"],
                   r["reference"]) not in done]  # fmt: skip
        bare = _undescribed(conn, {r["host_id"] for r in waiting})
        older = [
            {"h": r["host_id"], "k": r["kind"], "r": r["reference"], "d": r["detail"]}
            for r in waiting
            if (r["host_id"], r["kind"], r["reference"]) in bare
        ]
        if older:
            conn.execute(fill, older)
    return new


def _undescribed(conn: Connection, host_ids: set[int]) -> set[tuple[int, str, str]]:
    """The hosts' evidence stored without a description (before 0007): usually none."""
    found: set[tuple[int, str, str]] = set()
    for part in chunked(sorted(host_ids)):
        query = select(HOST_EVIDENCE.c.host_id, HOST_EVIDENCE.c.kind, HOST_EVIDENCE.c.reference)
        query = query.where(HOST_EVIDENCE.c.host_id.in_(part), HOST_EVIDENCE.c.detail.is_(None))
        found.update((r.host_id, r.kind, r.reference) for r in conn.execute(query))
    return found


def add_note_lines(conn: Connection, host_id: int, lines: Sequence[str]) -> bool:
    """Append ``lines`` to a host's notes, skipping lines it already has; True if changed."""
    current = conn.execute(select(HOSTS.c.notes).where(HOSTS.c.id == host_id)).scalar_one()
    have = (current or "").splitlines()
    new = [line for line in dict.fromkeys(lines) if line not in have]
    if not new:
        return False
    notes = "\n".join([*have, *new])
    conn.execute(update(HOSTS).where(HOSTS.c.id == host_id).values(notes=notes))
    return True


def load_hosts(
    conn: Connection,
    *,
    country: str | None = None,
    kind: str | None = None,
    locations: bool = True,
) -> list[HostView]:
    """Stored hosts (optionally of one country — ``unknown``: of none — or kind) with
    their evidence and (unless ``locations=False``) their sources' answers to where they
    are."""
    query = select(HOSTS).order_by(HOSTS.c.id)
    if country is not None and country.lower() == UNKNOWN:
        query = query.where(HOSTS.c.country.is_(None))
    elif country is not None:
        query = query.where(HOSTS.c.country == country.upper())
    if kind is not None:
        query = query.where(HOSTS.c.kind == kind)
    hosts = [dict(r) for r in conn.execute(query).mappings()]
    if not hosts:
        return []
    ids = [h["id"] for h in hosts]
    releases: dict[int, dict[int, str]] = defaultdict(dict)
    leaks: dict[int, set[int]] = defaultdict(set)
    groups: dict[int, dict[str, None]] = defaultdict(dict)
    refs: dict[int, dict[str, None]] = defaultdict(dict)
    kinds: dict[int, dict[str, None]] = defaultdict(dict)
    for part in chunked(ids):
        rows = conn.execute(
            select(
                HOST_EVIDENCE.c.host_id,
                HOST_EVIDENCE.c.kind,
                HOST_EVIDENCE.c.reference,
                HOST_EVIDENCE.c.group_key,
                HOST_EVIDENCE.c.release_id,
                RELEASES.c.name,
                RELEASES.c.group_key.label("release_group"),
                RELEASES.c.status,
            )
            .outerjoin(RELEASES, RELEASES.c.id == HOST_EVIDENCE.c.release_id)
            .where(HOST_EVIDENCE.c.host_id.in_(part))
            .order_by(HOST_EVIDENCE.c.id)
        )
        for r in rows:
            refs[r.host_id][r.reference] = None
            kinds[r.host_id][r.kind] = None
            if r.release_id is not None and r.name is not None:
                releases[r.host_id][r.release_id] = r.name
                if r.status == "leak":
                    leaks[r.host_id].add(r.release_id)
            for g in (r.group_key, r.release_group):
                if g:
                    groups[r.host_id][g] = None
    answers = load_locations(conn, ids) if locations else {}
    return [
        HostView(
            id=h["id"],
            kind=h["kind"],
            value=h["value"],
            role=h["role"],
            first_seen=h["first_seen"],
            last_seen=h["last_seen"],
            information_source=h["information_source"],
            country=h["country"],
            asn=h["asn"],
            organisation=h["organisation"],
            enriched_at=h["enriched_at"],
            enrichment_source=h["enrichment_source"],
            notes=h["notes"],
            reverse_dns=h["reverse_dns"],
            releases=tuple(sorted(releases[h["id"]].values())),
            release_ids=frozenset(releases[h["id"]]),
            leak_ids=frozenset(leaks[h["id"]]),
            groups=tuple(sorted(groups[h["id"]])),
            references=tuple(refs[h["id"]]),
            evidence_kinds=tuple(kinds[h["id"]]),
            locations=tuple(answers.get(h["id"], ())),
        )
        for h in hosts
    ]


@dataclass(frozen=True, slots=True)
class EvidenceDetail:
    """One evidence row as a target sheet describes it."""

    kind: str
    reference: str
    detail: str | None
    seen_at: datetime | None
    expired: bool = False
    """The referenced record is gone (swarm observations deleted by retention)."""


SWARM_PREFIX = "swarm:"


def load_evidence_details(
    conn: Connection, host_ids: Sequence[int]
) -> dict[int, list[EvidenceDetail]]:
    """The evidence of the hosts with its description, and whether the swarm observation
    a reference points to still exists."""
    rows: list[Any] = []
    for part in chunked(sorted(set(host_ids))):
        rows += conn.execute(
            select(
                HOST_EVIDENCE.c.host_id,
                HOST_EVIDENCE.c.kind,
                HOST_EVIDENCE.c.reference,
                HOST_EVIDENCE.c.detail,
                HOST_EVIDENCE.c.seen_at,
            )
            .where(HOST_EVIDENCE.c.host_id.in_(part))
            .order_by(HOST_EVIDENCE.c.id)
        ).all()
    swarm_ids = {
        int(r.reference[len(SWARM_PREFIX) :])
        for r in rows
        if r.reference.startswith(SWARM_PREFIX) and r.reference[len(SWARM_PREFIX) :].isdigit()
    }
    present: set[int] = set()
    for part in chunked(sorted(swarm_ids)):
        present.update(
            conn.execute(
                select(SWARM_OBSERVATIONS.c.id).where(SWARM_OBSERVATIONS.c.id.in_(part))
            ).scalars()
        )
    out: dict[int, list[EvidenceDetail]] = defaultdict(list)
    for r in rows:
        number = r.reference[len(SWARM_PREFIX) :]
        expired = (
            r.reference.startswith(SWARM_PREFIX) and number.isdigit() and int(number) not in present
        )
        out[r.host_id].append(EvidenceDetail(r.kind, r.reference, r.detail, r.seen_at, expired))
    return dict(out)


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    host_id: int
    kind: str
    reference: str
    release_id: int | None
    group_key: str | None
    release_name: str | None


def load_evidence_refs(conn: Connection) -> list[EvidenceRef]:
    """Every evidence row (host, kind, reference, release, group) in id order."""
    rows = conn.execute(
        select(
            HOST_EVIDENCE.c.host_id,
            HOST_EVIDENCE.c.kind,
            HOST_EVIDENCE.c.reference,
            HOST_EVIDENCE.c.release_id,
            func.coalesce(HOST_EVIDENCE.c.group_key, RELEASES.c.group_key).label("group_key"),
            RELEASES.c.name,
        )
        .outerjoin(RELEASES, RELEASES.c.id == HOST_EVIDENCE.c.release_id)
        .order_by(HOST_EVIDENCE.c.id)
    )
    return [
        EvidenceRef(r.host_id, r.kind, r.reference, r.release_id, r.group_key, r.name) for r in rows
    ]
