"""Following what became of sent notices (``leaktrace notices track``).

Three sources, each recorded as ``notice_changes`` rows:

* **Replies**: every ``*.eml`` file in the replies folder (``notices.replies_dir`` or the
  folder given) is read with :func:`leaktrace.notices.replies.read_reply`. It is matched
  to a notice the actor sees by its ``In-Reply-To`` / ``References`` Message-IDs (the
  notice's own Message-ID), else by a ``LT-N-000042`` reference in its subject or own
  text; it counts only when its ``From`` is the notice's recipient (the same domain, or
  a sub-domain either way) and it answers one notice: anyone can write an e-mail naming
  a (sequential) reference.
  Its outcome (acknowledged, removed, rejected) is applied through
  :func:`leaktrace.services.notice_marking.mark_notice` (``via = 'reply'``): to the
  locations the reply names when it names some of the notice's, else to the whole
  notice. A matched file moves to ``<folder>/processed/``; a file that names no notice
  (or cannot be read) stays where it is and is listed as unmatched.
* **LeakTrace's own sightings**: a location of a sent notice seen again in a sighting
  (same release and URL, or the same URL for a location given by hand) after the notice
  was sent gets ``seen_again_at`` (the first such sighting) and a change ``via =
  'sighting'``. It counts as not removed in the figures and is noticed again.
* **No answer**: a notice still ``sent`` (nothing acknowledged, removed or rejected)
  ``notices.no_response_days`` after it was sent becomes ``no-response`` (``via =
  'auto'``).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from leaktrace.errors import ConfigError, ConflictError, InputError, LeakTraceError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.locations import ParsedLocation, parse_location
from leaktrace.notices.model import NoticeStatus, notice_id_of
from leaktrace.notices.replies import Reply, read_reply
from leaktrace.services.context import AppContext
from leaktrace.services.notice_marking import mark_notice
from leaktrace.services.notice_sending import deliver_pending
from leaktrace.services.notice_stats import agency_scope
from leaktrace.services.notice_views import SendResultView, TrackResultView
from leaktrace.store import notice_tracking as store

__all__ = ["MAX_REPLY_BYTES", "PROCESSED", "track_notices", "watch_replies"]

log = logging.getLogger(__name__)

PROCESSED = "processed"
"""The sub-folder matched replies are moved to."""
MAX_REPLY_BYTES = 10 * 1024 * 1024
"""A reply file larger than this is left alone (listed as unmatched)."""


def _replies_dir(ctx: AppContext, replies_dir: Path | None) -> Path | None:
    """The folder given (it must exist), else ``notices.replies_dir`` (made when
    missing: mail rules may drop replies there later), else None."""
    if replies_dir is not None:
        folder = replies_dir.expanduser()
        if not folder.is_dir():
            raise InputError("is not a directory (the replies folder)", file=str(folder))
        return folder
    configured = ctx.settings.notices.replies_dir
    if configured is None:
        return None
    folder = configured.expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"notices.replies_dir: cannot use {folder}: {exc.strerror or exc}"
        ) from None
    if not folder.is_dir():
        raise ConfigError(f"notices.replies_dir: {folder} is not a directory")
    return folder


def _normal(url: str) -> str:
    parsed = parse_location(url)
    return parsed.url if isinstance(parsed, ParsedLocation) else url


def _same_mailer(sender: str | None, recipient: str | None) -> bool:
    """Whether a reply from ``sender`` comes from the notice's ``recipient``: the same
    domain, or one a sub-domain of the other (a ticket system of the abuse desk)."""
    if not sender or not recipient:
        return False
    a = sender.rpartition("@")[2].lower()
    b = recipient.rpartition("@")[2].lower().rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _match(ctx: AppContext, actor: Actor, reply: Reply) -> tuple[store.NoticeRecord | None, str]:
    """The one notice the reply answers, or None and why not. Anyone can write an
    e-mail naming a reference (they are sequential) or a notice's Message-ID: a reply
    counts only when it comes from the notice's recipient, and only for one notice."""
    scope = agency_scope(actor)
    with ctx.database.reading() as conn:
        found = store.notices_by_message_ids(conn, list(reply.message_ids), scope)
        if not found:
            ids = [i for i in (notice_id_of(ref) for ref in reply.references) if i is not None]
            found = store.notices_by_ids(conn, ids, scope) if ids else []
    if not found:
        return None, "it names no notice"
    theirs = [n for n in found if _same_mailer(reply.sender, n.recipient_email)]
    if not theirs:
        return None, f"its sender {reply.sender or '(none)'} is not the notice's recipient"
    if len(theirs) > 1:
        return None, "it names several notices: mark them by hand"
    return theirs[0], ""


