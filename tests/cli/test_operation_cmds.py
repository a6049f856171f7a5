"""``leaktrace operation``: plan, change and show an action day from the command line (the
local operator, coordinator of every operation), user mistakes as one line and an exit
code, the report file, and the live terminal board redrawing on events (Rich's own
console capture)."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console
from rich.live import Live

from leaktrace.cli import operation_board_view
from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import audit, operation_changes
from leaktrace.services.context import AppContext, build_context
from tests.cli.conftest import Run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "ops.db")


@pytest.fixture
def planned(run: Run, db: str) -> int:
    """Agencies NL-POL, DE-BKA and EJ (coordinator), case 1 and operation 1 with a DE
    server and an NL person; the operation's id."""
    for code, country, kind in (
        ("NL-POL", "NL", "police"),
        ("DE-BKA", "DE", "police"),
        ("EJ", "NL", "eurojust"),
    ):
        result = run("agency", "add", code, "--name", code, "--country", country,
                     "--kind", kind, "--db", db)  # fmt: skip
        assert result.code == 0, result.err
    assert run("case", "open", "Tinsel", "--agency", "NL-POL", "--db", db).code == 0
    created = run(
        "operation", "create", "Day one", "--case", "1", "--date", "2026-03-01",
        "--h-hour", "06:00", "--agencies", "NL-POL, DE-BKA=Europe/Berlin,EJ:coordinator",
        "--handling", "H1", "--db", db,
    )  # fmt: skip
    assert created.code == 0, created.err
    op = int(created.out.strip())
    assert "created operation" in created.err and "handling H1" in created.err
    for args in (
        ("--kind", "server", "--label", "198.51.100.7", "--country", "DE", "--group", "EMBERS"),
        ("--kind", "person", "--label", "zed", "--country", "NL", "--real-name", "Jan Geheim"),
    ):
        added = run("operation", "add-target", str(op), *args, "--db", db)
        assert added.code == 0, added.err
    return op


def show(run: Run, db: str, op: int) -> dict[str, object]:
    result = run("operation", "show", str(op), "--format", "json", "--db", db)
    assert result.code == 0, result.err
    board = json.loads(result.out)
    assert isinstance(board, dict)
    return board


def test_plan_change_and_show_an_operation(run: Run, db: str, planned: int) -> None:
    op = str(planned)
    for status in ("go", "in-progress"):
        assert run("operation", "status", op, "198.51.100.7", status, "--db", db).code == 0
    done = run(
        "operation", "status", op, "198.51.100.7", "done", "--note", "two racks",
        "--seized", "2", "--offline", "--moved-to", "nowhere", "--format", "json", "--db", db,
    )  # fmt: skip
    assert done.code == 0, done.err
    target = json.loads(done.out)
    assert target["status"] == "done" and target["note"] == "two racks"
    assert target["outcome"] == {"seized": 2, "offline": True, "moved_to": "nowhere"}
    checked = run("operation", "check", op, "zed", "authorisation", "--reference", "W-1",
                  "--db", db)  # fmt: skip
    assert checked.code == 0 and "authorisation checked" in checked.err
    assert run("operation", "assign", op, "zed", "--agency", "DE-BKA", "--db", db).code == 0
    raised = run("operation", "issue", op, "zed", "not at home", "--format", "json", "--db", db)
    issue = json.loads(raised.out)
    assert issue["open"] is True and issue["target_label"] == "zed"
    second = run("operation", "issue", op, "198.51.100.7", "moved", "--db", db)
    assert second.code == 0 and "raised issue" in second.err
    resolved = run("operation", "resolve", op, str(issue["id"]), "--resolution", "found him",
                   "--db", db)  # fmt: skip
    assert resolved.code == 0 and "is resolved" in resolved.err

    board = show(run, db, planned)
    targets = {t["label"]: t for t in board["targets"]}  # type: ignore[attr-defined]
    assert targets["zed"]["agency"] == "DE-BKA"
    assert targets["zed"]["checklist"]["authorisation"] == "W-1"
    assert targets["zed"]["real_name"] == "Jan Geheim"  # the operator coordinates
    issues = board["issues"]
    assert [i["open"] for i in issues] == [True, False]  # type: ignore[attr-defined]
    agencies = {a["code"]: a for a in board["agencies"]}  # type: ignore[attr-defined]
    assert agencies["DE-BKA"]["h_hour_local"] == "2026-03-01 07:00 CET (UTC+01:00)"
    assert agencies["EJ"]["role"] == "coordinator"
    assert board["operation"]["counters"]["servers_seized"] == 2  # type: ignore[index]

    table = run("operation", "show", op, "--db", db)
    assert table.code == 0
    for words in ("Operation 1: Day one", "H1", "done", "planned", "moved", "Issues (open first)",
                  "resolved", "found him", "07:00 CET"):  # fmt: skip
        assert words in table.out

    listed = run("operation", "list", "--format", "json", "--db", db)
    (row,) = json.loads(listed.out)
    assert (row["id"], row["name"], row["targets"], row["done"]) == (planned, "Day one", 2, 1)
    assert "Day one" in run("operation", "list", "--db", db).out


