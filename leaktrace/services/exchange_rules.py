"""The rules a (re-)publication must pass (issue 12): received objects keep their markings.

:func:`refusal` is called by every path that puts objects an agency
received into another collection or onto a peer (``exchange publish --object``, a TAXII POST,
``exchange push``) before anything is written; a non-None answer refuses that object.
:func:`refusal_of` gives the same answer with the rule broken (``tlp`` or ``h2``), for a
:class:`~leaktrace.errors.SharingRefusedError`.

The rules judge an object by the rows of its id the agency may SEE here
(:func:`~leaktrace.store.exchange_lookup.visible_versions_everywhere`: rows in the
collections it may read that pass the need-to-know rule; the local operator sees every
row), and never by any other: a row hidden from the agency must not change the answer, or
the answer would tell it the id exists where it may not look. An id it sees nowhere is
judged exactly as a new id, by the item alone.

An object is *received* by an agency unless that agency created it: its ``created_by_ref``
is the agency's own identity AND every row of it the agency sees is the agency's own
publication (origin ``published``, owned by the agency; ``created_by_ref`` alone is the
sender's word: a partner could name us). An object with no creator, such as an observable,
counts as received: fail closed. Marking definitions, extension definitions and identities
are definitions, not findings: they pass. For a received object:

* **TLP**: it cannot go out under a looser level than the strictest of its own marking and
  the ``tlp`` of every row of that id the agency sees (the level it was received or read
  under, whoever owns the row). No TLP at all on the way out, for an object that has one,
  is a loosening too.
* **H2**: an object marked H2 (its own marking, or any row of that id the agency sees) goes
  out only when the owner's permission was recorded for the agency (``exchange permit``).
  The local operator (``agency_id`` None) has no recorded permissions: it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.engine import Connection

from leaktrace.exchange.classify import SUPPORT_TYPES, Classified
from leaktrace.exchange.markings import TlpLevel, stricter, strictest
from leaktrace.exchange.stix_extension import stix_id
from leaktrace.store.exchange_collections import has_permission
from leaktrace.store.exchange_lookup import VisibleVersion, visible_versions_of
from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.schema_access import AGENCIES

__all__ = ["Refusal", "agency_identity_id", "refusal", "refusal_of", "refusals_of"]


@dataclass(frozen=True)
class Refusal:
    rule: Literal["tlp", "h2"]
    reason: str


def agency_identity_id(code: str) -> str:
    """The STIX identity id LeakTrace gives the agency ``code`` (as ``identity_of`` does)."""
    return stix_id("identity", "agency:" + code.strip().casefold())


def _agency_code(conn: Connection, agency_id: int) -> str | None:
    code = conn.execute(select(AGENCIES.c.code).where(AGENCIES.c.id == agency_id)).scalar()
    return None if code is None else str(code)


def refusal_of(
    conn: Connection,
    agency_id: int | None,
    item: Classified,
    *,
    tlp: TlpLevel | None = None,
) -> Refusal | None:
    """:func:`refusal` with the rule it applies (see the module docstring)."""
    return refusals_of(conn, agency_id, [item], tlp=tlp)[0]


def refusals_of(
    conn: Connection,
    agency_id: int | None,
    items: Sequence[Classified],
    *,
    tlp: TlpLevel | None = None,
) -> list[Refusal | None]:
    """:func:`refusal_of` for each of ``items`` (a whole envelope judged with a few
    queries: the rows the agency sees of all their ids are read at once)."""
    judged = [item for item in items if item.stix_type not in SUPPORT_TYPES]
    seen = visible_versions_of(conn, [item.stix_id for item in judged], Viewer(agency_id))
    code = _agency_code(conn, agency_id) if agency_id is not None else None
    return [
        None
        if item.stix_type in SUPPORT_TYPES
        else _judge(conn, agency_id, code, item, seen.get(item.stix_id, []), tlp)
        for item in items
    ]


def _judge(
    conn: Connection,
    agency_id: int | None,
    code: str | None,
    item: Classified,
    rows: Sequence[VisibleVersion],
    tlp: TlpLevel | None,
) -> Refusal | None:
    if code is not None and item.creator == agency_identity_id(code):
        # ``created_by_ref`` is the sender's word: the object is the agency's own only if
        # no row of it that the agency sees came from outside (pulled, imported, posted,
        # another agency's); rows it may not see do not count, either way
        if all(row.origin == "published" and row.owner_agency_id == agency_id for row in rows):
            return None  # the agency's own object: it may version and share it as it likes
    received = strictest([level for level in (item.tlp, *(row.tlp for row in rows)) if level])
    wanted = tlp if tlp is not None else item.tlp
    if received is not None and (wanted is None or stricter(received, wanted)):
        shown = "no TLP marking" if wanted is None else f"TLP:{wanted.upper()}"
        return Refusal(
            "tlp",
            f"{item.stix_id} was received as TLP:{received.upper()}; it cannot be "
            f"re-published as {shown} (a received object keeps its restriction)",
        )
    handling = {code for code in (item.handling, *(row.handling for row in rows)) if code}
    if "H2" in handling and (
        agency_id is None or not has_permission(conn, item.stix_id, agency_id)
    ):
        return Refusal(
            "h2",
            f"{item.stix_id} is marked H2 (not to be passed on without the provider's "
            "permission) and no permission of its owner is recorded for this agency "
            "(leaktrace exchange permit)",
        )
    return None


def refusal(
    conn: Connection,
    agency_id: int | None,
    item: Classified,
    *,
    tlp: TlpLevel | None = None,
) -> str | None:
    """Why ``agency_id`` may not pass ``item`` on under ``tlp`` (default: the item's own
    level), or None when it may. Rules (see the module docstring): an object the agency
    received (not its own publication) cannot go out under a looser TLP level than any row
    of it the agency sees; an H2 object cannot go out without the owner's recorded
    permission (``exchange permit``). Only rows the agency may see count. The local
    operator (``agency_id`` None) sees every row and is bound the same way."""
    found = refusal_of(conn, agency_id, item, tlp=tlp)
    return None if found is None else found.reason
