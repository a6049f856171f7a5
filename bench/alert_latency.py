"""Latency from a release appearing at a local source to its alert at a local webhook.

Two runs, each with the real watcher (sources, writer, dispatcher threads), a real
SQLite database, and a real webhook receiver on 127.0.0.1:

* ``poll``: a local Torznab indexer (HTTP) whose feed gains one leaking release at random
  moments; the watcher polls it every ``--interval`` seconds (jitter 10%).
* ``websocket``: a local predb-style websocket server pushes ``insert`` frames at random
  moments; the watcher holds the connection open.

For each release: time it became visible at the source → time the signed webhook arrived.

    python bench/alert_latency.py --items 120
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.alerts.receiver import WebhookReceiver  # noqa: E402
from leaktrace.alerts.webhook import PLUGIN as WEBHOOK  # noqa: E402
from leaktrace.config import load_settings  # noqa: E402
from leaktrace.pipeline.catalog import import_catalog  # noqa: E402
from leaktrace.sources.predb import PLUGINS as PREDB  # noqa: E402
from leaktrace.sources.torznab import PLUGIN as TORZNAB  # noqa: E402
from leaktrace.store.database import Database  # noqa: E402
from leaktrace.watch.config import WatchConfig, WatchOptions  # noqa: E402
from leaktrace.watch.runner import SourceRun, Watcher  # noqa: E402

SECRET = "bench-secret"
WORDS = [
    "Amber",
    "Beacon",
    "Cinder",
    "Delta",
    "Ember",
    "Falcon",
    "Garnet",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lantern",
]
FILMS = [f"The {a} {b}" for a in WORDS for b in WORDS if a != b][:60]


def catalogue(path: Path) -> None:
    street = (date.today() + timedelta(days=30)).isoformat()
    rows = ["id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast"]
    rows += [f"f{i},movie,{t},2026,,,,,{street}," for i, t in enumerate(FILMS)]
    path.write_text("\n".join(rows) + "\n")


class Feed:
    """Items that appear over time at the local indexer."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, datetime]] = []
        self.appeared: dict[str, float] = {}
        self.lock = threading.Lock()

    def add(self, name: str) -> None:
        with self.lock:
            self.items.append((f"guid-{len(self.items)}", name, datetime.now(UTC)))
            self.appeared[name] = time.perf_counter()

    def xml(self) -> bytes:
        with self.lock:
            items = list(reversed(self.items[-100:]))
        body = "".join(
            f"<item><title>{name}</title><guid>{guid}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate><size>1000000000</size>"
            f'<torznab:attr name="seeders" value="5"/>'
            f'<torznab:attr name="infohash" value="{i:040x}"/></item>'
            for i, (guid, name, when) in enumerate(items)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:torznab="http://torznab.com/schemas/2015/feed"><channel>'
            f"<title>bench</title>{body}</channel></rss>"
        ).encode()


def torznab_server(feed: Feed) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = feed.xml()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]

    return {
        "n": len(values),
        "p50": pick(0.5),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(values),
    }


def run(
    mode: str, items: int, interval: float, rng: random.Random, workdir: Path
) -> dict[str, float]:
    db_path = workdir / f"{mode}.db"
    settings = load_settings(db=str(db_path))
    db = Database(str(db_path))
    cat = workdir / "catalog.csv"
    catalogue(cat)
    import_catalog(db, cat, settings)
    receiver = WebhookReceiver(SECRET).start()
    sink_config = WEBHOOK.config_model.model_validate(
        {"name": "hook", "kind": "webhook", "url": receiver.url, "secret": SECRET}
    )
    appeared: dict[str, float] = {}
    stop_feed = threading.Event()
    if mode == "poll":
        feed = Feed()
        server = torznab_server(feed)
        source_config = TORZNAB.config_model.model_validate(
            {
                "name": "indexer",
                "kind": "torznab",
                "interval": interval,
                "jitter": 0.1,
                "url": f"http://127.0.0.1:{server.server_address[1]}/api",
            }
        )
        source = TORZNAB.create(source_config)
        appeared = feed.appeared

        def produce(name: str) -> None:
            feed.add(name)
    else:
        from websockets.sync.server import serve

        clients: list[Any] = []
        ws_lock = threading.Lock()

        def handler(connection: Any) -> None:
            with ws_lock:
                clients.append(connection)
            try:
                connection.wait_closed()
            except Exception:  # noqa: BLE001
                pass

        ws_server = serve(handler, "127.0.0.1", 0)
        threading.Thread(target=ws_server.serve_forever, daemon=True).start()
        port = ws_server.socket.getsockname()[1]
        plugin = next(p for p in PREDB if p.kind == "predb-ws")
        source_config = plugin.config_model.model_validate(
            {
                "name": "pre-ws",
                "kind": "predb-ws",
                "backfill": False,
                "recv_timeout": 0.2,
                "websocket_url": f"ws://127.0.0.1:{port}/",
            }
        )
        source = plugin.create(source_config)
        counter = iter(range(1, 10**9))

        def produce(name: str) -> None:
            frame = json.dumps(
                {
                    "action": "insert",
                    "row": {
                        "id": next(counter),
                        "name": name,
                        "team": name.rsplit("-", 1)[1],
                        "cat": "X264",
                        "size": 4000,
                        "files": 50,
                        "preAt": int(time.time()),
                        "nuke": None,
                    },
                }
            )
            appeared[name] = time.perf_counter()
            with ws_lock:
                for client in clients:
                    client.send(frame)

    config = WatchConfig(options=WatchOptions(), sources=[source_config], sinks=[sink_config])
    watcher = Watcher(
        db,
        settings,
        config,
        sources=[SourceRun(source_config, source)],
        sinks=[(sink_config, WEBHOOK.create(sink_config))],
    )
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(1.5)  # first poll / connection established
    names = [
        f"{rng.choice(FILMS).replace(' ', '.')}.2026.1080p.BluRay.x264-G{n:04d}"
        for n in range(items)
    ]
    for name in names:
        produce(name)
        time.sleep(rng.uniform(0.05, 2 * interval * 0.4))
    receiver.wait_for(len(names), timeout=30)
    stop.set()
    stop_feed.set()
    thread.join(timeout=30)
    latencies = []
    for delivery in receiver.accepted:
        release = delivery.json()["release"]
        if release in appeared:
            latencies.append(delivery.received_monotonic - appeared[release])
    receiver.stop()
    db.close()
    missing = len(names) - len(latencies)
    result = percentiles(latencies)
    result["missing"] = missing
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--mode", choices=["poll", "websocket", "both"], default="both")
    args = parser.parse_args()
    rng = random.Random(3)
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ["poll", "websocket"] if args.mode == "both" else [args.mode]:
            r = run(mode, args.items, args.interval, rng, Path(tmp))
            label = f"poll every {args.interval:g}s" if mode == "poll" else "websocket"
            print(
                f"{label:>18}: n={r['n']:.0f} missing={r['missing']:.0f}  "
                f"p50 {r['p50'] * 1000:.0f} ms  p95 {r['p95'] * 1000:.0f} ms  "
                f"p99 {r['p99'] * 1000:.0f} ms  max {r['max'] * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
