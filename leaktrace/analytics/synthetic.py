"""Synthetic swarm observations (and releases, hosts, evidence) for tests and benchmarks.

Vectorised with numpy and written to Parquet one row group per batch, so 100 million
rows never sit in memory at once (a batch of a million rows is ~150 MB).

The model: observations belong to download *sessions* (a peer fetching one release of a
work, ~8 observations over a day or two). A session fixes its peer, work (Zipf: a few
works draw most downloads), release, starting day and whether it completes; a peer fixes
its country (Zipf over 30 countries, 2 % unknown), ASN, client, ``peer_key`` (64 hex
digits, standing in for the HMAC) and whether it is infrastructure (0.3 %: a seedbox,
the only rows with a ``peer_ip``). Everything follows from hashes of the session and
peer numbers, so batches agree with each other without shared state and a seed
reproduces the data exactly.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from leaktrace.analytics.aggregations import HOST_EVIDENCE, HOSTS, OBSERVATIONS, RELEASES
from leaktrace.analytics.export import arrow_schema
from leaktrace.store.schema import HOST_EVIDENCE as HOST_EVIDENCE_TABLE
from leaktrace.store.schema import HOSTS as HOSTS_TABLE
from leaktrace.store.schema import RELEASES as RELEASES_TABLE
from leaktrace.store.schema import SWARM_OBSERVATIONS

__all__ = [
    "OBSERVATION_COLUMNS",
    "SyntheticSpec",
    "dataset_ready",
    "generate_dataset",
    "observation_batches",
    "observation_schema",
    "reference_tables",
]

U64 = npt.NDArray[np.uint64]

OBSERVATION_COLUMNS = (
    "observed_at",
    "infohash",
    "release_id",
    "work_id",
    "peer_key",
    "peer_ip",
    "client",
    "seeder",
    "completed",
    "country",
    "asn",
    "role",
)
RELEASE_COLUMNS = ("id", "name", "group_key", "work_id", "released_at", "status")
HOST_COLUMNS = (
    "id",
    "kind",
    "value",
    "role",
    "first_seen",
    "last_seen",
    "country",
    "asn",
    "organisation",
    "information_source",
    "enriched_at",
    "enrichment_source",
    "notes",
    "reverse_dns",
)
EVIDENCE_COLUMNS = ("id", "host_id", "release_id", "group_key", "kind", "reference", "seen_at")

COUNTRIES = (
    "US",
    "BR",
    "IN",
    "DE",
    "FR",
    "GB",
    "RU",
    "IT",
    "ES",
    "CA",
    "MX",
    "PL",
    "NL",
    "TR",
    "ID",
    "AR",
    "AU",
    "UA",
    "JP",
    "KR",
    "SE",
    "RO",
    "PH",
    "VN",
    "EG",
    "ZA",
    "PT",
    "GR",
    "CZ",
    "CH",
)
CLIENTS = (
    "qBittorrent 4.6",
    "qBittorrent 5.0",
    "Transmission 4.0",
    "uTorrent 3.6",
    "BitTorrent 7.11",
    "Deluge 2.1",
    "libtorrent 2.0",
    "Vuze 5.7",
    "Tixati 3.2",
    "aria2 1.37",
)
HOST_ROLES = ("tracker", "seedbox", "site", "web-seed", "server")
MARKER = "_SUCCESS.json"

_DAY_US = 86_400_000_000
_MASK53 = np.uint64((1 << 53) - 1)


@dataclass(frozen=True)
class SyntheticSpec:
    """Shape of the synthetic data (the defaults give ~700 k work×country×day groups)."""

    seed: int = 0
    works: int = 300
    releases_per_work: int = 3
    days: int = 60
    start: date = date(2024, 1, 1)
    observations_per_session: int = 8
    sessions_per_peer: int = 2
    groups: int = 40
    hosts: int = 200
    evidence: int = 1_500


def _mix(x: U64) -> U64:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash, vectorised."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _salted(x: U64, salt: int, seed: int) -> U64:
    return _mix(x ^ np.uint64((salt * 0x100000001B3 + seed * 0x9E3779B1) & (2**64 - 1)))


def _unit(h: U64) -> npt.NDArray[np.float64]:
    return ((h >> np.uint64(11)) & _MASK53).astype(np.float64) / float(1 << 53)


_HEX_PAIRS = np.array(
    [int.from_bytes(f"{i:02x}".encode(), "little") for i in range(256)], dtype="<u2"
)


def _hex_strings(words: list[U64]) -> pa.Array:
    """Rows of ``len(words)`` 64-bit words as lowercase hex strings, built as raw buffers."""
    n = len(words[0])
    raw = np.stack(words, axis=1).astype(">u8").view(np.uint8)  # n × 8·len(words) bytes
    chars = _HEX_PAIRS[raw].view(np.uint8)  # two ASCII digits per byte
    width = 16 * len(words)
    if n * width >= 2**31:
        raise ValueError("batch too large for 32-bit string offsets")
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(chars.tobytes())
    )


def _zipf_cdf(n: int, exponent: float) -> npt.NDArray[np.float64]:
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    cdf = np.cumsum(weights)
    return np.asarray(cdf / cdf[-1], dtype=np.float64)


def observation_schema() -> pa.Schema:
    """The exported ``swarm_observations`` schema, restricted to the generated columns."""
    schema = arrow_schema(SWARM_OBSERVATIONS, OBSERVATION_COLUMNS)
    return pa.schema([fld.with_nullable(True) for fld in schema])


def _work_ids(spec: SyntheticSpec) -> list[str]:
    return [f"tt{1_000_001 + i:07d}" for i in range(spec.works)]


def _infohashes(spec: SyntheticSpec) -> pa.Array:
    count = spec.works * spec.releases_per_work
    base = np.arange(count, dtype=np.uint64)
    words = [_salted(base, 40 + k, spec.seed) for k in range(3)]
    return pc.utf8_slice_codeunits(_hex_strings(words), 0, 40)


def observation_batches(
    rows: int, spec: SyntheticSpec = SyntheticSpec(), *, batch_size: int = 1_000_000
) -> Iterator[pa.RecordBatch]:
    """``rows`` synthetic observations as record batches of at most ``batch_size``."""
    schema = observation_schema()
    sessions = max(rows // spec.observations_per_session, 1)
    peers = max(sessions // spec.sessions_per_peer, 1)
    rng = np.random.default_rng(spec.seed)
    work_cdf = _zipf_cdf(spec.works, 0.8)
    country_cdf = _zipf_cdf(len(COUNTRIES), 1.0) * 0.98  # the last 2 %: unknown country
    works = pa.array(_work_ids(spec))
    infohashes = _infohashes(spec)
    countries = pa.array(COUNTRIES)
    clients = pa.array(CLIENTS)
    start_us = int(datetime.combine(spec.start, datetime.min.time(), UTC).timestamp()) * 1_000_000
    seed = spec.seed
    done = 0
    while done < rows:
        n = min(batch_size, rows - done)
        done += n
        session = rng.integers(0, sessions, n, dtype=np.uint64)
        peer = _salted(session, 1, seed) % np.uint64(peers)
        work = np.searchsorted(work_cdf, _unit(_salted(session, 2, seed)), side="right")
        work = np.minimum(work, spec.works - 1)
        variant = _salted(session, 3, seed) % np.uint64(spec.releases_per_work)
        release = work.astype(np.uint64) * np.uint64(spec.releases_per_work) + variant
        first_day = (_salted(session, 4, seed) % np.uint64(spec.days)).astype(np.int64)
        day = np.minimum(first_day + rng.integers(0, 2, n), spec.days - 1)
        observed = start_us + day * _DAY_US + rng.integers(0, _DAY_US, n)
        completes = _unit(_salted(session, 5, seed)) < 0.6
        completed = completes & (rng.random(n) < 0.5)

        country = np.searchsorted(country_cdf, _unit(_salted(peer, 6, seed)), side="right")
        known = country < len(COUNTRIES)
        country_idx = pa.array(np.where(known, country, 0).astype(np.int32), mask=~known)
        asn = (
            64_512
            + country.astype(np.int64) * 50
            + (_salted(peer, 7, seed) % np.uint64(50)).astype(np.int64)
        )
        client = (_salted(peer, 8, seed) % np.uint64(len(CLIENTS))).astype(np.int32)
        infra = (_salted(peer, 9, seed) % np.uint64(1000)) < 3
        seeder = infra | (completed & (rng.random(n) < 0.7))
        peer_key = _hex_strings([_salted(peer, 10 + k, seed) for k in range(4)])

        infra_rows = np.flatnonzero(infra)
        octets = (_salted(peer[infra_rows], 20, seed) % np.uint64(65_536)).astype(np.int64)
        ips = pa.array([f"203.0.{o >> 8}.{o & 255}" for o in octets.tolist()], pa.string())
        ip_index = np.zeros(n, dtype=np.int32)
        ip_index[infra_rows] = np.arange(len(infra_rows), dtype=np.int32)
        peer_ip = (
            ips.take(pa.array(ip_index, mask=~infra))
            if len(infra_rows)
            else pa.nulls(n, pa.string())
        )
        role = pa.DictionaryArray.from_arrays(
            pa.array(infra.astype(np.int8)), pa.array(["peer", "seedbox"])
        ).cast(pa.string())

        columns: dict[str, Any] = {
            "observed_at": pa.array(observed, pa.timestamp("us", tz="UTC")),
            "infohash": infohashes.take(pa.array(release)),
            "release_id": pa.array(release.astype(np.int64) + 1),
            "work_id": works.take(pa.array(work)),
            "peer_key": peer_key,
            "peer_ip": peer_ip,
            "client": clients.take(pa.array(client)),
            "seeder": pa.array(seeder),
            "completed": pa.array(completed),
            "country": countries.take(country_idx),
            "asn": pa.array(asn),
            "role": role,
        }
        yield pa.RecordBatch.from_arrays([columns[f.name] for f in schema], schema=schema)


def reference_tables(spec: SyntheticSpec = SyntheticSpec()) -> dict[str, pa.Table]:
    """``releases``, ``hosts`` and ``host_evidence`` to go with the observations."""
    rng = np.random.default_rng(spec.seed + 1)
    start = datetime.combine(spec.start, datetime.min.time(), UTC)
    groups = [f"grp{i:02d}" for i in range(spec.groups)]
    works = _work_ids(spec)

    releases: dict[str, list[Any]] = {name: [] for name in RELEASE_COLUMNS}
    count = spec.works * spec.releases_per_work
    unmatched = max(count // 10, 1)
    for idx in range(count + unmatched):
        matched = idx < count
        group = groups[int(rng.integers(0, spec.groups))]
        releases["id"].append(idx + 1)
        releases["name"].append(f"Title.{idx}.2024.1080p.WEB-DL.x264-{group.upper()}")
        releases["group_key"].append(None if rng.random() < 0.03 else group)
        releases["work_id"].append(works[idx // spec.releases_per_work] if matched else None)
        offset = timedelta(days=float(rng.uniform(-120, spec.days)))
        releases["released_at"].append(start + offset)
        draw = rng.random()
        status = "leak" if draw < 0.25 else "in-window" if draw < 0.85 else "unknown"
        releases["status"].append(status if matched else "unmatched")

    hosts: dict[str, list[Any]] = {name: [] for name in HOST_COLUMNS}
    for idx in range(spec.hosts):
        is_ip = rng.random() < 0.6
        hosts["id"].append(idx + 1)
        hosts["kind"].append("ip" if is_ip else "domain")
        hosts["value"].append(f"198.51.{idx >> 8}.{idx & 255}" if is_ip else f"h{idx}.example")
        hosts["role"].append(HOST_ROLES[int(rng.integers(0, len(HOST_ROLES)))])
        first = start + timedelta(days=float(rng.uniform(-200, spec.days)))
        seen = rng.random() < 0.8
        hosts["first_seen"].append(first if seen else None)
        last = first + timedelta(days=float(rng.uniform(0, 90)))
        hosts["last_seen"].append(last if seen else None)
        country = COUNTRIES[int(rng.integers(0, 12))]
        hosts["country"].append(None if rng.random() < 0.05 else country)
        hosts["asn"].append(int(rng.integers(1000, 70_000)))
        hosts["organisation"].append(f"Hosting {int(rng.integers(0, 40))} Ltd")
        hosts["information_source"].append("synthetic")
        hosts["enriched_at"].append(start if is_ip else None)
        hosts["enrichment_source"].append("synthetic.mmdb" if is_ip else None)
        hosts["notes"].append(None)
        hosts["reverse_dns"].append(f"static-{idx}.hosting.example" if is_ip else None)

    evidence: dict[str, list[Any]] = {name: [] for name in EVIDENCE_COLUMNS}
    for idx in range(spec.evidence):
        release = int(rng.integers(1, count + unmatched + 1))
        evidence["id"].append(idx + 1)
        evidence["host_id"].append(int(rng.integers(1, int(spec.hosts * 0.9) + 1)))
        evidence["release_id"].append(None if rng.random() < 0.1 else release)
        evidence["group_key"].append(groups[int(rng.integers(0, spec.groups))])
        evidence["kind"].append(("announce", "web-seed", "nfo")[int(rng.integers(0, 3))])
        evidence["reference"].append(f"ref-{idx}")
        evidence["seen_at"].append(
            None if rng.random() < 0.1 else start + timedelta(days=float(rng.uniform(-60, 60)))
        )

    def table(source: Any, columns: tuple[str, ...], values: dict[str, list[Any]]) -> pa.Table:
        schema = pa.schema([f.with_nullable(True) for f in arrow_schema(source, columns)])
        return pa.table(
            {name: pa.array(values[name], schema.field(name).type) for name in columns},
            schema=schema,
        )

    return {
        RELEASES: table(RELEASES_TABLE, RELEASE_COLUMNS, releases),
        HOSTS: table(HOSTS_TABLE, HOST_COLUMNS, hosts),
        HOST_EVIDENCE: table(HOST_EVIDENCE_TABLE, EVIDENCE_COLUMNS, evidence),
    }


def _params(rows: int, spec: SyntheticSpec) -> dict[str, Any]:
    return {"rows": rows, "spec": {k: str(v) for k, v in asdict(spec).items()}}


def dataset_ready(directory: str | Path, rows: int, spec: SyntheticSpec = SyntheticSpec()) -> bool:
    """Whether ``directory`` holds a complete dataset made with these parameters."""
    marker = Path(directory) / MARKER
    try:
        return bool(json.loads(marker.read_text()) == _params(rows, spec))
    except (OSError, ValueError):
        return False


def generate_dataset(
    directory: str | Path,
    rows: int,
    spec: SyntheticSpec = SyntheticSpec(),
    *,
    row_group_size: int = 1_000_000,
    rows_per_file: int = 10_000_000,
    compression: str = "zstd",
) -> Path:
    """Write ``rows`` observations to ``<directory>/swarm_observations/part-NNNNN.parquet``
    (``rows_per_file`` each, one row group per ``row_group_size``) and the reference
    tables to ``<directory>/<table>.parquet``; reuse a complete earlier run."""
    out = Path(directory)
    if dataset_ready(out, rows, spec):
        return out
    (out / MARKER).unlink(missing_ok=True)
    parts = out / OBSERVATIONS
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir(parents=True)
    schema = observation_schema()
    writer: pq.ParquetWriter | None = None
    in_file = 0
    part = 0
    try:
        for batch in observation_batches(rows, spec, batch_size=row_group_size):
            if writer is None or in_file >= rows_per_file:
                if writer is not None:
                    writer.close()
                writer = pq.ParquetWriter(
                    parts / f"part-{part:05d}.parquet", schema, compression=compression
                )
                part += 1
                in_file = 0
            writer.write_batch(batch, row_group_size=row_group_size)
            in_file += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    for name, table in reference_tables(spec).items():
        pq.write_table(table, out / f"{name}.parquet", compression=compression)
    (out / MARKER).write_text(json.dumps(_params(rows, spec)))
    return out
