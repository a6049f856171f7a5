"""Engines (DuckDB embedded, Apache Spark) and sources (Parquet, Arrow) for the aggregations.

    engine = duckdb_engine()                  # or spark_engine("local[*]") / a cluster URL
    table = run(downloads(), engine, ParquetSource("exports/"))   # a pyarrow.Table

An :class:`Engine` wraps an ibis connection. A source gives the engine its tables:
:class:`ParquetSource` reads ``<directory>/<table>.parquet`` or a directory
``<directory>/<table>/`` of Parquet files (what :func:`export_parquet` and the synthetic
generator write); :class:`ArrowSource` hands over in-memory Arrow tables (small data).

Both engines run in UTC (DuckDB's ``TimeZone``, Spark's ``spark.sql.session.timeZone``),
so days and months cut the same way; :func:`run` returns timestamps as UTC-aware.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import ibis  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]

from leaktrace.analytics.aggregations import Aggregation
from leaktrace.errors import LeakTraceError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend  # type: ignore[import-untyped]
    from ibis.expr import types as ir  # type: ignore[import-untyped]
    from pyspark.sql import SparkSession

__all__ = [
    "DUCKDB_SKETCH_ERROR",
    "SPARK_SKETCH_ERROR",
    "ENGINES",
    "AnalyticsError",
    "ArrowSource",
    "Engine",
    "ParquetSource",
    "Source",
    "duckdb_engine",
    "java_available",
    "open_engine",
    "run",
    "spark_engine",
    "to_sql",
]


DUCKDB_SKETCH_ERROR = 0.035
"""DuckDB 2.0's APPROX_COUNT_DISTINCT: relative standard error measured by
``bench/sketch_error.py`` over 200 sets each of 1,000 to 100,000 distinct keys (2.65 % to
3.3 % over two runs; rounded up)."""
SPARK_SKETCH_ERROR = 0.05
"""Spark's approx_count_distinct default ``rsd`` (HyperLogLog++; measured 4.4 % to 4.8 %)."""


class AnalyticsError(LeakTraceError):
    """An engine cannot start or a source lacks a table."""


@dataclass
class Engine:
    """An ibis connection to one engine (``name`` is ``duckdb`` or ``pyspark``).

    ``sketch_error`` is the relative standard error of the engine's distinct-count sketch
    (``APPROX_COUNT_DISTINCT``): DuckDB's measured by ``bench/sketch_error.py`` (3.5 %),
    Spark's its documented default (``rsd`` 0.05).
    """

    name: str
    con: BaseBackend
    sketch_error: float = 0.0
    session: SparkSession | None = None
    _owns_session: bool = False
    _cleanup: list[Path] = field(default_factory=list)
    _views: dict[tuple[str, str, int], ir.Table] = field(default_factory=dict)
    _counter: int = 0

    def read_parquet(self, path: Path, table: str) -> ir.Table:
        """A view over a Parquet file or a directory of Parquet files (cached per file)."""
        path = path.resolve()
        stamp = path.stat().st_mtime_ns
        key = (str(path), table, stamp)
        cached = self._views.get(key)
        if cached is not None:
            return cached
        self._counter += 1
        view = f"lt_{table}_{self._counter}"
        target = str(path)
        if path.is_dir() and self.name == "duckdb":
            target = str(path / "**" / "*.parquet")
        try:
            expr = self.con.read_parquet(target, table_name=view)
        except Exception as exc:  # DuckDB IOException, Spark AnalysisException …: no common base
            raise AnalyticsError(
                f"cannot read the Parquet data {path} ({_first_line(exc)})"
            ) from None
        self._views[key] = expr
        return expr

    def register_arrow(self, table: pa.Table, name: str) -> ir.Table:
        """A view over an in-memory Arrow table (Spark takes Arrow as it is, zones kept)."""
        self._counter += 1
        view = f"lt_{name}_{self._counter}"
        if self.session is not None:
            self.session.createDataFrame(table).createOrReplaceTempView(view)
            return self.con.table(view)
        return self.con.create_view(view, ibis.memtable(table), overwrite=True)

    def close(self) -> None:
        self._views.clear()
        if self.session is not None and self._owns_session:
            self.session.stop()
        self.session = None
        if self.name == "duckdb":
            self.con.disconnect()
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self._cleanup.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Source(Protocol):
    def load(self, engine: Engine, names: Sequence[str]) -> dict[str, ir.Table]: ...


