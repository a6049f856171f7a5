"""Evidence references in words, for a sheet read by partners without database access.

A bare ``swarm:812`` means nothing outside LeakTrace's database, and nothing at all once
retention has deleted observation 812. Each evidence row carries its description
(``host_evidence.detail``, written when the evidence is collected: a torrent's info-hash
and trackers, a swarm observation's role, an import's file and line); this module puts
reference, date and description on one line, and folds a host's observations of one
torrent in one role into one dated summary (count, first and last seen) — the part of the
evidence that survives retention. A reference whose record retention deleted is marked so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from leaktrace.store.infra import SWARM_PREFIX, EvidenceDetail

__all__ = ["EXPIRED", "EXPIRED_BARE", "describe_evidence", "marks_deleted_records"]

EXPIRED = "record deleted by retention; this description was kept"
EXPIRED_BARE = "record deleted by retention; no description was kept (collected before 0007)"
_PARTLY = " records deleted by retention]"


def marks_deleted_records(line: str) -> bool:
    """Whether a line of :func:`describe_evidence` says that retention deleted its record
    (or some of them): by the mark it ends with, not by words a release name may hold."""
    return line.endswith((f"[{EXPIRED}]", f"[{EXPIRED_BARE}]", _PARTLY))


def _when(moment: datetime | None) -> str:
    return "date unknown" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _one(ref: str, d: EvidenceDetail | None) -> str:
    if d is None:
        return ref
    if d.detail is None:
        return f"{ref} [{EXPIRED_BARE}]" if d.expired else ref
    if ref.startswith("import:"):
        line = f"{ref} — {d.detail}"
    elif ref.startswith("tls:"):
        line = f"{ref} — fetched {_when(d.seen_at)}"
    else:
        line = f"{ref} — {_when(d.seen_at)}: {d.detail}"
    return f"{line} [{EXPIRED}]" if d.expired else line


def _summary(group: Sequence[EvidenceDetail]) -> str:
    dates = sorted(d.seen_at for d in group if d.seen_at is not None)
    first, last = (dates[0], dates[-1]) if dates else (None, None)
    refs = sorted((d.reference for d in group), key=_number)
    gone = sum(1 for d in group if d.expired)
    line = (
        f"{refs[0]} … {refs[-1]} ({len(group)} observations) — {_when(first)} to "
        f"{_when(last)}: {group[0].detail}"
    )
    if gone == len(group):
        return f"{line} [{EXPIRED}]"
    if gone:
        return f"{line} [{gone} of {len(group)}{_PARTLY}"
    return line


def _number(ref: str) -> tuple[int, str]:
    tail = ref.rsplit(":", 1)[-1]
    return (int(tail), ref) if tail.isdigit() else (0, ref)


def describe_evidence(
    references: Sequence[str], details: Mapping[str, EvidenceDetail]
) -> list[str]:
    """One line per reference (``ref — date: what it is``); a host's swarm observations
    of one torrent in one role are one summary line, where the first of them stood."""
    groups: dict[tuple[str, str], list[EvidenceDetail]] = {}
    order: list[str | tuple[str, str]] = []
    for ref in references:
        d = details.get(ref)
        if d is not None and d.detail is not None and ref.startswith(SWARM_PREFIX):
            key = (d.kind, d.detail)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(d)
        else:
            order.append(ref)
    lines: list[str] = []
    for item in order:
        if isinstance(item, str):
            lines.append(_one(item, details.get(item)))
        elif len(groups[item]) == 1:
            only = groups[item][0]
            lines.append(_one(only.reference, only))
        else:
            lines.append(_summary(groups[item]))
    return lines
