"""Which kinds of sources and sinks exist: built-in ones and entry-point plug-ins.

Third parties register a :class:`~leaktrace.sources.base.SourcePlugin` under the entry
point group ``leaktrace.sources`` (or a :class:`~leaktrace.alerts.base.SinkPlugin` under
``leaktrace.sinks``), e.g. in their pyproject.toml::

    [project.entry-points."leaktrace.sources"]
    myindexer = "mypackage.leaktrace_source:PLUGIN"
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from leaktrace.alerts.base import SinkPlugin
from leaktrace.errors import ConfigError
from leaktrace.sources.base import SourcePlugin

__all__ = ["sink_plugins", "source_plugins"]

BUILTIN_SOURCES = (
    "leaktrace.sources.jsonl_tail",
    "leaktrace.sources.files",
    "leaktrace.sources.predb",
    "leaktrace.sources.torznab",
    "leaktrace.sources.rss",
    "leaktrace.sources.taxii",
)
BUILTIN_SINKS = ("leaktrace.alerts.webhook", "leaktrace.alerts.email", "leaktrace.alerts.jsonl")


def _collect(modules: tuple[str, ...], group: str, kind: type) -> dict[str, object]:
    found: dict[str, object] = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for plugin in [getattr(module, "PLUGIN", None), *getattr(module, "PLUGINS", [])]:
            if isinstance(plugin, kind):
                found[plugin.kind] = plugin  # type: ignore[attr-defined]
    for entry in entry_points(group=group):
        try:
            plugin = entry.load()
        except Exception as exc:  # a broken third-party plug-in must not take us down
            raise ConfigError(
                f"plug-in {entry.name!r} ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(plugin, kind):
            raise ConfigError(f"plug-in {entry.name!r} ({entry.value}) is not a {kind.__name__}")
        found[plugin.kind] = plugin  # type: ignore[attr-defined]
    return found


def source_plugins() -> dict[str, SourcePlugin]:
    return {
        k: v
        for k, v in _collect(BUILTIN_SOURCES, "leaktrace.sources", SourcePlugin).items()
        if isinstance(v, SourcePlugin)
    }


def sink_plugins() -> dict[str, SinkPlugin]:
    return {
        k: v
        for k, v in _collect(BUILTIN_SINKS, "leaktrace.sinks", SinkPlugin).items()
        if isinstance(v, SinkPlugin)
    }
