"""Analysts' host lists: validation with file/line/field, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
import json
import string
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.infra.importer import HostImportError, import_hosts, parse_hosts_csv
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts
from leaktrace.store.schema import HOST_EVIDENCE, HOSTS

HEADER = "ip_or_domain,role,first_seen,last_seen,source,notes,country,group,certificate\n"
GOOD = (
    HEADER + "81.2.69.142,server,2020-01-01,2020-06-30,Europol report 12,main box,DE,Sparks,\n"
    "files.sparkscdn.net,web-seed,2020-02-01T10:00:00Z,,registrar reply,,,sparks,"
    + "ab"
    * 32
    + "\n"
    "https://www.sparkscdn.net/x,site,,,OSINT,,,,\n"
)


def _count(db: Database) -> tuple[int, int]:
    with db.reading() as conn:
        hosts = conn.execute(HOSTS.select()).all()
        evidence = conn.execute(HOST_EVIDENCE.select()).all()
    return len(hosts), len(evidence)


def test_import_csv_and_reimport_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "hosts.csv"
    path.write_text(GOOD)
    report = import_hosts(db, path)
    assert (report.rows, report.new_hosts, report.new_evidence) == (3, 3, 3)
    with db.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
    server = hosts["81.2.69.142"]
    assert server.role == "server" and server.country == "DE"
    assert server.information_source == "Europol report 12"
    assert server.groups == ("sparks",)
    assert server.references == ("import:hosts.csv:2",)
    assert "certificate " + "ab" * 32 in (hosts["files.sparkscdn.net"].notes or "")
    assert "www.sparkscdn.net" in hosts
    again = import_hosts(db, path)
    assert (again.new_hosts, again.updated_hosts, again.new_evidence) == (0, 0, 0)
    assert _count(db) == (3, 3)


def test_import_json(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "hosts.json"
    path.write_text(
        json.dumps(
            {
                "hosts": [
                    {
                        "ip_or_domain": "2001:db8::5",
                        "role": "seedbox",
                        "first_seen": "2020-01-01",
                        "last_seen": "2020-01-02",
                        "source": "ISP",
                    }
                ]
            }
        )
    )
    report = import_hosts(db, path)
    assert report.new_hosts == 1
    with db.reading() as conn:
        (host,) = load_hosts(conn)
    assert host.kind == "ip" and host.references == ("import:hosts.json:1",)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("not a host!,server,2020-01-01,,src,,,,", "ip_or_domain"),
        ("81.2.69.1,mailserver,2020-01-01,,src,,,,", "role"),
        ("81.2.69.1,server,01/02/2020,,src,,,,", "first_seen"),
        ("81.2.69.1,server,2020-02-01,2020-01-01,src,,,,", "last_seen"),
        ("81.2.69.1,server,2020-01-01,,,,,,", "source"),
        ("81.2.69.1,server,2020-01-01,,src,,ZZ,,", "country"),
        ("81.2.69.1,server,2020-01-01,,src,,,,nothex", "certificate"),
    ],
)
def test_bad_row_names_file_line_field_and_writes_nothing(
    db: Database, tmp_path: Path, row: str, field: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "81.2.69.9,server,2020-01-01,,ok,,,,\n" + row + "\n")
    with pytest.raises(HostImportError) as caught:
        import_hosts(db, path)
    assert caught.value.file == str(path)
    assert caught.value.line == 3
    assert caught.value.field == field
    assert f"{path}:3" in str(caught.value)
    assert _count(db) == (0, 0)


def test_unknown_release_aborts_the_import(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "rel.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,release\n"
        "81.2.69.9,server,2020-01-01,,ok,\n"
        "81.2.69.10,server,2020-01-01,,ok,No.Such.Release-GRP\n"
    )
    with pytest.raises(HostImportError) as caught:
        import_hosts(db, path)
    assert (caught.value.line, caught.value.field) == (3, "release")
    assert _count(db) == (0, 0)


def test_missing_columns_and_json_errors(tmp_path: Path) -> None:
    with pytest.raises(HostImportError, match="missing column"):
        parse_hosts_csv(b"ip_or_domain,role\n1.2.3.4,server\n", "x.csv")
    path = tmp_path / "h.json"
    path.write_text('[{"ip_or_domain": "81.2.69.1", "role": "nope", "source": "s"}]')
    from leaktrace.infra.importer import read_hosts_file

    with pytest.raises(HostImportError) as caught:
        read_hosts_file(path)
    assert caught.value.field == "role" and "entry 1" in str(caught.value)


# ---------------------------------------------------------------- property test

_label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
_domain = st.builds(lambda a, b: f"{a}.{b}.org", _label, _label)
_ipv4 = st.tuples(*[st.integers(1, 223)] + [st.integers(0, 255)] * 3).map(
    lambda t: ".".join(map(str, t))
)
_role = st.sampled_from(
    ["tracker", "web-seed", "streaming", "cyberlocker", "seedbox", "initial-seeder", "server"]
)
_day = st.dates(min_value=date(1990, 1, 2), max_value=date(2099, 12, 30)).map(date.isoformat)
_source = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(_domain, _ipv4), _role, _day, _source), max_size=8))
def test_csv_reader_round_trips_valid_rows(rows: list[tuple[str, str, str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ip_or_domain", "role", "first_seen", "last_seen", "source"])
    for host, role, day, source in rows:
        writer.writerow([host, role, day, day, source])
    parsed = parse_hosts_csv(buffer.getvalue().encode(), "p.csv")
    assert [(r.host.value, r.host.role, r.host.source) for r in parsed] == [
        (h, role, s.strip()) for h, role, _, s in rows
    ]
    assert all(r.host.first_seen == r.host.last_seen for r in parsed)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_csv_reader_never_fails_other_than_input_error(raw: bytes) -> None:
    data = b"ip_or_domain,role,first_seen,last_seen,source\n" + raw
    try:
        parse_hosts_csv(data, "fuzz.csv")
    except InputError as exc:
        assert exc.file == "fuzz.csv"
