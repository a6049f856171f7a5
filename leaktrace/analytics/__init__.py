"""Analytics engine: aggregations written once (ibis), run on DuckDB or Apache Spark.

    from leaktrace.analytics import ParquetSource, downloads, duckdb_engine, run
    with duckdb_engine() as engine:
        table = run(downloads(), engine, ParquetSource(directory))

ibis, DuckDB and pyarrow come with LeakTrace; Spark needs the ``spark`` extra (PySpark
and Java 17). Names load on first use, so importing ``leaktrace`` or this package imports
none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leaktrace.analytics.aggregations import (
        DOWNLOAD_KEYS,
        UNKNOWN_COUNTRY,
        Aggregation,
        country_counts,
        downloads,
        group_activity,
        standard_aggregations,
        target_list,
    )
    from leaktrace.analytics.engines import (
        ENGINES,
        AnalyticsError,
        ArrowSource,
        Engine,
        ParquetSource,
        Source,
        duckdb_engine,
        java_available,
        open_engine,
        run,
        spark_engine,
        to_sql,
    )
    from leaktrace.analytics.export import database_source, engine_and_source, export_parquet
    from leaktrace.analytics.synthetic import (
        SyntheticSpec,
        generate_dataset,
        observation_batches,
        reference_tables,
    )

_WHERE = {
    "Aggregation": "aggregations",
    "country_counts": "aggregations",
    "downloads": "aggregations",
    "group_activity": "aggregations",
    "standard_aggregations": "aggregations",
    "target_list": "aggregations",
    "AnalyticsError": "engines",
    "ArrowSource": "engines",
    "Engine": "engines",
    "ParquetSource": "engines",
    "Source": "engines",
    "duckdb_engine": "engines",
    "java_available": "engines",
    "open_engine": "engines",
    "ENGINES": "engines",
    "UNKNOWN_COUNTRY": "aggregations",
    "DOWNLOAD_KEYS": "aggregations",
    "run": "engines",
    "spark_engine": "engines",
    "to_sql": "engines",
    "export_parquet": "export",
    "database_source": "export",
    "engine_and_source": "export",
    "SyntheticSpec": "synthetic",
    "generate_dataset": "synthetic",
    "observation_batches": "synthetic",
    "reference_tables": "synthetic",
}

__all__ = [
    "DOWNLOAD_KEYS",
    "ENGINES",
    "UNKNOWN_COUNTRY",
    "Aggregation",
    "AnalyticsError",
    "ArrowSource",
    "Engine",
    "ParquetSource",
    "Source",
    "SyntheticSpec",
    "country_counts",
    "database_source",
    "downloads",
    "duckdb_engine",
    "engine_and_source",
    "export_parquet",
    "generate_dataset",
    "group_activity",
    "java_available",
    "observation_batches",
    "open_engine",
    "reference_tables",
    "run",
    "spark_engine",
    "standard_aggregations",
    "target_list",
    "to_sql",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
