"""A downloader's address never reaches the database through any field.

Addresses, in the spellings people and tools write them, are put into every free-text
field of a swarm file (client, tag, unknown columns, the fields that make a row invalid,
the file's own name); after the import, the text of every table must hold none of them.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

from leaktrace.geo import open_lookup
from leaktrace.store.database import Database
from leaktrace.swarm.importer import import_swarm_files
from leaktrace.swarm.privacy import ADDRESS_MASK, mask_addresses
from tests.swarm.conftest import HASH_A, KEY

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def spellings(address: Address) -> list[str]:
    """Ways an address is written: plain, bracketed with a port, zero-padded, upper case,
    exploded, IPv4-mapped IPv6, with dashes."""
    if isinstance(address, ipaddress.IPv4Address):
        dotted = str(address)
        parts = dotted.split(".")
        return [
            dotted,
            f"{dotted}:6881",
            ".".join(p.zfill(3) for p in parts),
            f"::ffff:{dotted}",
            "-".join(parts),
        ]
    return [
        address.compressed,
        address.exploded,
        address.compressed.upper(),
        f"[{address.compressed}]:51413",
    ]


def needles(address: Address) -> set[str]:
    """What must not be found (lower case): every spelling and the canonical forms."""
    found = {s.lower() for s in spellings(address)} | {address.compressed, address.exploded}
    return {n.strip("[]").split("]:")[0] for n in found}


addresses = st.one_of(
    st.ip_addresses(v=4).filter(lambda a: not a.is_unspecified),
    st.ip_addresses(v=6).filter(lambda a: len(a.compressed) >= 8 and a.ipv4_mapped is None),
)


def _rows(peer: Address, text: str) -> list[dict[str, Any]]:
    base = {"time": "2024-03-01T12:00:00Z", "infohash": HASH_A, "ip": str(peer)}
    return [
        # accepted rows: the address in each free-text field and in unknown columns
        {**base, "client": text, "tag": text, "note": text, text: "x"},
        {**base, "port": 6881, "client": f"-qB4630-{text}", "tag": f"seedbox {text}"},
        {**base, "port": 6882, "client": f"qBittorrent/{text}", "completed": True},
        {**base, "port": 6883, "client": f"qBittorrent 4.6.3 {text}", "seeder": True},
        # rejected rows: the address where a valid value belongs
        {**base, "time": text},
        {**base, "infohash": text},
        {**base, "ip": text + "x"},
        {**base, "port": text},
        {**base, "seeder": text},
    ]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    folder = tmp_path_factory.mktemp("no-address")
    database = Database(str(folder / "swarm.db"))
    yield database, folder
    database.close()


def _all_text(db: Database) -> list[str]:
    metadata = MetaData()
    metadata.reflect(db.engine)
    found: list[str] = []
    with db.reading() as conn:
        for table in metadata.sorted_tables:
            for values in conn.execute(select(table)):
                found.extend(str(v).lower() for v in values if isinstance(v, str))
    return found


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    peer=addresses,
    written=addresses,
    spelling=st.integers(0, 4),
    kind=st.sampled_from(["jsonl", "csv"]),
)
def test_addresses_in_free_text_never_reach_the_database(
    shared: tuple[Database, Path], peer: Address, written: Address, spelling: int, kind: str
) -> None:
    db, folder = shared
    forms = spellings(written)
    text = forms[spelling % len(forms)]
    rows = _rows(peer, text)
    path = folder / f"swarm {text} {len(list(folder.iterdir()))}.{kind}"
    if kind == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    else:
        columns = sorted({c for r in rows for c in r}, key=str)
        lines = [",".join(json.dumps(c) for c in columns)]
        lines += [",".join(json.dumps(str(r.get(c, ""))) for c in columns) for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_lookup(bundled=False) as geo:
        report = import_swarm_files(db, [path], KEY, geo)
    assert report.accepted == 4 and report.rejected == 5, report.as_dict()["errors"]
    stored = "\n".join(_all_text(db))
    raw = b"".join(p.read_bytes() for p in folder.glob("swarm.db*")).lower()
    for needle in needles(written) | needles(peer):
        assert needle not in stored, needle
        assert needle.encode() not in raw, needle  # nor anywhere in the files (-wal too)
    assert "unknown" in stored and ADDRESS_MASK in stored  # the fields were stored, masked


@given(
    address=addresses,
    spelling=st.integers(0, 4),
    before=st.text("abcxyz_-/ .", max_size=8),
    after=st.text("xyz_-/ .", max_size=8),
)
def test_mask_addresses_finds_every_spelling(
    address: Address, spelling: int, before: str, after: str
) -> None:
    forms = spellings(address)
    text = before + forms[spelling % len(forms)] + after
    masked = mask_addresses(text).lower()
    assert ADDRESS_MASK in masked
    for needle in needles(address):
        assert needle not in masked, (text, masked)


@pytest.mark.parametrize(
    "kept",
    ["2024-03-01T12:00:00Z", "swarm-2024-03-01.csv", "v1.2.3", "/data/exports/leaks.csv", "a:b"],
)
def test_mask_addresses_leaves_other_text(kept: str) -> None:
    assert mask_addresses(kept) == kept
