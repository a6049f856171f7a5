"""Fictional agencies and users for ``leaktrace demo --serve``: one command to see the
shared service with the roles and the need-to-know between agencies.

Passwords are random for every demo (printed once, stored as argon2 hashes like any
other): a demo left running on a network is not open to a published password.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from leaktrace.errors import ConflictError
from leaktrace.identity.actor import Actor
from leaktrace.infra.worldmap import country_name
from leaktrace.services.context import AppContext
from leaktrace.services.identity import add_agency, add_user
from leaktrace.services.views import View

__all__ = [
    "DEMO_AGENCIES",
    "DEMO_COORDINATOR",
    "DEMO_OBSERVER",
    "DEMO_USERS",
    "DemoLogin",
    "create_country_police",
    "create_demo_accounts",
    "create_demo_agencies",
    "police_code",
]

DEMO_AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("DEMO-NL-POL", "Demo national police cybercrime unit (fictional)", "NL", "police"),
    ("DEMO-SE-PROS", "Demo prosecution office (fictional)", "SE", "judicial"),
    ("DEMO-EUROPOL", "Demo Europol analysis project (fictional)", "NL", "europol"),
    ("DEMO-INDUSTRY", "Demo film industry anti-piracy body (fictional)", "US", "industry"),
    ("DEMO-DE-POL", "Demo Germany police cybercrime unit (fictional)", "DE", "police"),
)
"""(code, name, country, kind) of each fictional agency (the demo's action day adds a
police agency for each other country with servers: :func:`create_country_police`)."""

DEMO_COORDINATOR = "DEMO-EUROPOL"
"""The agency coordinating the demo's action day."""
DEMO_OBSERVER = "DEMO-INDUSTRY"
"""The agency following the demo's action day as an observer."""

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin@police.demo.invalid", "DEMO-NL-POL", "admin"),
    ("investigator@police.demo.invalid", "DEMO-NL-POL", "investigator"),
    ("prosecutor@prosecution.demo.invalid", "DEMO-SE-PROS", "coordinator"),
    ("analyst@europol.demo.invalid", "DEMO-EUROPOL", "analyst"),
    ("viewer@industry.demo.invalid", "DEMO-INDUSTRY", "viewer"),
    ("analyst@industry.demo.invalid", "DEMO-INDUSTRY", "analyst"),
    ("investigator@de-police.demo.invalid", "DEMO-DE-POL", "investigator"),
)
"""(e-mail, agency, role): the ``.invalid`` domain (RFC 2606) can never reach anyone."""


class DemoLogin(View):
    email: str
    password: str
    agency: str
    role: str


def create_demo_agencies(ctx: AppContext, actor: Actor) -> None:
    """Add the fictional agencies (those that exist already are skipped)."""
    for code, name, country, kind in DEMO_AGENCIES:
        try:
            add_agency(ctx, actor, code=code, name=name, country=country, kind=kind)
        except ConflictError:
            pass


def police_code(country: str) -> str:
    """The code of the demo's fictional police agency of ``country``: ``DEMO-DE-POL``."""
    return f"DEMO-{country.upper()}-POL"


def create_country_police(ctx: AppContext, actor: Actor, countries: Iterable[str]) -> None:
    """Add a fictional police agency for each of ``countries`` (after
    :func:`create_demo_agencies`; those that exist already are skipped)."""
    create_demo_agencies(ctx, actor)
    for country in countries:
        name = f"Demo {_short_name(country)} police cybercrime unit (fictional)"
        try:
            add_agency(
                ctx, actor, code=police_code(country), name=name, country=country, kind="police"
            )
        except ConflictError:
            pass


_SHORT_NAMES = {"GB": "United Kingdom", "KR": "South Korea", "US": "United States"}


def _short_name(country: str) -> str:
    code = country.upper()
    return _SHORT_NAMES.get(code) or country_name(code) or code


def create_demo_accounts(ctx: AppContext, actor: Actor) -> list[DemoLogin]:
    """Add the fictional agencies and users (those that exist already are skipped) and
    return the logins of the users added, each with a fresh random password."""
    create_demo_agencies(ctx, actor)
    logins: list[DemoLogin] = []
    for email, agency, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        try:
            add_user(ctx, actor, email=email, agency=agency, role=role, password=password)
        except ConflictError:
            continue
        logins.append(DemoLogin(email=email, password=password, agency=agency, role=role))
    return logins
