"""``leaktrace agency``, ``user``, ``token`` and ``audit``: who may use a shared LeakTrace.

The command line is the deployment's operator (:func:`local_operator`): it adds agencies,
users of any agency and their tokens, and reads the whole audit log.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from leaktrace.cli.context import DbOption, FormatOption, err, open_context, out
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.identity.roles import AgencyKind, Role
from leaktrace.services import audit as audit_service
from leaktrace.services import identity

__all__ = ["agency_app", "audit", "register", "token_app", "user_app"]

agency_app = typer.Typer(help="Agencies taking part (police, judicial, Europol, ...).")
user_app = typer.Typer(help="Users of the agencies, with their roles.")
token_app = typer.Typer(help="API tokens (Bearer, or Basic with the e-mail as user).")


def register(app: typer.Typer) -> None:
    """Add ``agency``, ``user``, ``token`` and ``audit`` to ``app``."""
    app.add_typer(agency_app, name="agency")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.command()(audit)


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. NL-POL.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    country: Annotated[str, typer.Option("--country", help="Two-letter country code.")],
    kind: Annotated[AgencyKind, typer.Option("--kind", case_sensitive=False)],
    db: DbOption = None,
) -> None:
    """Add an agency."""
    with open_context(db) as ctx:
        view = identity.add_agency(
            ctx, local_operator(), code=code, name=name, country=country, kind=kind.value
        )
    err.print(f"added agency {view.code} ({view.kind.value}, {view.country})")


@agency_app.command("list")
def agency_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the agencies."""
    with open_context(db) as ctx:
        views = identity.list_agencies(ctx, local_operator())
    emit_rows(
        out,
        [view.to_json() for view in views],
        fmt,
        columns=[("code", "Code"), ("name", "Name"), ("country", "Country"), ("kind", "Kind")],
    )


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise InputError("no password on standard input", field="--password-stdin")
    return password


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail (their login).")],
    agency: Annotated[str, typer.Option("--agency", help="Agency code.")],
    role: Annotated[Role, typer.Option("--role", case_sensitive=False)],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read a password for browser sign-in from the first line of standard input "
            "(without it the user signs in with API tokens only).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user of an agency."""
    password = _password_from_stdin() if password_stdin else None
    with open_context(db) as ctx:
        view = identity.add_user(
            ctx, local_operator(), email=email, agency=agency, role=role.value, password=password
        )
    err.print(f"added user {view.email} ({view.agency}, {view.role.value})")


@user_app.command("list")
def user_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the users of every agency."""
    with open_context(db) as ctx:
        views = identity.list_users(ctx, local_operator())
    emit_rows(
        out,
        [view.to_json() for view in views],
        fmt,
        columns=[
            ("id", "Id"),
            ("email", "E-mail"),
            ("agency", "Agency"),
            ("role", "Role"),
            ("active", "Active"),
            ("has_password", "Password"),
        ],
    )


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token signs in as.")],
    expires_days: Annotated[
        int | None,
        typer.Option("--expires-days", min=1, help="Valid this many days (by default: no expiry)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an API token and print it (only it, on standard output; it is shown once)."""
    with open_context(db) as ctx:
        token = identity.create_token(ctx, local_operator(), email, expires_days=expires_days)
    sys.stdout.write(token + "\n")
    sys.stdout.flush()


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token, as printed by 'token create'.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token."""
    with open_context(db) as ctx:
        view = identity.revoke_token(ctx, local_operator(), token)
    err.print(f"revoked token {view.id} of {view.user}")


def audit(
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action (e.g. login).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's entries.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=500, help="Show this many entries.")
    ] = 50,
    cursor: Annotated[
        str | None, typer.Option("--cursor", help="Continue from a json next_cursor.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The audit log, newest first: who did or read what, when, from where."""
    with open_context(db) as ctx:
        page = audit_service.list_audit(
            ctx, local_operator(), action=action, user=user, limit=limit, cursor=cursor
        )
    if fmt is Format.json:
        emit_json(out, page.to_json())
        return
    emit_rows(
        out,
        [item.to_json() for item in page.items],
        fmt,
        columns=[
            ("at", "When"),
            ("actor", "Who"),
            ("agency", "Agency"),
            ("action", "Action"),
            ("subject", "Subject"),
            ("outcome", "Outcome"),
            ("address", "From"),
        ],
        optional=["address", "subject"],
    )
