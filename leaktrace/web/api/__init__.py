"""The JSON API, ``/api/v1``: one module per area, each with its ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.api import (
    audit,
    cases,
    evidence,
    groups,
    health,
    hosts,
    identity,
    impact,
    leaks,
    notices,
    operation_events,
    operations,
    overview,
    releases,
    sources,
    supply,
    swarm,
    targets,
    works,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    health.router,
    overview.router,
    leaks.router,
    releases.router,
    works.router,
    groups.router,
    supply.router,
    swarm.router,
    hosts.router,
    targets.router,
    impact.router,
    sources.router,
    identity.router,
    audit.router,
    cases.router,
    evidence.router,
    operations.router,
    operation_events.router,
    notices.router,
]
