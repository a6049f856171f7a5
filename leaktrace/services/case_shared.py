"""Shared objects (STIX, issue 12) held as case evidence: every member agency of a case
reads its evidence, so a shared object may be in a case only while every member agency may
see it. :func:`refuse_blind_members` is checked when such an object is added
(``case_items``) and when an agency joins a case holding one (``cases.add_member``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import SharingRefusedError
from leaktrace.services.exchange_browse import agencies_not_seeing
from leaktrace.store import cases as store
from leaktrace.store import evidence_log as log_store

__all__ = ["refuse_blind_members", "shared_markings"]


def shared_markings(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """The provenance and markings of every shared object (kind ``stix``) of the case, as
    their ``item.added`` entries recorded them (collection, stix_id, version ...)."""
    found: list[dict[str, Any]] = []
    for item in store.items_of(conn, case_id):
        if item.kind != "stix":
            continue
        for entry in log_store.entries(conn, case_id, item.entry_seq, item.entry_seq + 1):
            marks = json.loads(entry.entry).get("data", {}).get("markings")
            if isinstance(marks, dict):
                found.append(marks)
    return found


def refuse_blind_members(
    conn: Connection, agencies: Sequence[tuple[int, str]], shared: Sequence[Mapping[str, Any]]
) -> None:
    """Refuse (SharingRefusedError, rule ``case-members``) when one of ``agencies`` (id,
    code) may not see one of the ``shared`` objects: every member reads a case's evidence,
    so nothing goes further than its owner allowed."""
    for marks in shared:
        blind = agencies_not_seeing(
            conn,
            str(marks["collection"]),
            str(marks["stix_id"]),
            str(marks["version"]),
            [agency_id for agency_id, _ in agencies],
        )
        if blind:
            codes = ", ".join(code for agency_id, code in agencies if agency_id in blind)
            raise SharingRefusedError(
                f"{marks['stix_id']} (a shared object in this case) may not be seen by "
                f"{codes}: every member agency of a case must be able to see its evidence",
                stix_id=str(marks["stix_id"]),
                rule="case-members",
            )
