"""services.releases: the releases listing and one release in detail."""

from __future__ import annotations

import pytest

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.releases import ReleaseQuery, get_release, list_releases
from tests.services.test_leaks import CAMS, LEAKS, agency_actor, ctx

__all__ = ["ctx"]

ALL = LEAKS + CAMS + 2


def test_pages_cover_every_release_once(ctx: AppContext) -> None:
    me = local_operator()
    whole = list_releases(ctx, me, ReleaseQuery(limit=500, with_total=True))
    assert whole.total == ALL and len(whole.items) == ALL
    seen: list[int] = []
    cursor = None
    while True:
        page = list_releases(ctx, me, ReleaseQuery(limit=13, cursor=cursor))
        assert page.total is None
        seen.extend(r.id for r in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.id for r in whole.items]


def test_release_rows_keep_the_cli_keys(ctx: AppContext) -> None:
    (row,) = list_releases(ctx, local_operator(), ReleaseQuery(search="webgrp")).items
    assert row.to_json() == {
        "release": "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
        "work_id": "northern",
        "work": "Northern Lights Protocol",
        "score": row.score,
        "status": "in-window",
        "released_at": "2026-04-15T03:00:00Z",
        "kind": "movie",
        "title": "Northern Lights Protocol",
        "year": 2026,
        "season": None,
        "episode": None,
        "source": "web-dl",
        "resolution": "720p",
        "group": "WEBGRP",
        "sightings": 1,
        "reason": row.reason,
        "id": row.id,
    }


def test_detail_and_errors(ctx: AppContext) -> None:
    me = local_operator()
    (row,) = list_releases(ctx, me, ReleaseQuery(search="CAM03")).items
    detail = get_release(ctx, me, row.id)
    assert detail.alert is not None and detail.alert.window == "theatrical"
    assert detail.parsed["group"] == "CAM03" and len(detail.sightings) == 1
    with pytest.raises(NotFoundError):
        get_release(ctx, me, 10**9)
    with pytest.raises(InputError):
        list_releases(ctx, me, ReleaseQuery(status="nuked"))
    with pytest.raises(InputError):
        list_releases(ctx, me, ReleaseQuery(cursor="WyJyZWxlYXNlcyIsIngiLDFd"))


def test_a_role_without_read_intel_is_refused(ctx: AppContext) -> None:
    viewer = agency_actor(ctx, "NL-POL", "viewer")
    assert list_releases(ctx, viewer, ReleaseQuery(limit=1)).items
    from dataclasses import replace

    nobody = replace(viewer, permissions=frozenset())
    with pytest.raises(PermissionDeniedError):
        list_releases(ctx, nobody, ReleaseQuery())


def test_detail_shows_nfo_texts_newest_first(ctx: AppContext) -> None:
    from datetime import UTC, datetime

    from leaktrace.store.releases import insert_nfos

    me = local_operator()
    (row,) = list_releases(ctx, me, ReleaseQuery(search="G0X003")).items
    with ctx.database.transaction() as conn:
        insert_nfos(
            conn,
            [
                (
                    row.id,
                    "g0x003",
                    "old <script>alert(1)</script>",
                    datetime(2026, 5, 1, tzinfo=UTC),
                ),
                (row.id, "g0x003", "new text", datetime(2026, 5, 2, tzinfo=UTC)),
            ],
        )
    detail = get_release(ctx, me, row.id)
    assert [(n.seen_at, n.text) for n in detail.nfos] == [
        ("2026-05-02T00:00:00Z", "new text"),
        ("2026-05-01T00:00:00Z", "old <script>alert(1)</script>"),
    ]
    assert detail.alert is not None and detail.alert.release_id == row.id
