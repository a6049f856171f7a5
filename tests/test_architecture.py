"""The architecture, checked on the real import graph.

* ``leaktrace.cli`` and ``leaktrace.web`` never import ``leaktrace.store`` themselves: they
  reach the database through the services (``.importlinter``, run with ``lint-imports``).
* No import cycles between the top-level packages of ``leaktrace`` (``store`` imports no
  ``infra``, ``formats`` no ``sources`` ...): each package only builds on lower ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
FORBIDDEN = {"leaktrace.cli": "leaktrace.store", "leaktrace.web": "leaktrace.store"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("leaktrace", cache_dir=None)


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _where(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(f"l.{d['line_number']}" for d in details) or "?"
    return f"{importer} -> {imported} ({lines})"


def test_cli_and_web_never_import_store(graph: grimp.ImportGraph) -> None:
    found: list[str] = []
    for source, forbidden in FORBIDDEN.items():
        for module in sorted(graph.find_descendants(source) | {source}):
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                if _within(imported, forbidden):
                    found.append(_where(graph, module, imported))
    assert not found, (
        "cli/ and web/ must reach the database through leaktrace.services, not import "
        "leaktrace.store:\n  " + "\n  ".join(found)
    )


def test_import_linter_contracts_are_kept() -> None:
    """The same rule as import-linter states it (``lint-imports`` reads .importlinter)."""
    runner = Path(sys.executable).with_name("lint-imports")
    command = [str(runner)] if runner.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(
        [*command, str(CONFIG), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _package_edges(graph: grimp.ImportGraph) -> dict[str, dict[str, tuple[str, str]]]:
    """Package -> imported package -> one (importer, imported) module pair behind it."""
    edges: dict[str, dict[str, tuple[str, str]]] = {}
    for module in sorted(graph.modules):
        a = _top(module)
        if a is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            b = _top(imported)
            if b is not None and b != a:
                edges.setdefault(a, {}).setdefault(b, (module, imported))
    return edges


def _find_cycle(edges: dict[str, dict[str, tuple[str, str]]]) -> list[str] | None:
    """One cycle of packages (first package repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _chain(
    graph: grimp.ImportGraph, cycle: Iterable[str], edges: dict[str, dict[str, tuple[str, str]]]
) -> str:
    packages = list(cycle)
    lines = []
    for a, b in zip(packages, packages[1:], strict=False):
        importer, imported = edges[a][b]
        lines.append(f"{a} -> {b}: {_where(graph, importer, imported)}")
    return "\n  ".join(lines)


def test_no_cycles_between_top_level_packages(graph: grimp.ImportGraph) -> None:
    edges = _package_edges(graph)
    cycle = _find_cycle(edges)
    assert cycle is None, f"import cycle between packages {' -> '.join(cycle or [])}:\n  " + _chain(
        graph, cycle or [], edges
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check itself works: a made-up graph a -> b -> c -> a is a cycle."""
    made_up = {"a": {"b": ("x", "y")}, "b": {"c": ("x", "y")}, "c": {"a": ("x", "y")}}
    assert _find_cycle(made_up) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b": ("x", "y")}}) is None
