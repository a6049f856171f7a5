"""`/api/v1` routes: who am I, agencies, the users and tokens of one's own agency.

Another agency's user or token answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission, Role
from leaktrace.services import identity
from leaktrace.services.identity import AgencyView, TokenView, UserView
from leaktrace.services.views import View
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)
_MANAGE = requires(Permission.manage_users)
MAX_ID = 2**31 - 1
"""Ids are 32-bit on PostgreSQL: a larger one cannot exist (422, not a database error)."""
router = APIRouter(tags=["identity"])


class MeView(View):
    email: str
    agency: str | None
    role: Role
    permissions: list[str]
    via: str


@router.get("/me", response_model=MeView)
def me(actor: Actor = _INTEL) -> MeView:
    """The signed-in user: e-mail, agency, role and the permissions it grants."""
    return MeView(
        email=actor.name,
        agency=actor.agency_code,
        role=actor.role,
        permissions=sorted(permission.value for permission in actor.permissions),
        via=actor.via,
    )


@router.get("/agencies", response_model=list[AgencyView])
def agencies(ctx: Context, actor: Actor = _INTEL) -> list[AgencyView]:
    """The agencies taking part."""
    return identity.list_agencies(ctx, actor)


@router.get("/users", response_model=list[UserView])
def users(ctx: Context, actor: Actor = _MANAGE) -> list[UserView]:
    """The users of the caller's agency."""
    return identity.list_users(ctx, actor)


class NewUser(BaseModel):
    email: str = Field(max_length=320)
    role: Role


@router.post("/users", response_model=UserView, status_code=201)
def add_user(new: NewUser, ctx: Context, actor: Actor = _MANAGE) -> UserView:
    """Add a user to the caller's agency (they sign in with tokens until a password is
    set by the operator: ``leaktrace user add --password-stdin``)."""
    return identity.add_user(
        ctx, actor, email=new.email, agency=actor.agency_code or "", role=new.role.value
    )


@router.get("/users/{user_id}", response_model=UserView)
def user(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: Context, actor: Actor = _MANAGE
) -> UserView:
    """One user of the caller's agency (any other id: 404)."""
    return identity.get_user(ctx, actor, user_id)


@router.delete("/tokens/{token_id}", response_model=TokenView)
def revoke(
    token_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: Context, actor: Actor = _MANAGE
) -> TokenView:
    """Revoke an API token of a user of the caller's agency (any other id: 404)."""
    return identity.revoke_token_id(ctx, actor, token_id)