@dataclass(frozen=True)
class ParquetSource:
    """Tables as ``<directory>/<name>.parquet`` files or ``<directory>/<name>/`` folders."""

    directory: Path

    def path(self, name: str) -> Path:
        folder = Path(self.directory) / name
        single = Path(self.directory) / f"{name}.parquet"
        if folder.is_dir() and single.is_file():
            raise AnalyticsError(
                f"both {folder}/ and {single} hold table {name!r}: keep one of them"
            )
        if folder.is_dir():
            return folder
        if single.is_file():
            return single
        raise AnalyticsError(f"no Parquet data for table {name!r} in {self.directory}")

    def load(self, engine: Engine, names: Sequence[str]) -> dict[str, ir.Table]:
        return {name: engine.read_parquet(self.path(name), name) for name in names}


@dataclass(frozen=True)
class ArrowSource:
    """In-memory Arrow tables (for small data and tests)."""

    tables: Mapping[str, pa.Table]

    def load(self, engine: Engine, names: Sequence[str]) -> dict[str, ir.Table]:
        missing = [name for name in names if name not in self.tables]
        if missing:
            raise AnalyticsError(f"no Arrow table for {', '.join(missing)}")
        return {name: engine.register_arrow(self.tables[name], name) for name in names}


def duckdb_engine(
    path: str | Path | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
) -> Engine:
    """Embedded DuckDB: in memory (``path`` None) or a DuckDB database file.

    ``memory_limit`` such as ``"4GB"`` makes large group-bys spill to
    ``temp_directory`` instead of failing.
    """
    config: dict[str, Any] = {}
    if threads is not None:
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = ibis.duckdb.connect(":memory:" if path is None else str(path), **config)
    con.raw_sql("SET TimeZone = 'UTC'")
    return Engine(name="duckdb", con=con, sketch_error=DUCKDB_SKETCH_ERROR)


