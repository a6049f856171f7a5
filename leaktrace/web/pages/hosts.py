"""Pages: servers (``/hosts``, one page at a time; ``/hosts/{id}`` one server with its
evidence in words and its cluster) and targets per country with the world
map of servers (``/targets``, ``/targets?country=XX``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.model import Role as HostRole
from leaktrace.services.hosts import host_detail, host_page
from leaktrace.services.targets import country_targets, world_map
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, trusted_svg

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)

HOST_ROLES = tuple(role.value for role in HostRole)


def _country(value: str | None) -> str | None:
    """A two-letter country code (upper case) or ``unknown``; the service checks it."""
    given = params.text(value, "country", limit=10)
    if given is None:
        return None
    return "unknown" if given.lower() == "unknown" else given.upper()


@router.get("/hosts", response_class=HTMLResponse)
def hosts_page(
    request: Request,
    ctx: Context,
    country: str | None = None,
    role: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    code = _country(country)
    chosen = params.choice(role, "role", HOST_ROLES)
    page = host_page(
        ctx,
        country=code,
        role=chosen,
        limit=params.integer(limit, "limit", low=1, high=200) or 50,
        cursor=params.cursor(cursor),
    )
    return render(
        request,
        "hosts.html",
        actor=actor,
        title="Servers",
        page=page,
        country=code or "",
        role=chosen or "",
        roles=[("", "any"), *((r, r) for r in HOST_ROLES)],
    )


@router.get("/hosts/{host_id}", response_class=HTMLResponse)
def host_page_view(
    request: Request,
    ctx: Context,
    host_id: str,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    host = host_detail(ctx, params.identifier(host_id, "host_id"))
    return render(request, "host.html", actor=actor, title=host.server, host=host)


@router.get("/targets", response_class=HTMLResponse)
def targets_page(
    request: Request,
    ctx: Context,
    country: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    code = _country(country)
    overview = world_map(ctx)
    sheet = country_targets(ctx, code) if code else None
    return render(
        request,
        "targets.html",
        actor=actor,
        title=f"Targets {sheet.country_name}" if sheet else "Targets",
        overview=overview,
        world=trusted_svg(overview.svg),
        sheet=sheet,
    )
