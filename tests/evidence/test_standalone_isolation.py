"""verify.py stands alone: it imports only the standard library and ``cryptography``,
and runs with ``python -I`` (no LeakTrace on the path) from an unpacked bundle."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from leaktrace.evidence import standalone

ALLOWED_THIRD_PARTY = {"cryptography"}


def test_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(Path(standalone.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            assert node.module is not None
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"__import__", "exec", "eval"}
    assert imported, "the walk found the imports"
    outside = imported - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY
    assert not outside, f"verify.py must not import {sorted(outside)}"
