"""Re-publishing a received object (``exchange publish --object ID --from COLLECTION``):
copied unchanged with the support objects it needs, owned by the re-publishing agency,
never looser than received, H2 only with the owner's recorded permission, only an object
the agency may see; ``publish`` hands such a request to ``republish``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leaktrace.errors import InputError, NotFoundError, SharingRefusedError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_collections import permit
from leaktrace.services.exchange_publish import Source, publish
from leaktrace.services.exchange_republish import republish
from leaktrace.services.exchange_views import PublicationView
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer
from tests.services.test_exchange_publish import (
    agency_id,
    assert_clean,
    findings,
    publication_world,
    receive,
    request,
    rows_for,
)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from publication_world(tmp_path)


def again(ctx: AppContext, stix_id: str, tlp: str, **more: Any) -> PublicationView:
    """NL-POL re-publishes ``stix_id`` from its inbox into Europe under ``tlp``."""
    return republish(
        ctx,
        local_operator(),
        request(Source(object_id=stix_id, from_collection="Inbox"), tlp, agency="NL-POL", **more),
    )


def test_received_amber_cannot_go_out_as_green(demo: AppContext) -> None:
    stix_id = receive(demo, "NL-POL", "amber")
    with pytest.raises(SharingRefusedError) as refused:
        again(demo, stix_id, "green")
    assert refused.value.rule == "tlp" and refused.value.stix_id == stix_id
    assert "received as TLP:AMBER" in str(refused.value) and "TLP:GREEN" in str(refused.value)
    assert rows_for(demo, None) == []
    view = again(demo, stix_id, "amber")
    copied = {row.stix_id: row for row in rows_for(demo, "DE-BKA")}
    assert stix_id in copied
    with demo.database.reading() as conn:
        inbox = collection_by_name(conn, "Inbox", Viewer(None))
        assert inbox is not None
        original = find_objects(conn, inbox.id, Viewer(None), ObjectQuery(ids=(stix_id,)))[0]
    assert copied[stix_id].body == original.body  # unchanged: only its creator may version it
    assert copied[stix_id].owner_agency_id == agency_id(demo, "NL-POL")
    assert view.objects >= 3  # with its marking and its creator's identity
    for row in rows_for(demo, None):
        assert_clean(row.body)


def test_republishing_stricter_narrows_the_audience(demo: AppContext) -> None:
    stix_id = receive(demo, "NL-POL", "green")
    again(demo, stix_id, "red", to=("FR-PN",))
    assert stix_id in findings(rows_for(demo, "FR-PN"))
    assert findings(rows_for(demo, "DE-BKA")) == set()
    row = next(r for r in rows_for(demo, None) if r.stix_id == stix_id)
    assert row.tlp == "red"
    with pytest.raises(SharingRefusedError):  # now held as RED: never looser again
        republish(
            demo,
            local_operator(),
            request(
                Source(object_id=stix_id, from_collection="Europe"),
                "green",
                agency="NL-POL",
                collection="Inbox",
            ),
        )


def test_h2_needs_the_owners_recorded_permission(demo: AppContext) -> None:
    stix_id = receive(demo, "NL-POL", "amber", handling="H2")
    with pytest.raises(SharingRefusedError) as refused:
        again(demo, stix_id, "amber")
    assert refused.value.rule == "h2"
    permit(demo, local_operator(), stix_id, agency="NL-POL", granted_by="BE-FCCU duty officer")
    again(demo, stix_id, "amber")
    assert stix_id in findings(rows_for(demo, "FR-PN"))


def test_republication_needs_an_object_the_agency_sees(demo: AppContext) -> None:
    stix_id = receive(demo, "NL-POL", "amber")
    with pytest.raises(NotFoundError):
        again(demo, stix_id.replace("intrusion-set--", "intrusion-set--0"), "amber")
    with pytest.raises(InputError):
        again(demo, stix_id, "amber", handling="H0")
    with pytest.raises(NotFoundError):  # FR-PN has no rights on the inbox
        republish(
            demo,
            local_operator(),
            request(Source(object_id=stix_id, from_collection="Inbox"), "amber", agency="FR-PN"),
        )


def test_publish_hands_a_received_object_to_republish(demo: AppContext) -> None:
    """One entry point for the command line: ``publish`` with --object is a re-publication
    (audited as such, origin 'republished from <collection>')."""
    stix_id = receive(demo, "NL-POL", "green")
    view = publish(
        demo,
        local_operator(),
        request(Source(object_id=stix_id, from_collection="Inbox"), "amber", agency="NL-POL"),
    )
    assert view.source == f"object {stix_id} from Inbox" and stix_id in view.stix_ids
    with demo.database.reading() as conn:
        europe = collection_by_name(conn, "Europe", Viewer(None))
        assert europe is not None
        rows = find_objects(conn, europe.id, Viewer(None), ObjectQuery(ids=(stix_id,)))
    assert [row.origin for row in rows] == ["republished from Inbox"]
    entries = list_audit(demo, local_operator(), action="exchange.republish").items
    assert len(entries) == 1 and entries[0].subject == f"{stix_id} Inbox -> Europe"
    assert list_audit(demo, local_operator(), action="exchange.publish").items == []


def test_republish_takes_only_an_object(demo: AppContext) -> None:
    with pytest.raises(InputError) as caught:
        republish(demo, local_operator(), request(Source(targets="FR"), agency="NL-POL"))
    assert caught.value.field == "--object"
    stix_id = receive(demo, "NL-POL", "amber")
    with pytest.raises(InputError) as same:
        again(demo, stix_id, "amber", collection="Inbox")
    assert same.value.field == "--collection"
