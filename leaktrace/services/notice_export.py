"""Exporting notices as files: Lumen notice JSON (transparency reporting), ``.eml``
messages, printable HTML.

``<reference>.lumen.json``, ``<reference>.eml`` or ``<reference>.html`` per notice in the
folder given (made 0700 if new); each file is written whole to a temporary file and
moved into place with mode 0600 (never half a file). Every notice is rendered before the
first file is written: an error writes nothing. A notice is exported as it was reviewed
(its stored text); the ``.eml`` of a sent notice is the message that was sent, byte for
byte (a draft's is built from its text).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.html import notice_html
from leaktrace.notices.lumen import lumen_notice
from leaktrace.notices.mail import eml_bytes, notice_message, notice_message_id
from leaktrace.notices.model import reference_of
from leaktrace.notices.templates import RenderedNotice
from leaktrace.private_files import FILE_MODE, make_private_folder
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import document_of, no_such_notice, visible_notice
from leaktrace.services.notice_views import ExportResultView, ExportSkipView
from leaktrace.store import notices as store
from leaktrace.store import outbox

__all__ = ["EXPORT_FORMATS", "export_notices", "notice_file"]

EXPORT_FORMATS = {"lumen": ".lumen.json", "eml": ".eml", "html": ".html"}


def _format(value: str) -> str:
    chosen = (value or "").strip().lower()
    if chosen not in EXPORT_FORMATS:
        raise InputError(
            f"unknown export format {value!r} (one of: {', '.join(EXPORT_FORMATS)})",
            field="format",
        )
    return chosen


def notice_file(ctx: AppContext, actor: Actor, notice_id: int, *, format: str) -> tuple[str, bytes]:
    """One notice as a file in memory: (file name, content) — for the API's download."""
    chosen = _format(format)
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        record = visible_notice(conn, actor, notice_id)
        content = _content(conn, record, chosen, ctx.settings.notices.templates_dir)
    return reference_of(record.id) + EXPORT_FORMATS[chosen], content


def _content(
    conn: Connection, record: store.NoticeRecord, chosen: str, templates_dir: Path | None
) -> bytes:
    """The file of one notice; InputError (naming the notice) when it cannot be one."""
    try:
        return _file_of(conn, record, chosen, templates_dir)
    except InputError as exc:
        raise _named(exc, record) from None


def _named(exc: InputError, record: store.NoticeRecord) -> InputError:
    """``exc`` saying which notice it is about (a finer error keeps its own fields)."""
    if type(exc) is not InputError:
        return exc
    return InputError(
        f"{reference_of(record.id)}: {exc.reason}", file=exc.file, line=exc.line, field=exc.field
    )


def _file_of(
    conn: Connection, record: store.NoticeRecord, chosen: str, templates_dir: Path | None
) -> bytes:
    if chosen == "eml" and record.sent_at is not None:
        state = outbox.notice_deliveries(conn, [record.id]).get(record.id)
        if state is not None and state.status == "delivered" and state.payload.get("eml"):
            return base64.b64decode(str(state.payload["eml"]))  # the bytes that were sent
    doc = document_of(conn, record, templates_dir=templates_dir)
    rendered = RenderedNotice(subject=record.subject, body=record.body, template=record.template)
    if chosen == "lumen":
        data = lumen_notice(doc, rendered, sent_at=record.sent_at)
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    if chosen == "html":
        return notice_html(doc, rendered, status=record.status).encode("utf-8")
    sender_email = doc.sender.email if doc.sender is not None else "unknown@invalid"
    message = notice_message(
        doc,
        rendered,
        message_id=record.message_id or notice_message_id(record.id, sender_email),
        at=record.sent_at or record.updated_at,
    )
    return eml_bytes(message)


def _write(path: Path, content: bytes) -> None:
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None


def export_notices(
    ctx: AppContext,
    actor: Actor,
    ids: Sequence[int] | None,
    *,
    format: str,
    out: Path,
) -> ExportResultView:
    """Write the notices ``ids`` (None: every notice the actor may see) to the folder
    ``out`` in ``format`` (``lumen``, ``eml`` or ``html``); the files written. A notice
    that cannot be such a file (an ``.eml`` of a draft without a contact) is an error
    naming it when asked for by id, and listed in ``skipped`` with ``ids`` None."""
    actor.require(Permission.read_intel)
    chosen = _format(format)
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file, expected a folder", file=str(folder))
    files: list[tuple[Path, bytes]] = []
    skipped: list[ExportSkipView] = []
    with ctx.database.transaction() as conn:
        if ids is None:
            records = store.notices_of(conn, agency_id=actor.agency_id, every=actor.is_local)
        else:
            records = [visible_notice(conn, actor, i) for i in dict.fromkeys(ids)]
            if not records and ids:
                raise no_such_notice(ids[0])
        for record in sorted(records, key=lambda r: r.id):
            name = reference_of(record.id) + EXPORT_FORMATS[chosen]
            try:
                content = _file_of(conn, record, chosen, ctx.settings.notices.templates_dir)
            except InputError as exc:
                if ids is not None or type(exc) is not InputError:
                    raise _named(exc, record) from None
                skipped.append(
                    ExportSkipView(
                        id=record.id, reference=reference_of(record.id), reason=exc.reason
                    )
                )
                continue
            files.append((folder / name, content))
        audit.record(
            conn,
            actor,
            "notices.export",
            str(folder)[:200],
            f"{len(files)} notices as {chosen}",
        )
    make_private_folder(folder)
    for path, content in files:
        _write(path, content)
    return ExportResultView(format=chosen, files=[str(p) for p, _ in files], skipped=skipped)
