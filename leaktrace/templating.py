"""The one Jinja environment factory for LeakTrace's self-contained HTML pages (the leak
report, an evidence bundle's ``index.html``): templates from a package folder, every
value escaped (also in templates given as strings), undefined names an error rather than
an empty text, and block tags that leave no blank lines."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["html_environment"]


def html_environment(
    package: str,
    folder: str = "templates",
    *,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    globals: Mapping[str, Any] | None = None,
) -> Environment:
    """A new environment loading ``package``'s ``folder``, with ``filters`` and
    ``globals`` added (callers keep one per process)."""
    env = Environment(
        loader=PackageLoader(package, folder),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters or {})
    env.globals.update(globals or {})
    return env
