"""services.leaks / services.triage on a fresh database loaded through the services."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from leaktrace.config import Settings
from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor, local_operator, user_actor
from leaktrace.identity.roles import Role
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.ingest import ingest_files
from leaktrace.services.leaks import LeakQuery, get_leak, list_leaks
from leaktrace.services.works import import_catalog
from leaktrace.store.schema_access import AGENCIES, USERS

FIXTURES = Path(__file__).parent.parent / "fixtures"
LEAKS = 60
CAMS = 8


def leak_feed() -> list[dict[str, Any]]:
    """60 disc rips of Northern Lights Protocol before its street date (2026-05-19), six
    at each time (ties), in three groups; 8 cams of Dune: Part Two before its premiere;
    one release inside its window and one not in the catalogue."""
    rows: list[dict[str, Any]] = []
    for i in range(LEAKS):
        rows.append(
            {
                "name": f"Northern.Lights.Protocol.2026.1080p.BluRay.x264-G{i % 3}X{i:03d}",
                "time": f"2026-05-{1 + i % 10:02d}T08:00:00Z",
            }
        )
    for i in range(CAMS):
        rows.append(
            {
                "name": f"Dune.Part.Two.2024.TS.x264-CAM{i:02d}",
                "time": f"2024-02-{20 + i % 5:02d}T21:00:00Z",
            }
        )
    rows.append(
        {
            "name": "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
            "time": "2026-04-15T03:00:00Z",
        }
    )
    rows.append(
        {"name": "Some.Other.Film.2026.1080p.BluRay.x264-GRP", "time": "2026-01-01T00:00:00Z"}
    )
    return rows


def load(ctx: AppContext, folder: Path) -> None:
    """The test catalogue and :func:`leak_feed`, through the services."""
    import_catalog(ctx, local_operator(), FIXTURES / "catalog.csv")
    feed = folder / "leaks.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in leak_feed()))
    report = ingest_files(ctx, local_operator(), [feed])
    assert report.new_alerts == LEAKS + CAMS


def agency_id_of(conn: Connection, agency: str) -> int:
    """The id of the agency with code ``agency`` (a police unit in NL, made if need be)."""
    found = conn.execute(select(AGENCIES.c.id).where(AGENCIES.c.code == agency)).scalar()
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(AGENCIES)
            .values(
                code=agency, name=agency, country="NL", kind="police", created_at=datetime.now(UTC)
            )
            .returning(AGENCIES.c.id)
        ).scalar_one()
    )


def agency_actor(ctx: AppContext, agency: str, role: str = "analyst") -> Actor:
    """A user of ``agency`` (created if need be) with ``role``."""
    now = datetime.now(UTC)
    email = f"{role}@{agency.lower()}.example"
    with ctx.database.transaction() as conn:
        agency_id = agency_id_of(conn, agency)
        user_id = conn.execute(select(USERS.c.id).where(USERS.c.email == email)).scalar()
        if user_id is None:
            user_id = conn.execute(
                insert(USERS)
                .values(email=email, agency_id=agency_id, role=role, active=True, created_at=now)
                .returning(USERS.c.id)
            ).scalar_one()
    return user_actor(
        email=email,
        role=Role(role),
        user_id=int(user_id),
        agency_id=int(agency_id),
        agency_code=agency,
        address="127.0.0.1",
        via="token",
    )


@pytest.fixture
def ctx(settings: Settings, tmp_path: Path) -> Iterator[AppContext]:
    with build_context(settings) as context:
        load(context, tmp_path)
        yield context


def walk(ctx: AppContext, actor: Actor, make: Callable[[str | None], LeakQuery]) -> list[int]:
    ids: list[int] = []
    cursor: str | None = None
    while True:
        page = list_leaks(ctx, actor, make(cursor))
        ids.extend(item.id for item in page.items)
        if page.next_cursor is None:
            return ids
        assert len(page.items) > 0
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["time", "lead", "severity"])
def test_cursor_walk_gives_every_leak_once_in_order(ctx: AppContext, sort: str) -> None:
    me = local_operator()
    whole = list_leaks(ctx, me, LeakQuery(sort=sort, limit=500, with_total=True))
    assert whole.total == LEAKS + CAMS and whole.next_cursor is None
    paged = walk(ctx, me, lambda c: LeakQuery(sort=sort, limit=7, cursor=c))
    assert paged == [item.id for item in whole.items]
    assert len(set(paged)) == LEAKS + CAMS
    if sort == "time":
        times = [item.released_at or "" for item in whole.items]
        assert times == sorted(times, reverse=True)
    if sort == "lead":
        leads = [item.lead_days for item in whole.items]
        assert leads == sorted(leads, reverse=True)


def test_filters(ctx: AppContext) -> None:
    me = local_operator()
    cams = list_leaks(ctx, me, LeakQuery(window="theatrical", limit=500)).items
    assert len(cams) == CAMS and {c.work_id for c in cams} == {"dune-2"}
    g1 = list_leaks(ctx, me, LeakQuery(group="g1x001", limit=500)).items
    assert [x.release for x in g1] == ["Northern.Lights.Protocol.2026.1080p.BluRay.x264-G1X001"]
    may = list_leaks(
        ctx,
        me,
        LeakQuery(
            since=datetime(2026, 5, 9, tzinfo=UTC),
            until=datetime(2026, 5, 10, tzinfo=UTC),
            limit=500,
        ),
    ).items
    assert len(may) == 6 and all(x.released_at == "2026-05-09T08:00:00Z" for x in may)
    assert list_leaks(ctx, me, LeakQuery(work="northern", with_total=True)).total == LEAKS
    grave = list_leaks(ctx, me, LeakQuery(severity="critical", limit=500)).items
    assert all(x.severity == "critical" for x in grave)


def test_leak_view_has_the_cli_keys_id_and_triage(ctx: AppContext) -> None:
    (first,) = list_leaks(ctx, local_operator(), LeakQuery(limit=1)).items
    data = first.to_json()
    for key in ("release", "work_id", "window", "source", "lead_days", "severity", "group"):
        assert key in data
    assert data["released_at"] == "2026-05-10T08:00:00Z"
    assert data["triage"] is None and isinstance(data["id"], int)
    assert get_leak(ctx, local_operator(), first.id) == first


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (LeakQuery(severity="huge"), "severity"),
        (LeakQuery(window="radio"), "window"),
        (LeakQuery(sort="name"), "sort"),
        (LeakQuery(verdict="maybe"), "verdict"),
        (LeakQuery(limit=0), "limit"),
        (LeakQuery(limit=501), "limit"),
        (LeakQuery(cursor="not-a-cursor"), "cursor"),
        (LeakQuery(group="x" * 129), "group"),
        (LeakQuery(group="a\x00b"), "group"),
    ],
)
def test_bad_queries_are_input_errors(ctx: AppContext, query: LeakQuery, field: str) -> None:
    with pytest.raises(InputError) as caught:
        list_leaks(ctx, local_operator(), query)
    assert caught.value.field == field


def test_a_cursor_of_another_order_is_refused(ctx: AppContext) -> None:
    page = list_leaks(ctx, local_operator(), LeakQuery(sort="time", limit=5))
    assert page.next_cursor is not None
    with pytest.raises(InputError):
        list_leaks(ctx, local_operator(), LeakQuery(sort="lead", cursor=page.next_cursor))


def test_unknown_leak_is_not_found(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError) as caught:
        get_leak(ctx, local_operator(), 999_999)
    assert (caught.value.kind, caught.value.key) == ("leak", "999999")


@examples(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(10**30), max_value=10**30),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=40),
            st.sampled_from(["2026-05-01T08:00:00+00:00", "0001-01-01T00:00:00+14:00"]),
        ),
        max_size=4,
    ),
    sort=st.sampled_from(["time", "lead", "severity"]),
    listing=st.sampled_from(["leaks-time", "leaks-lead", "leaks-severity", "releases"]),
)
def test_any_decodable_cursor_is_a_page_or_an_input_error(
    ctx: AppContext, values: list[object], sort: str, listing: str
) -> None:
    raw = json.dumps([listing, *values], allow_nan=True).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    try:
        page = list_leaks(ctx, local_operator(), LeakQuery(sort=sort, limit=5, cursor=cursor))
    except InputError as exc:
        assert exc.field == "cursor"
    else:
        assert len(page.items) <= 5
