"""services.exchange_browse: the collections an agency has rights on, the objects of one it
may see (through the one visibility rule), one object with its versions, evidence freezing;
what an agency may not see behaves exactly as if it did not exist."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.config import load_settings
from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.services import exchange_browse as browse
from leaktrace.services.context import AppContext, build_context
from tests.services.exchange_world import H3_TEXT, HOSTILE_NAME, ExchangeWorld, exchange_world
from tests.services.test_leaks import agency_actor


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppContext, ExchangeWorld]]:
    folder = tmp_path_factory.mktemp("browse")
    with build_context(load_settings(db=str(folder / "browse.db"))) as context:
        yield context, exchange_world(context)


def _names(ctx: AppContext, agency: str, w: ExchangeWorld) -> set[str]:
    page = browse.collection_objects(ctx, agency_actor(ctx, agency), w.partners)
    return {row.summary for row in page.objects}


def test_each_agency_sees_exactly_its_collections(world: tuple[AppContext, ExchangeWorld]) -> None:
    ctx, w = world
    nl = browse.exchange_collections(ctx, agency_actor(ctx, "NL-POL")).collections
    assert [(c.title, c.can_read, c.can_write, c.objects) for c in nl] == [
        ("Partners", True, True, 5),
        ("Secret", True, True, 1),
    ]
    de = browse.exchange_collections(ctx, agency_actor(ctx, "DE-BKA")).collections
    assert [(c.title, c.can_read, c.can_write, c.objects) for c in de] == [
        ("Partners", True, False, 4)
    ]
    fr = browse.exchange_collections(ctx, agency_actor(ctx, "FR-GN")).collections
    assert [(c.title, c.objects) for c in fr] == [("Partners", 3)]
    assert browse.exchange_collections(ctx, agency_actor(ctx, "NO-NONE")).collections == []


def test_the_visible_objects_follow_the_need_to_know_rule(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    everyone = {"Amber Crew", HOSTILE_NAME, "Quiet Crew"}
    assert _names(ctx, "NL-POL", w) == everyone | {"Red Crew", "Strict Crew"}
    assert _names(ctx, "DE-BKA", w) == everyone | {"Red Crew"}
    assert _names(ctx, "FR-GN", w) == everyone


def test_rows_carry_markings_provenance_and_the_h3_text(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    page = browse.collection_objects(ctx, agency_actor(ctx, "FR-GN"), w.partners)
    rows = {row.summary: row for row in page.objects}
    amber = rows["Amber Crew"]
    assert (amber.type, amber.tlp, amber.handling) == ("intrusion-set", "amber", "H1")
    assert amber.version.startswith("2026-06-01T")  # the latest version only
    assert amber.handling_notice == browse.HANDLING_NOTICES["H1"]
    assert (amber.owner_agency, amber.origin) == ("NL-POL", "published")
    hostile = rows[HOSTILE_NAME]
    assert (hostile.handling, hostile.handling_text) == ("H3", H3_TEXT)
    assert hostile.handling_notice == f"H3 — other restrictions: {H3_TEXT}"
    # markings are not listed, unless asked for by type
    assert {row.type for row in page.objects} == {"intrusion-set"}
    markings = browse.collection_objects(
        ctx, agency_actor(ctx, "FR-GN"), w.partners, stix_type="marking-definition"
    )
    assert markings.objects and {r.type for r in markings.objects} == {"marking-definition"}


def test_keyset_paging_walks_every_visible_object_once(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    actor = agency_actor(ctx, "DE-BKA")
    seen: list[str] = []
    cursor = None
    while True:
        page = browse.collection_objects(ctx, actor, w.partners, cursor=cursor, limit=1)
        seen.extend(row.stix_id for row in page.objects)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    with pytest.raises(InputError) as bad:
        browse.collection_objects(ctx, actor, w.partners, cursor="garbage")
    assert bad.value.field == "cursor"
    with pytest.raises(InputError):
        browse.collection_objects(ctx, actor, w.partners, stix_type="x'; drop")


def test_type_filter(world: tuple[AppContext, ExchangeWorld]) -> None:
    ctx, w = world
    actor = agency_actor(ctx, "NL-POL")
    assert browse.collection_objects(ctx, actor, w.partners, stix_type="indicator").objects == []
    found = browse.collection_objects(ctx, actor, w.partners, stix_type="Intrusion-Set")
    assert len(found.objects) == 5


def _error(call: object) -> tuple[str, str | None, str | None]:
    assert callable(call)
    with pytest.raises(NotFoundError) as caught:
        call()
    return str(caught.value), caught.value.kind, caught.value.key


def test_a_collection_without_rights_is_a_missing_one(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    de = agency_actor(ctx, "DE-BKA")
    missing = "00000000-0000-4000-8000-000000000000"
    hidden = _error(lambda: browse.collection_objects(ctx, de, w.secret))
    absent = _error(lambda: browse.collection_objects(ctx, de, missing))
    assert hidden == (f"no collection {w.secret!r}", "collection", w.secret)
    assert absent == (f"no collection {missing!r}", "collection", missing)
    _error(lambda: browse.object_detail(ctx, de, w.secret, w.ids["secret"]))


def test_a_hidden_object_is_a_missing_one(world: tuple[AppContext, ExchangeWorld]) -> None:
    ctx, w = world
    fr = agency_actor(ctx, "FR-GN")
    red = w.ids["red"]
    fake = red[:-4] + "ffff"
    hidden = _error(lambda: browse.object_detail(ctx, fr, w.partners, red))
    absent = _error(lambda: browse.object_detail(ctx, fr, w.partners, fake))
    assert hidden == (f"no object {red!r} in this collection", "object", red)
    assert absent == (f"no object {fake!r} in this collection", "object", fake)
    with pytest.raises(NotFoundError):
        browse.object_evidence(ctx, fr, "Partners", red)
    # the agency it was sent to sees it
    de = agency_actor(ctx, "DE-BKA")
    assert browse.object_detail(ctx, de, w.partners, red).object.summary == "Red Crew"


def test_object_detail_has_the_json_and_every_version(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    detail = browse.object_detail(ctx, agency_actor(ctx, "FR-GN"), w.partners, w.ids["amber"])
    assert json.loads(detail.pretty) == detail.body
    assert detail.body["id"] == w.ids["amber"] and detail.body["name"] == "Amber Crew"
    assert [v.version[:10] for v in detail.versions] == ["2026-06-01", "2026-01-01"]
    assert detail.collection.title == "Partners"


def test_evidence_is_the_object_as_the_agency_sees_it(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    frozen = browse.object_evidence(ctx, agency_actor(ctx, "DE-BKA"), "Partners", w.ids["amber"])
    assert frozen.object["name"] == "Amber Crew"
    assert frozen.object["modified"].startswith("2026-06-01")
    assert (frozen.collection_id, frozen.collection_title) == (w.partners, "Partners")
    assert (frozen.tlp, frozen.handling, frozen.owner_agency) == ("amber", "H1", "NL-POL")
    assert "judicial proceedings" in (frozen.handling_notice or "")


def test_reading_needs_read_exchange(world: tuple[AppContext, ExchangeWorld]) -> None:
    ctx, w = world
    viewer = agency_actor(ctx, "DE-BKA", role="viewer")
    with pytest.raises(PermissionDeniedError):
        browse.exchange_collections(ctx, viewer)
    with pytest.raises(PermissionDeniedError):
        browse.collection_objects(ctx, viewer, w.partners)
    # the local operator sees every collection and row
    assert len(browse.exchange_collections(ctx, local_operator()).collections) == 2


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stix_type=st.one_of(st.none(), st.text(max_size=300)),
    cursor=st.one_of(st.none(), st.text(max_size=80)),
)
def test_any_filter_or_cursor_is_a_page_or_an_input_error(
    world: tuple[AppContext, ExchangeWorld], stix_type: str | None, cursor: str | None
) -> None:
    ctx, w = world
    try:
        page = browse.collection_objects(
            ctx, agency_actor(ctx, "FR-GN"), w.partners, stix_type=stix_type, cursor=cursor
        )
    except InputError as exc:
        assert exc.field in ("type", "cursor")
    else:
        assert all(row.stix_id != w.ids["red"] for row in page.objects)


@settings(max_examples=200, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "name",
                "value",
                "source_ref",
                "relationship_type",
                "target_ref",
                "sighting_of_ref",
                "content",
                "id",
                "abstract",
            ]
        ),
        _JSON,
    )
)
def test_any_partner_body_has_a_summary(body: dict[str, object]) -> None:
    summary = browse._summary(body)
    assert isinstance(summary, str) and len(summary) <= 300
