"""Collections administration: rights as agencies (empty means nobody), replaced as a
whole so a removed agency loses access at once; conflicts and unknown agencies refused;
permissions recorded and audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_access import collection_for
from leaktrace.services.exchange_collections import (
    add_collection,
    list_collections,
    permit,
    set_collection_rights,
)
from leaktrace.store.exchange_collections import has_permission
from tests.services.test_leaks import agency_actor

AGENCIES = ("FR-PN", "NL-POL", "DE-BKA", "ES-PN")


def add_agencies(ctx: AppContext, codes: tuple[str, ...] = AGENCIES) -> None:
    for code in codes:
        identity.add_agency(
            ctx, local_operator(), code=code, name=f"Agency {code}", country=code[:2], kind="police"
        )


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "x.db"))) as context:
        add_agencies(context)
        yield context


def test_add_collection_names_readers_and_writers(ctx: AppContext) -> None:
    view = add_collection(
        ctx, local_operator(), "Europe", read=["fr-pn", "NL-POL"], write=["FR-PN"]
    )
    assert view.title == view.alias == "Europe"
    assert view.readers == ["FR-PN", "NL-POL"] and view.writers == ["FR-PN"]
    assert len(view.id) == 36
    listed = list_collections(ctx, local_operator())
    assert [c.id for c in listed] == [view.id]
    fr = agency_actor(ctx, "FR-PN")
    de = agency_actor(ctx, "DE-BKA")
    assert [c.title for c in list_collections(ctx, fr)] == ["Europe"]
    assert list_collections(ctx, de) == []
    with ctx.database.reading() as conn:
        assert collection_for(conn, fr, "Europe", need="write").can_write
        with pytest.raises(NotFoundError):
            collection_for(conn, de, "Europe")


def test_empty_read_list_means_nobody(ctx: AppContext) -> None:
    view = add_collection(ctx, local_operator(), "Sealed")
    assert view.readers == [] and view.writers == []
    for code in AGENCIES:
        assert list_collections(ctx, agency_actor(ctx, code)) == []


def test_existing_name_and_unknown_agency_are_refused(ctx: AppContext) -> None:
    add_collection(ctx, local_operator(), "Europe", read=["FR-PN"])
    with pytest.raises(ConflictError):
        add_collection(ctx, local_operator(), "Europe")
    with pytest.raises(InputError) as caught:
        add_collection(ctx, local_operator(), "Other", read=["FR-PN", "XX-NOPE"])
    assert "XX-NOPE" in str(caught.value) and caught.value.field == "--read"
    assert [c.title for c in list_collections(ctx, local_operator())] == ["Europe"]
    with pytest.raises(InputError) as empty:
        add_collection(ctx, local_operator(), "   ")
    assert empty.value.field == "NAME"
    with pytest.raises(InputError) as control:
        add_collection(ctx, local_operator(), "Other", description="bell \a")
    assert control.value.field == "--description"
    add_collection(ctx, local_operator(), "Lines", description="first line\n\tsecond")


def test_set_rights_removes_access_at_once(ctx: AppContext) -> None:
    add_collection(ctx, local_operator(), "Europe", read=["FR-PN", "NL-POL"], write=["NL-POL"])
    nl = agency_actor(ctx, "NL-POL")
    assert list_collections(ctx, nl)
    view = set_collection_rights(ctx, local_operator(), "Europe", read=["FR-PN"], write=[])
    assert view.readers == ["FR-PN"] and view.writers == []
    assert list_collections(ctx, nl) == []
    with ctx.database.reading() as conn, pytest.raises(NotFoundError):
        collection_for(conn, nl, "Europe")


def test_only_the_operator_administers(ctx: AppContext) -> None:
    admin = agency_actor(ctx, "FR-PN", "admin")
    with pytest.raises(PermissionDeniedError):
        add_collection(ctx, admin, "Mine", read=["FR-PN"])
    add_collection(ctx, local_operator(), "Europe", read=["FR-PN"])
    with pytest.raises(PermissionDeniedError):
        set_collection_rights(ctx, admin, "Europe", read=["FR-PN", "NL-POL"])
    with pytest.raises(PermissionDeniedError):
        list_collections(ctx, agency_actor(ctx, "FR-PN", "viewer"))


def test_permit_is_recorded_and_audited(ctx: AppContext) -> None:
    stix_id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    view = permit(ctx, local_operator(), stix_id, agency="nl-pol", granted_by="FR-PN desk, mail")
    assert view.agency == "NL-POL"
    with ctx.database.reading() as conn:
        nl = agency_actor(ctx, "NL-POL").agency_id
        assert nl is not None and has_permission(conn, stix_id, nl)
    entries = list_audit(ctx, local_operator(), action="exchange.permit").items
    assert entries and entries[0].subject == stix_id
    wrong = {
        ("not-an-id", "NL-POL", "x"): "STIX_ID",
        (stix_id, "XX-NOPE", "x"): "--agency",
        (stix_id, "NL-POL", "  "): "--granted-by",
    }
    for (key, agency, granted_by), option in wrong.items():
        with pytest.raises(InputError) as caught:
            permit(ctx, local_operator(), key, agency=agency, granted_by=granted_by)
        assert caught.value.field == option, str(caught.value)
