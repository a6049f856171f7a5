"""Reserved addresses: a fast range search that agrees with ``ipaddress``."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.geo.reserved import RESERVED_V4, is_reserved

SPECIAL = ipaddress.ip_network("192.0.0.0/24")  # Python versions differ on two addresses


@pytest.mark.parametrize(
    ("address", "reserved"),
    [
        ("198.51.100.23", True),  # documentation (the shipped data says AU)
        ("203.0.113.77", True),
        ("192.0.2.1", True),
        ("2001:db8:4b1d::beef:17", True),  # documentation (the shipped data says JP)
        ("10.1.2.3", True),
        ("100.64.0.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("0.0.0.0", True),
        ("255.255.255.255", True),
        ("8.8.8.8", False),
        ("81.2.69.160", False),
        ("1.0.0.0", False),
        ("2001:4860:4860::8888", False),
        ("2a00:1450::1", False),
    ],
)
def test_examples(address: str, reserved: bool) -> None:
    assert is_reserved(ipaddress.ip_address(address)) is reserved


EDGES = sorted(
    {
        max(0, min(2**32 - 1, int(edge) + step))
        for network in map(ipaddress.ip_network, RESERVED_V4)
        for edge in (network.network_address, network.broadcast_address)
        for step in (-1, 0, 1)
    }
)


@given(st.integers(min_value=0, max_value=2**32 - 1) | st.sampled_from(EDGES))
def test_ipv4_agrees_with_ipaddress(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    if address.is_multicast or address in SPECIAL:
        return
    assert is_reserved(address) is (not address.is_global)
