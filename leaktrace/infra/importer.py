"""Analysts' host lists: CSV or JSON, validated whole, then stored in one transaction.

CSV: a header row with ``ip_or_domain,role,first_seen,last_seen,source`` (any order,
unknown columns ignored) and optionally ``notes``, ``country`` (ISO alpha-2, for a host
whose location the analyst knows), ``release`` (a release name already in the database),
``group`` (a release group), ``certificate`` (a TLS certificate's SHA-1/SHA-256
fingerprint, hex) and ``abuse_email`` / ``abuse_name`` (the host's abuse contact: a row
with an ``abuse_email`` adds or updates the takedown-notice contact of that domain or
address, origin ``hosts:<path>``; a contact the user imported or entered by hand is
kept as it is). JSON: a list of objects with the same keys, or ``{"hosts": [...]}``.

* ``ip_or_domain``: an IPv4/IPv6 address or a domain name (a URL is taken for its host);
* ``role``: one of :class:`~leaktrace.infra.model.Role`;
* ``first_seen`` / ``last_seen``: ``YYYY-MM-DD`` (00:00 UTC) or an ISO time with offset,
  either may be empty, ``last_seen`` not before ``first_seen``;
* ``source``: where the information comes from (required).

Every problem is reported with the file, line (CSV) or entry (JSON) and field; if there is
any, nothing is written. Each row is evidence ``import:<file name>:<line>`` (described as
"import of <file> line <n>: <source>"), so importing the same file again changes nothing.
A ``country`` is the analyst's answer to where the host is, kept apart from every other
source's (:mod:`leaktrace.infra.enrich`): it comes first when the host's country is
chosen, and no GeoIP look-up replaces it. Importing the file again with another country
(or none) replaces that file's answer. A file is known by its full path: another file
of the same name (a second partner's ``servers.csv``) is another source, and leaves the
first one's answers as they are (sheets show the name without the folder).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError
from leaktrace.feeds.timeparse import parse_time
from leaktrace.formats.csvtable import open_csv, read_bytes
from leaktrace.infra.hosts import host_of_url, normalise_host
from leaktrace.infra.model import Evidence, HostRecord, ImportReport, LocationAnswer, Role
from leaktrace.infra.worldmap import iso_table
from leaktrace.store.database import Database
from leaktrace.store.infra import (
    ContactInput,
    drop_locations,
    find_release_ids,
    insert_evidence,
    put_contacts,
    put_locations,
    refresh_countries,
    upsert_hosts,
)

__all__ = [
    "REQUIRED_COLUMNS",
    "HostImportError",
    "ImportRow",
    "import_hosts",
    "parse_hosts_csv",
    "parse_hosts_json",
    "read_hosts_file",
    "store_host_rows",
]

REQUIRED_COLUMNS = ("ip_or_domain", "role", "first_seen", "last_seen", "source")
OPTIONAL_COLUMNS = (
    "notes",
    "country",
    "release",
    "group",
    "certificate",
    "abuse_email",
    "abuse_name",
)
MAX_ERRORS = 20
_CERT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_EMAIL = re.compile(
    r"^[^@\s<>,;\"()\[\]\\\x00-\x1f\x7f]+@[^@\s<>,;\"()\[\]\\\x00-\x1f\x7f]+\.[^@\s<>,;\"()\[\]\\\x00-\x1f\x7f]+$"
)
_ROLES = ", ".join(r.value for r in Role)


class HostImportError(InputError):
    """A host list file or row is malformed."""


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One validated row: the host, and what it is tied to."""

    line: int
    """CSV line number, or 1-based entry number in a JSON list."""
    host: HostRecord
    release: str | None = None
    group: str | None = None
    abuse_email: str | None = None
    abuse_name: str | None = None


