"""Rendering pages: the Jinja2 environment (autoescape on for every template) and helpers.

Every outside text (release names, NFO text, group names, notes) reaches a template as a
plain string and is escaped by Jinja2. The only markup a page takes from Python is SVG
built by LeakTrace's own chart and map code, which escapes every text it draws; it is
wrapped with :func:`trusted_svg`, never with ``|safe`` in a template.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from leaktrace import __version__
from leaktrace.errors import LeakTraceError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.web.auth import csrf_token_of

__all__ = [
    "NAV",
    "VENDOR",
    "environment",
    "error_page",
    "render",
    "render_macro",
    "safe_next",
    "trusted_svg",
    "url_with",
]

VENDOR: dict[str, str] = {
    "htmx": "vendor/htmx.org-2.0.11/htmx.min.js",
    "swagger_js": "vendor/swagger-ui-dist-5.35.0/swagger-ui-bundle.js",
    "swagger_css": "vendor/swagger-ui-dist-5.35.0/swagger-ui.css",
}
"""Vendored files under ``/static`` (see ``static/vendor/VENDORED.md``)."""

NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/", "Overview", Permission.read_intel),
    ("/leaks", "Leaks", Permission.read_intel),
    ("/releases", "Releases", Permission.read_intel),
    ("/works", "Works", Permission.read_intel),
    ("/groups", "Groups", Permission.read_intel),
    ("/supply", "Supply", Permission.read_personal),
    ("/hosts", "Hosts", Permission.read_intel),
    ("/targets", "Targets", Permission.read_intel),
    ("/sources", "Sources", Permission.read_intel),
    ("/cases", "Cases", Permission.read_cases),
    ("/api/docs", "API", Permission.read_intel),
)
"""The navigation bar: path, label, and the permission a user needs to see the link."""


def trusted_svg(svg: str) -> Markup:
    """Mark SVG made by LeakTrace's chart/map code (which escapes its texts) as markup.

    Only for strings from :mod:`leaktrace.report.svg` / :mod:`leaktrace.infra.worldmap`
    as services return them; never for outside text.
    """
    return Markup(svg)


def url_with(request: Request, **changes: object) -> str:
    """The current path with query parameters ``changes`` set (None or "" removes one).

    ``cursor`` is always dropped unless given: a changed filter starts at the first page.
    """
    params: dict[str, str] = {
        key: value for key, value in request.query_params.items() if key != "cursor"
    }
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


def _when(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: object, digits: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _segment(value: object) -> str:
    """``value`` quoted as one URL path segment (a ``/`` in a group name is quoted too)."""
    return quote(str(value), safe="")


def _web_link(value: object) -> str | None:
    """``value`` if it is an http(s) address (safe in an ``href``), else None."""
    text = str(value or "")
    return text if text.lower().startswith(("http://", "https://")) else None


def _build_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("leaktrace.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["segment"] = _segment
    env.filters["web_link"] = _web_link
    env.globals["vendor"] = VENDOR
    env.globals["version"] = __version__
    env.globals["url_with"] = url_with
    env.globals["Permission"] = Permission
    return env


environment = _build_environment()


def render(
    request: Request,
    template: str,
    *,
    actor: Actor | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered with ``context``, the signed-in ``actor`` and the navigation."""
    nav = [(path, label) for path, label, needs in NAV if actor is not None and actor.can(needs)]
    html = environment.get_template(template).render(
        request=request,
        actor=actor,
        nav=nav,
        current=request.url.path,
        csrf_token=csrf_token_of(request) if actor is not None else None,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


def render_macro(template: str, name: str, *args: object) -> HTMLResponse:
    """The macro ``name`` of ``template`` called with ``args`` (an htmx fragment)."""
    macro = getattr(environment.get_template(template).module, name)
    return HTMLResponse(str(macro(*args)))


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site): default ``/``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return "/"
    return target


_TITLES = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Conflict",
    422: "That request is not valid",
    429: "Too many attempts",
    503: "The database is not available",
}


def _htmx_error(request: Request, status: int) -> Response:
    """An error on an htmx request (which would follow a redirect silently and swap no
    4xx answer): signed out, htmx takes the browser to the login page; anything else
    (a stale CSRF token, a leak gone): htmx reloads the page, which shows the state."""
    if status == 401:
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        here = safe_next(current.path + (f"?{current.query}" if current.query else ""))
        return Response(
            status_code=401, headers={"HX-Redirect": "/login?" + urlencode({"next": here})}
        )
    return Response(status_code=status, headers={"HX-Refresh": "true"})


def error_page(
    request: Request, exc: LeakTraceError, status: int, headers: Mapping[str, str]
) -> Response:
    """The HTML answer to an error on a page (``app.state.error_page``).

    Not signed in: a redirect to ``/login?next=<this page>``. Anything else: a page
    naming the problem in words (never a traceback).
    """
    if request.headers.get("HX-Request") == "true":
        return _htmx_error(request, status)
    if status == 401:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login" if request.method != "GET" else "/login?" + urlencode({"next": here})
        return RedirectResponse(target, status_code=303)
    kept = {k: v for k, v in headers.items() if k.lower() == "retry-after"}
    message = str(exc) if status < 500 else "The server could not answer; please try again."
    known = getattr(request.state, "actor", None)
    return render(
        request,
        "error.html",
        actor=known if isinstance(known, Actor) else None,
        status=status,
        headers=kept,
        title=_TITLES.get(status, "Something went wrong"),
        status_code=status,
        message=message,
    )
