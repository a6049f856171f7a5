"""Importing leaktrace (or leaktrace.analytics) loads no engine or dataframe library."""

from __future__ import annotations

import subprocess
import sys


def test_importing_leaktrace_loads_no_engine() -> None:
    code = (
        "import sys, leaktrace, leaktrace.analytics\n"
        "engines = ('ibis', 'pyspark', 'duckdb', 'pyarrow', 'numpy')\n"
        "heavy = [m for m in engines if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert 'run' in dir(leaktrace.analytics)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