def test_the_case_timeline_says_a_cleared_item_is_cleared(run: Run, db: str, planned: int) -> None:
    """``check --undo`` is written as cleared in ``case show``'s timeline (not "checked"),
    and every operation line carries the operation's handling code."""
    op = str(planned)
    for args in (("seizure", "--reference", "EX-1"), ("seizure", "--undo")):
        assert run("operation", "check", op, "198.51.100.7", *args, "--db", db).code == 0
    case = json.loads(run("case", "show", "1", "--format", "json", "--db", db).out)
    words = [e["summary"] for e in case["timeline"] if e["event"].startswith("operation.")]
    assert words[-2:] == [
        "[Day one \u00b7 H1] 198.51.100.7: Checklist: seizure checked: EX-1",
        "[Day one \u00b7 H1] 198.51.100.7: Checklist: seizure cleared",
    ]
    assert all(w.startswith("[Day one \u00b7 H1] ") for w in words)
    table = run("case", "show", "1", "--db", db)
    assert "seizure cleared" in table.out and "Day one · H1" in table.out


COMMANDS = {
    "create": "NAME", "list": "", "add-target": "OP", "assign": "OP TARGET",
    "status": "OP TARGET STATUS", "check": "OP TARGET ITEM", "issue": "OP TARGET TEXT",
    "resolve": "OP ISSUE", "show": "OP", "board": "OP", "report": "OP",
}  # fmt: skip


def test_every_argument_has_a_metavar_in_the_help(run: Run) -> None:
    """Usage lines name arguments the same way: ``{OP} {TARGET} {TEXT}``, never a
    parameter's Python name (``{text}``)."""
    for command, arguments in COMMANDS.items():
        result = run("operation", command, "--help")
        assert result.code == 0, result.err
        # the usage line wraps on a narrow terminal: read it up to its blank line
        block = " ".join(result.out.split("Usage:", 1)[-1].split("\n\n", 1)[0].split())
        usage = re.search(r"operation " + command + r" \[OPTIONS\](.*)", block)
        assert usage is not None, result.out
        shown = re.findall(r"\{([^}]*)\}", usage.group(1))
        assert " ".join(shown) == arguments, (command, usage.group(0))
        for name in shown:
            assert re.search(rf"^\W*\*?\s+{name}\s", result.out, flags=re.M), (command, name)


MISTAKES = [
    (("status", "1", "198.51.100.7", "done"), 73, "cannot become done"),
    (("status", "1", "198.51.100.7", "finished"), 65, "unknown status"),
    (("status", "1", "nosuch", "go"), 66, "has no target 'nosuch'"),
    (("status", "9", "198.51.100.7", "go"), 66, "no operation 9"),
    (("check", "1", "zed", "lunch"), 65, "unknown checklist item"),
    (("assign", "1", "zed", "--agency", "XX-NONE"), 65, "does not act in this operation"),
    (("resolve", "1", "5"), 66, "has no issue 5"),
    (("show", "2"), 66, "no operation 2"),
    (("add-target", "1", "--kind", "server", "--label", "198.51.100.7"), 73, "has a server"),
    (("create", "Two", "--case", "1", "--agencies", "NL-POL", "--date", "2026-13-01",
      "--h-hour", "06:00"), 65, "is not a date of the calendar"),
    (("create", "Two", "--case", "1", "--agencies", "NL-POL", "--date", "2026-03-01",
      "--h-hour", "6am"), 65, "H-hour must be HH:MM"),
    (("create", "Two", "--case", "1", "--agencies", "NL-POL", "--date", "2026-03-01",
      "--h-hour", "06:00", "--from-targets", "DE"), 65, "no target sheet for 'DE'"),
    (("create", "Two", "--case", "1", "--agencies", "NL-POL:boss", "--date", "2026-03-01",
      "--h-hour", "06:00"), 65, "unknown role"),
]  # fmt: skip


def test_user_mistakes_are_one_line_and_an_exit_code(run: Run, db: str, planned: int) -> None:
    for args, code, words in MISTAKES:
        result = run("operation", *args, "--db", db)
        assert result.code == code, (args, result.err)
        assert result.err.startswith("error:") and words in result.err, (args, result.err)
        assert "Traceback" not in result.err + result.out
    board = show(run, db, planned)  # nothing changed
    assert [t["status"] for t in board["targets"]] == ["planned", "planned"]  # type: ignore[attr-defined]
    assert len(board["events"]) == 3  # type: ignore[arg-type]


