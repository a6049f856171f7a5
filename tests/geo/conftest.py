"""User files for the look-up tests, written with mmdb_writer (IPv6 trees, IPv4 mapped)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet


class _DatedWriter(MMDBWriter):  # type: ignore[misc]
    built: datetime | None = None

    def _build_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = super()._build_meta()
        if self.built is not None:
            meta["build_epoch"] = int(self.built.timestamp())
        return meta


def write(
    path: Path,
    kind: str,
    networks: dict[str, dict[str, Any]],
    *,
    built: datetime | None = None,
) -> Path:
    """An MMDB file of type ``kind`` (built now, or at ``built``)."""
    writer = _DatedWriter(ip_version=6, ipv4_compatible=True, database_type=kind, description="t")
    writer.built = built
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def user_country(tmp_path: Path) -> Path:
    """GeoLite2-Country layout: Google's DNS put in Germany, an IPv6 block in Japan."""
    return write(
        tmp_path / "GeoLite2-Country.mmdb",
        "GeoLite2-Country",
        {
            "8.8.8.0/24": {"country": {"iso_code": "DE"}},
            "2001:4860::/32": {"registered_country": {"iso_code": "JP"}},
        },
    )


@pytest.fixture
def user_asn(tmp_path: Path) -> Path:
    """GeoLite2-ASN layout: 8.8.8.0/24 is AS64500 'Example Transit'."""
    return write(
        tmp_path / "GeoLite2-ASN.mmdb",
        "GeoLite2-ASN",
        {
            "8.8.8.0/24": {
                "autonomous_system_number": 64500,
                "autonomous_system_organization": "Example Transit",
            }
        },
    )
