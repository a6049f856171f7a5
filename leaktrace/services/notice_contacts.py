"""The recipients' abuse contacts: imported from the user's contacts file
(``host_or_domain,name,email,country`` and optionally ``form``), entered by hand, or
taken from a host list's ``abuse_email``/``abuse_name`` columns (``leaktrace hosts
import``). Contacts are shared by the installation (not owned by an agency).

Trust model: a contact decides where every agency's next notices go (a notice carries the
sender's postal address, telephone and signed statements), and a contact records where it
came from (``origin``) but not who set it. So only those who may send notices change
contacts: users holding ``send:notices`` in an industry agency (rights holders and their
agents) and the command line's local operator (:func:`may_write_contacts`, the rule of
:func:`leaktrace.services.notice_sending.may_send`); an analyst of a police or judicial
agency reads them and drafts, but neither adds nor imports one (PermissionDeniedError).
Each change is in the audit log under the user who made it. Contacts are checked before
the rule is applied, so a bad contact is answered as bad whoever gives it.

A contact answers for a domain (and its sub-domains), an IP address, a network (CIDR)
or an autonomous system (``AS64500``). Importing a file adds and updates the contacts it
lists (origin ``file:<path>``) and leaves the others; the whole file is checked first:
any problem, nothing is written.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from leaktrace.errors import InputError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.contacts_csv import ContactRecord, read_contacts
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import iso
from leaktrace.services.notice_sending import may_send
from leaktrace.services.notice_views import ContactImportView, ContactView
from leaktrace.store import notices as store
from leaktrace.store.notices import ContactInput, StoredContact

__all__ = [
    "MAX_CONTACTS_FILE",
    "add_contact",
    "import_contacts",
    "import_contacts_data",
    "list_contacts",
    "may_write_contacts",
]

MAX_CONTACTS_FILE = 32 * 1024 * 1024
"""The largest contacts file read (bytes)."""


def may_write_contacts(ctx: AppContext, actor: Actor) -> bool:
    """Whether ``actor`` may add or import contacts: ``write:notices`` and the right to
    send notices (an industry agency's user, or the command line's operator)."""
    return actor.can(Permission.write_notices) and may_send(ctx, actor)


def _require_may_write(ctx: AppContext, actor: Actor) -> None:
    if not may_write_contacts(ctx, actor):
        raise PermissionDeniedError(
            "only those who may send notices (users of an industry agency, and the "
            "command line's operator) change the contacts notices go to",
            permission=Permission.send_notices.value,
        )


def _view(contact: StoredContact) -> ContactView:
    updated = iso(contact.updated_at)
    assert updated is not None
    return ContactView(
        id=contact.id,
        match=contact.match,
        match_kind=contact.match_kind,
        name=contact.name,
        email=contact.email,
        country=contact.country,
        form=contact.form,
        origin=contact.origin,
        updated_at=updated,
    )


def _input(record: ContactRecord) -> ContactInput:
    return ContactInput(
        match=record.match,
        match_kind=record.match_kind,
        name=record.name,
        email=record.email,
        country=record.country or None,
        form=record.form or None,
    )


def _read(path: Path) -> bytes:
    name = str(path)
    if path.is_dir():
        raise InputError("is a folder, expected a CSV file", file=name)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONTACTS_FILE + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from None
    if len(data) > MAX_CONTACTS_FILE:
        raise InputError(f"larger than {MAX_CONTACTS_FILE // (1024 * 1024)} MiB", file=name)
    return data


def import_contacts(ctx: AppContext, actor: Actor, path: Path) -> ContactImportView:
    """Add and update the contacts of a CSV file (all or nothing; only by who may send,
    see the module doc)."""
    actor.require(Permission.write_notices)
    data = _read(path)
    return _import(ctx, actor, data, str(path), f"file:{path.expanduser().resolve()}")


def import_contacts_data(
    ctx: AppContext, actor: Actor, data: bytes, *, name: str
) -> ContactImportView:
    """The same for a file's bytes (a web upload named ``name``; origin
    ``upload:<name>``)."""
    actor.require(Permission.write_notices)
    label = "".join(c for c in name if c.isprintable()).strip()[:200] or "upload"
    if len(data) > MAX_CONTACTS_FILE:
        raise InputError(f"larger than {MAX_CONTACTS_FILE // (1024 * 1024)} MiB", file=label)
    return _import(ctx, actor, data, label, f"upload:{label}")


def _import(
    ctx: AppContext, actor: Actor, data: bytes, label: str, origin: str
) -> ContactImportView:
    records = read_contacts(data, file=label)
    _require_may_write(ctx, actor)
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        added, updated, unchanged = store.put_contacts(
            conn, [_input(r) for r in records], origin=origin[:1024], now=now
        )
        total = store.contact_count(conn)
        audit.record(
            conn,
            actor,
            "notices.contacts",
            label[:200],
            f"{added} added, {updated} updated, {unchanged} unchanged",
        )
    return ContactImportView(
        file=label, added=added, updated=updated, unchanged=unchanged, total=total
    )


def add_contact(
    ctx: AppContext,
    actor: Actor,
    *,
    match: str,
    name: str,
    email: str,
    country: str | None = None,
    form: str | None = None,
) -> ContactView:
    """Add (or replace) one contact entered by hand (origin ``hand``); checked by the
    same rules as a contacts file's line; only by who may send (see the module doc)."""
    actor.require(Permission.write_notices)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["host_or_domain", "name", "email", "country", "form"])
    writer.writerow([match, name, email, country or "", form or ""])
    for value, field_name in ((match, "match"), (name, "name"), (email, "email")):
        if not (value or "").strip():
            raise InputError("must not be empty", field=field_name)
    try:
        records = read_contacts(buffer.getvalue().encode("utf-8"), file="contact")
    except InputError as exc:
        field = {"host_or_domain": "match"}.get(exc.field or "", exc.field)
        raise InputError(exc.reason, field=field) from None
    if len(records) != 1:
        raise InputError("not one contact (give a host or domain, a name and an e-mail)")
    (record,) = records
    _require_may_write(ctx, actor)
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        store.put_contacts(conn, [_input(record)], origin="hand", now=now)
        audit.record(conn, actor, "notices.contact", record.match, record.email)
        found = [c for c in store.all_contacts(conn) if c.match == record.match]
    return _view(found[0])


def list_contacts(ctx: AppContext, actor: Actor) -> list[ContactView]:
    """Every contact, by what it answers for."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        return [_view(c) for c in store.all_contacts(conn)]
