"""Adding objects with the real taxii2-client: ``add_objects`` (waiting for completion),
the status resource, then the objects as the posting and another agency read them."""

from __future__ import annotations

import uuid

import pytest
import requests
from taxii2client.exceptions import AccessError  # type: ignore[import-untyped]
from taxii2client.v21 import ApiRoot, Collection  # type: ignore[import-untyped]

from leaktrace.exchange.markings import TLP_MARKING_IDS, tlp_marking
from tests.web.taxii.world import TIMES, TaxiiWorld, indicator


def _collection(world: TaxiiWorld, agency: str) -> Collection:
    return Collection(
        world.collection_url(world.alpha),
        user=world.email("analyst", agency),
        password=world.token("analyst", agency),
    )


def test_add_objects_with_status(world: TaxiiWorld) -> None:
    nl = _collection(world, "NL-POL")
    green_id = f"indicator--{uuid.uuid4()}"
    red_id = f"indicator--{uuid.uuid4()}"
    envelope = {
        "objects": [
            tlp_marking("red"),
            indicator(green_id, TIMES[0]),
            indicator(green_id, TIMES[1]),
            indicator(red_id, TIMES[0], "red"),
            {"type": "indicator", "id": f"indicator--{uuid.uuid4()}", "modified": "soon"},
        ]
    }
    status = nl.add_objects(envelope, wait_for_completion=True, poll_interval=0)
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (5, 4, 1)
    assert status.pending_count == 0
    assert "modified" in status.failures[0]["message"]
    root = ApiRoot(
        f"{world.url}/taxii2/leaktrace/",
        user=world.email("analyst", "NL-POL"),
        password=world.token("analyst", "NL-POL"),
    )
    again = root.get_status(status.id)
    assert again.id == status.id and again.success_count == 4
    assert again.successes == status.successes
    # refreshed through the URL taxii2-client builds (no final slash)
    status.refresh()
    assert status.status == "complete" and status.failure_count == 1

    versions = nl.object_versions(green_id)["versions"]
    assert versions == [t.replace(".000Z", ".000000Z") for t in TIMES[:2]]
    assert [o["id"] for o in nl.get_objects(id=red_id)["objects"]] == [red_id]
    de = _collection(world, "DE-BKA")
    assert [o["modified"] for o in de.get_object(green_id)["objects"]] == [TIMES[1]]
    with pytest.raises(requests.HTTPError) as hidden:
        de.get_object(red_id)
    assert hidden.value.response is not None
    assert hidden.value.response.status_code == 404
    assert TLP_MARKING_IDS["red"] not in [o["id"] for o in de.get_objects()["objects"]]


def test_posting_a_version_twice_succeeds_once(world: TaxiiWorld) -> None:
    nl = _collection(world, "NL-POL")
    stix_id = f"indicator--{uuid.uuid4()}"
    first = nl.add_objects({"objects": [indicator(stix_id, TIMES[2])]})
    second = nl.add_objects({"objects": [indicator(stix_id, TIMES[2])]})
    assert first.success_count == second.success_count == 1
    assert "message" not in first.successes[0]
    assert "already" in second.successes[0]["message"]
    assert len(nl.object_versions(stix_id)["versions"]) == 1


def test_a_reader_without_write_right_cannot_add(world: TaxiiWorld) -> None:
    """The server tells the client so (can_write false: taxii2-client refuses before
    posting); the server's own 403 is in test_routes.py."""
    de = _collection(world, "DE-BKA")
    assert de.can_read is True and de.can_write is False
    with pytest.raises(AccessError):
        de.add_objects({"objects": [indicator(f"indicator--{uuid.uuid4()}", TIMES[0])]})


def test_posts_are_audited(world: TaxiiWorld) -> None:
    from leaktrace.identity.actor import local_operator
    from leaktrace.services.audit import list_audit

    nl = _collection(world, "NL-POL")
    nl.add_objects({"objects": [indicator(f"indicator--{uuid.uuid4()}", TIMES[0])]})
    entries = list_audit(world.server.context, local_operator(), action="taxii.add").items
    assert entries and entries[0].actor == world.email("analyst", "NL-POL")
    assert entries[0].subject == f"collection {world.alpha}"
