"""``leaktrace serve``: the web API and pages on uvicorn.

Each worker process builds its own application context from the environment
(``leaktrace.web.app:app_from_environment``); ``--db`` reaches them as ``LEAKTRACE_DB``.
The schema must be current (``leaktrace db upgrade``): a server never migrates.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from leaktrace.cli.context import DbOption, err
from leaktrace.config import load_settings
from leaktrace.errors import StoreError
from leaktrace.services.context import build_context

__all__ = ["serve"]

APP = "leaktrace.web.app:app_from_environment"
SHUTDOWN_GRACE_SECONDS = 5
"""How long a stopping server waits for open responses (live boards stream forever)."""


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    db: DbOption = None,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json) and the web pages."""
    settings = load_settings(db=db)
    with build_context(settings, migrate=False) as ctx:
        current = ctx.database.is_current()
        where = ctx.database.display
    if not current:
        raise StoreError(
            f"the database {where} is not at the newest schema: run `leaktrace db upgrade` "
            "(with the same --db) first; a server never migrates"
        )
    if db is not None:
        os.environ["LEAKTRACE_DB"] = db  # for the worker processes
    import uvicorn

    err.print(f"serving {where} on http://{host}:{port} with {workers} worker(s)")
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # open live boards (server-sent events) would hold a shutdown forever: they are
        # cut after a few seconds and reconnect with Last-Event-ID, losing nothing
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
