"""store.exchange_receiving.receiving_target: THE rule for storing received objects (the
receiving agency must read and write the local collection), shared by ``exchange pull`` /
``import`` and the watcher's ``taxii`` source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_collections import add_collection
from leaktrace.store.exchange_receiving import receiving_target
from tests.services.inbound_fixtures import OTHER, RECEIVER, agency_id, make_context


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    folder: Path = tmp_path_factory.mktemp("receiving")
    for context in make_context(folder, ("inbox",)):
        add_collection(context, local_operator(), "write-only", read=[], write=[RECEIVER])
        yield context


def test_the_receiving_agency_must_read_and_write(ctx: AppContext) -> None:
    with ctx.database.reading() as conn:
        collection_id, owner = receiving_target(conn, RECEIVER, "inbox")
        assert owner == agency_id(ctx, RECEIVER)
        assert receiving_target(conn, None, "inbox") == (collection_id, None)
        assert receiving_target(conn, f" {RECEIVER} ", collection_id)[0] == collection_id
        with pytest.raises(PermissionDeniedError, match=f"agency {OTHER} may not read and write"):
            receiving_target(conn, OTHER, "inbox")  # reads, may not write
        with pytest.raises(PermissionDeniedError, match="may not read and write"):
            receiving_target(conn, RECEIVER, "write-only")  # writes, may not read
        with pytest.raises(NotFoundError, match="no local exchange collection") as missing:
            receiving_target(conn, RECEIVER, "no-such")
        assert missing.value.kind == "collection"
        with pytest.raises(NotFoundError, match="no agency") as unknown:
            receiving_target(conn, "XX-NONE", "inbox")
        assert unknown.value.kind == "agency"
