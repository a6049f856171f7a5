"""Country, ASN and provider of stored hosts: built-in GeoIP data, user files, DNS off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.geo import ASN_MISSING, GeoResult
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.enrich import enrich_hosts, open_lookup
from leaktrace.infra.importer import import_hosts
from leaktrace.infra.model import HostView
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts
from tests.swarm.mmdb import write_mmdb

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def _built_in() -> tuple[str, str, list[str], GeoResult]:
    """The built-in data's country and ASN labels, all its sources, and its answer for
    81.2.69.142 (whatever data ships: the tests check that enrichment stores it)."""
    with open_lookup() as geo:
        assert geo.country_file is not None and geo.asn_file is not None
        return (
            geo.country_file.label(),
            geo.asn_file.label(),
            geo.sources(),
            geo.lookup("81.2.69.142"),
        )


def _hosts(db: Database) -> dict[str, HostView]:
    with db.reading() as conn:
        return {h.value: h for h in load_hosts(conn)}


def _collected(db: Database) -> Database:
    with db.transaction() as conn:
        collect_hosts(conn)
    return db


def test_built_in_data_gives_country_asn_and_provider_offline(loaded: Database) -> None:
    country_label, _, sources, expected = _built_in()
    report = enrich_hosts(_collected(loaded), now=NOW)
    assert report.asn_available and report.notes == []
    assert report.sources == sources
    assert report.located == report.with_asn == 3  # 81.2.69.142, .160, .161
    seed = _hosts(loaded)["81.2.69.142"]
    assert expected.country == "GB" and expected.asn is not None
    assert (seed.country, seed.asn, seed.organisation) == (
        expected.country,
        expected.asn,
        expected.organisation,
    )
    assert seed.enriched_at == NOW
    assert seed.enrichment_source == "; ".join(sources)
    # the file's own answer is kept as such, and the country comes from it
    (answer,) = seed.locations
    assert (answer.kind, answer.name, answer.country) == ("geoip", country_label, "GB")
    assert seed.country_source == f"GeoIP ({country_label})" and seed.disagreement is None


def test_user_asn_file_replaces_the_built_in_one(loaded: Database, asn_mmdb: Path) -> None:
    country_label, asn_label, _, _ = _built_in()
    report = enrich_hosts(_collected(loaded), asn_db=asn_mmdb, now=NOW)
    assert report.asn_available
    assert report.reserved == 1  # 10.0.0.7
    assert report.domains_skipped > 0 and report.resolved == 0
    hosts = _hosts(loaded)
    seed = hosts["81.2.69.142"]
    assert (seed.country, seed.asn, seed.organisation) == ("GB", 64500, "Example Hosting")
    assert seed.enriched_at == NOW
    source = seed.enrichment_source or ""
    assert country_label in source and asn_label not in source
    assert "asn.mmdb (GeoLite2-ASN, built " in source
    private = hosts["10.0.0.7"]
    assert private.country is None and private.asn is None and private.locations == ()
    assert "private or reserved" in (private.enrichment_source or "")
    domain = hosts["tracker.sparks-private.org"]
    assert domain.enriched_at is None and domain.country is None


def test_user_country_file_replaces_the_built_in_one(
    loaded: Database, country_mmdb: Path, asn_mmdb: Path
) -> None:
    built_in_asn = _built_in()[3].asn
    report = enrich_hosts(_collected(loaded), geoip=country_mmdb, now=NOW)
    assert report.asn_available and report.notes == []  # ASN still from the built-in data
    host = _hosts(loaded)["81.2.69.160"]
    assert (host.country, host.asn) == ("DE", built_in_asn)
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
        assert lookup.lookup("81.2.69.142").asn == _built_in()[3].asn  # still open
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
    assert host.locations == () and host.country is None


def test_a_domain_is_located_through_its_address_as_a_dns_answer(
    loaded: Database, tmp_path: Path, country_mmdb: Path
) -> None:
    path = tmp_path / "h.csv"
    path.write_text("ip_or_domain,role,first_seen,last_seen,source\nfiles.example,server,,,t\n")
    import_hosts(loaded, path)
    enrich_hosts(loaded, geoip=country_mmdb, dns=True, resolver=lambda _: ["93.184.216.34"])
    host = _hosts(loaded)["files.example"]
    (answer,) = host.locations
    assert (answer.kind, answer.country, answer.detail) == (
        "dns",
        "NL",
        "DNS files.example → 93.184.216.34",
    )
    assert host.country == "NL" and (host.country_source or "").startswith("DNS (country.mmdb")
    # the name no longer resolves: its DNS answer goes, the host is unlocated again
    enrich_hosts(loaded, geoip=country_mmdb, dns=True, resolver=lambda _: [])
    host = _hosts(loaded)["files.example"]
    assert host.locations == () and host.country is None


def _import(db: Database, path: Path, rows: str) -> None:
    path.write_text("ip_or_domain,role,first_seen,last_seen,source,country\n" + rows)
    import_hosts(db, path, now=NOW)


def test_the_analysts_country_wins_and_the_disagreement_is_kept(
    loaded: Database, tmp_path: Path, country_mmdb: Path
) -> None:
    db = _collected(loaded)
    # a provider's answer placed 81.2.69.160 in France; 10.0.0.7 is in Latvia
    _import(
        db,
        tmp_path / "provider.csv",
        "81.2.69.160,seedbox,,,provider's answer,FR\n10.0.0.7,seedbox,,,seizure report,LV\n",
    )
    report = enrich_hosts(db, geoip=country_mmdb, now=NOW)
    assert report.disagreements == 1
    hosts = _hosts(db)
    seed = hosts["81.2.69.160"]
    assert seed.country == "FR"  # not moved to the German sheet by the GeoIP file
    assert seed.country_source == "analyst (provider.csv)"
    assert seed.disagreement == "analyst: FR, GeoIP: DE"
    assert [(a.kind, a.country) for a in seed.locations] == [("analyst", "FR"), ("geoip", "DE")]
    assert seed.locations[0].detail == "line 2: provider's answer"
    # a private address is not looked up, and keeps the country the analyst gave it
    private = hosts["10.0.0.7"]
    assert private.country == "LV" and private.location is not None
    assert [a.kind for a in private.locations] == ["analyst"]
    # the analyst corrects the file: the same file's answer is replaced
    _import(db, tmp_path / "provider.csv", "81.2.69.160,seedbox,,,provider's answer,\n")
    seed = _hosts(db)["81.2.69.160"]
    assert seed.country == "DE" and seed.disagreement is None
    # a later file with another country: the latest import comes first
    later = datetime(2024, 9, 1, tzinfo=UTC)
    for name, code, at in (("a.csv", "PL", NOW), ("b.csv", "CZ", later)):
        (tmp_path / name).write_text(
            f"ip_or_domain,role,first_seen,last_seen,source,country\n81.2.69.161,server,,,x,{code}\n"
        )
        import_hosts(db, tmp_path / name, now=at)
    host = _hosts(db)["81.2.69.161"]
    assert host.country == "CZ"
    assert host.disagreement == "analyst b.csv: CZ, analyst a.csv: PL, GeoIP: DE"
    assert [a.country for a in host.locations if a.kind == "analyst"] == ["CZ", "PL"]


def test_another_file_of_the_same_name_leaves_the_analysts_country(
    loaded: Database, tmp_path: Path, country_mmdb: Path
) -> None:
    """Two partners' lists both called servers.csv, in two folders: the second (without
    a country, or with another one) does not wipe or replace the first one's answer."""
    db = _collected(loaded)
    (tmp_path / "police").mkdir()
    (tmp_path / "partner").mkdir()
    police = tmp_path / "police" / "servers.csv"
    _import(db, police, "81.2.69.160,seedbox,,,provider's answer,FR\n")
    _import(
        db,
        tmp_path / "partner" / "servers.csv",
        "81.2.69.160,seedbox,,,partner list,\n81.2.69.161,server,,,partner list,\n",
    )
    enrich_hosts(db, geoip=country_mmdb, now=NOW)
    seed = _hosts(db)["81.2.69.160"]
    assert seed.country == "FR" and seed.country_source == "analyst (servers.csv)"
    _import(db, tmp_path / "partner" / "servers.csv", "81.2.69.160,seedbox,,,partner list,PL\n")
    seed = _hosts(db)["81.2.69.160"]
    assert sorted(a.country for a in seed.locations if a.kind == "analyst") == ["FR", "PL"]
    assert seed.disagreement == "analyst servers.csv: PL, analyst servers.csv: FR, GeoIP: DE"
    # the police's own file, imported again without the country, does take it back
    _import(db, police, "81.2.69.160,seedbox,,,provider's answer,\n")
    assert [a.country for a in _hosts(db)["81.2.69.160"].locations] == ["PL", "DE"]


