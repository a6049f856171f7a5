"""Host lists' optional abuse columns (``abuse_email``, ``abuse_name``): a row with them
adds or updates the takedown-notice contact of its domain or address (origin
``hosts:<path>``), never one the user gave; bad values are named with file, line and
field, and nothing is written; any bytes in the columns give a host list or an
InputError."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.infra.importer import HostImportError, import_hosts, parse_hosts_csv
from leaktrace.store import notices as notice_store
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts

HEADER = "ip_or_domain,role,first_seen,last_seen,source,country,abuse_email,abuse_name\n"


def contacts(db: Database) -> dict[str, notice_store.StoredContact]:
    with db.reading() as conn:
        return {c.match: c for c in notice_store.all_contacts(conn)}


def test_abuse_columns_add_and_update_contacts(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "hosts.csv"
    path.write_text(
        HEADER + "files.cyberlock.example,cyberlocker,,,registrar,NL,abuse@cyberlock.example,"
        "CyberLock B.V.\n"
        "81.2.69.142,server,,,provider,DE, Abuse@Hoster.example ,\n"
        "plain.example,site,,,osint,,,\n"
    )
    import_hosts(db, path)
    found = contacts(db)
    assert set(found) == {"files.cyberlock.example", "81.2.69.142"}
    cyber = found["files.cyberlock.example"]
    assert (cyber.match_kind, cyber.name, cyber.email, cyber.country) == (
        "domain",
        "CyberLock B.V.",
        "abuse@cyberlock.example",
        "NL",
    )
    assert cyber.origin == f"hosts:{path.resolve()}"
    host = found["81.2.69.142"]
    assert (host.match_kind, host.name, host.email) == ("ip", "81.2.69.142", "Abuse@Hoster.example")
    with db.reading() as conn:
        assert len(load_hosts(conn)) == 3

    # a contact the user gave is kept; one a host list gave is updated by the next list
    with db.transaction() as conn:
        notice_store.put_contacts(
            conn,
            [notice_store.ContactInput("81.2.69.142", "ip", "Mine", "mine@user.example")],
            origin="hand",
            now=cyber.updated_at,
        )
    later = tmp_path / "later.csv"
    later.write_text(
        HEADER + "files.cyberlock.example,cyberlocker,,,registrar,NL,legal@cyberlock.example,\n"
        "81.2.69.142,server,,,provider,DE,other@hoster.example,Other\n"
    )
    import_hosts(db, later)
    found = contacts(db)
    assert found["files.cyberlock.example"].email == "legal@cyberlock.example"
    assert found["files.cyberlock.example"].origin == f"hosts:{later.resolve()}"
    assert (found["81.2.69.142"].name, found["81.2.69.142"].origin) == ("Mine", "hand")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("a.example,site,,,x,,not-an-address,\n", "abuse_email"),
        ("a.example,site,,,x,,a b@c.example,\n", "abuse_email"),
        ("a.example,site,,,x,,,Name Without Mail\n", "abuse_email"),
        ("a.example,site,,,x,,a@b.example,Bad\x07Name\n", "abuse_name"),
    ],
)
def test_bad_abuse_values_name_the_field_and_write_nothing(
    db: Database, tmp_path: Path, row: str, field: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "ok.example,site,,,x,,abuse@ok.example,\n" + row)
    with pytest.raises(HostImportError) as error:
        import_hosts(db, path)
    assert (error.value.field, error.value.line) == (field, 3)
    assert contacts(db) == {}
    with db.reading() as conn:
        assert load_hosts(conn) == []


@given(st.text(max_size=40), st.text(max_size=40))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_any_abuse_text_parses_or_is_an_input_error(email: str, name: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerow(["a.example", "site", "", "", "x", "", email, name])
    try:
        rows = parse_hosts_csv(buffer.getvalue().encode("utf-8", "surrogatepass"), "h.csv")
    except InputError:
        return
    (row,) = rows
    if row.abuse_email is not None:
        assert "@" in row.abuse_email and not any(c.isspace() for c in row.abuse_email)
    else:
        assert row.abuse_name is None
