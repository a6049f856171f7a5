"""The demo's fictional agencies and users: every role, random passwords that sign in."""

from __future__ import annotations

from leaktrace.config import Settings
from leaktrace.identity.actor import local_operator
from leaktrace.identity.roles import Role
from leaktrace.services.context import build_context
from leaktrace.services.demo_accounts import DEMO_AGENCIES, create_demo_accounts
from leaktrace.services.identity import list_agencies
from leaktrace.services.sessions import login


def test_demo_accounts_cover_every_role_and_sign_in(settings: Settings) -> None:
    me = local_operator()
    with build_context(settings) as ctx:
        logins = create_demo_accounts(ctx, me)
        again = create_demo_accounts(ctx, me)
        agencies = {agency.code for agency in list_agencies(ctx, me)}
        grant = login(ctx, logins[0].email, logins[0].password, "127.0.0.1")
    assert {code for code, *_ in DEMO_AGENCIES} <= agencies
    assert {entry.role for entry in logins} == {role.value for role in Role}
    assert len({entry.password for entry in logins}) == len(logins)
    assert again == []  # nothing added twice, no password reset
    assert grant.actor.name == logins[0].email
