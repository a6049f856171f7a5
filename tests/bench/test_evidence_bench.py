"""bench/evidence_log.py end to end with ``--quick`` (small sizes): it prints the machine
and every row it promises, for LeakTrace and pymerkle. Only the presence of the figures
is checked, never a time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = (
    "append 3,000 entries (entries/s)",
    "inclusion proof at 3,000 entries (µs, median of 50)",
    "verify that inclusion proof (µs, median)",
    "consistency proof to 3,000 entries (µs, median of 50)",
    "verify that consistency proof (µs, median)",
    "verify a 500-entry bundle",
)


def test_quick_run_prints_every_row() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "evidence_log.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "machine: " in out and "Python " in out and "pymerkle " in out
    assert "| measure | LeakTrace | pymerkle |" in out
    for row in ROWS:
        line = next((line for line in out.splitlines() if line.startswith(f"| {row}")), None)
        assert line is not None, f"no row {row!r} in\n{out}"
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 3
        assert all(re.match(r"[0-9][0-9,.]*", cell) for cell in cells[1:]), line
