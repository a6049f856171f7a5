"""Marking what became of a notice: ``leaktrace notices mark ID STATUS``, replies read by
tracking (``via="reply"``), LeakTrace's own later sightings (``via="sighting"``) and the
no-response rule (``via="auto"``).

The moves are :data:`leaktrace.notices.model.NEXT_STATUSES` ('sent' is reached only by
sending; a drafted notice cannot be marked). One location (``location``: its URL), or
every location not in a final status (every location when all are final: a removed
notice found up again becomes no-response). The notice follows its locations: once every
location is final it is ``removed`` when at least one was removed (the provider acted;
each location keeps its own status, and the figures count per location), ``rejected``
when none was removed and one was rejected, else ``no-response``; before that, ``acknowledged`` once
any location has an answer. ``acknowledged_at`` is the first answer's time, ``closed_at``
the time the notice became final (cleared if it opens again), a location's
``removed_at`` the time it was removed (cleared if it is found up again). Every change
is a ``notice_changes`` row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaktrace.errors import ConflictError, InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.locations import parse_location
from leaktrace.notices.model import FINAL_STATUSES, NEXT_STATUSES, NoticeStatus
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import notice_view, visible_notice
from leaktrace.services.notice_views import NoticeView
from leaktrace.store import notices as store
from leaktrace.store.notices import LocationRecord

__all__ = ["VIA", "mark_notice", "notice_status_of"]

VIA = ("hand", "reply", "sighting", "send", "auto")
_FINAL = {s.value for s in FINAL_STATUSES}
_ANSWERS = {
    NoticeStatus.acknowledged.value,
    NoticeStatus.removed.value,
    NoticeStatus.rejected.value,
}
_FUTURE = timedelta(minutes=5)
"""How far ahead of the clock a given time may be (clocks differ a little)."""


def notice_status_of(statuses: list[str], current: str) -> str:
    """The status a notice in ``current`` takes from its locations' ``statuses``."""
    if statuses and all(s in _FINAL for s in statuses):
        if NoticeStatus.removed.value in statuses:  # the provider acted
            return NoticeStatus.removed.value
        if NoticeStatus.rejected.value in statuses:
            return NoticeStatus.rejected.value
        return NoticeStatus.no_response.value
    if any(s in _ANSWERS for s in statuses):
        return NoticeStatus.acknowledged.value
    if current == NoticeStatus.drafted.value:
        return current
    return NoticeStatus.sent.value


def _note(note: str) -> str | None:
    """The note as one line of at most 2,000 characters, control characters dropped."""
    kept = "".join(c for c in note if c.isprintable() or c.isspace())
    return " ".join(kept.split())[:2000] or None


def _status(value: str) -> NoticeStatus:
    try:
        return NoticeStatus((value or "").strip().lower())
    except ValueError:
        raise InputError(
            f"unknown status {value!r} (one of: {', '.join(s.value for s in NoticeStatus)})",
            field="status",
        ) from None


def _allowed(status: str) -> str:
    moves = [s.value for s in NEXT_STATUSES.get(NoticeStatus(status), ()) if s.value != "sent"]
    return ", ".join(moves) or "nothing (it is reached by sending)"


def _find_location(locations: list[LocationRecord], url: str, notice_id: int) -> LocationRecord:
    wanted = url.strip()
    for loc in locations:
        if loc.url == wanted:
            return loc
    parsed = parse_location(wanted)
    normal = getattr(parsed, "url", None)
    for loc in locations:
        if normal is not None and loc.url == normal:
            return loc
    raise InputError(f"notice {notice_id} lists no location {wanted!r}", field="location")


def mark_notice(
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    status: str,
    *,
    location: str | None = None,
    at: datetime | None = None,
    note: str | None = None,
    via: str = "hand",
) -> NoticeView:
    """Move one location of a sent notice (or every open one) to ``status`` at ``at``
    (default now); the notice follows (see the module doc). ConflictError naming the
    allowed moves when a move is not allowed."""
    actor.require(Permission.write_notices)
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        record = visible_notice(conn, actor, notice_id)
        new = _status(status)
        if via not in VIA:
            raise InputError(f"unknown source {via!r} (one of: {', '.join(VIA)})", field="via")
        when = now if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC))
        when = when.astimezone(UTC)
        if when > now + _FUTURE:
            raise InputError("is in the future", field="at")
        text = None if note is None else _note(note)
        if record.status == NoticeStatus.drafted.value:
            raise ConflictError(
                f"notice {notice_id} is drafted: send it first (a drafted notice cannot be marked)"
            )
        if new is NoticeStatus.sent or new is NoticeStatus.drafted:
            raise ConflictError(
                f"notice {notice_id} cannot be marked {new.value}: 'sent' is reached by sending"
            )
        if record.sent_at is not None and when < record.sent_at:
            raise InputError(
                f"is before the notice was sent ({record.sent_at.isoformat()})", field="at"
            )
        store.lock_notice(conn, notice_id, now)
        locations = store.locations_of(conn, notice_id)
        if location is not None:
            targets = [_find_location(locations, location, notice_id)]
        else:
            targets = [loc for loc in locations if loc.status not in _FINAL] or list(locations)
            targets = [loc for loc in targets if loc.status != new.value]
            if not targets:
                allowed = _allowed(record.status)
                raise ConflictError(
                    f"notice {notice_id} is {record.status}: it can become {allowed}"
                )
        for loc in targets:
            if new not in NEXT_STATUSES.get(NoticeStatus(loc.status), ()):
                raise ConflictError(
                    f"location {loc.url} of notice {notice_id} is {loc.status}: it can become "
                    f"{_allowed(loc.status)}"
                )
        moved = {loc.id for loc in targets}
        updates = [
            {
                "id": loc.id,
                "status": new.value,
                "status_at": when,
                "removed_at": when if new is NoticeStatus.removed else None,
            }
            for loc in targets
        ]
        store.update_locations(conn, updates)
        statuses = [new.value if loc.id in moved else loc.status for loc in locations]
        notice_status = notice_status_of(statuses, record.status)
        values: dict[str, object] = {"updated_at": now}
        changes: list[tuple[int, int | None, str, datetime, str | None]] = [
            (notice_id, loc.id, new.value, when, text) for loc in targets
        ]
        if notice_status != record.status:
            values["status"] = notice_status
            changes.append((notice_id, None, notice_status, when, text))
        if record.acknowledged_at is None and new.value in _ANSWERS:
            values["acknowledged_at"] = when
        if notice_status in _FINAL:
            if record.status not in _FINAL:
                values["closed_at"] = when
        elif record.closed_at is not None:
            values["closed_at"] = None
        store.update_notice(conn, notice_id, **values)
        store.insert_changes(conn, changes, by=actor.name, via=via)
        if via == "hand":
            audit.record(
                conn,
                actor,
                "notices.mark",
                f"notice {notice_id}",
                f"{new.value}: {len(targets)} location(s)",
            )
        return notice_view(conn, visible_notice(conn, actor, notice_id))
