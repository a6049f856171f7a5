"""Fixtures for the analytics tests: one synthetic dataset, one DuckDB and one Spark
engine per test session (Spark starts a JVM: ~4 s, so it is started once)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine
    from leaktrace.analytics.synthetic import SyntheticSpec

ROWS = 100_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "spark: runs on a local Apache Spark (skipped without Java or pyspark)"
    )


def _missing(*modules: str) -> str | None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            return module
    return None


def _need_analytics() -> None:
    missing = _missing("ibis", "duckdb", "pyarrow", "numpy")
    if missing is not None:
        pytest.skip(f"{missing} is not installed (pip install -e '.[spark]')")


@pytest.fixture(scope="session")
def spec() -> SyntheticSpec:
    _need_analytics()
    from leaktrace.analytics.synthetic import SyntheticSpec

    # Few works and days: groups of a useful size for the sketches in 100 k rows.
    return SyntheticSpec(works=20, days=10, hosts=120, evidence=600)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory, spec: SyntheticSpec) -> Path:
    from leaktrace.analytics.synthetic import generate_dataset

    return generate_dataset(
        tmp_path_factory.mktemp("analytics-data"),
        ROWS,
        spec,
        row_group_size=25_000,
        rows_per_file=50_000,
    )


@pytest.fixture(scope="session")
def duck() -> Iterator[Engine]:
    _need_analytics()
    from leaktrace.analytics.engines import duckdb_engine

    engine = duckdb_engine()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    _need_analytics()
    missing = _missing("pyspark")
    if missing is not None:
        pytest.skip("pyspark is not installed (pip install -e '.[spark]')")
    from leaktrace.analytics.engines import java_available, spark_engine

    if not java_available():
        pytest.skip("Spark needs Java (none on JAVA_HOME or PATH)")
    engine = spark_engine(
        "local[2]",
        shuffle_partitions=4,
        driver_memory="1g",
        warehouse_dir=tmp_path_factory.mktemp("spark-warehouse"),
        config={"spark.sql.adaptive.coalescePartitions.enabled": "true"},
    )
    yield engine
    engine.close()
