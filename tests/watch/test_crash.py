"""Kill ``leaktrace watch`` with SIGKILL mid-batch, again and again, then restart: every
item is stored exactly once, the checkpoint is exact, and every alert reaches the sink."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from leaktrace.config import load_settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.store.database import Database
from leaktrace.store.schema import ALERT_EVENTS, ALERTS, RELEASES, SIGHTINGS, SOURCE_STATE

ROOT = Path(__file__).resolve().parents[2]


def feed_lines(n: int) -> list[str]:
    rng = random.Random(5)
    lines = []
    for i in range(n):
        title = rng.choice(
            ["Northern.Lights.Protocol.2026", "It.2017", "Dune.2021", f"Unknown.Film.{i % 97}.2020"]
        )
        source = rng.choice(["1080p.BluRay.x264", "720p.WEB-DL.H264", "TS.XviD"])
        name = f"{title}.{source}-G{i % 50}"
        day = rng.choice(["2017-12-01", "2021-01-01", "2026-05-10", "2026-06-01"])
        lines.append(
            json.dumps(
                {
                    "name": name,
                    "time": f"{day}T{i % 24:02d}:{i % 60:02d}:00Z",
                    "site": f"site{i % 7}",
                }
            )
        )
    return lines


def count(db: Database, table: object) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def items_seen(db: Database) -> int:
    with db.reading() as conn:
        seen = conn.execute(select(SOURCE_STATE.c.items_seen)).scalar_one_or_none()
    return int(seen or 0)


def test_sigkill_loses_nothing_and_doubles_nothing(tmp_path: Path, catalog_csv: Path) -> None:
    db_path = tmp_path / "w.db"
    settings = load_settings(db=str(db_path))
    db = Database(str(db_path))
    import_catalog(db, catalog_csv, settings)
    feed = tmp_path / "feed.jsonl"
    lines = feed_lines(4000)
    feed.write_text("\n".join(lines) + "\n")
    alerts_file = tmp_path / "alerts.jsonl"
    config, catch_up = tmp_path / "watch.toml", tmp_path / "catch-up.toml"
    for path, max_items in ((config, 150), (catch_up, 1500)):
        path.write_text(
            "[watch]\nbatch_size = 100\n"
            f'[[source]]\nname = "feed"\nkind = "jsonl"\npaths = ["{feed}"]\n'
            f"interval = 0.01\nmax_items = {max_items}\n"
            f'[[sink]]\nname = "file"\nkind = "jsonl"\npath = "{alerts_file}"\n'
            "backfill = true\n"
        )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "leaktrace", "watch", "--db", str(db_path), "-c"]
    rng = random.Random(11)
    kills = 0
    for _ in range(4):
        committed = items_seen(db)
        process = subprocess.Popen(
            [*command, str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # kill it once it has committed a batch (start-up time varies with the load), at a
        # random moment of the batches that follow
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            if items_seen(db) > committed or committed >= len(lines):
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    assert kills >= 3
    before = count(db, RELEASES)
    assert 0 < before  # the killed runs did commit batches
    for _ in range(10):  # catch up with --once, 1,500 lines a run
        done = subprocess.run(
            [*command, str(catch_up), "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        with db.reading() as conn:
            seen = conn.execute(select(SOURCE_STATE.c.items_seen)).scalar_one()
        if seen >= len(lines):
            break
    distinct_names = {json.loads(line)["name"] for line in lines}
    assert seen == len(lines)
    assert count(db, RELEASES) == len(distinct_names)
    assert count(db, SIGHTINGS) == len(set(lines))
    assert count(db, ALERT_EVENTS) == count(db, ALERTS) > 0
    keys = {json.loads(line)["dedupe_key"] for line in alerts_file.read_text().splitlines()}
    with db.reading() as conn:
        expected = set(conn.execute(select(ALERT_EVENTS.c.key)).scalars())
    assert keys == expected  # at least once: every event arrived (possibly twice)
    db.close()