def java_available() -> bool:
    """Whether a Java runtime for Spark is on JAVA_HOME or PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def spark_engine(
    master: str = "local[*]",
    *,
    app_name: str = "leaktrace-analytics",
    driver_memory: str | None = None,
    shuffle_partitions: int | None = None,
    warehouse_dir: str | Path | None = None,
    config: Mapping[str, str] | None = None,
    session: SparkSession | None = None,
) -> Engine:
    """Apache Spark through PySpark: ``local[N]`` here, ``spark://…``/``yarn`` on a cluster.

    ``driver_memory`` (e.g. ``"4g"``) sizes the driver JVM, which in local mode also
    runs the executors; it only takes effect when this call starts the JVM.
    ``shuffle_partitions`` defaults to Spark's own (200; adaptive execution coalesces).
    An existing ``session`` (given, or already active in this process: Spark allows one
    per process) is used with its settings, its SQL time zone set to UTC, and left
    running on :meth:`Engine.close`.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise AnalyticsError("pyspark is not installed (pip install 'leaktrace[spark]')") from exc
    cleanup: list[Path] = []
    if session is None and SparkSession.getActiveSession() is not None:
        session = SparkSession.getActiveSession()  # one SparkContext per process
    owns = session is None
    if session is None:
        if not java_available():
            raise AnalyticsError("Spark needs a Java runtime (JAVA_HOME or java on PATH)")
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        if warehouse_dir is None:
            warehouse = Path(tempfile.mkdtemp(prefix="leaktrace-spark-"))
            cleanup.append(warehouse)
            warehouse_dir = warehouse
        settings: dict[str, str] = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.warehouse.dir": str(warehouse_dir),
        }
        if master.startswith("local"):
            settings["spark.driver.bindAddress"] = "127.0.0.1"
            settings["spark.driver.host"] = "127.0.0.1"
        if driver_memory is not None:
            settings["spark.driver.memory"] = driver_memory
        if shuffle_partitions is not None:
            settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
        settings.update(config or {})
        builder = SparkSession.builder.master(master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # py4j/JVM launch errors have no common base
            raise AnalyticsError(f"cannot start Spark ({master}): {exc}") from exc
        session.sparkContext.setLogLevel("ERROR")
    else:
        session.conf.set("spark.sql.session.timeZone", "UTC")
    con = ibis.pyspark.connect(session)
    return Engine(
        name="pyspark",
        con=con,
        sketch_error=SPARK_SKETCH_ERROR,
        session=session,
        _owns_session=owns,
        _cleanup=cleanup,
    )


ENGINES = ("duckdb", "spark")


def open_engine(name: str = "duckdb", *, master: str = "local[*]") -> Engine:
    """An engine by name: ``duckdb`` (embedded) or ``spark`` (PySpark at ``master``)."""
    if name == "duckdb":
        return duckdb_engine()
    if name == "spark":
        return spark_engine(master)
    raise AnalyticsError(f"unknown engine {name!r}: choose {' or '.join(ENGINES)}")


def _first_line(exc: BaseException) -> str:
    """An engine error's first line (Spark's and DuckDB's run on with plans and traces)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _utc_timestamps(table: pa.Table) -> pa.Table:
    """Spark hands back zone-less timestamps (in its session zone, UTC): mark them UTC."""
    fields = []
    changed = False
    for fld in table.schema:
        if pa.types.is_timestamp(fld.type) and fld.type.tz is None:
            fld = fld.with_type(pa.timestamp(fld.type.unit, tz="UTC"))
            changed = True
        fields.append(fld)
    return table.cast(pa.schema(fields)) if changed else table


def _expression(
    aggregation: Aggregation, engine: Engine, source: Source, *, ordered: bool = True
) -> ir.Table:
    tables = source.load(engine, aggregation.tables)
    try:
        return aggregation.expr(tables, ordered=ordered)
    except AttributeError as exc:  # ibis: a column the aggregation uses is not in the data
        missing = getattr(exc, "name", None) or str(exc)
        raise AnalyticsError(
            f"the data for {', '.join(aggregation.tables)} has no column {missing!r} that "
            f"{aggregation.name} needs: it comes from an older or another export; write it "
            "again with 'leaktrace export'"
        ) from None


def run(aggregation: Aggregation, engine: Engine, source: Source) -> pa.Table:
    """Run ``aggregation`` on ``engine`` over ``source``; the result as Arrow, in the
    aggregation's order (sorted here, after collection: results are per-group and small,
    and a distributed ORDER BY would cost Spark an extra pass over the groups)."""
    expr = _expression(aggregation, engine, source, ordered=False)
    try:
        if engine.session is None:
            result = _utc_timestamps(engine.con.to_pyarrow(expr))
        else:
            # Spark: collect as Arrow directly (ibis goes through pandas, slow for big results)
            frame = engine.session.sql(str(engine.con.compile(expr)))
            schema = _utc_timestamps(expr.schema().to_pyarrow().empty_table()).schema
            result = _utc_timestamps(frame.toArrow()).cast(schema)
    except Exception as exc:  # a damaged file met while reading, an engine failure
        raise AnalyticsError(
            f"{engine.name} could not run {aggregation.name}: {_first_line(exc)}"
        ) from exc
    if aggregation.order:
        result = result.sort_by(list(aggregation.order))  # nulls last (default)
    return result


def to_sql(aggregation: Aggregation, engine: Engine, source: Source) -> str:
    """The SQL the engine would run (to read, explain or tune), with its ORDER BY."""
    return str(engine.con.compile(_expression(aggregation, engine, source)))
