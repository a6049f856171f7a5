"""The README's case walk-through runs as written, in a shell, on the demo's data; and
its unzip-and-verify line checks the bundle with nothing but Python."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_server import forking_leaktrace

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent


def _block_after(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(marker)
    found = re.search(r"```sh\n(.*?)```", text[start:], flags=re.DOTALL)
    assert found, f"no sh block after {marker!r}"
    return found.group(1)


def test_the_case_walk_through_runs_as_written(tmp_path: Path) -> None:
    if not (BIN / "leaktrace").is_file():
        pytest.skip(f"no installed entry point in {BIN}")
    walk = _block_after("To try it on the demo's data")
    unzip = _block_after("`verify.py`, which needs only Python and `cryptography`")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    env.update(PATH=f"{BIN}:/usr/bin:/bin", HOME=str(tmp_path), COLUMNS="100")
    # each `leaktrace` forks from one process that imported LeakTrace once (saves ~2 s of
    # start-up per command); the real entry point script is run by tests/cli/test_demo_cli.py
    script = "set -euo pipefail\n" + walk + unzip
    with forking_leaktrace(tmp_path / ".cli", env) as shims:
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env={**env, "PATH": f"{shims}:{env['PATH']}"},
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.count("VALID") >= 3  # sparks.zip, sparks-later.zip, verify.py
    assert "EMBERS" in done.stdout and "Operation Sparks" in done.stdout
    # the second bundle proves it extends the first
    assert (tmp_path / "sparks" / "verify.py").is_file()
    assert not (tmp_path / ".local" / "share" / "leaktrace").exists()  # the demo's key only
