from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaktrace.alerts.base import AlertEvent, DeliveryError, SinkConfig
from leaktrace.config import Settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.store.database import Database
from leaktrace.watch.config import WatchConfig, WatchOptions
from leaktrace.watch.runner import SourceRun, Watcher


class MemorySink:
    """A sink that keeps what it receives; it can be told to fail first."""

    def __init__(self, name: str = "memory", fail: list[DeliveryError] | None = None) -> None:
        self.name = name
        self.events: list[AlertEvent] = []
        self.fail = list(fail or [])
        self.lock = threading.Lock()

    def deliver(self, event: AlertEvent) -> None:
        with self.lock:
            if self.fail:
                raise self.fail.pop(0)
            self.events.append(event)

    def close(self) -> None:
        return None


@pytest.fixture
def loaded_db(db: Database, settings: Settings, catalog_csv: Path) -> Database:
    import_catalog(db, catalog_csv, settings)
    return db


@pytest.fixture
def make_watcher(loaded_db: Database, settings: Settings) -> Callable[..., Watcher]:
    def make(
        sources: list[Any], sinks: list[tuple[SinkConfig, MemorySink]] | None = None, **options: Any
    ) -> Watcher:
        config = WatchConfig(
            options=WatchOptions(**options),
            sources=[s.config for s in sources],
            sinks=[c for c, _ in sinks or []],
        )
        return Watcher(
            loaded_db,
            settings,
            config,
            sources=[SourceRun(s.config, s) for s in sources],
            sinks=list(sinks or []),
        )

    return make
