"""Record pre-database nukes on releases, keeping the whole history."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from leaktrace.feeds.item import NukeEvent
from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import NUKES, RELEASES

__all__ = ["STATUS_AFTER", "apply_nukes"]

STATUS_AFTER = {
    "nuke": "nuked",
    "modnuke": "nuked",
    "unnuke": "unnuked",
    "delpre": "deleted",
    "delete": "deleted",
    "undelpre": "undeleted",
}
"""The release's nuke status after each action."""


def fingerprint(nuke: NukeEvent) -> str:
    key = "\x1f".join(
        (
            nuke.name,
            nuke.action,
            nuke.reason or "",
            nuke.net or "",
            nuke.time.astimezone(UTC).isoformat(),
        )
    )
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def apply_nukes(
    conn: Connection, nukes: Sequence[NukeEvent], release_ids: Mapping[str, int] | None = None
) -> list[tuple[NukeEvent, int]]:
    """Store new nukes and update their releases' status (latest action wins).
    ``release_ids``: the ids of the nuked names' stored releases, when the caller knows
    them (the releases are then read by id; else by name).

    Returns the new nukes whose release is known, with its id. A nuke seen again is
    ignored; a nuke for a release not seen yet is kept in the history with no release.
    """
    if not nukes:
        return []
    prints = {fingerprint(n): n for n in nukes}
    seen: set[str] = set()
    for part in chunked(list(prints)):
        seen.update(
            conn.execute(select(NUKES.c.fingerprint).where(NUKES.c.fingerprint.in_(part))).scalars()
        )
    fresh = sorted(
        ((fp, n) for fp, n in prints.items() if fp not in seen), key=lambda pair: pair[1].time
    )
    if not fresh:
        return []
    names = sorted({n.name for _, n in fresh})
    key: Any = RELEASES.c.name
    values: list[Any] = list(names)
    if release_ids is not None:
        key, values = RELEASES.c.id, [release_ids[n] for n in names if n in release_ids]
    releases: dict[str, tuple[int, object]] = {}
    for part in chunked(values):
        for rid, name, nuked_at in conn.execute(
            select(RELEASES.c.id, RELEASES.c.name, RELEASES.c.nuked_at).where(key.in_(part))
        ):
            releases[name] = (rid, nuked_at)
    insert_ignore(
        conn,
        NUKES,
        [
            {
                "fingerprint": fp,
                "release_id": releases[n.name][0] if n.name in releases else None,
                "name": n.name[:512],
                "action": n.action,
                "reason": (n.reason or "")[:256] or None,
                "net": (n.net or "")[:64] or None,
                "at": n.time,
                "source": n.source,
            }
            for fp, n in fresh
        ],
        ["fingerprint"],
    )
    applied: list[tuple[NukeEvent, int]] = []
    for _, nuke in fresh:
        if nuke.name not in releases:
            continue
        rid, last = releases[nuke.name]
        applied.append((nuke, rid))
        if last is not None and hasattr(last, "tzinfo") and nuke.time < last:  # type: ignore[operator]
            continue
        conn.execute(
            update(RELEASES)
            .where(RELEASES.c.id == rid)
            .values(
                nuke_status=STATUS_AFTER.get(nuke.action, nuke.action),
                nuke_reason=(nuke.reason or "")[:256] or None,
                nuke_net=(nuke.net or "")[:64] or None,
                nuked_at=nuke.time,
            )
        )
        releases[nuke.name] = (rid, nuke.time)
    return applied
