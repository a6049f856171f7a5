"""services.works: the catalogue listing, one work, and the catalogue import."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.errors import CatalogError, NotFoundError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.works import WorkQuery, get_work, import_catalog, list_works
from tests.services.test_leaks import FIXTURES, LEAKS, ctx

__all__ = ["ctx"]


def test_listing_pages_and_counts(ctx: AppContext) -> None:
    me = local_operator()
    whole = list_works(ctx, me, WorkQuery(limit=500, with_total=True))
    assert whole.total == 17
    seen: list[str] = []
    cursor = None
    while True:
        page = list_works(ctx, me, WorkQuery(limit=5, cursor=cursor))
        seen.extend(w.id for w in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [w.id for w in whole.items]
    northern = get_work(ctx, me, "northern")
    assert (northern.leaks, northern.releases, northern.physical) == (
        LEAKS,
        LEAKS + 1,
        "2026-05-19",
    )
    with pytest.raises(NotFoundError):
        get_work(ctx, me, "nope")


def test_import_is_audited_and_all_or_nothing(ctx: AppContext, tmp_path: Path) -> None:
    again = import_catalog(ctx, local_operator(), FIXTURES / "catalog.csv")
    assert again.to_json() == {
        "file": str(FIXTURES / "catalog.csv"),
        "works": 17,
        "added": 0,
        "updated": 0,
        "unchanged": 17,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast\n"
        "new-one,movie,New,2020,,,2020-01-01,,,\n"
        "a,movie,A,2000,,,2000-02-30,,,\n"
    )
    with pytest.raises(CatalogError):
        import_catalog(ctx, local_operator(), bad)
    assert list_works(ctx, local_operator(), WorkQuery(search="New")).items == []
    actions = [e.action for e in list_audit(ctx, local_operator()).items]
    assert actions.count("catalog.import") == 2 and "feeds.ingest" in actions
