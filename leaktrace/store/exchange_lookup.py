"""Every row of one STIX id that a viewer may see, across all collections (issue 12).

The re-publication rules (:mod:`leaktrace.services.exchange_rules`) judge an object by what
the agency holds of it here: the levels and handling codes it was received under. They must
look only at rows the agency may see, or their answer tells it whether an id exists in a
collection it has no rights on. :func:`visible_versions_everywhere` is that lookup: rows in
the collections the agency may read that pass the need-to-know rule
(:func:`~leaktrace.store.exchange_visibility.visible`). The local operator
(``Viewer(None)``) sees every row of every collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from leaktrace.exchange.markings import TLP_LEVELS, TlpLevel
from leaktrace.store.exchange_visibility import OBJECTS, Viewer, visible
from leaktrace.store.schema_exchange import EXCHANGE_COLLECTIONS as COLLECTIONS
from leaktrace.store.schema_exchange import EXCHANGE_RIGHTS as RIGHTS

__all__ = ["VisibleVersion", "visible_versions_everywhere", "visible_versions_of"]


@dataclass(frozen=True, slots=True)
class VisibleVersion:
    """One stored row of an object, as far as the rules need it."""

    collection_id: str
    version: str
    tlp: TlpLevel | None
    """The row's effective TLP level (None: no TLP marking)."""
    handling: str | None
    origin: str
    owner_agency_id: int | None


def _level(value: object) -> TlpLevel | None:
    """The stored level; a value that is no TLP 2.0 level (never written) counts as RED:
    fail closed."""
    if value is None:
        return None
    for level in TLP_LEVELS:
        if value == level:
            return level
    return "red"


def visible_versions_everywhere(
    conn: Connection, stix_id: str, viewer: Viewer
) -> list[VisibleVersion]:
    """The rows of ``stix_id``, in every collection, that ``viewer`` may see: in a
    collection it may read, passing the need-to-know rule. Empty when it sees none (whether
    or not the id is stored somewhere it may not look). Ordered by collection, version and
    insertion."""
    return visible_versions_of(conn, [stix_id], viewer).get(stix_id, [])


def visible_versions_of(
    conn: Connection, stix_ids: Sequence[str], viewer: Viewer
) -> dict[str, list[VisibleVersion]]:
    """:func:`visible_versions_everywhere` for many ids at once (one query per 500 ids: a
    TAXII POST judges its whole envelope with a few queries). Ids it sees no row of are
    left out."""
    # the collections it may read, as a list the (collection_id, stix_id, version) index
    # can be probed with: no scan of the whole table for one id
    readable = (
        select(COLLECTIONS.c.id)
        if viewer.agency_id is None
        else select(RIGHTS.c.collection_id).where(
            RIGHTS.c.agency_id == viewer.agency_id, RIGHTS.c.can_read
        )
    )
    wanted = sorted(set(stix_ids))
    found: dict[str, list[VisibleVersion]] = {}
    seen = visible(viewer)
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(
                OBJECTS.c.stix_id,
                OBJECTS.c.collection_id,
                OBJECTS.c.version,
                OBJECTS.c.tlp,
                OBJECTS.c.handling,
                OBJECTS.c.origin,
                OBJECTS.c.owner_agency_id,
            )
            .where(
                OBJECTS.c.collection_id.in_(readable),
                OBJECTS.c.stix_id.in_(wanted[start : start + 500]),
                seen,
            )
            .order_by(OBJECTS.c.stix_id, OBJECTS.c.collection_id, OBJECTS.c.version, OBJECTS.c.id)
        ).all()
        for row in rows:
            found.setdefault(str(row.stix_id), []).append(
                VisibleVersion(
                    collection_id=str(row.collection_id),
                    version=str(row.version),
                    tlp=_level(row.tlp),
                    handling=None if row.handling is None else str(row.handling),
                    origin=str(row.origin),
                    owner_agency_id=None
                    if row.owner_agency_id is None
                    else int(row.owner_agency_id),
                )
            )
    return found
