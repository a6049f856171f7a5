"""A user's MaxMind DB file: opened with maxminddb, failures named, contents recognised."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.geo.mmdb import open_mmdb
from tests.geo.conftest import write
from tests.swarm.mmdb import write_mmdb


def test_label_and_contents(user_country: Path, user_asn: Path) -> None:
    country = open_mmdb(user_country, option="--geoip")
    asn = open_mmdb(user_asn)
    try:
        assert country.label().startswith("GeoLite2-Country.mmdb (GeoLite2-Country, built ")
        assert country.provides == {"country"} and asn.provides == {"asn"}
        assert not country.bundled and country.attribution is None
        record = country.get(ipaddress.ip_address("8.8.8.8"))
        assert record == {"country": {"iso_code": "DE"}}
        assert country.get(ipaddress.ip_address("9.9.9.9")) is None
    finally:
        country.close()
        asn.close()


def test_contents_are_probed_when_the_type_says_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.mmdb", "Vendor-Data", {"8.8.8.0/24": {"asn": "AS64500"}})
    file = open_mmdb(path)
    assert file.provides == {"asn"} and file.label().startswith("odd.mmdb (Vendor-Data, built ")
    file.close()


def test_ipv6_against_an_ipv4_only_file_finds_nothing(tmp_path: Path) -> None:
    path = write_mmdb(tmp_path / "v4.mmdb", {"81.2.69.0/24": {"country_code": "GB"}})
    file = open_mmdb(path)
    assert file.ipv4_only
    assert file.get(ipaddress.ip_address("2001:db8::1")) is None
    assert file.get(ipaddress.ip_address("81.2.69.1")) == {"country_code": "GB"}
    file.close()


def test_loosely_typed_metadata_is_read_by_the_pure_python_reader(tmp_path: Path) -> None:
    path = write_mmdb(tmp_path / "loose.mmdb", {"81.2.69.0/24": {"asn": 1}}, spec_types=False)
    file = open_mmdb(path)
    assert file.get(ipaddress.ip_address("81.2.69.9")) == {"asn": 1}
    assert file.provides == {"asn"}
    file.close()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("dir", "not a file"),
        (b"", "not a MaxMind DB (.mmdb) file, or a damaged one"),
        (b"not a database", "not a MaxMind DB (.mmdb) file, or a damaged one"),
        (b"\xab\xcd\xefMaxMind.com\xe0", "not a MaxMind DB (.mmdb) file, or a damaged one"),
    ],
)
def test_failures_name_the_file_and_option(
    tmp_path: Path, content: bytes | str | None, reason: str
) -> None:
    path = tmp_path / "given.mmdb"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        open_mmdb(path, option="--asn-db")
    assert (caught.value.file, caught.value.field, caught.value.reason) == (
        str(path),
        "--asn-db",
        reason,
    )
    assert str(caught.value) == f"{path}, field '--asn-db': {reason}"


def test_a_truncated_file_is_refused_or_finds_nothing(tmp_path: Path, user_asn: Path) -> None:
    data = user_asn.read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 50)):
        path = tmp_path / f"cut{cut}.mmdb"
        path.write_bytes(data[:cut])
        try:
            file = open_mmdb(path)
        except InputError as error:
            assert error.file == str(path)
            continue
        file.provides  # noqa: B018 - reads the first records; must not raise
        file.get(ipaddress.ip_address("8.8.8.8"))
        file.close()
