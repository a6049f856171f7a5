"""A tiny MaxMind DB writer for tests (IPv4 search tree, 24-bit records)."""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import Any

_METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


def _control(type_: int, size: int) -> bytes:
    assert size < 285
    extra = b"" if size < 29 else bytes([size - 29])
    field = min(size, 29)
    if type_ <= 7:
        return bytes([(type_ << 5) | field]) + extra
    return bytes([field, type_ - 7]) + extra


class UInt32(int):
    """An integer stored as uint32 whatever its size (the spec's type for ``node_count``)."""


class UInt64(int):
    """An integer stored as uint64 (the spec's type for ``build_epoch``)."""


def encode(value: Any) -> bytes:
    if isinstance(value, UInt32 | UInt64):
        data = int(value).to_bytes(8, "big").lstrip(b"\x00")
        return _control(6 if isinstance(value, UInt32) else 9, len(data)) + data
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, str):
        data = value.encode()
        return _control(2, len(data)) + data
    if isinstance(value, int):
        if value < 0:
            raise ValueError("no negative integers here")
        data = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
        type_ = 5 if value < 1 << 16 else 6 if value < 1 << 32 else 9
        return _control(type_, len(data)) + data
    if isinstance(value, float):
        return _control(3, 8) + struct.pack(">d", value)
    if isinstance(value, dict):
        out = _control(7, len(value))
        for key, inner in value.items():
            out += encode(str(key)) + encode(inner)
        return out
    if isinstance(value, list):
        out = _control(11, len(value))
        for inner in value:
            out += encode(inner)
        return out
    raise TypeError(type(value))


def write_mmdb(
    path: Path,
    networks: dict[str, dict[str, Any]],
    kind: str = "Test",
    *,
    spec_types: bool = True,
) -> Path:
    """Write an IPv4 database mapping each CIDR network to a record.

    ``spec_types=False``: metadata integers in the smallest type, which only the
    pure-Python reader accepts (libmaxminddb wants node_count uint32, build_epoch uint64)."""
    nodes: list[list[Any]] = [[None, None]]
    data = b""
    for cidr, record in networks.items():
        network = ipaddress.IPv4Network(cidr)
        offset = len(data)
        data += encode(record)
        bits = int(network.network_address)
        node = 0
        for depth in range(network.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == network.prefixlen - 1:
                nodes[node][bit] = ("data", offset)
                break
            nxt = nodes[node][bit]
            if nxt is None:
                nodes.append([None, None])
                nodes[node][bit] = ("node", len(nodes) - 1)
                node = len(nodes) - 1
            else:
                assert nxt[0] == "node", "overlapping networks are not supported"
                node = nxt[1]
    count = len(nodes)

    def value(slot: Any) -> int:
        if slot is None:
            return count
        if slot[0] == "node":
            return int(slot[1])
        return count + 16 + int(slot[1])

    tree = b"".join(
        value(left).to_bytes(3, "big") + value(right).to_bytes(3, "big") for left, right in nodes
    )
    metadata = {
        "node_count": UInt32(count) if spec_types else count,
        "record_size": 24,
        "ip_version": 4,
        "database_type": kind,
        "languages": ["en"],
        "binary_format_major_version": 2,
        "binary_format_minor_version": 0,
        "build_epoch": UInt64(1_700_000_000) if spec_types else 1_700_000_000,
        "description": {"en": "LeakTrace test database"},
    }
    path.write_bytes(tree + b"\x00" * 16 + data + _METADATA_MARKER + encode(metadata))
    return path
