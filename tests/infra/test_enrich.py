"""Country, ASN and provider of stored hosts: built-in DB-IP data, user files, DNS off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.geo import ASN_MISSING, DBIP_ATTRIBUTION
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.enrich import enrich_hosts, open_lookup
from leaktrace.infra.model import HostView
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts
from tests.swarm.mmdb import write_mmdb

NOW = datetime(2024, 7, 1, tzinfo=UTC)
DBIP_COUNTRY = "dbip-country-lite.mmdb.bz (DBIP-Country-Lite, CC BY 4.0, built 2026-09-01)"
DBIP_ASN = "dbip-asn-lite.mmdb.bz (DBIP-ASN-Lite, CC BY 4.0, built 2026-09-01)"


def _hosts(db: Database) -> dict[str, HostView]:
    with db.reading() as conn:
        return {h.value: h for h in load_hosts(conn)}


def _collected(db: Database) -> Database:
    with db.transaction() as conn:
        collect_hosts(conn)
    return db


def test_built_in_data_gives_country_asn_and_provider_offline(loaded: Database) -> None:
    report = enrich_hosts(_collected(loaded), now=NOW)
    assert report.asn_available and report.notes == []
    assert report.sources == [DBIP_COUNTRY, DBIP_ASN, DBIP_ATTRIBUTION]
    assert report.located == report.with_asn == 3  # 81.2.69.142, .160, .161
    seed = _hosts(loaded)["81.2.69.142"]
    assert (seed.country, seed.asn, seed.organisation) == ("GB", 20712, "Andrews & Arnold Ltd")
    assert seed.enriched_at == NOW
    assert seed.enrichment_source == f"{DBIP_COUNTRY}; {DBIP_ASN}; {DBIP_ATTRIBUTION}"
    assert report.as_dict()["sources"][-1] == "IP Geolocation by DB-IP (https://db-ip.com)"


def test_user_asn_file_replaces_the_built_in_one(loaded: Database, asn_mmdb: Path) -> None:
    report = enrich_hosts(_collected(loaded), asn_db=asn_mmdb, now=NOW)
    assert report.asn_available
    assert report.reserved == 1  # 10.0.0.7
    assert report.domains_skipped > 0 and report.resolved == 0
    hosts = _hosts(loaded)
    seed = hosts["81.2.69.142"]
    assert (seed.country, seed.asn, seed.organisation) == ("GB", 64500, "Example Hosting")
    assert seed.enriched_at == NOW
    source = seed.enrichment_source or ""
    assert DBIP_COUNTRY in source and DBIP_ASN not in source
    assert "asn.mmdb (GeoLite2-ASN, built " in source
    private = hosts["10.0.0.7"]
    assert private.country is None and private.asn is None
    assert "private or reserved" in (private.enrichment_source or "")
    domain = hosts["tracker.sparks-private.org"]
    assert domain.enriched_at is None and domain.country is None


def test_user_country_file_replaces_the_built_in_one(
    loaded: Database, country_mmdb: Path, asn_mmdb: Path
) -> None:
    report = enrich_hosts(_collected(loaded), geoip=country_mmdb, now=NOW)
    assert report.asn_available and report.notes == []  # ASN still from DB-IP
    host = _hosts(loaded)["81.2.69.160"]
    assert (host.country, host.asn) == ("DE", 20712)
    assert "country.mmdb (GeoLite2-Country" in (host.enrichment_source or "")
    # a later lookup replaces the earlier one, with its own date and source
    later = datetime(2024, 8, 1, tzinfo=UTC)
    enrich_hosts(loaded, asn_db=asn_mmdb, now=later)
    host = _hosts(loaded)["81.2.69.160"]
    assert (host.country, host.asn, host.enriched_at) == ("GB", 64500, later)


def test_asn_fields_of_a_country_file_come_before_the_built_in_ones(
    loaded: Database, tmp_path: Path
) -> None:
    ipinfo = write_mmdb(
        tmp_path / "ipinfo_lite.mmdb",
        {"81.2.69.0/24": {"country_code": "FR", "asn": "AS64511", "as_name": "Lite Hosting"}},
    )
    enrich_hosts(_collected(loaded), geoip=ipinfo, now=NOW)
    host = _hosts(loaded)["81.2.69.142"]
    assert (host.country, host.asn, host.organisation) == ("FR", 64511, "Lite Hosting")


def test_asn_note_only_without_built_in_data_or_with_a_file_lacking_asn(
    loaded: Database, country_mmdb: Path
) -> None:
    report = enrich_hosts(_collected(loaded), geoip=country_mmdb, bundled=False, now=NOW)
    assert not report.asn_available and report.notes == [ASN_MISSING]
    assert ASN_MISSING.startswith("ASN: not available")
    assert _hosts(loaded)["81.2.69.160"].asn is None
    report = enrich_hosts(loaded, asn_db=country_mmdb, now=NOW)  # a country file as ASN file
    assert report.notes == ["ASN: not available — country.mmdb has no ASN fields"]
    with pytest.raises(InputError, match="no GeoIP database"):
        enrich_hosts(loaded, bundled=False)


def test_an_open_lookup_can_be_shared(loaded: Database) -> None:
    with open_lookup() as lookup:
        report = enrich_hosts(_collected(loaded), lookup=lookup, now=NOW)
        assert lookup.lookup("81.2.69.142").asn == 20712  # still open
    assert report.with_asn == 3


def test_dns_is_optional_and_local(loaded: Database, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source\nlocalhost.localdomain,server,,,t\n"
    )
    from leaktrace.infra.importer import import_hosts

    import_hosts(loaded, path)
    # a resolver that answers only for localhost names: no network needed
    report = enrich_hosts(
        loaded,
        dns=True,
        resolver=lambda name: ["127.0.0.1"] if name.startswith("localhost") else [],
        now=NOW,
    )
    assert report.resolved == 1
    host = _hosts(loaded)["localhost.localdomain"]
    assert "DNS localhost.localdomain → 127.0.0.1" in (host.enrichment_source or "")
    assert "private or reserved" in (host.enrichment_source or "")


def test_bad_files_are_input_errors(db: Database, tmp_path: Path) -> None:
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(InputError, match="not a MaxMind DB") as caught:
        enrich_hosts(db, geoip=junk)
    assert (caught.value.file, caught.value.field) == (str(junk), "--geoip")
    with pytest.raises(InputError, match="no such file") as caught:
        enrich_hosts(db, asn_db=tmp_path / "missing.mmdb")
    assert str(caught.value).startswith(f"{tmp_path / 'missing.mmdb'}, field '--asn-db'")


def test_reverse_dns_is_off_by_default_and_kept_with_the_host(loaded: Database) -> None:
    asked: list[str] = []
    names = {"81.2.69.142": "static.142.69.2.81.example-hosting.net", "81.2.69.160": None}

    def ptr(address: str) -> str | None:
        asked.append(address)
        return names.get(address)

    db = _collected(loaded)
    enrich_hosts(db, now=NOW, reverse_resolver=ptr)
    assert asked == []  # off unless asked
    report = enrich_hosts(db, now=NOW, reverse_dns=True, reverse_resolver=ptr)
    assert report.reverse_named == 1 and report.as_dict()["reverse_named"] == 1
    assert "10.0.0.7" not in asked  # private addresses are not asked
    assert set(asked) == {"81.2.69.142", "81.2.69.160", "81.2.69.161"}
    hosts = _hosts(db)
    assert hosts["81.2.69.142"].reverse_dns == "static.142.69.2.81.example-hosting.net"
    assert hosts["81.2.69.160"].reverse_dns is None
    assert hosts["81.2.69.142"].as_dict()["reverse_dns"].startswith("static.142")
    enrich_hosts(db, now=NOW)  # a later run without --reverse-dns keeps the names
    assert _hosts(db)["81.2.69.142"].reverse_dns == "static.142.69.2.81.example-hosting.net"
    names["81.2.69.142"] = None  # the PTR record went away: a new look-up says so
    enrich_hosts(db, now=NOW, reverse_dns=True, reverse_resolver=ptr)
    assert _hosts(db)["81.2.69.142"].reverse_dns is None


def test_system_reverse_resolver_reads_the_hosts_file() -> None:
    import re

    from leaktrace.infra.enrich import system_reverse_resolver

    hosts = Path("/etc/hosts")
    listed = hosts.is_file() and re.search(
        r"^127\.0\.0\.1\s+localhost\b", hosts.read_text(), re.MULTILINE
    )
    if not listed:
        pytest.skip("no '127.0.0.1 localhost' line in /etc/hosts")
    assert system_reverse_resolver("127.0.0.1") == "localhost"  # no network involved
    assert system_reverse_resolver("not an address") is None


def test_reverse_dns_gives_up_after_its_time_limit(loaded: Database) -> None:
    import threading

    release = threading.Event()

    def ptr(address: str) -> str | None:
        if address == "81.2.69.160":
            release.wait(5)  # a name server that does not answer
            return "late.example"
        return f"host-{address.replace('.', '-')}.example"

    db = _collected(loaded)
    try:
        report = enrich_hosts(
            db, now=NOW, reverse_dns=True, reverse_resolver=ptr, dns_timeout=0.5
        )
    finally:
        release.set()
    hosts = _hosts(db)
    assert report.reverse_named == 2
    assert hosts["81.2.69.142"].reverse_dns == "host-81-2-69-142.example"
    # had the limit not worked, the answer would have come after 5 s and been stored
    assert hosts["81.2.69.160"].reverse_dns is None
