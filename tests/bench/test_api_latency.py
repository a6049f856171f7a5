"""bench/api_latency.py end to end on a tiny database (``--quick``): it builds the data,
makes an agency, a user and a token with the command line, runs ``leaktrace serve`` and
prints every figure it promises. Only the presence of the figures is checked, never a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_prints_every_figure(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "api_latency.py"),
            "--quick",
            "--cache",
            str(tmp_path / "cache"),
            "--json",
            str(figures),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "machine: " in out and "SQLite " in out and "Python " in out
    for endpoint in ("leaks", "dossier"):
        for clients in (1, 4):
            assert f"| sqlite | {endpoint} | {clients} |" in out
    for workers in (1, 2):
        assert f"| sqlite | {workers} | 4 |" in out

    (result,) = json.loads(figures.read_text())["results"]
    assert result["backend"] == "sqlite"
    assert result["built"]["releases"] == 2000
    assert result["built"]["leaks"] > 0
    for row in result["latency"] + result["throughput"]:
        assert row["requests"] > 0
        assert row["errors"] == 0, row["first_error"]
        assert row["p50_ms"] is not None and row["p95_ms"] is not None
        assert row["p99_ms"] is not None and row["rps"] is not None
    assert [row["workers"] for row in result["throughput"]] == [1, 2]
