from __future__ import annotations

import ipaddress
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from leaktrace.errors import InputError
from leaktrace.geo import GeoLookup, open_lookup
from leaktrace.store.database import Database
from leaktrace.store.schema import SWARM_OBSERVATIONS
from leaktrace.store.swarm import insert_observations
from leaktrace.swarm.importer import import_swarm_files
from leaktrace.swarm.model import SwarmError
from leaktrace.swarm.privacy import peer_key
from tests.swarm.conftest import HASH_B, HASH_LEAK, KEY, WriteSwarm, row, seed_catalog

# Ordinary downloaders: none of these may ever reach the database in clear.
PEERS = ["198.51.100.23", "81.2.69.160", "2001:db8:4b1d::beef:17", "203.0.113.77"]
SEEDBOX = "192.0.2.200"


def _rows(db: Database) -> list[dict[str, object]]:
    with db.reading() as conn:
        result = conn.execute(select(SWARM_OBSERVATIONS).order_by(SWARM_OBSERVATIONS.c.id))
        return [dict(r._mapping) for r in result]


def _count(db: Database) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(SWARM_OBSERVATIONS)).scalar_one())


def _sample(write_swarm: WriteSwarm, kind: str) -> Path:
    return write_swarm(
        [
            row(PEERS[0], completed=True, port=51413),
            row(PEERS[1], infohash=HASH_LEAK, seeder=True, port=6881),
            row(PEERS[2], infohash=HASH_B, port=6882, client="Transmission 4.0"),
            row(PEERS[3], port=40000),
            row(SEEDBOX, seeder=True, port=55555, tag="seedbox"),
        ],
        kind,
    )


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_import_hashes_peers_and_keeps_infrastructure(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm, kind: str
) -> None:
    seed_catalog(db)
    report = import_swarm_files(db, [_sample(write_swarm, kind)], KEY, geo)
    assert (report.lines, report.accepted, report.rejected, report.added) == (5, 5, 0, 5)
    assert (report.peers, report.infrastructure) == (4, 1)
    assert (report.linked, report.unlinked) == (4, 1)
    rows = _rows(db)
    peers = [r for r in rows if r["role"] == "peer"]
    assert len(peers) == 4
    for stored, ip in zip(peers, PEERS, strict=True):
        assert stored["peer_ip"] is None and stored["port"] is None
        assert stored["peer_key"] == peer_key(KEY, ipaddress.ip_address(ip))
    (infra,) = [r for r in rows if r["role"] == "infrastructure"]
    assert infra["peer_ip"] == SEEDBOX and infra["port"] == 55555
    by_key = {r["peer_key"]: r for r in rows}
    first = by_key[peer_key(KEY, ipaddress.ip_address(PEERS[0]))]
    assert (first["release_id"], first["work_id"]) == (1, "film-a")
    assert first["asn"] == 64500 and first["country"] is None  # documentation range
    gb = by_key[peer_key(KEY, ipaddress.ip_address(PEERS[1]))]
    assert gb["country"] == "GB" and gb["asn"] == 20712 and gb["completed"] is True
    unlinked = by_key[peer_key(KEY, ipaddress.ip_address(PEERS[2]))]
    assert unlinked["work_id"] is None and unlinked["asn"] is None  # IPv6 not in the ASN DB
    assert unlinked["client"] == "Transmission 4.0"


def _needles(ip: str) -> list[bytes]:
    address = ipaddress.ip_address(ip)
    forms = {ip, address.compressed, address.exploded, str(int(address))}
    needles = [form.encode() for form in forms]
    needles += [form.encode("utf-16-le") for form in forms]
    if address.version == 6:
        needles.append(address.packed)  # 16 bytes: no chance match
    return needles


