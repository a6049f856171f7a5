"""``leaktrace demo --serve`` as a newcomer follows it: one command builds the demo,
prints logins and serves the UI; a printed login signs in through the login form of the
running server, and the printed board URL and logins open the action day's live board
(page, API, live events)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import free_port

SCRIPT = Path(sys.executable).parent / "leaktrace"


@dataclass(frozen=True, slots=True)
class Served:
    text: str
    board: str
    """The printed board URL."""
    passwords: dict[str, str]
    """e-mail -> password, from the printed table."""
    agencies: dict[str, tuple[str, str]]
    """e-mail -> (agency, role), from the printed table."""
    seeing: list[str]
    """The e-mails printed under the board URL."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not SCRIPT.is_file():
        pytest.skip(f"no installed entry point at {SCRIPT}")
    folder = tmp_path_factory.mktemp("newcomer-serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEAKTRACE_", "VIRTUAL_ENV"))}
    env.update(PATH="/usr/bin:/bin", COLUMNS="200", HOME=str(folder))
    port = free_port()
    process = subprocess.Popen(
        [str(SCRIPT), "demo", "--dir", str(folder / "demo"), "--serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))
    reader.start()
    try:
        deadline = time.monotonic() + 600
        while True:  # it prints everything, then uvicorn listens
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        for _ in range(100):  # the reader thread catches up with the printed lines
            if "no part in it" in (text := "".join(lines)):
                break
            time.sleep(0.1)
        found = re.search(r"action day board \(live\): (http://\S+)", text)
        assert found, text
        rows = [
            cells
            for line in text.splitlines()
            if line.startswith("│")
            and len(cells := [c.strip() for c in line.strip("│").split("│")]) == 4
            and "@" in cells[0]
        ]
        passwords = {email: password for email, password, *_ in rows}
        agencies = {email: (agency, role) for email, _, agency, role in rows}
        after = text.split("action day board", 1)[1]
        seeing = re.findall(r"^  (\S+@\S+) \(", after, flags=re.MULTILINE)
        yield Served(text, found.group(1), passwords, agencies, seeing)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as printed
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)


@contextmanager
def _signed_in(served: Served, email: str) -> Iterator[httpx.Client]:
    """A browser-like client signed in through the login form with a printed login."""
    base = served.board.split("/operations/", 1)[0]
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text
        done = client.post(
            "/login",
            data={
                "email": email,
                "password": served.passwords[email],
                "csrf_token": csrf.group(1),
            },
        )
        assert done.status_code == 303, done.text
        yield client


def test_demo_serve_prints_logins_that_sign_in(served: Served) -> None:
    roles = {role for _, role in served.agencies.values()}
    assert roles == {"admin", "coordinator", "investigator", "analyst", "viewer"}
    assert len(set(served.passwords.values())) == len(served.passwords)
    email = next(e for e, (_, role) in served.agencies.items() if role == "analyst")
    with _signed_in(served, email) as browser:
        overview = browser.get("/")
        assert overview.status_code == 200 and email in overview.text
        leaks = browser.get("/leaks")
        assert leaks.status_code == 200 and served.agencies[email][0] in leaks.text


def test_the_printed_logins_open_the_printed_board(served: Served) -> None:
    path = "/operations/" + served.board.rsplit("/operations/", 1)[1]
    assert set(served.seeing) == {
        "admin@police.demo.invalid",
        "investigator@police.demo.invalid",
        "analyst@europol.demo.invalid",
        "viewer@industry.demo.invalid",
        "analyst@industry.demo.invalid",
        "investigator@de-police.demo.invalid",
        "prosecutor@prosecution.demo.invalid",
    }
    for email in served.seeing:
        with _signed_in(served, email) as client:
            page = client.get(path)
            assert page.status_code == 200, (email, page.text[:500])
            assert "Sparks action day (demo, fictional)" in page.text
    # the prosecution office, a member of the case, reads the day as an observer
    assert "DEMO-SE-PROS, member of the case: reads the board as an observer" in served.text


def test_the_board_api_and_its_live_events(served: Served) -> None:
    operation = int(served.board.rsplit("/", 1)[1])
    with _signed_in(served, "investigator@de-police.demo.invalid") as client:
        board = client.get(f"/api/v1/operations/{operation}").json()
        servers = [t for t in board["targets"] if t["kind"] == "server"]
        assert len(servers) == 60 and len({t["country"] for t in servers}) == 18
        assert {t["country"] for t in board["targets"] if t["can_change"]} == {"DE"}
        assert all(t["real_name"] is None for t in board["targets"])  # NL's person hidden
        head = board["last_event_id"]
        ids: list[int] = []
        with client.stream(
            "GET",
            f"/api/v1/operations/{operation}/events",
            headers={"Accept": "text/event-stream", "Last-Event-ID": str(head - 3)},
        ) as stream:
            assert stream.status_code == 200
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    ids.append(int(line[4:]))
                if len(ids) == 3:
                    break
        assert ids == [head - 2, head - 1, head]
    with _signed_in(served, "analyst@europol.demo.invalid") as client:
        board = client.get(f"/api/v1/operations/{operation}").json()
        named = [t for t in board["targets"] if t["real_name"]]
        assert [t["country"] for t in named] == ["NL"]
