"""The client column keeps a recognised client name and version, else ``unknown``."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.swarm.clients import AZUREUS_CLIENTS, UNKNOWN, identify_client

NAMES = {client.name for client in AZUREUS_CLIENTS.values()} | {"Tixati", "aria2"}
VERSION = re.compile(r"^\d{1,3}(\.\d{1,4}){0,3}$")


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("-qB4620-", "qBittorrent 4.6.2"),
        ("-qB4630-a1b2c3d4e5f6", "qBittorrent 4.6.3"),  # the per-session part is dropped
        ("-TR4050-xyzxyzxyzxyz", "Transmission 4.0.5"),
        ("-TR2940-", "Transmission 2.94"),
        ("-TR0072-", "Transmission 0.72"),
        ("-UT355S-", "µTorrent 3.5.5"),
        ("-LT2090-", "libtorrent 2.0.9"),
        ("-lt0D60-", "rTorrent 0.13.6"),
        ("-DE211s-", "Deluge 2.1.1"),
        ("-BC0201-", "BitComet 2.01"),
        ("-AZ5770-", "Vuze 5.7.7.0"),
        ("-BI3510-", "BiglyBT 3.5.1.0"),
        ("-TIX0305-", "Tixati 3.05"),
        ("qBittorrent/4.6.2", "qBittorrent 4.6.2"),
        ("Transmission 4.0", "Transmission 4.0"),
        ("utorrent 3.5.5", "µTorrent 3.5.5"),
        ("  Deluge 2.1.1 ", "Deluge 2.1.1"),
        # anything else is unknown
        ("-ZZ1234-", UNKNOWN),  # no such client code
        ("-qB4.6.-", UNKNOWN),  # version characters that are no version
        ("MyCrawler 1.0", UNKNOWN),
        ("qBittorrent 4.6.2 on 198.51.100.7", UNKNOWN),
        ("qBittorrent 1.2.3.4", UNKNOWN),  # a plain version has at most three parts
        ("198.51.100.7", UNKNOWN),
        ("2001:db8::1", UNKNOWN),
        ("Transmission", UNKNOWN),
    ],
)
def test_identify_client(given_text: str, expected: str) -> None:
    assert identify_client(given_text) == expected


@given(st.text(max_size=80))
def test_only_a_known_name_and_a_version_come_out(text: str) -> None:
    result = identify_client(text)
    if result != UNKNOWN:
        name, _, version = result.rpartition(" ")
        assert name in NAMES and VERSION.match(version), result
    assert ":" not in result


@given(st.sampled_from(sorted(AZUREUS_CLIENTS)), st.text("0123456789", min_size=4, max_size=4))
def test_every_listed_code_with_digits_is_recognised(code: str, digits: str) -> None:
    result = identify_client(f"-{code}{digits}-" + "x" * 12)
    assert result.startswith(AZUREUS_CLIENTS[code].name + " ")


@given(st.ip_addresses())
def test_an_address_is_never_a_client(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    for spelling in (str(address), f"[{address}]:6881", f"peer {address}"):
        assert identify_client(spelling) == UNKNOWN
