"""``leaktrace demo --serve``: one command builds the demo, prints logins and serves the
UI; a printed login signs in through the login form of the running server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import free_port

SCRIPT = Path(sys.executable).parent / "leaktrace"
LOGIN = re.compile(r"([a-z]+@[a-z.]+\.invalid)\s*│\s*([A-Za-z0-9_-]{16})\s*│\s*(\S+)\s*│\s*(\w+)")


def test_demo_serve_prints_logins_that_sign_in(tmp_path: Path) -> None:
    if not SCRIPT.is_file():
        pytest.skip(f"no installed entry point at {SCRIPT}")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    env.update(COLUMNS="120", HOME=str(tmp_path))
    process = subprocess.Popen(
        [str(SCRIPT), "demo", "--dir", str(tmp_path / "demo"), "--serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        logins = LOGIN.findall("".join(lines))
        roles = {role for *_, role in logins}
        assert roles == {"admin", "coordinator", "investigator", "analyst", "viewer"}
        email, password, agency, _ = next(entry for entry in logins if entry[3] == "analyst")
        with httpx.Client(base_url=base, timeout=30) as browser:
            form = browser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            signed_in = browser.post(
                "/login",
                data={"email": email, "password": password, "csrf_token": token.group(1)},
            )
            assert signed_in.status_code == 303
            overview = browser.get("/")
            assert overview.status_code == 200 and email in overview.text
            leaks = browser.get("/leaks")
            assert leaks.status_code == 200 and agency in leaks.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        reader.join(timeout=10)
