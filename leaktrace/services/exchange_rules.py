"""The rules a (re-)publication must pass (issue 12): received objects keep their markings.

:func:`refusal` is called by every path that puts objects an agency
received into another collection or onto a peer (``exchange publish --object``, a TAXII POST,
``exchange push``) before anything is written; a non-None answer refuses that object.
:func:`refusal_of` gives the same answer with the rule broken (``tlp`` or ``h2``), for a
:class:`~leaktrace.errors.SharingRefusedError`.

An object is *received* by an agency unless that agency created it: its ``created_by_ref``
is the agency's own identity AND every stored row of it is the agency's own publication
(``created_by_ref`` alone is the sender's word: a partner could name us). An object with no
creator, such as an observable, counts as received: fail closed. Marking definitions,
extension definitions and identities are definitions, not findings: they pass. For a
received object:

* **TLP**: it cannot go out under a looser level than the strictest it carries or was
  stored under here (the ``tlp`` of any row of that id the agency owns, which includes a
  stricter level it was itself received under). No TLP at all on the way out, for an object
  received with one, is a loosening too.
* **H2**: an object marked H2 (its own marking, or any stored row of that id) goes out only
  when the owner's permission was recorded for the agency (``exchange permit``). The local
  operator (``agency_id`` None) has no recorded permissions: it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from leaktrace.exchange.classify import SUPPORT_TYPES, Classified
from leaktrace.exchange.markings import TlpLevel, stricter, strictest
from leaktrace.exchange.stix_extension import stix_id
from leaktrace.store.exchange_collections import has_permission
from leaktrace.store.exchange_visibility import OBJECTS
from leaktrace.store.schema_access import AGENCIES

__all__ = ["Refusal", "agency_identity_id", "refusal", "refusal_of"]


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
    if item.stix_type in SUPPORT_TYPES:
        return None
    code = _agency_code(conn, agency_id) if agency_id is not None else None
    if code is not None and item.creator == agency_identity_id(code):
        # ``created_by_ref`` is the sender's word: the object is the agency's own only if
        # no row of it came from outside (pulled, imported, posted, re-published) or
        # belongs to another agency; a partner cannot make its object ours by naming us
        foreign = conn.execute(
            select(OBJECTS.c.id)
            .where(
                OBJECTS.c.stix_id == item.stix_id,
                or_(OBJECTS.c.origin != "published", OBJECTS.c.owner_agency_id != agency_id),
            )
            .limit(1)
        ).first()
        if foreign is None:
            return None  # the agency's own object: it may version and share it as it likes
    stored = select(OBJECTS.c.tlp, OBJECTS.c.handling).where(OBJECTS.c.stix_id == item.stix_id)
    if agency_id is not None:
        stored = stored.where(OBJECTS.c.owner_agency_id == agency_id)
    rows = conn.execute(stored).all()
    levels = [level for level in (item.tlp, *(row.tlp for row in rows)) if level]
    received = strictest(levels)
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
    level), or None when it may. Rules: an object the agency received (a row it owns whose
    origin is not ``published``/``posted`` by itself) cannot go out under a looser TLP level
    than it came with; an H2 object cannot go out without the owner's recorded permission
    (``exchange permit``). The local operator (``agency_id`` None) is bound the same way
    for received objects."""
    found = refusal_of(conn, agency_id, item, tlp=tlp)
    return None if found is None else found.reason
