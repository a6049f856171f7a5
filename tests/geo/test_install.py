"""``geo update``'s library side: newer files checked, installed atomically, then used."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import ConfigError, InputError
from leaktrace.geo import GeoResult, open_lookup
from leaktrace.geo.bundled import (
    ATTRIBUTION,
    bundled_dataset,
    installed_data_dir,
    open_bundled,
    sha256_of,
)
from leaktrace.geo.install import install_files, known_licence, reset_installed
from tests.geo.conftest import write

NEW = datetime(2026, 11, 30, tzinfo=UTC)
OLD = datetime(2026, 1, 1, tzinfo=UTC)


def _country(tmp_path: Path, built: datetime = NEW, name: str = "dbip-country.mmdb") -> Path:
    return write(
        tmp_path / name,
        "DBIP-Country-Lite",
        {"8.8.8.0/24": {"country": {"iso_code": "SE"}}},
        built=built,
    )


def _asn(tmp_path: Path, built: datetime = NEW) -> Path:
    return write(
        tmp_path / "GeoLite2-ASN.mmdb",
        "GeoLite2-ASN",
        {
            "8.8.8.0/24": {
                "autonomous_system_number": 64500,
                "autonomous_system_organization": "Example Transit",
            }
        },
        built=built,
    )


def test_installed_files_become_the_defaults(tmp_path: Path) -> None:
    country, asn = _country(tmp_path), _asn(tmp_path)
    done = install_files([country, asn])
    assert [(d.kind, d.name, d.built, d.licence) for d in done] == [
        ("asn", "GeoLite2-ASN.mmdb", date(2026, 11, 30), "MaxMind GeoLite2 EULA"),
        ("country", "dbip-country.mmdb", date(2026, 11, 30), "CC BY 4.0"),
    ]
    assert {d.replaced.build_date for d in done} == {date(2026, 6, 17)}  # the shipped data
    with open_lookup() as lookup:
        assert lookup.lookup("8.8.8.8") == GeoResult("SE", 64500, "Example Transit")
        assert lookup.lookup("1.1.1.1") == GeoResult()  # the shipped data is no longer asked
        sources = lookup.sources()
        assert sources[0] == "dbip-country.mmdb (DBIP-Country-Lite, CC BY 4.0, built 2026-11-30)"
        assert sources[1].startswith("GeoLite2-ASN.mmdb (GeoLite2-ASN, MaxMind GeoLite2 EULA")
        assert "IP Geolocation by DB-IP (https://db-ip.com)" in sources
        assert ATTRIBUTION not in sources
    dataset = bundled_dataset("country")
    assert dataset.installed and dataset.sha256 == sha256_of(country)
    assert dataset.file.parent == installed_data_dir()
    assert stat.S_IMODE(dataset.file.stat().st_mode) == 0o644  # public data
    assert str(country.resolve()) in dataset.source


def test_a_file_not_newer_needs_force(tmp_path: Path) -> None:
    old = _country(tmp_path, built=OLD)
    with pytest.raises(InputError, match="not newer than the country data in use") as caught:
        install_files([old])
    assert caught.value.file == str(old) and "--force" in caught.value.reason
    assert not bundled_dataset("country").installed
    install_files([old], force=True)
    assert bundled_dataset("country").build_date == date(2026, 1, 1)
    install_files([_country(tmp_path, name="newer.mmdb")])  # newer than the installed one
    assert bundled_dataset("country").name == "newer.mmdb"
    assert len(list(installed_data_dir().glob("*.mmdb"))) == 1  # the replaced file is gone


def test_one_bad_file_installs_none(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(InputError, match="not a MaxMind DB") as caught:
        install_files([_country(tmp_path), junk])
    assert caught.value.file == str(junk)
    assert not bundled_dataset("country").installed
    assert list(installed_data_dir().iterdir()) == []  # no temporary file left either


@pytest.mark.parametrize(
    ("kind", "records", "options", "reason"),
    [
        ("Vendor", {"8.8.8.0/24": {"city": "Berlin"}}, {}, "neither country nor ASN fields"),
        (
            "DBIP-Country-Lite",
            {"8.8.8.0/24": {"country_code": "SE"}},
            {"kind": "asn"},
            "its records have no asn fields",
        ),
        (
            "Vendor-Country",
            {"8.8.8.0/24": {"country_code": "SE"}},
            {},
            "cannot tell the licence of database type 'Vendor-Country'",
        ),
    ],
)
def test_unrecognised_files_are_refused(
    tmp_path: Path,
    kind: str,
    records: dict[str, dict[str, str]],
    options: dict[str, str],
    reason: str,
) -> None:
    path = write(tmp_path / "x.mmdb", kind, records, built=NEW)
    with pytest.raises(InputError, match=reason) as caught:
        install_files([path], **options)  # type: ignore[arg-type]
    assert caught.value.file == str(path)


def test_licence_given_for_an_unknown_type_and_files_for_both_kinds(tmp_path: Path) -> None:
    both = write(
        tmp_path / "vendor.mmdb",
        "Vendor-Data",
        {"8.8.8.0/24": {"country_code": "NO", "asn": "AS64501", "as_name": "Vendor Net"}},
        built=NEW,
    )
    done = install_files([both], licence="CC0-1.0", attribution="")
    assert {d.kind for d in done} == {"country", "asn"}
    file = open_bundled("asn")
    assert file.label() == "vendor.mmdb (Vendor-Data, CC0-1.0, built 2026-11-30)"
    assert file.attribution is None
    file.close()
    with pytest.raises(InputError, match="two files for country"):
        install_files([_country(tmp_path), _country(tmp_path, name="again.mmdb")], force=True)


def test_damaged_installed_data_is_a_config_error_and_reset_recovers(tmp_path: Path) -> None:
    install_files([_country(tmp_path)])
    installed = bundled_dataset("country").file
    installed.write_bytes(installed.read_bytes()[:-10])
    with pytest.raises(ConfigError, match=r"installed GeoIP database .* \(checksum mismatch\)"):
        open_bundled("country")
    (installed_data_dir() / "installed.json").write_text("{not json")
    with pytest.raises(ConfigError, match="leaktrace geo reset"):
        bundled_dataset("country")
    assert reset_installed() == []  # a damaged list is simply forgotten
    assert not bundled_dataset("country").installed
    install_files([_country(tmp_path), _asn(tmp_path)])
    assert reset_installed("asn") == ["asn"]
    assert bundled_dataset("country").installed and not bundled_dataset("asn").installed
    assert json.loads((installed_data_dir() / "installed.json").read_text())["files"].keys() == {
        "country"
    }
    assert reset_installed() == ["country"] and list(installed_data_dir().iterdir()) == []


def test_known_licences() -> None:
    assert known_licence("GeoLite2-City") == (
        "MaxMind GeoLite2 EULA",
        "This product includes GeoLite2 data created by MaxMind, available from "
        "https://www.maxmind.com",
    )
    dbip = ("CC BY 4.0", "IP Geolocation by DB-IP (https://db-ip.com)")
    assert known_licence("DBIP-ASN-Lite (compat=GeoLite2-ASN)") == dbip  # not GeoLite2's
    assert known_licence("DBIP-Country-Lite") == dbip
    assert known_licence("DBIP-Location-ISP") is None  # DB-IP's commercial data: not free
    assert known_licence("ipinfo lite.mmdb") == (
        "CC BY-SA 4.0",
        "IP address data powered by IPinfo (https://ipinfo.io)",
    )
    assert known_licence("ip-location-db-asn") == ("CC BY 4.0", ATTRIBUTION)
    assert known_licence("country") is None


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=4),
)
def test_damaged_files_are_refused_or_installed_never_a_crash(
    tmp_path: Path, cut: float, flips: list[tuple[float, int]]
) -> None:
    good = _country(tmp_path, name="good.mmdb").read_bytes()
    data = bytearray(good[: max(1, int(len(good) * cut))] if cut < 1 else good)
    for where, mask in flips:
        data[min(len(data) - 1, int(len(data) * where))] ^= mask
    path = tmp_path / "damaged.mmdb"
    path.write_bytes(bytes(data))
    try:
        install_files([path], force=True)
    except InputError as error:
        assert error.file == str(path)
    finally:
        reset_installed()
    assert list(installed_data_dir().iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_damaged_installed_file_is_replaced_as_its_error_says(
    tmp_path: Path, damage: str
) -> None:
    """The error for a missing or damaged installed file says 'geo update FILE again': the
    same file (not newer than the record of the damaged one) is then installed."""
    country = _country(tmp_path)
    install_files([country])
    installed = bundled_dataset("country").file
    if damage == "missing":
        installed.unlink()
    else:
        installed.write_bytes(installed.read_bytes() + b"x")
    with pytest.raises(ConfigError, match="geo update FILE"):
        open_bundled("country").close()
    (done,) = install_files([country])
    assert done.built == date(2026, 11, 30)
    with open_lookup() as geo:
        assert geo.lookup("8.8.8.8").country == "SE"
    with pytest.raises(InputError, match="not newer"):  # an intact file is still compared
        install_files([country])
