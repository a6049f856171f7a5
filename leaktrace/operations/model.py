"""What an action day is made of: target kinds and statuses, the allowed moves between
statuses, the checklist, the outcome fields and the roles of participating agencies.

A target's life: ``planned → go → in-progress → done | failed | aborted``. ``aborted`` may
also end a target that never started (``planned`` or ``go``); ``done``, ``failed`` and
``aborted`` are final.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from leaktrace.errors import ConflictError, InputError

__all__ = [
    "CHECKLIST",
    "FINAL",
    "FIRST_YEAR",
    "HANDLING_CODES",
    "LAST_YEAR",
    "NEXT",
    "OUTCOME_FIELDS",
    "AgencyRole",
    "TargetKind",
    "TargetStatus",
    "check_move",
    "country_state",
    "outcome_words",
    "checked_outcome",
    "checked_text",
    "h_hour_at",
    "parse_agency_spec",
    "parse_day",
    "parse_h_hour",
    "parse_status",
]


class TargetStatus(StrEnum):
    planned = "planned"
    go = "go"
    in_progress = "in-progress"
    done = "done"
    failed = "failed"
    aborted = "aborted"


class TargetKind(StrEnum):
    server = "server"
    account = "account"
    """A supply-chain account (from the supply ranking)."""
    person = "person"
    premises = "premises"


class AgencyRole(StrEnum):
    coordinator = "coordinator"
    """Changes every target, resolves issues, sees every real name."""
    participant = "participant"
    """Changes the targets assigned to it."""
    observer = "observer"
    """Reads the board."""


FINAL = frozenset({TargetStatus.done, TargetStatus.failed, TargetStatus.aborted})

NEXT: Mapping[TargetStatus, frozenset[TargetStatus]] = {
    TargetStatus.planned: frozenset({TargetStatus.go, TargetStatus.aborted}),
    TargetStatus.go: frozenset({TargetStatus.in_progress, TargetStatus.aborted}),
    TargetStatus.in_progress: frozenset(
        {TargetStatus.done, TargetStatus.failed, TargetStatus.aborted}
    ),
    TargetStatus.done: frozenset(),
    TargetStatus.failed: frozenset(),
    TargetStatus.aborted: frozenset(),
}
"""Where each status may go next."""

CHECKLIST: tuple[tuple[str, str], ...] = (
    ("authorisation", "legal authorisation reference"),
    ("search", "search"),
    ("seizure", "seizure"),
    ("forensic-image", "forensic image"),
    ("arrest", "arrest"),
    ("provider-notified", "provider notified"),
)
"""(key, label) of every target's checklist, in order. A checked item holds its
reference text (the authorisation's reference, an exhibit number) or ``""``."""

OUTCOME_FIELDS: tuple[tuple[str, str], ...] = (
    ("seized", "servers or devices seized (count)"),
    ("arrested", "persons arrested (count)"),
    ("offline", "taken offline (true/false)"),
    ("moved_to", "moved to (provider, address or country)"),
)
"""(key, meaning) of the outcome fields a status change may set."""

HANDLING_CODES = ("H0", "H1", "H2", "H3")
FIRST_YEAR, LAST_YEAR = 1990, 2100
"""The years an action day may fall in (an H-hour shown in every time zone stays a date)."""

_H_HOUR = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_status(value: str) -> TargetStatus:
    try:
        return TargetStatus(value.strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in TargetStatus)
        raise InputError(f"unknown status {value!r} (one of {allowed})", field="status") from None


def check_move(current: TargetStatus, new: TargetStatus) -> None:
    """Refuse a move the life of a target does not allow (ConflictError naming the
    statuses it may go to)."""
    if new in NEXT[current]:
        return
    allowed = sorted(s.value for s in NEXT[current])
    where = f"it may go to {', '.join(allowed)}" if allowed else "it is final"
    raise ConflictError(f"a target that is {current.value} cannot become {new.value}: {where}")


def checked_outcome(values: Mapping[str, Any]) -> dict[str, Any]:
    """Outcome fields checked and normalised: counts are integers ≥ 0, ``offline`` a
    boolean, ``moved_to`` text of at most 300 characters; unknown keys are refused."""
    known = {key for key, _ in OUTCOME_FIELDS}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise InputError(
                f"unknown outcome field {key!r} (one of {', '.join(sorted(known))})",
                field="outcome",
            )
        if value is None:
            continue
        if key in ("seized", "arrested"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
                raise InputError(f"{key} must be a count from 0 to 10000", field=key)
        elif key == "offline":
            if not isinstance(value, bool):
                raise InputError("offline must be true or false", field=key)
        else:
            if not isinstance(value, str):
                raise InputError("moved_to must be text", field=key)
            value = checked_text(value, key, limit=300, required=True)
        out[key] = value
    return out


def parse_h_hour(value: str) -> str:
    """``HH:MM`` (UTC, 24-hour) or InputError."""
    text = value.strip()
    if not _H_HOUR.match(text):
        raise InputError(f"H-hour must be HH:MM in UTC (24-hour), not {value!r}", field="h_hour")
    return text


def parse_day(value: str) -> date:
    """``YYYY-MM-DD`` or InputError."""
    text = value.strip()
    if not _DAY.match(text):
        raise InputError(f"the date must be YYYY-MM-DD, not {value!r}", field="date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{value!r} is not a date of the calendar", field="date") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(
            f"the date must be in the years {FIRST_YEAR} to {LAST_YEAR}, not {value!r}",
            field="date",
        )
    return day


def h_hour_at(day: date, h_hour: str) -> datetime:
    """The H-hour as an aware UTC datetime."""
    hours, minutes = (int(part) for part in h_hour.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=UTC)


def parse_agency_spec(spec: str) -> tuple[str, AgencyRole, str | None]:
    """``CODE[:role][=Zone]`` → (code, role, zone or None): ``NL-POL``,
    ``EJ:coordinator``, ``US-FBI=America/Los_Angeles``, ``INDUSTRY:observer``."""
    text = spec.strip()
    zone: str | None = None
    if "=" in text:
        text, zone = (part.strip() for part in text.split("=", 1))
    role = AgencyRole.participant
    if ":" in text:
        text, word = (part.strip() for part in text.split(":", 1))
        try:
            role = AgencyRole(word.lower())
        except ValueError:
            allowed = ", ".join(r.value for r in AgencyRole)
            raise InputError(
                f"unknown role {word!r} in {spec!r} (one of {allowed})", field="agencies"
            ) from None
    if not text:
        raise InputError(f"no agency code in {spec!r}", field="agencies")
    return text, role, zone or None


def checked_text(
    value: str | None, field: str, *, limit: int, required: bool = False
) -> str | None:
    """``value`` stripped (None when empty and not ``required``), at most ``limit``
    characters, no control characters but newlines and tabs."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InputError(f"{field} must not be empty", field=field)
        return None
    if len(text) > limit:
        raise InputError(f"{field} is longer than {limit} characters", field=field)
    if any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) < 0xA0 for c in text):
        raise InputError(f"{field} holds control characters", field=field)
    return text


def country_state(by_status: Mapping[str, int]) -> str:
    """One word for a country's targets, what needs attention first: ``failed`` when any
    failed; else ``in-progress`` when any is under way (or some are over and others not);
    else ``go`` when any is cleared to go, ``planned`` when all are planned; once all are
    over, ``done`` if any is done, else ``aborted``. (The board's script applies the
    same rule to live updates.)"""
    final = sum(by_status.get(s.value, 0) for s in FINAL)
    open_ = sum(
        by_status.get(s.value, 0)
        for s in (TargetStatus.planned, TargetStatus.go, TargetStatus.in_progress)
    )
    if by_status.get(TargetStatus.failed.value, 0):
        return TargetStatus.failed.value
    if by_status.get(TargetStatus.in_progress.value, 0) or (final and open_):
        return TargetStatus.in_progress.value
    if open_:
        return (
            TargetStatus.go.value
            if by_status.get(TargetStatus.go.value, 0)
            else TargetStatus.planned.value
        )
    return (
        TargetStatus.done.value
        if by_status.get(TargetStatus.done.value, 0)
        else TargetStatus.aborted.value
    )


def outcome_words(outcome: Mapping[str, Any]) -> str:
    """Outcome fields in words: ``seized 2, arrested 1, offline, moved to AS64500``."""
    parts = []
    if "seized" in outcome:
        parts.append(f"seized {outcome['seized']}")
    if "arrested" in outcome:
        parts.append(f"arrested {outcome['arrested']}")
    if "offline" in outcome:
        parts.append("offline" if outcome["offline"] else "still online")
    if outcome.get("moved_to"):
        parts.append(f"moved to {outcome['moved_to']}")
    return ", ".join(parts)
