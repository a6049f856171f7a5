"""Hints name a LeakTrace the user can run as printed."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from leaktrace.cli.invocation import command_line, leaktrace_command


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "leaktrace"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_the_name_alone_when_path_finds_the_running_program(tmp_path: Path) -> None:
    script = _script(tmp_path / "bin")
    assert leaktrace_command(str(script), path=str(script.parent)) == "leaktrace"
    assert leaktrace_command("leaktrace", path=str(script.parent)) == "leaktrace"


def test_the_full_path_when_the_environment_is_not_activated(tmp_path: Path) -> None:
    script = _script(tmp_path / "my venv" / "bin")
    other = _script(tmp_path / "elsewhere")
    for path in ("", str(other.parent)):
        printed = leaktrace_command(str(script), path=path)
        assert shlex.split(printed) == [str(script)]


def test_python_dash_m_when_run_as_a_module(tmp_path: Path) -> None:
    printed = leaktrace_command(str(tmp_path / "leaktrace" / "__main__.py"), path="")
    assert shlex.split(printed) == [sys.executable, "-m", "leaktrace"]
    assert shlex.split(leaktrace_command("pytest", path=""))[-2:] == ["-m", "leaktrace"]


def test_command_line_quotes_every_argument(monkeypatch: object, tmp_path: Path) -> None:
    odd = str(tmp_path / "it's a dir" / "demo.db")
    words = shlex.split(command_line("leaks", "--db", odd))
    assert words[-3:] == ["leaks", "--db", odd]
