from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.swarm.model import INFRASTRUCTURE, PEER, SwarmError, SwarmRecord
from leaktrace.swarm.reader import parse_swarm

HEADER = b"time,infohash,ip,port,client,seeder,completed,tag\n"
HASH = "0123456789abcdef0123456789abcdef01234567"


def _one(raw: bytes, name: str = "s.csv") -> SwarmRecord | SwarmError:
    entries = list(parse_swarm(raw, name))
    assert len(entries) == 1, entries
    return entries[0]


def test_csv_row() -> None:
    record = _one(
        HEADER
        + f"2024-03-01T12:00:00+01:00,{HASH},198.51.100.7,6881,"
        "-qB4630-abcdefghijkl,false,1,\n".encode()
    )
    assert isinstance(record, SwarmRecord)
    assert record.observed_at == datetime(2024, 3, 1, 11, tzinfo=UTC)
    assert record.infohash == HASH
    assert str(record.ip) == "198.51.100.7"
    assert record.port == 6881
    assert record.client == "qBittorrent 4.6.3"  # the per-session part of the peer id is gone
    assert record.completed and not record.seeder
    assert record.role == PEER
    assert "198.51.100.7" not in repr(record)


def test_jsonl_row_unix_time_base32_and_infrastructure_tag() -> None:
    b32 = base64.b32encode(bytes.fromhex(HASH)).decode()
    raw = (
        f'{{"time": 1709294400, "infohash": "{b32}", "ip": "[2001:db8::1]", "seeder": true, '
        '"tag": "Seedbox", "extra": "ignored"}\n'
    ).encode()
    record = _one(raw, "s.jsonl")
    assert isinstance(record, SwarmRecord)
    assert record.infohash == HASH
    assert record.observed_at == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert record.seeder and record.completed  # a seeder has the whole file
    assert record.role == INFRASTRUCTURE
    assert record.port is None


def test_ipv4_mapped_address_is_read_as_ipv4() -> None:
    record = _one(
        b'{"time": 1709294400, "infohash": "%s", "ip": "::ffff:198.51.100.9"}' % HASH.encode(),
        "x.jsonl",
    )
    assert isinstance(record, SwarmRecord)
    assert str(record.ip) == "198.51.100.9"


def test_unknown_tag_is_an_ordinary_peer() -> None:
    record = _one(HEADER + f"1709294400,{HASH},198.51.100.7,,,,,seed-box\n".encode())
    assert isinstance(record, SwarmRecord)
    assert record.role == PEER


def test_bad_rows_name_file_line_and_field() -> None:
    raw = (
        HEADER
        + (
            f"1709294400,{HASH},198.51.100.7,6881,,false,false,\n"
            f"1709294400,{HASH},198.51.100.999,6881,,false,false,\n"
            f"yesterday,{HASH},198.51.100.7,6881,,false,false,\n"
            f"1709294400,xyz,198.51.100.7,6881,,false,false,\n"
            f"1709294400,{HASH},198.51.100.8,99999,,false,false,\n"
            f"1709294400,{HASH},198.51.100.8,1,,maybe,false,\n"
            f"1709294400,{HASH},,1,,false,false,\n"
        ).encode()
    )
    entries = list(parse_swarm(raw, "obs.csv"))
    assert isinstance(entries[0], SwarmRecord)
    errors = [(e.file, e.line, e.field) for e in entries[1:] if isinstance(e, SwarmError)]
    assert errors == [
        ("obs.csv", 3, "ip"),
        ("obs.csv", 4, "time"),
        ("obs.csv", 5, "infohash"),
        ("obs.csv", 6, "port"),
        ("obs.csv", 7, "seeder"),
        ("obs.csv", 8, "ip"),
    ]
    for error in entries[1:]:
        assert "198.51.100" not in str(error)  # errors never repeat an address
        assert "99999" not in str(error)


def test_jsonl_errors() -> None:
    raw = b'not json\n[1,2]\n\n{"time": 1709294400, "infohash": "%s"}\n' % HASH.encode()
    entries = list(parse_swarm(raw, "x.jsonl"))
    assert [(e.line, e.field) for e in entries if isinstance(e, SwarmError)] == [
        (1, None),
        (2, None),
        (4, "ip"),
    ]


def test_missing_columns_and_empty_file() -> None:
    (error,) = parse_swarm(b"time,ip\n1,2\n", "a.csv")
    assert isinstance(error, SwarmError) and error.field == "infohash" and error.line == 1
    (error,) = parse_swarm(b"", "a.csv")
    assert isinstance(error, SwarmError) and "empty" in error.reason
    (error,) = parse_swarm(HEADER + b"\xff\xfe\n", "a.csv")
    assert isinstance(error, SwarmError) and error.line == 2


def test_v2_infohash_is_refused_clearly() -> None:
    error = _one(HEADER + b"1709294400," + b"ab" * 32 + b",198.51.100.7,,,,,\n")
    assert isinstance(error, SwarmError) and "v2" in error.reason


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=400), fmt=st.sampled_from(["csv", "jsonl"]))
def test_any_bytes_give_records_or_typed_errors(raw: bytes, fmt: str) -> None:
    for entry in parse_swarm(raw, f"fuzz.{fmt}"):
        assert isinstance(entry, SwarmRecord | SwarmError)
        if isinstance(entry, SwarmError):
            assert entry.file == f"fuzz.{fmt}"


_cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", HASH, "198.51.100.7", "2001:db8::1", "1709294400", "true", "0", "seedbox"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_cells, min_size=0, max_size=9), max_size=6))
def test_any_csv_cells_give_records_or_typed_errors(rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in rows:
        writer.writerow(cells)
    raw = HEADER + buffer.getvalue().encode("utf-8", "surrogatepass")
    for entry in parse_swarm(raw, "cells.csv"):
        assert isinstance(entry, SwarmRecord | SwarmError)


@settings(max_examples=300, deadline=None)
@given(
    value=st.dictionaries(
        st.sampled_from(["time", "infohash", "ip", "port", "client", "seeder", "completed", "tag"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=50),
            st.lists(st.integers(), max_size=2),
            st.just(HASH),
            st.just("198.51.100.7"),
        ),
    )
)
def test_any_json_object_gives_a_record_or_typed_error(value: dict[str, object]) -> None:
    import json

    raw = json.dumps(value).encode()
    for entry in parse_swarm(raw, "obj.jsonl"):
        assert isinstance(entry, SwarmRecord | SwarmError)


@pytest.mark.parametrize("written", ["198.51.100.7", "[2001:db8::7]:6881", "198-51-100-7"])
def test_an_address_in_the_time_field_is_not_repeated(written: str) -> None:
    """A crawler that shifted its columns puts a peer's address where the time belongs:
    the error says the time is wrong without printing the address."""
    raw = f'{{"time": "{written}", "infohash": "{HASH}", "ip": "192.0.2.1"}}\n'.encode()
    (error,) = parse_swarm(raw, "x.jsonl")
    assert isinstance(error, SwarmError) and error.field == "time"
    assert "is not a time" in str(error)
    for part in ("198.51.100", "198-51-100", "2001:db8"):
        assert part not in str(error)
