"""The rules a (re-)publication must pass (issue 12): received objects keep their markings.

OWNER: publish helper. :func:`refusal` is called by every path that puts objects an agency
received into another collection or onto a peer (``exchange publish --object``, a TAXII POST,
``exchange push``) before anything is written; a non-None answer refuses that object.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from leaktrace.exchange.classify import Classified
from leaktrace.exchange.markings import TlpLevel

__all__ = ["refusal"]


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
    return None
