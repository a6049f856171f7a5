"""``leaktrace exchange pull|push|import``: objects from and to partners' TAXII servers and
STIX bundle files (registered on the ``exchange`` group by :func:`register`)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the inbound commands to the ``exchange`` group."""
