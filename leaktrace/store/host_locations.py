"""Where hosts are: each source's answer (analyst, GeoIP, DNS, certificate), the country
chosen from them, and the enrichment (ASN, provider, reverse DNS) stored on each host."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from leaktrace.store.host_model import (
    LocationAnswer,
    choose_location,
)
from leaktrace.store.portable import chunked
from leaktrace.store.schema import (
    HOST_LOCATIONS,
    HOSTS,
)

HostKey = tuple[str, str]
UNKNOWN = "unknown"
"""``country`` of :func:`load_hosts` for the hosts no source locates."""
_SOURCE_MAX = 256


@dataclass(frozen=True, slots=True)
class EnrichmentUpdate:
    """What one look-up found for a host: ASN and organisation, when and from what, and
    each file's answer to where it is (they replace the host's earlier answers of the
    kinds in ``replaces``; the host's country is then chosen again)."""

    host_id: int
    asn: int | None
    organisation: str | None
    enriched_at: datetime
    enrichment_source: str
    reverse_dns: str | None = None
    reverse_checked: bool = False
    """Whether a PTR look-up ran: only then is ``reverse_dns`` (even None) written."""
    answers: tuple[LocationAnswer, ...] = ()
    replaces: tuple[str, ...] = ()


def set_enrichment(conn: Connection, updates: Sequence[EnrichmentUpdate]) -> None:
    """Store look-ups: each host's ASN, organisation, date and source, its answers (those
    of the kinds each update replaces go), then the hosts' countries chosen again."""
    for checked in (False, True):
        values: dict[str, Any] = {
            "asn": bindparam("v_asn"),
            "organisation": bindparam("v_org"),
            "enriched_at": bindparam("v_at"),
            "enrichment_source": bindparam("v_source"),
        }
        if checked:
            values["reverse_dns"] = bindparam("v_ptr")
        batch = [
            {
                "h": u.host_id,
                "v_asn": u.asn,
                "v_org": u.organisation[:256] if u.organisation else None,
                "v_at": u.enriched_at,
                "v_source": u.enrichment_source[:256],
                "v_ptr": u.reverse_dns[:253] if u.reverse_dns else None,
            }
            for u in updates
            if u.reverse_checked == checked
        ]
        if batch:
            statement = update(HOSTS).where(HOSTS.c.id == bindparam("h")).values(**values)
            conn.execute(statement, batch)
    gone = [{"h": u.host_id, "k": kind} for u in updates for kind in u.replaces]
    if gone:
        conn.execute(
            delete(HOST_LOCATIONS).where(
                HOST_LOCATIONS.c.host_id == bindparam("h"),
                HOST_LOCATIONS.c.source_kind == bindparam("k"),
            ),
            gone,
        )
    fresh = all(a.kind in u.replaces for u in updates for a in u.answers)
    put_locations(conn, [(u.host_id, a) for u in updates for a in u.answers], fresh=fresh)
    refresh_countries(conn, [u.host_id for u in updates])


def _location_row(host_id: int, a: LocationAnswer) -> dict[str, Any]:
    return {
        "host_id": host_id,
        "source_kind": a.kind,
        "source_name": a.name[:256],
        "position": a.position,
        "country": a.country,
        "asn": a.asn,
        "organisation": a.organisation[:256] if a.organisation else None,
        "detail": a.detail[:512] if a.detail else None,
        "observed_at": a.observed_at,
    }


def put_locations(
    conn: Connection, answers: Sequence[tuple[int, LocationAnswer]], *, fresh: bool = False
) -> None:
    """Store answers (host id, answer); one per host, kind and source name: a newer answer
    of the same source replaces the stored one (``fresh``: none is stored). The caller
    chooses the countries again (:func:`refresh_countries`)."""
    latest: dict[tuple[int, str, str], dict[str, Any]] = {}
    for host_id, answer in answers:
        row = _location_row(host_id, answer)
        latest[(host_id, row["source_kind"], row["source_name"])] = row
    if not latest:
        return
    if not fresh:
        conn.execute(
            delete(HOST_LOCATIONS).where(
                HOST_LOCATIONS.c.host_id == bindparam("h"),
                HOST_LOCATIONS.c.source_kind == bindparam("k"),
                HOST_LOCATIONS.c.source_name == bindparam("n"),
            ),
            [{"h": h, "k": k, "n": n} for h, k, n in latest],
        )
    for part in chunked(list(latest.values()), 2000):
        conn.execute(HOST_LOCATIONS.insert(), list(part))


def drop_locations(conn: Connection, answers: Sequence[tuple[int, str, str]]) -> None:
    """Forget sources' answers (host id, kind, source name); the caller chooses the
    countries again."""
    if answers:
        conn.execute(
            delete(HOST_LOCATIONS).where(
                HOST_LOCATIONS.c.host_id == bindparam("h"),
                HOST_LOCATIONS.c.source_kind == bindparam("k"),
                HOST_LOCATIONS.c.source_name == bindparam("n"),
            ),
            [{"h": h, "k": k, "n": n[:256]} for h, k, n in answers],
        )


def load_locations(
    conn: Connection, host_ids: Sequence[int] | None = None
) -> dict[int, list[LocationAnswer]]:
    """Every stored answer of the hosts (all hosts with ``None``), in precedence order."""
    found: dict[int, list[LocationAnswer]] = defaultdict(list)
    parts: Iterable[Sequence[int] | None] = [None] if host_ids is None else chunked(host_ids)
    for part in parts:
        query = select(HOST_LOCATIONS).order_by(HOST_LOCATIONS.c.id)
        if part is not None:
            query = query.where(HOST_LOCATIONS.c.host_id.in_(part))
        for r in conn.execute(query):
            found[r.host_id].append(
                LocationAnswer(
                    r.source_kind,
                    r.source_name,
                    r.country,
                    r.observed_at,
                    r.asn,
                    r.organisation,
                    r.detail,
                    r.position,
                )
            )
    return {host: sorted(answers, key=LocationAnswer.rank) for host, answers in found.items()}


def refresh_countries(conn: Connection, host_ids: Sequence[int]) -> int:
    """Set each host's ``country`` to its chosen answer's (``None`` if no source knows);
    returns how many changed."""
    unique = sorted(set(host_ids))
    answers = load_locations(conn, unique)
    changes: list[dict[str, Any]] = []
    for part in chunked(unique):
        query = select(HOSTS.c.id, HOSTS.c.country).where(HOSTS.c.id.in_(part))
        for r in conn.execute(query):
            chosen = choose_location(answers.get(r.id, []))
            wanted = None if chosen is None else chosen.country
            if wanted != r.country:
                changes.append({"h": r.id, "v_country": wanted})
    if changes:
        statement = update(HOSTS).where(HOSTS.c.id == bindparam("h"))
        conn.execute(statement.values(country=bindparam("v_country")), changes)
    return len(changes)
