"""GeoLookup: built-in ip-location-db data by default, user files replacing it, labelled sources."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.geo import (
    ASN_MISSING,
    ATTRIBUTION,
    COUNTRY_MISSING,
    GeoLookup,
    GeoResult,
    open_lookup,
)
from tests.geo.conftest import write
from tests.swarm.mmdb import write_mmdb

GOOGLE = GeoResult("US", 15169, "Google LLC")


@pytest.fixture(scope="module")
def default() -> Iterator[GeoLookup]:
    with open_lookup() as lookup:
        yield lookup


def test_default_works_offline(default: GeoLookup) -> None:
    assert default.lookup("8.8.8.8") == GOOGLE
    assert default.lookup(ipaddress.ip_address("8.8.8.8")) == GOOGLE
    assert default.lookup("::ffff:8.8.8.8") == GOOGLE  # IPv4-mapped: looked up as IPv4
    assert default.lookup("81.2.69.142") == GeoResult("GB", 20712, "Andrews & Arnold Ltd")
    ipv6 = default.lookup("2001:4860:4860::8888")
    assert (ipv6.asn, ipv6.organisation) == (15169, "Google LLC")
    assert ipv6.country is not None and len(ipv6.country) == 2
    assert default.lookup("10.0.0.1") == GeoResult()  # private: in no database
    assert default.lookup("192.0.2.1") == GeoResult()  # documentation range
    with pytest.raises(ValueError):
        default.lookup("not an address")


def test_default_sources_carry_attribution_and_build_date(default: GeoLookup) -> None:
    assert default.sources() == [
        "geo-whois-asn-country.mmdb (ip-location-db, built 2026-06-17)",
        "asn.mmdb (ip-location-db, built 2026-06-17)",
        ATTRIBUTION,
    ]
    assert default.source_text().endswith("; IP Geolocation by DB-IP (https://db-ip.com)")
    assert len(default.source_text()) < 200  # stored in a 256-character column
    assert default.source_names() == {"country": "geo-whois-asn-country.mmdb", "asn": "asn.mmdb"}
    assert default.country_available and default.asn_available and default.notes() == []


def test_user_country_file_replaces_the_default_one(user_country: Path) -> None:
    with open_lookup(geoip=user_country) as lookup:
        assert lookup.lookup("8.8.8.8") == GeoResult("DE", 15169, "Google LLC")
        assert lookup.lookup("2001:4860:4860::8888").country == "JP"  # registered country
        assert lookup.lookup("1.1.1.1").country is None  # not in the user's file: no fallback
        assert lookup.lookup("1.1.1.1").asn == 13335  # ASN still from the built-in data
        assert lookup.sources()[0].startswith("GeoLite2-Country.mmdb (GeoLite2-Country, built")
        assert lookup.sources()[-1] == ATTRIBUTION


def test_user_asn_file_replaces_the_default_one(user_asn: Path) -> None:
    with open_lookup(asn_db=user_asn) as lookup:
        assert lookup.lookup("8.8.8.8") == GeoResult("US", 64500, "Example Transit")
        assert lookup.lookup("1.1.1.1").asn is None
        assert lookup.source_names()["asn"] == "GeoLite2-ASN.mmdb"


def test_user_files_only(user_country: Path, user_asn: Path) -> None:
    with open_lookup(user_country, user_asn, bundled=False) as lookup:
        assert lookup.lookup("8.8.8.8") == GeoResult("DE", 64500, "Example Transit")
        assert ATTRIBUTION not in lookup.sources() and len(lookup.sources()) == 2
    with open_lookup(user_country, bundled=False) as lookup:
        assert lookup.notes() == [ASN_MISSING]
        assert lookup.lookup("8.8.8.8") == GeoResult("DE", None, None)
    with open_lookup(bundled=False) as lookup:
        assert lookup.notes() == [COUNTRY_MISSING, ASN_MISSING]
        assert lookup.lookup("8.8.8.8") == GeoResult() and lookup.sources() == []


def test_asn_fields_of_a_country_file(tmp_path: Path, user_asn: Path) -> None:
    ipinfo = write(
        tmp_path / "ipinfo_lite.mmdb",
        "ipinfo lite.mmdb",
        {"8.8.8.0/24": {"country_code": "US", "asn": "AS15169", "as_name": "Google"}},
    )
    with open_lookup(geoip=ipinfo) as lookup:  # before the built-in ASN file
        assert lookup.lookup("8.8.8.8") == GeoResult("US", 15169, "Google")
        assert lookup.lookup("1.1.1.1").asn == 13335  # not in it: the built-in file answers
    with open_lookup(geoip=ipinfo, asn_db=user_asn) as lookup:  # an explicit ASN file wins
        assert lookup.lookup("8.8.8.8") == GeoResult("US", 64500, "Example Transit")


def test_a_file_lacking_the_field_is_noted(user_country: Path) -> None:
    with open_lookup(asn_db=user_country) as lookup:
        assert lookup.notes() == ["ASN: not available — GeoLite2-Country.mmdb has no ASN fields"]
    with open_lookup(geoip=user_country, asn_db=user_country, bundled=False) as lookup:
        assert lookup.notes() == ["ASN: not available — GeoLite2-Country.mmdb has no ASN fields"]


def test_ipv6_against_ipv4_only_files(tmp_path: Path) -> None:
    v4 = write_mmdb(tmp_path / "v4.mmdb", {"8.8.8.0/24": {"country_code": "NL", "asn": 64510}})
    with open_lookup(v4, v4, bundled=False) as lookup:
        assert lookup.lookup("2001:4860:4860::8888") == GeoResult()
        assert lookup.lookup("8.8.8.8") == GeoResult("NL", 64510, None)


def test_a_bad_file_is_an_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(InputError, match="not a MaxMind DB") as caught:
        open_lookup(asn_db=junk)
    assert (caught.value.file, caught.value.field) == (str(junk), "--asn-db")
