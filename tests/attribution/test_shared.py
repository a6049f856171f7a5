"""What is kept per process (leaktrace.attribution.index) gives the same results as the
full computation, per group, and is recomputed when the data changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from leaktrace.attribution import build_dossier, find_links, list_groups
from leaktrace.attribution.dossier import GROUP_SORTS
from leaktrace.attribution.index import clear_shared, settle, shared_groups, shared_links
from leaktrace.attribution.links import LinkSettings
from leaktrace.config import Settings
from leaktrace.errors import NotFoundError
from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.store.database import Database
from tests.attribution import scenario


@pytest.fixture
def world(db: Database, settings: Settings, catalog_csv: Path) -> Iterator[Database]:
    scenario.build(db, settings, catalog_csv)
    clear_shared()
    yield db
    clear_shared()


def _keys(db: Database) -> list[str]:
    with db.reading() as conn:
        return [s.key for s in list_groups(conn, sort="name")]


def test_every_dossier_is_the_full_computations(world: Database) -> None:
    keys = _keys(world)
    assert len(keys) >= 4
    for hours in (48.0, 4.2):
        with world.reading() as conn:
            everything = find_links(conn, follow_hours=hours)
            assert list(shared_links(conn, LinkSettings(follow_hours=hours))) == everything
            for key in keys:
                full = build_dossier(conn, key.upper(), follow_hours=hours)
                fast = build_dossier(conn, key.upper(), follow_hours=hours, shared=True)
                assert fast.as_dict() == full.as_dict()
                assert list(fast.links) == [x for x in everything if x.involves(key)]


def test_links_of_each_group_are_the_full_list_restricted(world: Database) -> None:
    with world.reading() as conn:
        everything = find_links(conn)
        assert everything  # the scenario has follower, NFO, tracker and rename links
        assert {x.kind.value for x in everything} >= {"follower", "nfo", "trackers", "renamed"}
        for key in _keys(world):
            own = build_dossier(conn, key, shared=True).links
            assert list(own) == [x for x in everything if key in (x.source, x.target)]


@pytest.mark.parametrize("sort", GROUP_SORTS)
def test_group_list_is_the_full_computations(world: Database, sort: str) -> None:
    with world.reading() as conn:
        for min_releases, search in ((1, None), (12, None), (1, "rk")):
            full = list_groups(conn, sort=sort, min_releases=min_releases, search=search)
            fast = list_groups(
                conn, sort=sort, min_releases=min_releases, search=search, shared=True
            )
            assert fast == full


def test_unknown_group_is_not_found_without_reading_everything(world: Database) -> None:
    with world.reading() as conn, pytest.raises(NotFoundError) as missing:
        build_dossier(conn, "NOBODY", shared=True)
    assert (missing.value.kind, missing.value.key) == ("group", "NOBODY")
    with world.reading() as conn, pytest.raises(NotFoundError):
        build_dossier(conn, "  ", shared=True)


def test_new_data_is_seen(world: Database, settings: Settings) -> None:
    with world.reading() as conn:
        before = shared_groups(conn)
        links_before = shared_links(conn)
        assert shared_groups(conn) is before  # kept
        assert shared_links(conn) is links_before
    last = scenario.SPRKS[-1]
    fresh = FeedItem(
        "Unseen.Title.2022.1080p.BluRay.x264-SPRKS", last.at + timedelta(days=3), origin="predb"
    )
    report = ingest_items(world, [fresh], settings)
    assert report.rejected == 0
    with world.reading() as conn:
        after = shared_groups(conn)
        assert after is not before and after.version != before.version
        assert after.summaries["sprks"].releases == before.summaries["sprks"].releases + 1
        assert list_groups(conn, shared=True) == list_groups(conn)
        assert list(shared_links(conn)) == find_links(conn)
        full = build_dossier(conn, "SPRKS")
        assert build_dossier(conn, "SPRKS", shared=True).as_dict() == full.as_dict()


def test_a_server_gets_the_kept_figures_while_new_ones_are_computed(
    world: Database, settings: Settings
) -> None:
    with world.reading() as conn:
        before = shared_groups(conn, background=world.reading)  # nothing kept yet: computed now
        links = shared_links(conn, background=world.reading)
        assert before.version == shared_groups(conn).version
    fresh = FeedItem(
        "Unseen.Title.2022.1080p.BluRay.x264-SPRKS",
        scenario.SPRKS[-1].at + timedelta(days=3),
        origin="predb",
    )
    assert ingest_items(world, [fresh], settings).rejected == 0
    with world.reading() as conn:
        assert shared_groups(conn, background=world.reading) is before  # at once, the kept figures
        assert shared_links(conn, background=world.reading) is links
        dossier = build_dossier(conn, "SPRKS", shared=True, background=world.reading)
        # the group's own figures are read fresh; first-to-release and links are kept ones
        assert dossier.summary.releases == before.summaries["sprks"].releases + 1
    settle(world.engine)
    with world.reading() as conn:
        after = shared_groups(conn, background=world.reading)
        assert after is not before and after.version != before.version
        assert after.summaries["sprks"].releases == before.summaries["sprks"].releases + 1
        assert list(shared_links(conn, background=world.reading)) == find_links(conn)
        full = build_dossier(conn, "SPRKS").as_dict()
        assert build_dossier(conn, "SPRKS", shared=True, background=world.reading).as_dict() == full
