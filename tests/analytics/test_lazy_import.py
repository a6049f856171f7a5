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


def test_starting_the_command_line_loads_no_engine_nor_numpy() -> None:
    """Every command that needs none of them starts without them (numpy alone took about
    45 ms of each start)."""
    code = (
        "import sys, leaktrace.cli.app\n"
        "heavy = ('ibis', 'pyspark', 'duckdb', 'pyarrow', 'numpy', 'cryptography')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
