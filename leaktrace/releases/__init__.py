"""Release-name parsing: ``parse(name) -> ParsedRelease``.

An installation compiles the parser's modules with mypyc (``setup.py``); they are the
same code as the ``.py`` files beside them. The source modules are used instead when
``LEAKTRACE_PURE_PYTHON`` is set, or when a compiled module is older than its source (an
edited checkout: ``pip install -e .`` compiles it again). :func:`compiled` says which.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).resolve().parent
_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _stale_or_unwanted() -> bool:
    if os.environ.get("LEAKTRACE_PURE_PYTHON"):
        return True
    for binary in _HERE.iterdir():
        if not binary.name.endswith(_SUFFIXES):
            continue
        source = _HERE / (binary.name.split(".", 1)[0] + ".py")
        if source.is_file() and source.stat().st_mtime > binary.stat().st_mtime:
            return True
    return False


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Loads ``leaktrace.releases.X`` from ``X.py`` even where a compiled ``X`` exists."""

    def find_spec(
        self,
        fullname: str,
        path: object = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, leaf = fullname.rpartition(".")
        if package != __name__:
            return None
        source = _HERE / f"{leaf}.py"
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


if _stale_or_unwanted():
    sys.meta_path.insert(0, _SourceFirst())

from .model import Kind, ParsedRelease  # noqa: E402
from .parser import parse  # noqa: E402


def compiled() -> bool:
    """Is the parser in use the mypyc-compiled one?"""
    from . import parser

    return not str(parser.__file__).endswith(".py")


__all__ = ["Kind", "ParsedRelease", "compiled", "parse"]
