"""The watch configuration shown in the README is valid: docs stay true to the code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from leaktrace.watch.config import parse_watch_config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_watch_example_parses() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### The configuration file", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block is not None
    config = parse_watch_config(tomllib.loads(block.group(1)), "README")
    assert [s.kind for s in config.sources] == [
        "predb",
        "predb-ws",
        "torznab",
        "rss",
        "folder",
        "jsonl",
    ]
    assert [s.kind for s in config.sinks] == ["webhook", "email", "jsonl"]
