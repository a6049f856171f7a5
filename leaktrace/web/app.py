"""The FastAPI application: :func:`create_app` over an application context.

``leaktrace serve`` runs :func:`app_from_environment` (a factory, so that each uvicorn
worker process builds its own context from ``LEAKTRACE_*``).
"""

from __future__ import annotations

import logging
import threading
import time
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from leaktrace import __version__
from leaktrace.config import load_settings
from leaktrace.errors import LeakTraceError, StoreError
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.groups import warm_group_figures
from leaktrace.web import api, pages
from leaktrace.web.errors import install_error_handlers
from leaktrace.web.rendering import error_page
from leaktrace.web.security import install_security
from leaktrace.web.taxii.routes import router as taxii_router

__all__ = ["app_from_environment", "create_app"]

_log = logging.getLogger("leaktrace.web")


def create_app(context: AppContext) -> FastAPI:
    """The app serving ``context``'s database (the caller keeps and closes the context)."""
    app = FastAPI(
        title="LeakTrace",
        version=__version__,
        description="Pre-release leak intelligence: leaks, releases, works, groups, "
        "supply chain, servers and impact, shared between agencies on a need-to-know basis.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.error_page = error_page
    install_error_handlers(app)
    install_security(app, context.settings)
    for router in api.ROUTERS:
        app.include_router(router, prefix="/api/v1")
    app.include_router(taxii_router)
    for router in pages.ROUTERS:
        app.include_router(router)
    static = resources.files("leaktrace.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The app for the database ``LEAKTRACE_DB`` names (a uvicorn factory). The schema
    must be up to date (``leaktrace db upgrade``): a server never migrates."""
    context = build_context(load_settings(), migrate=False)
    if not context.database.is_current():
        display = context.database.display
        context.close()
        raise StoreError(
            f"the database {display} is not at the newest schema: run `leaktrace db upgrade`"
        )
    app = create_app(context)
    threading.Thread(
        target=_warm_up, args=(context,), name="leaktrace-warm-up", daemon=True
    ).start()
    return app


def _warm_up(context: AppContext) -> None:
    """Compute the figures every group page reads (minutes with a million releases) in the
    background, so that the first dossier a user asks for does not wait for them."""
    started = time.monotonic()
    try:
        warm_group_figures(context)
    except LeakTraceError as exc:
        _log.warning("group figures not computed at start-up: %s", exc)
        return
    _log.info("group figures ready after %.1f s", time.monotonic() - started)
