"""POST /api/v1/cases/{id}/items with kind ``stix``: a shared object frozen into a case
through the API, refused (403, rule ``case-members``) when a member agency may not see it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.services.exchange_world import ExchangeWorld, exchange_world
from tests.web.conftest import LiveServer, serve


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ExchangeWorld]]:
    folder = Path(tmp_path_factory.mktemp("cases-api-stix"))
    with build_context(load_settings(db=str(folder / "api.db"))) as context:
        w = exchange_world(context)
        for server in serve(context):
            yield server, w


def test_a_shared_object_goes_into_a_case_through_the_api(
    site: tuple[LiveServer, ExchangeWorld],
) -> None:
    server, w = site
    nl = server.client("analyst", agency="NL-POL")
    case_id = nl.post("/api/v1/cases", json={"title": "Shared evidence"}).json()["id"]
    reference = f"{w.ids['amber']} Partners"
    answer = nl.post(
        f"/api/v1/cases/{case_id}/items", json={"kind": "stix", "reference": reference}
    )
    assert answer.status_code == 201, answer.text
    item = answer.json()
    assert item["kind"] == "stix" and item["restriction"].startswith("H1")
    # FR-GN may read Partners but was not named for the RED object: it cannot be frozen
    # into a case FR-GN is a member of
    second = nl.post("/api/v1/cases", json={"title": "With FR-GN"}).json()["id"]
    joined = nl.post(
        f"/api/v1/cases/{second}/members", json={"agency": "FR-GN", "role": "observer"}
    )
    assert joined.status_code == 201, joined.text
    red = {"kind": "stix", "reference": f"{w.ids['red']} Partners"}
    refused = nl.post(f"/api/v1/cases/{second}/items", json=red)
    assert refused.status_code == 403
    assert refused.json()["error"]["rule"] == "case-members"
