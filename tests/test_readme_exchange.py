"""The README's sharing walk-through runs as written, in a shell, on the demo's data, and
does what the README says: the RED case report reaches only the agency named with --to,
AMBER+STRICT stays with the publisher, a removed share is gone, the MISP event carries the
taxonomies; its watch-source example is a valid watch configuration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.schema_access import AGENCIES
from leaktrace.watch.config import load_watch_config
from tests.cli_server import forking_leaktrace

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent


def _block_after(marker: str, language: str = "sh") -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(marker)
    found = re.search(rf"```{language}\n(.*?)```", text[start:], flags=re.DOTALL)
    assert found, f"no {language} block after {marker!r}"
    return found.group(1)


def test_the_sharing_walk_through_runs_as_written(tmp_path: Path) -> None:
    if not (BIN / "leaktrace").is_file():
        pytest.skip(f"no installed entry point in {BIN}")
    walk = _block_after("To try publishing on the demo's data", "sh")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    env.update(PATH=f"{BIN}:/usr/bin:/bin", HOME=str(tmp_path), COLUMNS="120")
    # each `leaktrace` forks from one process that imported LeakTrace once (saves ~2 s of
    # start-up per command); the real entry point script is run by tests/cli/test_demo_cli.py
    with forking_leaktrace(tmp_path / ".cli", env) as shims:
        done = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + walk],
            cwd=tmp_path,
            env={**env, "PATH": f"{shims}:{env['PATH']}"},
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "industry-feed" in done.stdout and "from-partners" in done.stdout

    settings = load_settings(db=str(tmp_path / "leaktrace-demo" / "demo.db"))
    with build_context(settings, migrate=False) as ctx, ctx.database.reading() as conn:
        agencies = {
            code: i
            for i, code in conn.execute(
                AGENCIES.select().with_only_columns(AGENCIES.c.id, AGENCIES.c.code)
            )
        }
        sparks = collection_by_name(conn, "europol-sparks", Viewer(None))
        assert sparks is not None

        def seen(code: str) -> dict[str, set[str]]:
            query = ObjectQuery(versions=("all",))
            rows = find_objects(conn, sparks.id, Viewer(agencies[code]), query)
            by_level: dict[str, set[str]] = {}
            for row in rows:
                by_level.setdefault(row.tlp or "none", set()).add(row.stix_type)
            return by_level

        publisher, europol, prosecutor = (
            seen("DEMO-NL-POL"),
            seen("DEMO-EUROPOL"),
            seen("DEMO-SE-PROS"),
        )
        assert {"amber", "red", "amber+strict"} <= set(publisher)
        assert "report" in europol["red"]  # the case report, named with --to
        assert "red" not in prosecutor and "amber+strict" not in prosecutor
        assert "amber+strict" not in europol
        assert "intrusion-set" in prosecutor["amber"]  # the group, for every reader
        # the share removed with `collection set` is gone for the industry body
        feed = collection_by_name(conn, "industry-feed", Viewer(agencies["DEMO-INDUSTRY"]))
        assert feed is None
    event = json.loads((tmp_path / "sparks-misp.json").read_text(encoding="utf-8"))
    tags = {tag["name"] for tag in event.get("Event", event).get("Tag", [])}
    assert "tlp:amber" in tags
    assert any(tag.startswith("anti-piracy:") for tag in tags)


def test_the_watch_source_example_is_a_valid_configuration(tmp_path: Path) -> None:
    example = _block_after("from a source of kind `taxii`", "toml")
    config = tmp_path / "watch.toml"
    config.write_text(example, encoding="utf-8")
    assert tomllib.loads(example)["source"][0]["kind"] == "taxii"
    loaded = load_watch_config(config)
    assert [source.kind for source in loaded.sources] == ["taxii"]