def _apply(
    ctx: AppContext, actor: Actor, notice: store.NoticeRecord, reply: Reply, source: str
) -> int:
    """Apply the reply's outcome to ``notice``; how many marks it made."""
    with ctx.database.reading() as conn:
        locations = store.locations_of(conn, [notice.id])[notice.id]
    named = {_normal(u) for u in reply.urls}
    targets: list[str | None] = [loc.url for loc in locations if loc.url in named] or [None]
    at = _clamped(reply.at, notice.sent_at)
    note = f"reply {source}: {reply.subject}"[:500]
    made = 0
    for url in targets:
        try:
            mark_notice(
                ctx,
                actor,
                notice.id,
                reply.outcome.value,
                location=url,
                at=at,
                note=note,
                via="reply",
            )
            made += 1
        except (ConflictError, InputError) as exc:  # already so, or a move it cannot make
            log.info("reply %s to notice %s not applied: %s", source, notice.id, exc)
    return made


def _clamped(at: datetime | None, sent_at: datetime | None) -> datetime:
    """``at`` (default now), never before the notice was sent nor after now: a reply's
    Date header is the sender's clock."""
    now = datetime.now(UTC)
    when = now if at is None else min(at.astimezone(UTC), now)
    return max(when, sent_at) if sent_at is not None else when


def _move(path: Path, folder: Path) -> None:
    target_dir = folder / PROCESSED
    target_dir.mkdir(mode=0o700, exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), str(target))


_FileKey = tuple[str, int, int]
"""A reply file as it was: name, size, modification time (ns)."""


def _key(path: Path) -> _FileKey | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (path.name, found.st_size, found.st_mtime_ns)


def _read_replies(
    ctx: AppContext, actor: Actor, folder: Path, passed: set[_FileKey] | None = None
) -> tuple[int, int, list[str], int]:
    """Read, match and apply the folder's replies. ``passed``: files already found
    unmatched (left alone while unchanged; those found now are added)."""
    read = matched = changes = 0
    unmatched: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".eml"):
        if not path.is_file() or path.is_symlink():
            continue
        key = _key(path)
        if passed is not None and key in passed:
            continue
        if passed is not None and key is not None:
            passed.add(key)  # a file applied now moves away; one not applied is not re-read
        read += 1
        try:
            if path.stat().st_size > MAX_REPLY_BYTES:
                raise InputError("too large for a reply", file=path.name)
            reply = read_reply(path.read_bytes(), source=path.name)
        except (OSError, InputError) as exc:
            log.warning("reply %s not read: %s", path.name, exc)
            unmatched.append(path.name)
            continue
        notice, why = _match(ctx, actor, reply)
        if notice is None:
            log.warning("reply %s not applied: %s", path.name, why)
            unmatched.append(path.name)
            continue
        matched += 1
        changes += _apply(ctx, actor, notice, reply, path.name)
        _move(path, folder)
    return read, matched, unmatched, changes


