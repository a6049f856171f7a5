"""How to run this LeakTrace again: the command a printed hint must start with.

A hint such as ``leaktrace leaks --db DIR/demo.db`` only works as printed when
``leaktrace`` on the user's ``PATH`` is the program that printed it. Right after
``pip install`` into a virtual environment that is not activated, it is not (or there is
no ``leaktrace`` on the ``PATH`` at all), so hints name the running program by its path.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["command_line", "leaktrace_command"]

_NAME = "leaktrace"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def leaktrace_command(argv0: str | None = None, path: str | None = None) -> str:
    """The shell words that start the running LeakTrace, quoted for a POSIX shell.

    ``leaktrace`` when that name on ``PATH`` is the running program; else the running
    script's absolute path; else (``python -m leaktrace``, or an embedding program) this
    interpreter with ``-m leaktrace``, which works wherever the package is importable.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    script = Path(argv0)
    if script.name.startswith(_NAME) and script.suffix in ("", ".exe"):
        if not script.is_absolute() and os.sep not in argv0:
            found = shutil.which(argv0, path=path)
            located = Path(found) if found else None
        else:
            located = script.absolute() if script.is_file() else None
        if located is not None:
            on_path = shutil.which(_NAME, path=path)
            if on_path is not None and _same_file(Path(on_path), located):
                return _NAME
            return shlex.quote(str(located))
    return f"{shlex.quote(sys.executable)} -m {_NAME}"


def command_line(*args: str) -> str:
    """A whole LeakTrace command line to print as a hint: ``leaktrace ARGS``, quoted."""
    return " ".join([leaktrace_command(), *(shlex.quote(a) for a in args)])
