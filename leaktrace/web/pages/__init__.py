"""Server-rendered pages (Jinja2 templates in ``leaktrace/web/templates``)."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web import docs
from leaktrace.web.pages import (
    cases,
    exchange,
    groups,
    hosts,
    leaks,
    notices,
    operations,
    overview,
    releases,
    session,
    sources,
    supply,
    works,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    session.router,
    overview.router,
    leaks.router,
    releases.router,
    works.router,
    groups.router,
    supply.router,
    hosts.router,
    sources.router,
    cases.router,
    exchange.router,
    operations.router,
    notices.router,
    docs.router,
]
