"""Country, ASN and provider from MaxMind DB files; the shipped default; DNS off by default."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.enrich import ASN_MISSING, default_country_db, enrich_hosts, open_lookup
from leaktrace.infra.model import HostView
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def _hosts(db: Database) -> dict[str, HostView]:
    with db.reading() as conn:
        return {h.value: h for h in load_hosts(conn)}


def test_shipped_default_gives_countries_offline() -> None:
    path = default_country_db()
    assert path is not None and path.name == "Geoacumen-Country.mmdb"
    with open_lookup() as lookup:
        assert lookup.lookup("81.2.69.142").country == "GB"
        assert lookup.lookup("81.2.69.142").asn is None
        assert not lookup.asn_available
        assert "built 2024-06-23" in lookup.sources()[0]


def test_enrich_with_default_and_asn_file(loaded: Database, asn_mmdb: Path) -> None:
    with loaded.transaction() as conn:
        collect_hosts(conn)
    report = enrich_hosts(loaded, asn_db=asn_mmdb, now=NOW)
    assert report.asn_available
    assert report.reserved == 1  # 10.0.0.7
    assert report.domains_skipped > 0 and report.resolved == 0
    hosts = _hosts(loaded)
    seed = hosts["81.2.69.142"]
    assert (seed.country, seed.asn, seed.organisation) == ("GB", 64500, "Example Hosting")
    assert seed.enriched_at == NOW
    assert "Geoacumen-Country.mmdb" in (seed.enrichment_source or "")
    assert "asn.mmdb (GeoLite2-ASN, built " in (seed.enrichment_source or "")
    private = hosts["10.0.0.7"]
    assert private.country is None and private.asn is None
    assert "private or reserved" in (private.enrichment_source or "")
    domain = hosts["tracker.sparks-private.org"]
    assert domain.enriched_at is None and domain.country is None


def test_user_country_file_replaces_default(
    loaded: Database, country_mmdb: Path, asn_mmdb: Path
) -> None:
    with loaded.transaction() as conn:
        collect_hosts(conn)
    report = enrich_hosts(loaded, geoip=country_mmdb, now=NOW)
    assert not report.asn_available
    assert _hosts(loaded)["81.2.69.160"].country == "DE"
    assert ASN_MISSING.startswith("ASN: not available")
    # a later lookup replaces the earlier one, with its own date and source
    later = datetime(2024, 8, 1, tzinfo=UTC)
    enrich_hosts(loaded, asn_db=asn_mmdb, now=later)
    host = _hosts(loaded)["81.2.69.160"]
    assert (host.country, host.asn, host.enriched_at) == ("GB", 64500, later)


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
    with pytest.raises(InputError, match="not a MaxMind DB"):
        enrich_hosts(db, geoip=junk)
    with pytest.raises(InputError, match="no such file"):
        enrich_hosts(db, asn_db=tmp_path / "missing.mmdb")