def test_several_geoip_files_each_answer_and_the_first_given_comes_first(
    loaded: Database, tmp_path: Path, country_mmdb: Path
) -> None:
    ipinfo = write_mmdb(
        tmp_path / "ipinfo_lite.mmdb",
        {"81.2.69.0/24": {"country_code": "NL", "asn": "AS64511", "as_name": "Lite Hosting"}},
    )
    db = _collected(loaded)
    enrich_hosts(db, geoip=[country_mmdb, ipinfo], now=NOW)
    host = _hosts(db)["81.2.69.142"]
    assert host.country == "DE"
    assert [(a.name.split(" ")[0], a.country, a.asn) for a in host.locations] == [
        ("country.mmdb", "DE", None),
        ("ipinfo_lite.mmdb", "NL", 64511),
    ]
    assert host.disagreement == "GeoIP country.mmdb: DE, GeoIP ipinfo_lite.mmdb: NL"
    # the other order: the other file comes first; the earlier answers are replaced
    enrich_hosts(db, geoip=[ipinfo, country_mmdb], now=NOW)
    host = _hosts(db)["81.2.69.142"]
    assert host.country == "NL" and len(host.locations) == 2
    # a file alone replaces the answers of the files not given again
    enrich_hosts(db, geoip=[country_mmdb], now=NOW)
    assert [a.country for a in _hosts(db)["81.2.69.142"].locations] == ["DE"]
    # an ASN file alone says nothing about where the host is: the answers stay
    asn_only = write_mmdb(tmp_path / "asn.mmdb", {"81.2.69.0/24": {"asn": "AS64999"}})
    enrich_hosts(db, asn_db=asn_only, bundled=False, now=NOW)
    host = _hosts(db)["81.2.69.142"]
    assert (host.country, host.asn, [a.country for a in host.locations]) == ("DE", 64999, ["DE"])
    # nor does an ASN file given by mistake as --geoip (it has no country fields)
    report = enrich_hosts(db, geoip=[asn_only], bundled=False, now=NOW)
    assert any("has no country fields" in note for note in report.notes)
    host = _hosts(db)["81.2.69.142"]
    assert (host.country, host.asn, [a.country for a in host.locations]) == ("DE", 64999, ["DE"])


