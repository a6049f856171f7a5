"""Fetch one URL in a fresh process and report the peak memory it took (run as a child).

    python -m tests.sources._memory_probe MAX_BYTES URL [leaktrace|httpx]

Prints one JSON object: ``error`` (the SourceError's reason, or None), ``url`` and
``sample`` (what the quarantine entry would get), ``body`` (bytes returned, if any) and
``growth_mib``: the peak resident memory (``VmHWM``, the high-water mark of this process's
memory since it started; ``ru_maxrss`` would carry the parent's over ``exec``) minus the
resident memory just before the fetch, so it over-states rather than under-states.
``httpx`` instead reads the reply the way LeakTrace did before (httpx's own decoding, the
cap checked after each decoded chunk), for comparison.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

from leaktrace.sources.base import SourceError
from leaktrace.sources.http import HttpFetcher


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _httpx_way(url: str, max_bytes: int) -> int:
    """The old reading: httpx decodes each chunk whole, the cap is checked afterwards."""
    size = 0
    with httpx.Client() as client, client.stream("GET", url) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise SourceError(f"response larger than {max_bytes} bytes")
    return size


def main(argv: list[str]) -> None:
    max_bytes, url = int(argv[0]), argv[1]
    how = argv[2] if len(argv) > 2 else "leaktrace"
    fetcher = HttpFetcher(source="probe", max_bytes=max_bytes, total_timeout=120)
    before = _status_kib("VmRSS")
    out: dict[str, object] = {"error": None, "url": None, "sample": None, "body": None}
    try:
        if how == "httpx":
            out["body"] = _httpx_way(url, max_bytes)
        else:
            out["body"] = len(fetcher.fetch(url).content)
    except SourceError as exc:
        out.update(error=exc.reason, url=exc.url, sample=exc.sample)
    peak = _status_kib("VmHWM")
    out["growth_mib"] = round(max(0, peak - before) / 1024, 1)
    fetcher.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
