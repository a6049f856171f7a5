"""Peak memory of a watched HTTP source fed compression bombs (issue 9, part 5).

A real local HTTP server serves three bombs that each inflate to ``--mib`` MiB of zeros:
``Content-Encoding: gzip`` (about 1 MB sent for 1 GiB), ``gzip, gzip`` (the same gzipped
again: about 2.5 KB) and ``deflate``. Each is fetched in a fresh child process with
``max_bytes = --cap``, and the child reports its peak resident memory (VmHWM) minus its
resident memory just before the fetch:

* ``leaktrace``: the HttpFetcher every HTTP source uses (bounded decoding of each layer);
* ``httpx``: the way LeakTrace read replies before, httpx's own decoding with the cap
  checked after each decoded chunk (skip it with ``--no-httpx``: it needs over 2 GB for
  the stacked bomb).

    python bench/hostile_feeds.py --mib 1024 --cap 8
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from tests.sources._bombs import BOMBS, MIB  # noqa: E402
from tests.sources._servers import Reply, Request, http_server  # noqa: E402


def probe(url: str, cap: int, how: str) -> tuple[dict[str, object], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tests.sources._memory_probe", str(cap), url, how],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="decoded size of each bomb")
    parser.add_argument("--cap", type=int, default=8, help="max_bytes, in MiB")
    parser.add_argument("--no-httpx", action="store_true", help="skip httpx's own decoding")
    args = parser.parse_args()
    bodies = {name: (enc, build(args.mib)) for name, (enc, build) in BOMBS.items()}

    def app(req: Request) -> Reply:
        encoding, body = bodies[req.query["bomb"]]
        return Reply(200, body, {"Content-Encoding": encoding}, "application/rss+xml")

    ways = ["leaktrace"] if args.no_httpx else ["leaktrace", "httpx"]
    print(f"machine: {describe()}")
    print(f"bombs inflate to {args.mib:,} MiB; max_bytes = {args.cap} MiB\n")
    print("| Content-Encoding | bytes sent | reader | outcome | peak memory growth | time |")
    print("|---|---:|---|---|---:|---:|")
    with http_server(app) as srv:
        for name, (encoding, body) in bodies.items():
            for how in ways:
                got, seconds = probe(f"{srv.url}/feed?bomb={quote(name)}", args.cap * MIB, how)
                error = str(got["error"] or "read whole")
                outcome = "refused: oversize" if "larger than" in error else error[:60]
                print(
                    f"| `{encoding}` | {len(body):,} | {how} | {outcome} | "
                    f"{got['growth_mib']:,} MiB | {seconds:.1f} s |"
                )


if __name__ == "__main__":
    main()
