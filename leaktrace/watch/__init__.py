"""``leaktrace watch``: live sources in, alerts out, crash-safe."""

from leaktrace.watch.config import WatchConfig, load_watch_config, parse_watch_config
from leaktrace.watch.runner import Watcher, WatchSummary

__all__ = ["WatchConfig", "WatchSummary", "Watcher", "load_watch_config", "parse_watch_config"]
