"""A third-party source, installed as a real distribution with an entry point."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from leaktrace.errors import ConfigError
from leaktrace.watch.config import parse_watch_config
from leaktrace.watch.registry import source_plugins

PLUGIN_MODULE = """
from datetime import UTC, datetime
from typing import Literal

from leaktrace.feeds.item import FeedItem
from leaktrace.sources.base import PollResult, SourceConfig, SourcePlugin


class StaticConfig(SourceConfig):
    kind: Literal["static"] = "static"
    names: list[str]


class StaticSource:
    def __init__(self, config: StaticConfig) -> None:
        self.config = config
        self.name = config.name

    def poll(self, checkpoint):
        when = datetime(2026, 1, 1, tzinfo=UTC)
        return PollResult(items=[FeedItem(n, when, origin="static") for n in self.config.names])

    def close(self) -> None:
        return None


PLUGIN = SourcePlugin("static", StaticConfig, StaticSource)
NOT_A_PLUGIN = object()
"""


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    site = tmp_path / "site"
    (site / "lt_static_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "lt_static_plugin.py").write_text(PLUGIN_MODULE)
    info = site / "lt_static_plugin-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lt-static-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[leaktrace.sources]\nstatic = {target}\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    monkeypatch.delitem(sys.modules, "lt_static_plugin", raising=False)


def test_entry_point_source_is_found_and_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, monkeypatch, "lt_static_plugin:PLUGIN")
    assert "static" in source_plugins()
    config = parse_watch_config({"source": [{"kind": "static", "names": ["A.2020.WEB-DL-G"]}]})
    source = config.sources[0]
    assert source.kind == "static" and source.name == "static-0"
    plugin = source_plugins()["static"]
    result = plugin.create(source).poll(None)  # type: ignore[union-attr]
    assert [i.name for i in result.items] == ["A.2020.WEB-DL-G"]


def test_a_bad_entry_point_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, monkeypatch, "lt_static_plugin:NOT_A_PLUGIN")
    with pytest.raises(ConfigError, match="is not a SourcePlugin"):
        source_plugins()
