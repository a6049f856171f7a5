"""``leaktrace watch`` configuration: one TOML file with sources, sinks and options.

::

    [watch]
    batch_size = 500          # items per transaction

    [[source]]
    name = "predb"
    kind = "predb"
    interval = 30

    [[source]]
    name = "tpb"
    kind = "torznab"
    url = "http://127.0.0.1:9117/api/v2.0/indexers/tpb/results/torznab/"
    api_key_env = "JACKETT_API_KEY"

    [[sink]]
    name = "soc"
    kind = "webhook"
    url = "https://soc.example/leaktrace"
    secret_env = "LEAKTRACE_WEBHOOK_SECRET"
    min_severity = "high"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leaktrace.alerts.base import SinkConfig
from leaktrace.errors import ConfigError
from leaktrace.sources.base import SourceConfig
from leaktrace.watch.registry import sink_plugins, source_plugins

__all__ = ["WatchConfig", "WatchOptions", "load_watch_config", "parse_watch_config"]


class WatchOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: str | None = None
    batch_size: int = Field(default=500, ge=1, le=100_000)
    retry_base: float = Field(default=2.0, gt=0, description="First retry delay, seconds")
    retry_cap: float = Field(default=600.0, gt=0, description="Longest retry delay, seconds")
    catalog_refresh: float = Field(
        default=30.0, gt=0, description="Seconds between checks for catalogue changes"
    )


class WatchConfig(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    options: WatchOptions
    sources: list[SourceConfig]
    sinks: list[SinkConfig]
    path: str | None = None


def load_watch_config(path: Path) -> WatchConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read watch configuration {path}: {exc.strerror or exc}"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_watch_config(raw, str(path))


def parse_watch_config(raw: dict[str, Any], where: str = "configuration") -> WatchConfig:
    unknown = set(raw) - {"watch", "source", "sink"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown section(s) {', '.join(sorted(unknown))} "
            "(expected [watch], [[source]], [[sink]])"
        )
    options = _validate(WatchOptions, raw.get("watch", {}), f"{where}: [watch]")
    sources = _entries(raw.get("source", []), "source", source_plugins(), where)
    sinks = _entries(raw.get("sink", []), "sink", sink_plugins(), where)
    if not sources:
        raise ConfigError(f"{where}: no [[source]] configured")
    return WatchConfig(options=options, sources=sources, sinks=sinks, path=where)


def _entries(entries: Any, section: str, plugins: dict[str, Any], where: str) -> list[Any]:
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: [[{section}]] must be an array of tables")
    out: list[Any] = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        label = f"{where}: {section}[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label} must be a table")
        kind = entry.get("kind")
        if kind not in plugins:
            raise ConfigError(
                f"{label}: unknown kind {kind!r} (known: {', '.join(sorted(plugins))})"
            )
        entry = {"name": entry.get("name", f"{kind}-{index}"), **entry}
        config = _validate(plugins[kind].config_model, entry, label)
        if config.name in names:
            raise ConfigError(f"{label}: duplicate {section} name {config.name!r}")
        names.add(config.name)
        out.append(config)
    return out


def _validate(model: type[BaseModel], data: Any, label: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(entry)"
        raise ConfigError(f"{label}, field '{where}': {first['msg']}") from None
    except ValueError as exc:
        raise ConfigError(f"{label}: {exc}") from None
