"""``leaktrace geo info|update|reset`` through the real entry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from leaktrace.geo.bundled import DATASETS
from tests.cli.conftest import Run, run  # noqa: F401 - the fixture
from tests.geo.conftest import write


def test_info_shows_files_dates_sources_licences_and_hashes(run: Run) -> None:  # noqa: F811
    result = run("geo", "info")
    assert result.code == 0, result.err
    assert "country: geo-whois-asn-country.mmdb (shipped, in use)" in result.out
    assert "asn: asn.mmdb (shipped, in use)" in result.out
    assert "built: 2026-06-17" in result.out
    assert "npm @ip-location-db/asn 2.3.2026061719" in result.out
    assert "IP Geolocation by DB-IP (https://db-ip.com)" in result.out
    assert "has known errors" in result.out and "data/geo/README.md" in result.out
    for shipped in DATASETS.values():
        assert f"sha256: {shipped.sha256} (checksum ok)" in result.out
    rows = json.loads(run("geo", "info", "--format", "json").out)
    assert [(r["kind"], r["state"], r["checksum"]) for r in rows] == [
        ("country", "shipped, in use", "ok"),
        ("asn", "shipped, in use", "ok"),
    ]


def test_update_then_reset(run: Run, tmp_path: Path) -> None:  # noqa: F811
    newer = write(
        tmp_path / "GeoLite2-Country.mmdb",
        "GeoLite2-Country",
        {"8.8.8.0/24": {"country": {"iso_code": "DE"}}},
        built=datetime(2026, 12, 1, tzinfo=UTC),
    )
    result = run("geo", "update", str(newer))
    assert result.code == 0, result.err
    assert (
        "country: GeoLite2-Country.mmdb (GeoLite2-Country, MaxMind GeoLite2 EULA, built "
        "2026-12-01) now in use, instead of geo-whois-asn-country.mmdb (built 2026-06-17)"
        in result.out
    )
    assert "(mode 644)" in result.out
    rows = json.loads(run("geo", "info", "--format", "json").out)
    assert [(r["kind"], r["state"]) for r in rows] == [
        ("country", "installed, in use"),
        ("country", "shipped, not used"),
        ("asn", "shipped, in use"),
    ]
    assert rows[0]["attribution"].startswith("This product includes GeoLite2 data")
    again = run("geo", "update", str(newer))  # same date: not newer
    assert again.code == 65 and "not newer than the country data in use" in again.err
    assert "Traceback" not in again.err
    assert run("geo", "reset").out.startswith("removed the installed country data")
    assert "nothing installed" in run("geo", "reset").out


def test_bad_files_are_one_clear_line(run: Run, tmp_path: Path) -> None:  # noqa: F811
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"\x00" * 64)
    result = run("geo", "update", str(junk))
    assert result.code == 65
    assert result.err.strip() == f"error: {junk}: not a MaxMind DB (.mmdb) file, or a damaged one"
    missing = run("geo", "update", str(tmp_path / "none.mmdb"))
    assert missing.code == 65 and "none.mmdb: cannot read: no such file" in missing.err
