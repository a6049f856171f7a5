"""``leaktrace watch`` and ``leaktrace sources`` end to end: a real local Torznab indexer,
a real webhook receiver, the real command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from leaktrace.alerts.receiver import WebhookReceiver
from leaktrace.alerts.webhook import verify_signature
from tests.cli.conftest import Run
from tests.sources._servers import Reply, Request, http_server

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "s3cr3t-api-key-0123"
SECRET = "hook-secret"


def torznab_feed() -> bytes:
    items = [
        (
            "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
            "2026-05-16T08:00:00",
            "aa" * 20,
            40,
        ),
        (
            "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
            "2026-04-15T03:00:00",
            "bb" * 20,
            7,
        ),
    ]
    body = "".join(
        f"<item><title>{name}</title><guid>https://idx.example/{i}</guid>"
        f"<link>https://idx.example/dl/{i}?apikey={API_KEY}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(when).replace(tzinfo=UTC))}"
        f"</pubDate><size>4000000000</size>"
        f'<torznab:attr name="infohash" value="{ih}"/>'
        f'<torznab:attr name="seeders" value="{seeders}"/>'
        f'<torznab:attr name="peers" value="{seeders + 3}"/>'
        f'<torznab:attr name="imdbid" value="tt0000000"/></item>'
        for i, (name, when, ih, seeders) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:torznab="http://torznab.com/schemas/2015/feed"><channel><title>idx</title>'
        f"{body}</channel></rss>"
    ).encode()


@pytest.fixture
def indexer() -> Iterator[str]:
    def app(request: Request) -> Reply:
        if request.query.get("apikey") != API_KEY:
            return Reply(200, b'<error code="100" description="Invalid API key"/>')
        return Reply(200, torznab_feed(), content_type="application/rss+xml")

    with http_server(app) as server:
        yield f"{server.url}/api"


def test_watch_once_end_to_end(
    run: Run,
    db_path: Path,
    catalog_csv: Path,
    tmp_path: Path,
    indexer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("catalog", "import", str(catalog_csv), "--db", str(db_path)).code == 0
    monkeypatch.setenv("IDX_KEY", API_KEY)
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    alerts = tmp_path / "alerts.jsonl"
    with WebhookReceiver(SECRET) as receiver:
        config = tmp_path / "watch.toml"
        config.write_text(
            f'[[source]]\nname = "idx"\nkind = "torznab"\nurl = "{indexer}"\n'
            'api_key_env = "IDX_KEY"\n'
            f'[[source]]\nname = "down"\nkind = "torznab"\nurl = "http://127.0.0.1:9/api"\n'
            f'[[sink]]\nname = "soc"\nkind = "webhook"\nurl = "{receiver.url}"\n'
            'secret_env = "HOOK_SECRET"\nmin_severity = "high"\n'
            f'[[sink]]\nname = "log"\nkind = "jsonl"\npath = "{alerts}"\n'
        )
        result = run("watch", "--once", "-c", str(config), "--db", str(db_path))
        assert result.code == 0, result.err
        assert "1 new leak alerts" in result.out
        assert receiver.wait_for(1, timeout=5)
    (delivery,) = receiver.accepted
    assert delivery.verified
    payload = delivery.json()
    assert payload["release"] == "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE"
    assert payload["event"] == "leak" and payload["window"] == "physical"
    assert verify_signature(
        SECRET,
        delivery.headers["x-leaktrace-timestamp"],
        delivery.body,
        delivery.headers["x-leaktrace-signature"],
    )
    lines = [json.loads(line) for line in alerts.read_text().splitlines()]
    assert [line["dedupe_key"] for line in lines] == [payload["dedupe_key"]]
    assert API_KEY not in result.out + result.err

    state = json.loads(run("sources", "--db", str(db_path), "-f", "json").out)
    by_name = {s["name"]: s for s in state["sources"]}
    assert by_name["idx"]["items_seen"] == 2 and by_name["idx"]["last_error"] is None
    assert by_name["down"]["consecutive_failures"] == 1 and by_name["down"]["last_error"]
    assert state["deliveries"] == {"soc": {"delivered": 1}, "log": {"delivered": 1}}
    table = run("sources", "--db", str(db_path))
    assert "idx" in table.out and "Alert deliveries" in table.out
    bad = json.loads(run("sources", "--db", str(db_path), "-q", "down", "-f", "json").out)
    assert bad and "poll failed" in bad[0]["reason"]
    releases = json.loads(run("releases", "--db", str(db_path), "-f", "json").out)
    assert len(releases) == 2
    assert all(API_KEY not in json.dumps(r) for r in releases)
    again = run("watch", "--once", "-c", str(config), "--db", str(db_path))
    assert "0 new leak alerts" in again.out


def test_sigterm_exits_cleanly(tmp_path: Path, db_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"name": "Some.Film.2020.1080p.WEB-DL-G", "time": 1600000000}) + "\n"
    )
    config = tmp_path / "watch.toml"
    config.write_text(
        f'[[source]]\nname = "f"\nkind = "jsonl"\npaths = ["{feed}"]\ninterval = 0.2\n'
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "leaktrace", "watch", "-c", str(config), "--db", str(db_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "watching" not in (
            process.stderr.readline() if process.stderr else ""
        ):
            pass
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "1 items" in out


def test_bad_watch_config_is_one_line(run: Run, tmp_path: Path, db_path: Path) -> None:
    config = tmp_path / "watch.toml"
    config.write_text('[[source]]\nkind = "torznab"\nurl = "ftp://x"\n')
    result = run("watch", "--once", "-c", str(config), "--db", str(db_path))
    assert result.code == 78 and "source[0]" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("kind", "url", "words"),
    [
        ("rss", "http://[::1", "not a valid URL"),
        ("torznab", "https://idx.example:99999/api", "not a valid URL"),
        ("predb", "http:///v1/", "has no host"),
    ],
)
def test_a_malformed_source_url_is_a_config_error(
    run: Run, tmp_path: Path, db_path: Path, kind: str, url: str, words: str
) -> None:
    config = tmp_path / "watch.toml"
    config.write_text(f'[[source]]\nkind = "{kind}"\nurl = "{url}"\n')
    result = run("watch", "--once", "-c", str(config), "--db", str(db_path))
    assert result.code == 78, result.out
    assert "source[0], field 'url'" in result.err and words in result.err
    assert "Traceback" not in result.err