def _seen_again(ctx: AppContext, actor: Actor) -> int:
    """Mark locations of sent notices that a later sighting shows again."""
    with ctx.database.reading() as conn:
        open_locations = store.unseen_sent_locations(conn, agency_scope(actor))
        if not open_locations:
            return 0
        since = min(sent for _, sent in open_locations)
        sightings = store.sightings_after(
            conn,
            [loc.release_id for loc, _ in open_locations if loc.release_id is not None],
            [loc.url for loc, _ in open_locations],
            since,
        )
    by_url: dict[str, list[store.Sighting]] = {}
    for sighting in sightings:  # oldest first
        by_url.setdefault(_normal(sighting.url), []).append(sighting)
    found = 0
    for loc, sent_at in open_locations:
        first = next(
            (
                s
                for s in by_url.get(loc.url, [])
                if s.seen_at > sent_at
                and (loc.release_id is None or s.release_id == loc.release_id)
            ),
            None,
        )
        if first is None:
            continue
        with ctx.database.transaction() as conn:
            if not store.set_seen_again(conn, loc.id, first.seen_at):
                continue
            store.insert_changes(
                conn,
                [
                    {
                        "notice_id": loc.notice_id,
                        "location_id": loc.id,
                        "status": loc.status,
                        "at": first.seen_at,
                        "by": actor.name,
                        "via": "sighting",
                        "detail": f"seen again at {first.seen_at.isoformat()} "
                        f"(sighting {first.id}): not removed",
                    }
                ],
            )
        found += 1
    return found


def _no_response(ctx: AppContext, actor: Actor, now: datetime) -> int:
    days = ctx.settings.notices.no_response_days
    with ctx.database.reading() as conn:
        stale = store.stale_sent_notices(conn, now - timedelta(days=days), agency_scope(actor))
    made = 0
    for notice_id in stale:
        try:
            mark_notice(
                ctx,
                actor,
                notice_id,
                NoticeStatus.no_response.value,
                at=min(now, datetime.now(UTC)),
                note=f"no answer {days:g} days after sending",
                via="auto",
            )
            made += 1
        except (ConflictError, NotFoundError) as exc:  # answered meanwhile
            log.info("notice %s not marked no-response: %s", notice_id, exc)
    return made


def track_notices(
    ctx: AppContext,
    actor: Actor,
    *,
    replies_dir: Path | None = None,
    now: datetime | None = None,
    passed: set[tuple[str, int, int]] | None = None,
) -> TrackResultView:
    """Read the replies folder, look for locations seen again, mark notices without an
    answer (see the module docstring). ``now`` defaults to the current time; ``passed``
    (for a watcher): reply files already found unmatched, not read again while they are
    unchanged."""
    actor.require(Permission.write_notices)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    folder = _replies_dir(ctx, replies_dir)
    read = matched = changes = 0
    unmatched: list[str] = []
    if folder is not None:
        read, matched, unmatched, changes = _read_replies(ctx, actor, folder, passed)
    seen_again = _seen_again(ctx, actor)
    no_response = _no_response(ctx, actor, now)
    return TrackResultView(
        replies_read=read,
        replies_matched=matched,
        unmatched=unmatched,
        changes=changes + seen_again + no_response,
        seen_again=seen_again,
        no_response=no_response,
    )


def watch_replies(
    ctx: AppContext,
    actor: Actor,
    *,
    every: float,
    stop: threading.Event,
    replies_dir: Path | None = None,
    report: Callable[[TrackResultView], None] | None = None,
    rounds: int | None = None,
    retry_sends: bool = False,
    sent: Callable[[SendResultView], None] | None = None,
) -> int:
    """:func:`track_notices` every ``every`` seconds until ``stop`` is set (or
    ``rounds`` rounds); ``report`` sees each round's result. With ``retry_sends``, each
    round first delivers the notices whose mail waits in the outbox after a temporary
    failure and whose back-off has passed (:func:`~leaktrace.services.notice_sending.
    deliver_pending`; ``sent`` sees what it did). A round that fails (the database or
    the folder away for a while, the mail password missing) is logged and the next one
    runs as usual; an unmatched reply file is read again only once it changes. Returns
    the rounds run."""
    done = 0
    passed: set[tuple[str, int, int]] = set()
    while not stop.is_set() and (rounds is None or done < rounds):
        try:
            if retry_sends:
                delivered = deliver_pending(ctx, actor)
                if sent is not None and (delivered.sent or delivered.failed):
                    sent(delivered)
            result = track_notices(ctx, actor, replies_dir=replies_dir, passed=passed)
        except (LeakTraceError, OSError, SQLAlchemyError) as exc:
            log.warning("notices track --watch: this round failed, trying again: %s", exc)
        else:
            if report is not None:
                report(result)
        done += 1
        if rounds is not None and done >= rounds:
            break
        stop.wait(every)
    return done