def test_two_files_of_the_same_name_type_and_date_are_both_kept(
    loaded: Database, tmp_path: Path
) -> None:
    """``--geoip 2024/country.mmdb --geoip mirror/country.mmdb``: each file's answer is
    kept (named by its folder), and the first given still comes first."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_mmdb(tmp_path / "a" / "country.mmdb", {"81.2.69.0/24": {"country_code": "NL"}})
    second = write_mmdb(tmp_path / "b" / "country.mmdb", {"81.2.69.0/24": {"country_code": "FR"}})
    db = _collected(loaded)
    enrich_hosts(db, geoip=[first, second], bundled=False, now=NOW)
    host = _hosts(db)["81.2.69.142"]
    assert [a.country for a in host.locations] == ["NL", "FR"]
    assert host.country == "NL" and host.disagreement is not None
    assert len({a.name for a in host.locations}) == 2
    # the same file named twice is asked once
    enrich_hosts(db, geoip=[first, tmp_path / "b" / ".." / "a" / "country.mmdb"], now=NOW)
    assert [a.country for a in _hosts(db)["81.2.69.142"].locations] == ["NL"]


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
        report = enrich_hosts(db, now=NOW, reverse_dns=True, reverse_resolver=ptr, dns_timeout=0.5)
    finally:
        release.set()
    hosts = _hosts(db)
    assert report.reverse_named == 2
    assert hosts["81.2.69.142"].reverse_dns == "host-81-2-69-142.example"
    # had the limit not worked, the answer would have come after 5 s and been stored
    assert hosts["81.2.69.160"].reverse_dns is None
