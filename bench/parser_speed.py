"""Names per second of LeakTrace, guessit and parsett on the same release names, one core.

    .venv/bin/python bench/parser_speed.py [--corpus DIR] [--n N] [--guessit-sample K]

Names: every case of guessit's ``movies.yml`` and ``episodes.yml`` plus the names of the
Radarr/Sonarr fixtures (``arr/*.jsonl``) under the corpus root (default
``../shared/corpora`` relative to the repository). All parsers are single-threaded and run in
this one process one after the other. Every name is distinct within a pass (no caching helps:
LeakTrace has none, and each pass parses each distinct name once); LeakTrace and parsett parse
the whole list ``--n`` times (default 5) and the best pass is reported; guessit, at about
8 ms a name, parses a fixed random sample of ``--guessit-sample`` names (default 300) once.

``leaktrace`` is the parser as installed: its modules compiled by mypyc (``setup.py``).
``leaktrace-py`` is the same parser from its Python source (``LEAKTRACE_PURE_PYTHON=1``),
timed the same way in a child process, so both are in every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402
from parser_accuracy import load_names  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora"


def time_pass(fn: Callable[[str], object], names: list[str], repeat: int) -> float:
    """Best wall time (s) of `repeat` passes over names."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for name in names:
            fn(name)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus root holding guessit/ and arr/"
    )
    ap.add_argument("--n", type=int, default=5, help="passes over the names (best is kept)")
    ap.add_argument(
        "--guessit-sample", type=int, default=300, help="names parsed by guessit (it is slow)"
    )
    ap.add_argument("--leaktrace-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    try:
        names = load_names(args.corpus)
    except ImportError:
        print("pyyaml is needed to read guessit's YAML: pip install pyyaml", file=sys.stderr)
        return 2
    if not names:
        print(f"no names found under {args.corpus}", file=sys.stderr)
        return 2
    from leaktrace.releases import compiled, parse

    if args.leaktrace_only:  # the child run of the source modules (see below)
        print(json.dumps([time_pass(parse, names, args.n), len(names)]))
        return 0
    print(f"names: {len(names)} distinct={len(set(names))} from {args.corpus}")
    print(
        f"CPU: {cpu_model()}; nproc {os.cpu_count()}; python {platform.python_version()}; "
        "one process, one thread"
    )
    print(
        "leaktrace: "
        + ("compiled by mypyc (setup.py)" if compiled() else "the Python source modules")
    )

    results: dict[str, tuple[float, int] | None] = {}
    results["leaktrace"] = (time_pass(parse, names, args.n), len(names))
    if compiled():
        # the same parser from its Python source, in a child process (the reference)
        child = subprocess.run(
            [sys.executable, __file__, "--leaktrace-only", "--corpus", str(args.corpus)]
            + ["--n", str(args.n)],
            env={**os.environ, "LEAKTRACE_PURE_PYTHON": "1"},
            capture_output=True,
            text=True,
            check=True,
        )
        secs, count = json.loads(child.stdout)
        results["leaktrace-py"] = (float(secs), int(count))
    try:
        from PTT import parse_title

        results["parsett"] = (time_pass(parse_title, names, max(1, min(args.n, 2))), len(names))
    except ImportError:
        results["parsett"] = None
    try:
        from guessit import guessit

        sample = random.Random(0).sample(names, min(args.guessit_sample, len(names)))
        guessit(sample[0])  # warm-up: guessit builds its rules on first use
        results["guessit"] = (time_pass(guessit, sample, 1), len(sample))
    except ImportError:
        results["guessit"] = None

    lt = results["leaktrace"]
    assert lt is not None
    lt_rate = lt[1] / lt[0]
    print(f"\n{'parser':<13}{'names':>8}{'names/s':>12}{'µs/name':>10}{'LeakTrace is':>16}")
    for pname, r in results.items():
        if r is None:
            print(f"{pname:<13}{'not installed':>30}")
            continue
        secs, count = r
        rate = count / secs
        ratio = "-" if pname == "leaktrace" else f"{lt_rate / rate:,.1f}x faster"
        print(f"{pname:<13}{count:>8}{rate:>12,.0f}{1e6 / rate:>10.1f}{ratio:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
