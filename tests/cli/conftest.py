from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from leaktrace.cli.app import main
from leaktrace.cli.context import out


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``leaktrace ARGS`` in-process through the real entry point."""

    monkeypatch.setattr(out, "width", 220)  # as on a wide terminal

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["leaktrace", *args])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
