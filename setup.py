"""Build hook: the release-name parser (``leaktrace/releases``) is compiled with mypyc.

The parser is plain, strictly typed Python; mypyc turns its modules into C extensions
(about 1.5x faster, see BENCHMARKS.md). Everything else is in pyproject.toml. Set
``LEAKTRACE_PURE_PYTHON=1`` when installing to skip the compilation (the pure modules are
the same code and what the tests compare the compiled ones against); a build without mypyc
or a C compiler falls back to them too.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

#: the parser's modules, in one compilation group (they call each other natively);
#: ``model`` (the frozen dataclass other code builds and copies) and ``sites`` (changed
#: at run time by the settings) stay Python
PARSER_MODULES = [
    f"leaktrace/releases/{name}.py"
    for name in (
        "_common",
        "_component",
        "_markers",
        "_titles",
        "_tokens",
        "_world_markers",
        "parser",
        "vocab",
    )
]


def _ext_modules() -> list[object]:
    if os.environ.get("LEAKTRACE_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # pragma: no cover - the build requirements bring mypy
        print("leaktrace: mypyc not available, the parser stays pure Python", file=sys.stderr)
        return []
    try:
        extensions = list(mypycify(PARSER_MODULES, opt_level="3", group_name="leaktrace_parser"))
    except (Exception, SystemExit) as exc:  # a mypyc failure leaves the pure parser
        print(f"leaktrace: mypyc failed ({exc}), the parser stays pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: the pure modules are used
    return extensions


setup(ext_modules=_ext_modules())
