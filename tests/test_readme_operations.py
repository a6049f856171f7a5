"""The README's action-day walk-through runs as written, on the demo's data.

Each ``leaktrace`` line runs in-process through the real entry point (the demo built
once, no start-up per command; ``tests/cli/test_demo_cli.py`` runs the installed script).
The little interpreter below knows only what the block uses (``export``, ``VAR=$(...)``,
a pipe into ``python3 -c``, ``> /dev/null``, comments, ``\\`` continuations) and fails on
anything else, so the block cannot drift into shell it does not check.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leaktrace.cli.app import main
from leaktrace.cli.context import out

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "### From the command line: `leaktrace operation`"


def _block_after(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(marker)
    found = re.search(r"```sh\n(.*?)```", text[start:], flags=re.DOTALL)
    assert found, f"no sh block after {marker!r}"
    return found.group(1)


def _lines(block: str) -> list[str]:
    """The block's logical lines (``\\`` continuations joined)."""
    return [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


class Shell:
    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.variables: dict[str, str] = {}
        self.outputs: list[tuple[str, str]] = []

    def leaktrace(self, args: list[str]) -> str:
        self.monkeypatch.setattr(sys, "argv", ["leaktrace", *args])
        self.capsys.readouterr()
        code: int | str | None = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        captured = self.capsys.readouterr()
        assert code in (0, None), f"leaktrace {shlex.join(args)}: {code}\n{captured.err}"
        self.outputs.append((shlex.join(args), captured.out))
        return captured.out

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            assert name in self.variables, f"${name} is not set"
            return self.variables[name]

        return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)

    def pipeline(self, text: str) -> str:
        first, *rest = text.split(" | ")
        words = shlex.split(self.expand(first), comments=True)
        if words[-2:] == [">", "/dev/null"]:
            words = words[:-2]
        assert words and words[0] == "leaktrace", f"not a leaktrace command: {text}"
        assert not {"|", ">", "<", "&&", ";"} & set(words), f"unsupported shell: {text}"
        output = self.leaktrace(words[1:])
        for stage in rest:
            command = shlex.split(stage)
            assert command[:2] == ["python3", "-c"] and len(command) == 3, stage
            done = subprocess.run(
                [sys.executable, "-c", command[2]],
                input=output,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            output = done.stdout
        return output

    def run(self, line: str) -> None:
        assigned = re.fullmatch(r"(\w+)=\$\((.*)\)", line)
        if assigned:
            self.variables[assigned.group(1)] = self.pipeline(assigned.group(2)).strip()
            return
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            assert re.fullmatch(r"\w+", name) and value and " " not in value, line
            self.monkeypatch.setenv(name, value)
            return
        self.pipeline(line)


def test_the_operation_walk_through_runs_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("LEAKTRACE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(out, "width", 100)
    monkeypatch.chdir(tmp_path)
    lines = _lines(_block_after(MARKER))
    assert lines[0].startswith("leaktrace demo ")
    shell = Shell(capsys, monkeypatch)
    for line in lines:
        shell.run(line)

    op = shell.variables["OP"]
    assert op.isdigit() and op != "1"  # the demo's own action day is operation 1
    assert shell.variables["ISSUE"].isdigit()
    listed = dict(shell.outputs)["operation list"]
    assert "Sparks" in listed  # the demo's own action day
    board = json.loads(shell.leaktrace(["operation", "show", op, "--format", "json"]))
    targets = {t["label"]: t for t in board["targets"]}
    seized = targets["198.51.100.52"]
    assert seized["status"] == "done"
    assert seized["outcome"] == {"seized": 1, "offline": True}
    assert seized["checklist"]["authorisation"] == "RC-UTR-2026-0142"
    moved = targets["tracker40.de-node.example"]
    assert moved["status"] == "aborted" and moved["outcome"]["moved_to"] == "a hoster in RO"
    assert targets["streaming24.nl-node.example"]["agency"] == "DEMO-DE-POL"
    assert targets["ashfall"]["real_name"] == "Joris van der Voorbeeld (fictional)"
    assert {t["country"] for t in board["targets"]} == {"NL", "DE"}
    (issue,) = board["issues"]
    assert str(issue["id"]) == shell.variables["ISSUE"] and not issue["open"]
    zones = {a["code"]: a["timezone"] for a in board["agencies"]}
    assert zones["DEMO-DE-POL"] == "Europe/Berlin"
    assert board["operation"]["handling"] == "H2"
    report = tmp_path / "second-wave.html"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "Second wave (demo)" in report.read_text(encoding="utf-8")
    # the walk-through signs with the demo's key, never the user's
    assert not (tmp_path / ".local" / "share" / "leaktrace").exists()