def test_report_writes_a_private_file_added_to_the_case(
    run: Run, db: str, planned: int, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    assert (
        run("operation", "issue", str(planned), "zed", "<script>x</script>", "--db", db).code == 0
    )
    made = run("operation", "report", str(planned), "--out", str(out), "--format", "json",
               "--db", db)  # fmt: skip
    assert made.code == 0, made.err
    view = json.loads(made.out)
    assert view["path"] == str(out) and view["case_id"] == 1 and view["item_id"] >= 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    html = out.read_text()
    assert "HANDLING H1" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    case = json.loads(run("case", "show", "1", "--format", "json", "--db", db).out)
    assert [i["id"] for i in case["evidence"]] == [view["item_id"]]
    assert case["evidence"][0]["sha256"] == view["sha256"]

    again = run("operation", "report", str(planned), "--out", str(out), "--db", db)
    assert again.code == 73 and "--force" in again.err
    forced = run("operation", "report", str(planned), "--out", str(out), "--force", "--db", db)
    assert forced.code == 0 and "added to case 1 as item" in forced.out


def test_board_once_prints_one_frame(run: Run, db: str, planned: int) -> None:
    assert run("operation", "status", str(planned), "zed", "go", "--db", db).code == 0
    result = run("operation", "board", str(planned), "--once", "--db", db)
    assert result.code == 0, result.err
    for words in ("Operation 1: Day one", "Countries", "DE Germany", "planned 1", "go 1"):
        assert words in result.out
    assert "planned → go" in result.out  # the latest events


def test_the_board_redraws_on_events(db: str, planned: int) -> None:
    """The live board on a terminal console (Rich's capture): a status change made while
    it runs shows in a later frame."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, height=200, color_system=None)
    stop = threading.Event()
    frames: list[int] = []
    with build_context(load_settings(db=db)) as ctx:
        thread = threading.Thread(
            target=lambda: frames.append(
                operation_board_view.follow_board(
                    ctx, local_operator(), planned, console, seconds=60, stop=stop, poll=0.05
                )
            )
        )
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while "Latest events" not in buffer.getvalue():
                assert time.monotonic() < deadline, "no first frame"
                time.sleep(0.02)
            first = buffer.getvalue()
            assert "go → in-progress" not in first and "Ctrl-C" in first
            operation_changes.change_status(ctx, local_operator(), planned, "198.51.100.7", "go")
            operation_changes.change_status(
                ctx, local_operator(), planned, "198.51.100.7", "in-progress",
                note="door-breached",
            )  # fmt: skip
            while "door-breached" not in buffer.getvalue()[len(first) :]:
                assert time.monotonic() < deadline, "the board did not redraw"
                time.sleep(0.02)
        finally:
            stop.set()
            thread.join(10)
    assert not thread.is_alive()
    later = buffer.getvalue()[len(first) :]
    assert "go → in-progress – door-breached" in later
    assert "in-progress 1" in later  # the DE country tile and the counters
    assert frames and frames[0] >= 2


def names_audited(ctx: AppContext) -> int:
    return len(audit.list_audit(ctx, local_operator(), action="operation.names").items)


@pytest.mark.parametrize("names", [False, True])
def test_a_long_board_session_audits_real_names_at_most_once(
    db: str, planned: int, names: bool
) -> None:
    """Twelve redraws: without --names no real name is read (no audit row, the person by
    its handle); with --names the name is read once at the start (one audit row) and
    still shown in the last frame."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, height=200, color_system=None)
    stop = threading.Event()
    frames: list[int] = []
    with build_context(load_settings(db=db)) as ctx:
        before = names_audited(ctx)
        thread = threading.Thread(
            target=lambda: frames.append(
                operation_board_view.follow_board(
                    ctx,
                    local_operator(),
                    planned,
                    console,
                    names=names,
                    seconds=120,
                    stop=stop,
                    poll=0.05,
                )  # fmt: skip
            )
        )
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while "Latest events" not in buffer.getvalue():
                assert time.monotonic() < deadline, "no first frame"
                time.sleep(0.02)
            for number in range(1, 13):
                seen = len(buffer.getvalue())
                operation_changes.raise_issue(
                    ctx, local_operator(), planned, "zed", f"problem {number:02d}"
                )
                while f"problem {number:02d}" not in buffer.getvalue()[seen:]:
                    assert time.monotonic() < deadline, f"no redraw for problem {number}"
                    time.sleep(0.02)
            last = buffer.getvalue()[seen:]
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
        assert frames and frames[0] >= 13
        assert names_audited(ctx) - before == (1 if names else 0)
    assert ("Jan Geheim" in last) is names
    assert ("Jan Geheim" in buffer.getvalue()) is names


def test_ctrl_c_ends_the_board_cleanly(db: str, planned: int) -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)

    class CtrlC(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

    with build_context(load_settings(db=db)) as ctx:
        frames = operation_board_view.follow_board(
            ctx, local_operator(), planned, console, stop=CtrlC()
        )
    assert frames == 1
    # the live display stopped: the cursor is back and another one may start
    assert console.file.getvalue().endswith("\x1b[?25h")  # type: ignore[attr-defined]
    with Live(console=console):
        pass


def test_board_in_a_real_process_for_a_few_seconds(db: str, planned: int) -> None:
    """The installed entry point: piped output gets each frame printed (no cursor
    movement), and --seconds ends it."""
    env = {**os.environ, "COLUMNS": "140"}
    done = subprocess.run(
        [sys.executable, "-m", "leaktrace", "operation", "board", str(planned),
         "--seconds", "0.6", "--db", db],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Operation 1: Day one" in done.stdout and "\x1b[" not in done.stdout
