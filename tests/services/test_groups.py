"""Groups services over the demo scenario: the list and its pages, a dossier, the graph."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.attribution import build_dossier, find_links, list_groups, load_group_data
from leaktrace.attribution.index import settle
from leaktrace.errors import InputError, NotFoundError
from leaktrace.feeds.item import FeedItem
from leaktrace.identity.actor import local_operator
from leaktrace.identity.roles import Role
from leaktrace.pipeline.ingest import ingest_stream
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.groups import (
    GROUP_SORTS,
    group_dossier,
    group_graph,
    group_graph_export,
    group_list,
    group_page,
)
from leaktrace.services.paging import encode_cursor
from tests.services.demo_world import demo_context
from tests.services.test_supply import person


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path)


def test_list_is_the_cli_json(demo: AppContext) -> None:
    with demo.database.reading() as conn:
        expected = [s.as_dict() for s in list_groups(conn, sort="leaks")]
    view = group_list(demo)
    assert [g.to_json() for g in view.groups] == expected
    assert view.total == len(expected) > 10
    assert view.groups[0].leaks >= view.groups[-1].leaks


@pytest.mark.parametrize("sort", GROUP_SORTS)
def test_pages_walk_every_group_once(demo: AppContext, sort: str) -> None:
    whole = [g.key for g in group_list(demo, sort=sort).groups]
    seen: list[str] = []
    cursor = None
    while True:
        page = group_page(demo, sort=sort, limit=7, cursor=cursor)
        assert page.total == len(whole) and len(page.items) <= 7
        seen.extend(g.key for g in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole


def test_filters_and_bad_input(demo: AppContext) -> None:
    first = group_list(demo).groups[0]
    found = group_list(demo, search=first.key[1:4]).groups
    assert first.key in [g.key for g in found]
    assert all(first.key[1:4] in g.key for g in found)
    assert all(g.releases >= 40 for g in group_list(demo, min_releases=40).groups)
    assert group_list(demo, search="'; DROP TABLE releases; --").groups == []
    with pytest.raises(InputError) as bad:
        group_list(demo, sort="nonsense")
    assert bad.value.field == "sort"
    with pytest.raises(InputError):
        group_page(demo, cursor="not-a-cursor")
    with pytest.raises(InputError):  # a cursor of another sort order
        group_page(demo, sort="name", cursor=encode_cursor("groups:leaks", [first.key]))
    with pytest.raises(InputError):
        group_page(demo, cursor=encode_cursor("groups:leaks", ["no such group"]))
    with pytest.raises(InputError):
        group_page(demo, limit=0)


def test_dossier_is_the_cli_json(demo: AppContext) -> None:
    name = group_list(demo).groups[0].group
    with demo.database.reading() as conn:
        expected = build_dossier(conn, name.lower(), services=demo.services).as_dict()
    dossier = group_dossier(demo, local_operator(), name.lower())
    assert dossier.to_json() == expected
    assert dossier.group == name and dossier.release_list and dossier.leaks > 0
    assert dossier.first_release.titles >= dossier.first_release.contested


def test_every_dossier_is_the_full_computation(demo: AppContext) -> None:
    """The service reads one group's releases and the links kept per process; each dossier
    (its links too) is the one computed from every release and every link."""
    with demo.database.reading() as conn:
        data = load_group_data(conn)
        links = find_links(conn, data=data, services=demo.services)
        expected = {
            key: build_dossier(conn, key, data=data, links=links, services=demo.services)
            for key in data.by_group
        }
    assert len(expected) > 10 and links
    for key, full in expected.items():
        assert group_dossier(demo, local_operator(), key).to_json() == full.as_dict()
        assert list(full.links) == [x for x in links if key in (x.source, x.target)]


def test_dossier_follows_new_data(demo: AppContext) -> None:
    """Dossiers are kept per data version; a new release of the group is in the next one."""
    top = group_list(demo).groups[0]
    first = group_dossier(demo, local_operator(), top.key)
    assert group_dossier(demo, local_operator(), top.key) == first
    newest = max(datetime.fromisoformat(r.released_at) for r in first.release_list)
    name = f"Never.Seen.Before.2031.1080p.WEB-DL.x264-{top.group}"
    with demo.database.transaction() as conn:
        report = ingest_stream(
            conn, [FeedItem(name, newest + timedelta(hours=1), origin="predb")], demo.settings
        )
    assert report.rejected == 0
    again = group_dossier(demo, local_operator(), top.key)
    assert again.releases == first.releases + 1
    assert again.release_list[0].release == name
    with demo.database.reading() as conn:
        settle(conn.engine)
        expected = build_dossier(conn, top.key, services=demo.services).as_dict()
    assert group_dossier(demo, local_operator(), top.key).to_json() == expected


def test_unknown_group_is_not_found(demo: AppContext) -> None:
    with pytest.raises(NotFoundError) as missing:
        group_dossier(demo, local_operator(), "NO-SUCH-GROUP")
    assert (missing.value.kind, missing.value.key) == ("group", "NO-SUCH-GROUP")
    with pytest.raises(InputError):
        group_dossier(demo, local_operator(), "x", follow_hours=0)


def test_graph_nodes_and_links(demo: AppContext) -> None:
    graph = group_graph(demo)
    ids = {n.id for n in graph.nodes}
    assert len(ids) == group_list(demo).total
    assert graph.links and all(link.source in ids and link.target in ids for link in graph.links)
    linked = group_graph(demo, linked_only=True)
    assert {n.id for n in linked.nodes} == {k for x in graph.links for k in (x.source, x.target)}
    strong = group_graph(demo, min_strength=0.99)
    assert all(link.strength >= 0.99 for link in strong.links)
    export = group_graph_export(demo)
    assert export.graphml.startswith("<?xml") and export.view == graph
    with pytest.raises(InputError):
        group_graph(demo, min_strength=2)


def test_supply_accounts_only_for_read_personal_and_audited(demo: AppContext) -> None:
    name = next(
        g.group
        for g in group_list(demo).groups
        if group_dossier(demo, local_operator(), g.key).account_names
    )
    analyst = group_dossier(demo, person(Role.analyst), name)
    viewer = group_dossier(demo, person(Role.viewer), name)
    assert analyst.account_names > 0 and viewer.account_names == 0
    for seen, hidden in zip(analyst.distributors, viewer.distributors, strict=True):
        assert hidden.accounts_withheld == len(seen.accounts)
        assert "accounts_withheld" not in seen.to_json()
        assert hidden.to_json()["accounts"] == []
    assert viewer.release_list == analyst.release_list
    readers = {
        (e.actor, e.subject)
        for e in list_audit(demo, local_operator(), action="group.dossier").items
    }
    assert (person(Role.analyst).name, name) in readers
    assert all(actor != person(Role.viewer).name for actor, _ in readers)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cursor=st.one_of(st.text(max_size=80), st.binary(max_size=60).map(_b64)),
    search=st.text(max_size=40),
    sort=st.sampled_from([*GROUP_SORTS, "", "leaks; --", "LEAKS"]),
)
def test_any_query_text_is_a_page_or_an_input_error(
    demo: AppContext, cursor: str, search: str, sort: str
) -> None:
    """Cursors, searches and sort names come from outside (URLs): whatever they hold,
    the answer is a page or an InputError, never another exception."""
    try:
        page = group_page(demo, sort=sort, search=search, cursor=cursor or None, limit=5)
    except InputError:
        return
    assert len(page.items) <= 5
    assert all(search.lower() in g.key for g in page.items)
