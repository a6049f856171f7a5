"""The shipped ip-location-db data: provenance, pinned hashes, licence, attribution, date."""

from __future__ import annotations

import ipaddress
import shutil
from datetime import date
from pathlib import Path

import pytest

from leaktrace.errors import ConfigError
from leaktrace.geo.bundled import (
    ATTRIBUTION,
    DATASETS,
    DBIP_ATTRIBUTION,
    bundled_data_dir,
    bundled_dataset,
    open_bundled,
    sha256_of,
)

DATA = bundled_data_dir()


def test_shipped_files_match_their_pinned_hashes_and_provenance() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for kind in ("country", "asn"):
        dataset = bundled_dataset(kind)
        assert not dataset.installed and dataset.file.parent == DATA
        assert sha256_of(dataset.file) == dataset.sha256 == DATASETS[kind].sha256
        assert dataset.sha256 in readme  # the provenance file names the same bytes
        assert (dataset.licence, dataset.attribution) == ("CC BY 4.0", ATTRIBUTION)
        assert dataset.build_date == date(2026, 6, 17)
        assert dataset.source.startswith("npm @ip-location-db/")
        assert dataset.file.stat().st_size < 25_000_000
    for licence in ("NRO_LICENSE", "ROUTEVIEWS-LICENSE", "DBIP-LICENSE"):
        assert "Creative Commons Attribution 4.0" in (DATA / licence).read_text()
    assert ATTRIBUTION == "CC BY 4.0: NRO, RouteViews; IP Geolocation by DB-IP (https://db-ip.com)"
    assert DBIP_ATTRIBUTION in ATTRIBUTION
    with pytest.raises(ValueError, match="no bundled dataset"):
        bundled_dataset("city")


def test_read_with_maxminddb() -> None:
    asn = open_bundled("asn")
    country = open_bundled("country")
    try:
        google = ipaddress.ip_address("8.8.8.8")
        assert asn.get(google) == {
            "autonomous_system_number": 15169,
            "autonomous_system_organization": "Google LLC",
        }
        assert country.get(google) == {"country_code": "US"}
        assert asn.get(ipaddress.ip_address("2001:4860:4860::8888")) is not None  # IPv6 too
        assert asn.label() == "asn.mmdb (ip-location-db, built 2026-06-17)"
        assert asn.bundled and asn.attribution == ATTRIBUTION and asn.licence == "CC BY 4.0"
        assert (country.provides, asn.provides) == ({"country"}, {"asn"})
        assert (country.record_kinds(), asn.record_kinds()) == ({"country"}, {"asn"})
    finally:
        asn.close()
        country.close()


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA / DATASETS["asn"].file, folder)
    return folder


def test_a_copy_of_the_data_folder_works(tmp_path: Path) -> None:
    file = open_bundled("asn", _copy(tmp_path))
    assert file.get(ipaddress.ip_address("1.1.1.1")) is not None
    file.close()


def test_damaged_data_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "asn.mmdb"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: the pinned hash no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="checksum mismatch") as caught:
        open_bundled("asn", folder)
    assert str(path) in str(caught.value) and "reinstall leaktrace" in str(caught.value)
    path.unlink()
    with pytest.raises(ConfigError, match="missing or damaged"):
        open_bundled("asn", folder)
