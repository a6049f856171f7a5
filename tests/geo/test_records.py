"""Country, ASN and organisation out of GeoLite2/DB-IP/IPinfo record layouts."""

from __future__ import annotations

from typing import Any

import pytest

from leaktrace.geo.records import asn_of, country_of


@pytest.mark.parametrize(
    ("record", "country"),
    [
        ({"country": {"iso_code": "US"}, "registered_country": {"iso_code": "CA"}}, "US"),
        ({"continent": {"code": "EU"}, "registered_country": {"iso_code": "FR"}}, "FR"),
        ({"country_code": "gb"}, "GB"),
        ({"country_iso_code": "NL"}, "NL"),
        ({"country": {"iso_code": "EU1"}}, None),
        ({"country": "Germany"}, None),
        ({"country_code": "é1"}, None),
        ({}, None),
    ],
)
def test_country_layouts(record: dict[str, Any], country: str | None) -> None:
    assert country_of(record) == country


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"autonomous_system_number": 15169, "autonomous_system_organization": "Google LLC"},
            (15169, "Google LLC"),
        ),
        ({"asn": "AS64500", "as_name": "Example"}, (64500, "Example")),
        ({"asn": "as64501"}, (64501, None)),
        ({"asn": 64502, "organization": " Org ", "isp": "ISP"}, (64502, "Org")),
        ({"isp": "Only An ISP"}, (None, "Only An ISP")),
        ({"asn": True}, (None, None)),
        ({"asn": 0}, (None, None)),
        ({"asn": 2**31}, (None, None)),  # does not fit the signed 32-bit column
        ({"asn": 2**31 - 1}, (2**31 - 1, None)),
        ({"asn": "ASxyz"}, (None, None)),
    ],
)
def test_asn_layouts(record: dict[str, Any], expected: tuple[int | None, str | None]) -> None:
    assert asn_of(record) == expected