def test_no_clear_text_downloader_address_reaches_the_database(
    db: Database, db_path: Path, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    seed_catalog(db)
    csv_file = _sample(write_swarm, "csv")
    jsonl_file = _sample(write_swarm, "jsonl")
    # also a bad row carrying an address, skipped: it must not leak through the report either
    bad = write_swarm([row(PEERS[0], port=70000)], "csv")
    report = import_swarm_files(db, [csv_file, jsonl_file, bad], KEY, geo)
    assert report.rejected == 1 and report.added == 5
    for ip in PEERS:
        assert ip not in str(report.as_dict())
    # the raw bytes while the database is open: the main file, its WAL and shared memory
    open_files = [db_path, *db_path.parent.glob(db_path.name + "-*")]
    assert any(p.name.endswith("-wal") for p in open_files)
    _scan_bytes(open_files)
    assert any(SEEDBOX.encode() in p.read_bytes() for p in open_files)  # the scan works
    db.close()  # the last connection checkpoints the WAL into the main file
    files = [db_path, *db_path.parent.glob(db_path.name + "-*")]
    _scan_bytes(files)
    # every text column of every table
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [
            t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        scanned = 0
        for table in tables:
            columns = [c[1] for c in connection.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for (value,) in connection.execute(f'SELECT "{column}" FROM "{table}"'):
                    scanned += 1
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    for ip in PEERS:
                        for form in {ip, ipaddress.ip_address(ip).exploded}:
                            assert form not in text, f"{ip} found in {table}.{column}"
        assert scanned > 0
        # the ports of ordinary peers are not stored either
        ports = {
            p
            for (p,) in connection.execute("SELECT port FROM swarm_observations WHERE role='peer'")
        }
        assert ports == {None}
    finally:
        connection.close()


def _scan_bytes(files: list[Path]) -> None:
    for path in files:
        raw = path.read_bytes()
        for ip in PEERS:
            for needle in _needles(ip):
                assert needle not in raw, f"{ip} found in the bytes of {path.name}"


def test_reimport_adds_nothing(db: Database, geo: GeoLookup, write_swarm: WriteSwarm) -> None:
    path = _sample(write_swarm, "csv")
    first = import_swarm_files(db, [path], KEY, geo)
    again = import_swarm_files(db, [path, _sample(write_swarm, "jsonl")], KEY, geo)
    assert first.added == 5
    assert (again.added, again.duplicates) == (0, 10)
    assert _count(db) == 5


def test_strict_writes_nothing_on_a_bad_row(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    good = _sample(write_swarm, "csv")
    bad = write_swarm([row(PEERS[0]), row(PEERS[1], time="not a time")], "jsonl")
    with pytest.raises(SwarmError) as caught:
        import_swarm_files(db, [good, bad], KEY, geo, strict=True)
    assert caught.value.file == str(bad)
    assert (caught.value.line, caught.value.field) == (2, "time")
    assert _count(db) == 0


def test_skip_and_count(db: Database, geo: GeoLookup, write_swarm: WriteSwarm) -> None:
    path = write_swarm(
        [row(PEERS[0]), "1709294400,zz,198.51.100.1,,,,,", row(PEERS[1], port=0)], "csv"
    )
    report = import_swarm_files(db, [path], KEY, geo)
    assert (report.lines, report.accepted, report.rejected) == (3, 1, 2)
    assert [(e.line, e.field) for e in report.errors] == [(3, "infohash"), (4, "port")]
    assert report.as_dict()["errors"][0]["file"] == str(path)
    assert _count(db) == 1


def test_failure_midway_leaves_nothing_half_written(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leaktrace.swarm.importer as importer

    monkeypatch.setattr(importer, "BATCH", 2)
    calls = {"n": 0}
    real = insert_observations

    def failing(conn: Connection, rows: Sequence[dict[str, Any]], *, above: int = 0) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(conn, rows, above=above)

    monkeypatch.setattr(importer, "insert_observations", failing)
    with pytest.raises(RuntimeError):
        import_swarm_files(db, [_sample(write_swarm, "csv")], KEY, geo)
    assert _count(db) == 0


def test_later_sightings_link_earlier_observations(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    import_swarm_files(db, [write_swarm([row(PEERS[0])], "csv")], KEY, geo)
    assert _rows(db)[0]["work_id"] is None
    seed_catalog(db)
    report = import_swarm_files(db, [write_swarm([row(PEERS[1])], "csv")], KEY, geo)
    assert report.relinked == 1
    assert {r["work_id"] for r in _rows(db)} == {"film-a"}


def test_bad_geoip_database_is_an_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(InputError, match="not a MaxMind DB") as caught:
        open_lookup(geoip=junk)
    assert (caught.value.file, caught.value.field) == (str(junk), "--geoip")
    with pytest.raises(InputError, match="no such file") as caught:
        open_lookup(asn_db=tmp_path / "none.mmdb")
    assert caught.value.file == str(tmp_path / "none.mmdb")


def test_default_data_gives_country_and_asn_offline(db: Database, write_swarm: WriteSwarm) -> None:
    # 81.2.69.160: GB, AS20712 in the shipped data; 8.8.8.8 over IPv6 too; documentation: none
    path = write_swarm(
        [row(PEERS[1]), row("2001:4860:4860::8888"), row(PEERS[0]), row("::ffff:8.8.8.8")]
    )
    with open_lookup() as geo:
        report = import_swarm_files(db, [path], KEY, geo)
    located = {(r["country"], r["asn"]) for r in _rows(db)}
    assert located == {("GB", 20712), (None, None), ("US", 15169)}
    assert report.geo == {"country": "geo-whois-asn-country.mmdb", "asn": "asn.mmdb"}
    assert report.geo_sources[-1].endswith("IP Geolocation by DB-IP (https://db-ip.com)")
    assert "built 2026-06-17" in report.geo_sources[1] and report.geo_notes == []
    assert report.as_dict()["geo_sources"] == report.geo_sources


def test_without_default_data_nothing_is_located(db: Database, write_swarm: WriteSwarm) -> None:
    with open_lookup(bundled=False) as geo:
        report = import_swarm_files(db, [write_swarm([row(PEERS[1])])], KEY, geo)
    assert [(r["country"], r["asn"]) for r in _rows(db)] == [(None, None)]
    assert report.geo == {"country": None, "asn": None} and report.geo_sources == []
    assert [n.split(" —")[0] for n in report.geo_notes] == [
        "country: not available",
        "ASN: not available",
    ]
