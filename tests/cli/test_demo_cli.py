"""``leaktrace demo`` as a newcomer runs it: not activated, 80 columns, piped."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "leaktrace"


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    if not SCRIPT.is_file():
        pytest.skip(f"no installed entry point at {SCRIPT}")
    folder = tmp_path_factory.mktemp("newcomer")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEAKTRACE_", "VIRTUAL_ENV"))}
    env.update(PATH="/usr/bin:/bin", COLUMNS="80", HOME=str(folder))
    done = subprocess.run(
        [str(SCRIPT), "demo", "--dir", str(folder / "demo")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, env


def test_the_closing_hints_work_as_printed(demo_output: tuple[str, dict[str, str]]) -> None:
    text, env = demo_output
    hints = re.findall(r"^explore: (.+)$", text, flags=re.MULTILINE)
    assert len(hints) == 1
    words = shlex.split(hints[0])
    assert words[0] == str(SCRIPT)  # not on PATH, so the full path
    done = subprocess.run(words, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Pre-release leaks" in done.stdout


def test_release_names_are_not_chopped(demo_output: tuple[str, dict[str, str]]) -> None:
    text, _ = demo_output
    table = text.split("Gravest leaks", 1)[1].split("└", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("│")]
    assert len(rows) >= 15
    names = [row.split("│")[1].strip() for row in rows]
    whole = [n for n in names if re.search(r"-[A-Za-z]+$|\]$", n)]
    assert len(whole) >= 14  # at most one name wider than the screen folds
    assert max(len(line) for line in text.splitlines() if line.startswith(("│", "┃"))) <= 80


def test_nothing_raw_or_unexplained(demo_output: tuple[str, dict[str, str]]) -> None:
    text, _ = demo_output
    assert "{'" not in text and "'}" not in text
    assert re.search(r"\d+ malformed lines skipped \(planted in the feeds on purpose", text)
    assert "all physical (disc rips before street date)" in text


def test_what_the_demo_writes_about_servers_is_private(
    demo_output: tuple[str, dict[str, str]],
) -> None:
    text, _ = demo_output
    report = Path(re.findall(r"^HTML report: (.+)$", text, flags=re.MULTILINE)[0])
    folder = report.parent
    sheets = sorted((folder / "targets").iterdir())
    assert sheets
    for path in [report, folder / "demo.db", *sheets]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # and the scenario's files in it


def test_the_demo_case_bundle_verifies_as_printed(demo_output: tuple[str, dict[str, str]]) -> None:
    text, env = demo_output
    line = re.findall(r"^case \d+: .+$", text, flags=re.MULTILINE)
    assert len(line) == 1 and " verified " in line[0]
    words = shlex.split(line[0].split("check it: ", 1)[1])
    assert words[:2] == [str(SCRIPT), "verify"]
    bundle = Path(words[2])
    done = subprocess.run(words, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "VALID" in done.stdout
    # the demo signs with its own key, kept beside its database, never the user's
    key = bundle.parent / "evidence-ed25519.pem"
    for path in (bundle, key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not (Path(env["HOME"]) / ".local" / "share" / "leaktrace").exists()


def test_the_action_day_is_told_in_numbers(demo_output: tuple[str, dict[str, str]]) -> None:
    text, _ = demo_output
    line = re.findall(r"^action day: .+$", text, flags=re.MULTILINE)
    assert len(line) == 1, text
    assert re.search(
        r"operation \d+ Sparks action day \(demo, fictional\) on \d{4}-\d\d-\d\d", line[0]
    )
    assert "60 servers in 18 countries" in line[0]
    assert re.search(r"H-hour \d\d:00 UTC", line[0]) and "2 open issues" in line[0]


def test_the_takedown_notices_are_sent_to_the_drop_and_tracked(
    demo_output: tuple[str, dict[str, str]],
) -> None:
    text, env = demo_output
    [line] = re.findall(r"^takedown notices: .+$", text, flags=re.MULTILINE)
    found = re.search(
        r"(\d+) DSA notices for the (\d+) locations.*?(\d+) sent to the demo's own mail drop "
        r"\((.+?)\), (\d+) answers tracked, (\d+) locations removed; figures: (.+)$",
        line,
    )
    assert found is not None, line
    drafted, locations, sent, folder, answers, removed = found.groups()[:6]
    assert int(drafted) >= 3 and int(sent) == int(drafted) == int(answers)
    assert 0 < int(removed) < int(locations)
    mails = sorted(Path(folder).glob("*.eml"))
    assert len(mails) == int(sent)
    assert all(stat.S_IMODE(m.stat().st_mode) == 0o600 for m in mails)
    assert all(b"Article 16" in m.read_bytes() for m in mails)
    done = subprocess.run(
        [*shlex.split(found.group(7)), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["sent"] == int(sent) and figures["removed"] == int(removed)
    assert figures["median_hours"] is not None
    # drafted before sent, the history in order, the text dated the day it was sent
    words = shlex.split(found.group(7))
    db = words[words.index("--db") + 1]
    for notice_id in range(1, int(sent) + 1):
        shown = subprocess.run(
            [words[0], "notices", "show", str(notice_id), "--db", db, "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr
        notice = json.loads(shown.stdout)
        drafted_at = datetime.fromisoformat(notice["created_at"])
        sent_at = datetime.fromisoformat(notice["sent_at"])
        assert drafted_at < sent_at < datetime.now(UTC)
        times = [c["at"] for c in notice["changes"]]
        assert times == sorted(times) and notice["changes"][0]["status"] == "drafted"
        assert f"Date: {sent_at.day} {sent_at:%B %Y}\n" in notice["body"]
