from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.store.database import Database
from leaktrace.store.supply import AccountRow
from leaktrace.supply import import_shipments, rank_accounts
from leaktrace.supply.explain import percent
from leaktrace.supply.ranking import explain_score, flag_accounts
from leaktrace.supply.scoring import Score
from tests.supply import market


@pytest.fixture
def loaded(market_db: Database, shipments_csv: Path) -> Database:
    import_shipments(market_db, shipments_csv)
    return market_db


def test_the_leaking_account_ranks_first(loaded: Database) -> None:
    with loaded.reading() as conn:
        ranking = rank_accounts(conn)
    assert len(ranking.leaks) == len(market.LEAKED)  # one per work, not one per release
    assert ranking.repeats == len(market.LEAKED)
    assert ranking.accounts == 13
    top = ranking.scores[0]
    assert top.account == market.LEAKER
    assert len(top.explained) == len(market.EXPLAINED)
    assert [leak.work_id for leak in top.unexplained] == [market.work_id(market.LEAKED[-1])]
    assert top.posterior > 0.8
    assert top.log10_lr > 2
    assert {f.code for f in top.flags} >= {"recently-opened", "retailer-new-releases-small-orders"}


def test_an_account_that_explains_everything_says_so(loaded: Database) -> None:
    with loaded.reading() as conn:
        big = next(s for s in rank_accounts(conn).scores if s.account == market.BIG)
    assert "There is no leaked title it could have received that it did not have." in (
        big.explanation
    )
    assert "does not explain" not in big.explanation


def test_big_chain_does_not_stand_out(loaded: Database) -> None:
    with loaded.reading() as conn:
        ranking = rank_accounts(conn)
    big = next(s for s in ranking.scores if s.account == market.BIG)
    assert len(big.explained) == len(market.LEAKED)  # it held every leaked title ...
    assert big.p_a > 0.9
    assert abs(big.log10_lr) < 0.1  # ... and that says nothing
    assert big.posterior < 0.01


def test_explanation_carries_the_numbers(loaded: Database) -> None:
    with loaded.reading() as conn:
        top = rank_accounts(conn).scores[0]
    text = top.explanation
    assert text.startswith(f"Account {market.LEAKER} (retailer, GB, opened 2024-12-01, ")
    assert f"{len(market.EXPLAINED)} of the {len(market.LEAKED)} titles" in text
    assert "It does not explain 1 of them: it did not have that title before it leaked." in text
    assert f"before their street date: about {top.order_rate:.0%}" in text
    assert f"as long before street date as these leaks came: about {top.p_a:.0%}." in text
    # physical leaks are disc rips before street date: they need not come from the retail
    # supply chain (screeners, plants, other distributors: the prior of 'none')
    assert "leaked from the retail supply chain" not in text
    assert "titles ripped from disc and released before their street date" in text
    assert "by coincidence with probability about 1 in " in text
    assert "that figure already accounts for how popular the leaked titles are" in text
    assert "This chance of a coincidence is not the chance that the account is innocent" in text
    assert "times more likely if the leaks came through this account" in text
    assert "Among the 13 accounts that received discs" in text
    assert "at least 10% of physical leaks come through other channels" in text


def test_min_leaks_and_epsilon(loaded: Database) -> None:
    with loaded.reading() as conn:
        everyone = rank_accounts(conn, min_leaks=0)
        strict = rank_accounts(conn, min_leaks=len(market.LEAKED))
        loose = rank_accounts(conn, epsilon=0.3)
    assert len(everyone.scores) == 13
    assert [s.account for s in strict.scores] == [market.BIG]
    assert loose.epsilon == 0.3 and loose.scores[0].account == market.LEAKER
    with loaded.reading() as conn, pytest.raises(ValueError):
        rank_accounts(conn, epsilon=1.0)


def test_no_shipments_means_nothing_to_rank(market_db: Database) -> None:
    with market_db.reading() as conn:
        ranking = rank_accounts(conn)
        assert flag_accounts(conn) == []
    assert ranking.scores == () and ranking.accounts == 0
    assert len(ranking.uncounted) == len(market.LEAKED)
    assert ranking.none_posterior == 1.0


def test_flag_accounts(loaded: Database) -> None:
    with loaded.reading() as conn:
        flagged = flag_accounts(conn)
    assert flagged[0].account == market.LEAKER
    assert "opened 2024-12-01" in flagged[0].flags[0].evidence
    assert all(f.account != "LB-1 City Library" for f in flagged)
    for account in flagged:
        for flag in account.flags:
            data = flag.as_dict()
            rate = data["ordinary_rate"]
            assert isinstance(rate, float)
            assert data["level"] == ("warning" if rate <= 0.05 else "context")
            assert f"fires on {percent(rate)} of ordinary accounts" in str(data["rates"])


@pytest.mark.parametrize(
    ("posterior", "said"), [(1.0, "more than 99.9%"), (0.0, "less than 0.1%"), (0.423, "42.3%")]
)
def test_a_posterior_is_never_said_to_be_certain(posterior: float, said: str) -> None:
    """With strong evidence the posterior rounds to 1.0 in floating point (and an account
    with none to 0.0); every hypothesis has a prior strictly between 0 and 1, so the words
    are 'more than 99.9%' and 'less than 0.1%', never '100%' or '0.0%'."""
    account = AccountRow(1, "D", "SW-1 Shop", "retailer", "GB", None)
    score = Score(1, 20, 20, 0.05, 25.0, 1e-26, posterior, 0.2)
    text = explain_score(account, score, 0, 200, 0.1, 0.9)
    assert text.endswith(f"the probability that it is the source: {said}.")