class _RowError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _text(record: dict[str, Any], column: str, limit: int) -> str | None:
    value = record.get(column)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RowError(column, f"expected text, got {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise _RowError(column, f"longer than {limit} characters")
    return value or None


def _time(record: dict[str, Any], column: str) -> datetime | None:
    text = _text(record, column, 64)
    if text is None:
        return None
    if len(text) == 10 and text[4] == "-":
        text += "T00:00:00Z"
    try:
        return parse_time(text)
    except ValueError as exc:
        raise _RowError(column, str(exc)) from None


def _valid_countries() -> set[str]:
    return {alpha2 for alpha2, _ in iso_table().values()} | {"XK"}


def _row(record: dict[str, Any], line: int) -> ImportRow:
    raw = _text(record, "ip_or_domain", 2048)
    if raw is None:
        raise _RowError("ip_or_domain", "missing: give an IP address or a domain name")
    if "://" in raw:
        found = host_of_url(raw)
        if found is None:
            raise _RowError("ip_or_domain", f"no usable host in URL {raw[:80]!r}")
        kind, value = found
    else:
        try:
            kind, value = normalise_host(raw)
        except ValueError as exc:
            raise _RowError("ip_or_domain", str(exc)) from None
    role = (_text(record, "role", 32) or "").lower()
    if role not in {r.value for r in Role}:
        raise _RowError("role", f"{role or 'empty'!r} is not a role (one of: {_ROLES})")
    first = _time(record, "first_seen")
    last = _time(record, "last_seen")
    if first is not None and last is not None and last < first:
        raise _RowError("last_seen", "is before first_seen")
    source = _text(record, "source", 256)
    if source is None:
        raise _RowError("source", "missing: say where this information comes from")
    notes = _text(record, "notes", 4000)
    country = _text(record, "country", 2)
    if country is not None:
        country = country.upper()
        if country == "UK":
            country = "GB"
        if country not in _valid_countries():
            raise _RowError("country", f"{country!r} is not an ISO 3166-1 alpha-2 code")
    cert = _text(record, "certificate", 200)
    if cert is not None:
        digest = cert.lower().replace(":", "").removeprefix("sha256/").removeprefix("sha1/")
        if not _CERT.match(digest):
            raise _RowError("certificate", "expected a SHA-1 or SHA-256 fingerprint in hex")
        line_note = f"certificate {digest}"
        notes = f"{notes}\n{line_note}" if notes else line_note
    group = _text(record, "group", 128)
    abuse_email = _text(record, "abuse_email", 320)
    if abuse_email is not None and not _EMAIL.match(abuse_email):
        raise _RowError("abuse_email", f"{abuse_email[:80]!r} is not an e-mail address")
    abuse_name = _text(record, "abuse_name", 200)
    if abuse_name is not None and abuse_email is None:
        raise _RowError("abuse_email", "missing: an abuse_name needs its abuse_email")
    if abuse_name is not None and any(ord(c) < 32 or ord(c) == 127 for c in abuse_name):
        raise _RowError("abuse_name", "holds a control character")
    return ImportRow(
        line=line,
        host=HostRecord(kind, value, role, first, last, source, notes, country),
        release=_text(record, "release", 512),
        group=group.lower() if group else None,
        abuse_email=abuse_email,
        abuse_name=abuse_name,
    )


def _collect(
    records: list[tuple[int, dict[str, Any]]], name: str, json_entries: bool
) -> list[ImportRow]:
    rows: list[ImportRow] = []
    errors: list[HostImportError] = []
    for line, record in records:
        try:
            rows.append(_row(record, line))
        except _RowError as exc:
            if json_entries:
                error = HostImportError(f"entry {line}: {exc.reason}", file=name, field=exc.field)
            else:
                error = HostImportError(exc.reason, file=name, line=line, field=exc.field)
            errors.append(error)
            if len(errors) > MAX_ERRORS:
                break
    if errors:
        first = errors[0]
        first.more = list(errors[1:])
        raise first
    return rows


def parse_hosts_csv(raw: bytes, name: str) -> list[ImportRow]:
    """Validate a CSV host list (see the module doc); raises :class:`HostImportError`."""
    columns, records = open_csv(raw, name, HostImportError)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise HostImportError(
            f"missing column(s) {', '.join(missing)}; the header needs "
            f"{','.join(REQUIRED_COLUMNS)} (optional: {','.join(OPTIONAL_COLUMNS)})",
            file=name,
            line=1,
        )
    listed: list[tuple[int, dict[str, Any]]] = [(n, dict(r)) for n, r in records]
    return _collect(listed, name, json_entries=False)


def parse_hosts_json(raw: bytes, name: str) -> list[ImportRow]:
    """Validate a JSON host list (see the module doc); raises :class:`HostImportError`."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise HostImportError("not valid UTF-8", file=name) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise HostImportError(f"not valid JSON: {exc}", file=name, line=line) from None
    if isinstance(data, dict) and isinstance(data.get("hosts"), list):
        data = data["hosts"]
    if not isinstance(data, list):
        raise HostImportError('expected a list of hosts or {"hosts": [...]}', file=name)
    records: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise HostImportError(f"entry {index}: expected an object", file=name)
        records.append((index, {str(k).strip().lower(): v for k, v in entry.items()}))
    return _collect(records, name, json_entries=True)


def read_hosts_file(path: Path) -> list[ImportRow]:
    """Read and validate a host list, CSV or JSON (by extension, or by its first byte)."""
    raw = read_bytes(path, HostImportError)
    suffix = path.suffix.lower()
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if suffix == ".json" or (suffix != ".csv" and head in (b"[", b"{")):
        return parse_hosts_json(raw, str(path))
    return parse_hosts_csv(raw, str(path))


def import_hosts(db: Database, path: Path, *, now: datetime | None = None) -> ImportReport:
    """Import a host list: all of it in one transaction, or nothing (see the module doc).
    (For scripts and the demo; the services read the file, then call
    :func:`store_host_rows` in their transaction.)"""
    rows = read_hosts_file(path)
    with db.transaction() as conn:
        return store_host_rows(conn, path, rows, now=now)


def store_host_rows(
    conn: Connection, path: Path, rows: list[ImportRow], *, now: datetime | None = None
) -> ImportReport:
    """Store the rows :func:`read_hosts_file` read from ``path``, in the caller's
    transaction (a release not in the database is an error for the whole file)."""
    at = now or datetime.now(UTC)
    report = ImportReport(file=str(path), rows=len(rows))
    names = [r.release for r in rows if r.release]
    known = find_release_ids(conn, names)
    errors = [
        HostImportError(
            f"release {r.release!r} is not in the database (ingest it first)",
            file=str(path),
            line=r.line,
            field="release",
        )
        for r in rows
        if r.release and r.release not in known
    ]
    if errors:
        errors[0].more = list[InputError](errors[1:MAX_ERRORS])
        raise errors[0]
    ids, report.new_hosts, report.updated_hosts = upsert_hosts(conn, [r.host for r in rows])
    evidence: list[tuple[int, Evidence]] = []
    for r in rows:
        release_id, group = known[r.release] if r.release else (None, None)
        evidence.append(
            (
                ids[(r.host.kind, r.host.value)],
                Evidence(
                    "import",
                    f"import:{path.name}:{r.line}",
                    release_id,
                    r.group or group,
                    r.host.last_seen or r.host.first_seen,
                    f"import of {path.name} line {r.line}: {r.host.source}",
                ),
            )
        )
    report.new_evidence = insert_evidence(conn, evidence)
    _store_countries(conn, str(path.expanduser().resolve()), rows, ids, at)
    _store_abuse_contacts(conn, path, rows, at)
    return report


def _store_abuse_contacts(
    conn: Connection, path: Path, rows: list[ImportRow], at: datetime
) -> None:
    """The abuse contacts of the rows that name one (the last row of a host wins): added,
    or updated when an earlier host list gave them (never one the user gave)."""
    contacts = [
        ContactInput(
            match=r.host.value,
            match_kind=r.host.kind,
            name=r.abuse_name or r.host.value,
            email=r.abuse_email,
            country=r.host.country,
        )
        for r in rows
        if r.abuse_email
    ]
    if contacts:
        origin = f"hosts:{path.expanduser().resolve()}"[:1024]
        put_contacts(conn, contacts, origin=origin, now=at, replace_origin_prefix="hosts:")


def _store_countries(
    conn: Connection,
    name: str,
    rows: list[ImportRow],
    ids: dict[tuple[str, str], int],
    at: datetime,
) -> None:
    """Each host's country in this file (``name``: its full path) is the analyst's answer
    (the last row naming one); a host the file lists without a country loses this file's
    earlier answer, never another file's."""
    answers: dict[int, LocationAnswer | None] = {}
    for r in rows:
        host_id = ids[(r.host.kind, r.host.value)]
        if r.host.country:
            detail = f"line {r.line}: {r.host.source}"
            answers[host_id] = LocationAnswer("analyst", name, r.host.country, at, detail=detail)
        else:
            answers.setdefault(host_id, None)
    drop_locations(conn, [(h, "analyst", name) for h, a in answers.items() if a is None])
    put_locations(conn, [(h, a) for h, a in answers.items() if a is not None])
    refresh_countries(conn, list(answers))
