"""tools/geo_asn_mmdb.py: ip-location-db's ASN CSV into the GeoLite2-ASN record layout."""

from __future__ import annotations

import importlib.util
import ipaddress
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from leaktrace.geo.install import known_licence
from leaktrace.geo.mmdb import open_mmdb
from leaktrace.geo.records import asn_of

TOOL = Path(__file__).resolve().parents[2] / "tools" / "geo_asn_mmdb.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("geo_asn_mmdb", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ranges_become_records_with_the_datas_date(tmp_path: Path) -> None:
    v4 = tmp_path / "asn-ipv4.csv"
    v4.write_text('1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n8.8.4.0,8.8.8.255,15169,Google\n')
    v6 = tmp_path / "asn-ipv6.csv"
    v6.write_text("2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google\n")
    out = tmp_path / "asn.mmdb"
    built = datetime(2026, 6, 17, 19, tzinfo=UTC)
    assert _tool().build([v4, v6], out, built) == 3
    file = open_mmdb(out)
    try:
        assert file.built == date(2026, 6, 17) and file.database_type == "ip-location-db-asn"
        assert known_licence(file.database_type) is not None  # geo update recognises it
        assert file.record_kinds() == {"asn"}

        def at(address: str) -> tuple[int | None, str | None]:
            record = file.get(ipaddress.ip_address(address))
            return (None, None) if record is None else asn_of(record)

        assert at("1.0.0.7") == (13335, "Cloudflare, Inc.")
        assert at("8.8.6.1") == at("8.8.8.255") == (15169, "Google")  # a range, not a CIDR
        assert at("8.8.9.0") == at("1.0.1.0") == (None, None)
        assert at("2001:4860:4860::8888") == (15169, "Google")
    finally:
        file.close()
    again = tmp_path / "again.mmdb"
    _tool().build([v4, v6], again, built)
    assert again.read_bytes() == out.read_bytes()  # the same input gives the same bytes


def test_a_malformed_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "asn-ipv4.csv"
    bad.write_text("1.0.0.0,1.0.0.255,13335,Cloudflare\n1.0.4.0,1.0.7.255,AS38803,Gtelecom\n")
    with pytest.raises(ValueError, match=r"asn-ipv4.csv:2: not first,last,asn,organisation"):
        _tool().build([bad], tmp_path / "out.mmdb", datetime(2026, 1, 1, tzinfo=UTC))
