"""The synthetic generator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")

from leaktrace.analytics.synthetic import (  # noqa: E402
    SyntheticSpec,
    dataset_ready,
    generate_dataset,
    observation_batches,
    observation_schema,
)

SPEC = SyntheticSpec(works=15, days=7)


def _table(rows: int, spec: SyntheticSpec = SPEC, batch: int = 1_000) -> Any:
    return pa.Table.from_batches(list(observation_batches(rows, spec, batch_size=batch)))


def test_batches_and_schema() -> None:
    batches = list(observation_batches(2_500, SPEC, batch_size=1_000))
    assert [b.num_rows for b in batches] == [1_000, 1_000, 500]
    assert all(b.schema.equals(observation_schema()) for b in batches)


def test_deterministic_per_seed() -> None:
    assert _table(3_000).equals(_table(3_000))
    assert not _table(3_000).equals(_table(3_000, SyntheticSpec(works=15, days=7, seed=1)))


def test_values_look_like_the_store() -> None:
    table = _table(20_000)
    keys = table["peer_key"]
    assert pc.all(pc.match_substring_regex(keys, "^[0-9a-f]{64}$")).as_py()
    assert pc.all(pc.match_substring_regex(table["infohash"], "^[0-9a-f]{40}$")).as_py()
    infra = pc.equal(table["role"], "seedbox")
    assert pc.all(pc.equal(pc.is_valid(table["peer_ip"]), infra)).as_py()
    assert 0 < pc.sum(infra).as_py() < table.num_rows * 0.02
    # seedboxes always seed
    assert pc.all(pc.or_(pc.invert(infra), table["seeder"])).as_py()
    days = pc.cast(table["observed_at"], pa.date32())
    assert pc.min(days).as_py() == SPEC.start
    assert (pc.max(days).as_py() - SPEC.start).days == SPEC.days - 1
    assert pc.count_distinct(table["work_id"]).as_py() == SPEC.works
    # a peer keeps its country across batches (country follows the peer, not the row)
    per_peer = table.group_by("peer_key").aggregate([("country", "count_distinct")])
    assert pc.max(per_peer["country_count_distinct"]).as_py() == 1
    # peers are seen several times: fewer distinct peers than observations
    assert per_peer.num_rows < table.num_rows / 2


def test_generate_dataset_reuses_a_complete_run(tmp_path: Path) -> None:
    out = generate_dataset(tmp_path, 5_000, SPEC, row_group_size=1_000, rows_per_file=2_000)
    parts = sorted((out / "swarm_observations").glob("*.parquet"))
    assert [pq.ParquetFile(p).metadata.num_rows for p in parts] == [2_000, 2_000, 1_000]
    assert pq.ParquetFile(parts[0]).num_row_groups == 2
    for name in ("releases", "hosts", "host_evidence"):
        assert pq.read_table(out / f"{name}.parquet").num_rows > 0
    assert dataset_ready(out, 5_000, SPEC)
    assert not dataset_ready(out, 6_000, SPEC)
    stamp = parts[0].stat().st_mtime_ns
    generate_dataset(tmp_path, 5_000, SPEC, row_group_size=1_000, rows_per_file=2_000)
    assert parts[0].stat().st_mtime_ns == stamp
