"""Supply services over the demo scenario: the ranking is personal data (read:personal,
every read audited), and it is the CLI's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError, PermissionDeniedError
from leaktrace.identity.actor import Actor, local_operator, user_actor
from leaktrace.identity.roles import Role
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.supply import flagged_accounts, supply_ranking
from leaktrace.supply.ranking import flag_accounts, rank_accounts
from tests.services.demo_world import demo_context


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path)


def person(role: Role) -> Actor:
    return user_actor(
        email=f"{role.value}@nl-pol.example",
        role=role,
        user_id=7,
        agency_id=3,
        agency_code="NL-POL",
        address="192.0.2.44",
        via="token",
    )


def test_ranking_is_the_cli_json_and_names_the_leaking_account(demo: AppContext) -> None:
    with demo.database.reading() as conn:
        expected = rank_accounts(conn).as_dict()
    view = supply_ranking(demo, person(Role.analyst))
    assert view.to_json() == expected
    top = view.accounts[0]
    assert top.rank == 1 and top.posterior > 0.5 and top.explanation
    assert top.leaks_explained >= 1 and view.total_accounts == len(view.accounts)
    assert "total_accounts" not in view.to_json()


def test_limit_keeps_the_total(demo: AppContext) -> None:
    full = supply_ranking(demo, local_operator(), min_leaks=0)
    cut = supply_ranking(demo, local_operator(), min_leaks=0, limit=2)
    assert [a.account_id for a in cut.accounts] == [a.account_id for a in full.accounts[:2]]
    assert cut.total_accounts == full.total_accounts > 2


def test_every_read_is_audited_with_the_reader(demo: AppContext) -> None:
    analyst = person(Role.investigator)
    supply_ranking(demo, analyst)
    flagged_accounts(demo, analyst, limit=3)
    entries = list_audit(demo, local_operator()).items
    mine = [(e.action, e.actor, e.agency, e.address) for e in entries if e.actor == analyst.name]
    assert ("supply.rank", analyst.name, "NL-POL", "192.0.2.44") in mine
    assert ("supply.flags", analyst.name, "NL-POL", "192.0.2.44") in mine


def test_viewer_may_not_read_accounts_and_nothing_is_read(demo: AppContext) -> None:
    viewer = person(Role.viewer)
    with pytest.raises(PermissionDeniedError):
        supply_ranking(demo, viewer)
    with pytest.raises(PermissionDeniedError):
        flagged_accounts(demo, viewer)
    assert not [e for e in list_audit(demo, local_operator()).items if e.actor == viewer.name]


def test_flags_are_the_cli_json(demo: AppContext) -> None:
    with demo.database.reading() as conn:
        expected = [f.as_dict() for f in flag_accounts(conn)]
    view = flagged_accounts(demo, local_operator())
    assert [a.to_json() for a in view.accounts] == expected and view.total == len(expected)


def test_bad_parameters(demo: AppContext) -> None:
    for kwargs in ({"epsilon": 0.0}, {"prior_none": 1.0}, {"min_leaks": -1}, {"limit": 0}):
        with pytest.raises(InputError):
            supply_ranking(demo, local_operator(), **kwargs)
