"""A small TAXII world for the server's tests, on a module-scoped uvicorn.

Agencies: NL-POL reads and writes "Alpha"; DE-BKA reads "Alpha"; FR-GN has no right on
"Alpha" (it does not exist for FR-GN) but writes (without reading) "Drop"; NL-POL reads (but
may not write) "Beta". Every agency has an analyst and a viewer.

"Alpha" holds, owned by NL-POL, in this order of ``date_added``: the TLP:GREEN marking
definition's objects: ``indicator`` A (versions 1, 2, 3 in three batches), ``malware`` M,
``indicator`` B (TLP:RED, audience none: NL-POL alone sees it), ``malware`` S with
``spec_version`` 2.0.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaktrace.config import load_settings
from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import TLP_MARKING_IDS, tlp_marking
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_collections import add_collection
from leaktrace.store.exchange_batches import store_batch
from tests.services.test_leaks import agency_id_of
from tests.web.conftest import LiveServer, ensure_user, serve

__all__ = ["TaxiiWorld", "indicator", "malware", "taxii_world"]

AGENCIES = ("NL-POL", "DE-BKA", "FR-GN")
TIMES = ("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z")


def indicator(stix_id: str, modified: str, tlp: str = "green", **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id,
        "created": TIMES[0],
        "modified": modified,
        "name": f"indicator {modified}",
        "pattern": "[domain-name:value = 'leak.example']",
        "pattern_type": "stix",
        "valid_from": TIMES[0],
        "object_marking_refs": [TLP_MARKING_IDS[tlp]],  # type: ignore[index]
        **extra,
    }


def malware(stix_id: str, spec_version: str = "2.1") -> dict[str, Any]:
    return {
        "type": "malware",
        "spec_version": spec_version,
        "id": stix_id,
        "created": TIMES[0],
        "modified": TIMES[0],
        "name": "crypter",
        "is_family": True,
        "object_marking_refs": [TLP_MARKING_IDS["green"]],
    }


@dataclass
class TaxiiWorld:
    server: LiveServer
    alpha: str
    beta: str
    drop: str
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def email(self, role: str, agency: str) -> str:
        return f"{role}@{agency.lower()}.example"

    def token(self, role: str, agency: str) -> str:
        return self.server.token(role, agency)

    def collection_url(self, collection_id: str) -> str:
        return f"{self.url}/taxii2/leaktrace/collections/{collection_id}/"


def _store(ctx: AppContext, collection: str, owner: int, objects: list[dict[str, Any]]) -> None:
    with ctx.database.transaction() as conn:
        store_batch(
            conn,
            collection,
            [check_object(o) for o in objects],
            owner_agency_id=owner,
            origin="published",
        )


def taxii_world(tmp: Path) -> Iterator[TaxiiWorld]:
    """The world on a fresh database and a live server (a generator: module fixtures)."""
    with build_context(load_settings(db=str(tmp / "taxii.db"))) as ctx:
        for agency in AGENCIES:
            for role in ("analyst", "viewer"):
                ensure_user(ctx, role, agency)
        operator = local_operator()
        alpha = add_collection(
            ctx,
            operator,
            "Alpha",
            read=["NL-POL", "DE-BKA"],
            write=["NL-POL"],
            description="The partners' collection",
        ).id
        beta = add_collection(ctx, operator, "Beta", read=["NL-POL"]).id
        drop = add_collection(ctx, operator, "Drop", write=["FR-GN"]).id
        with ctx.database.reading() as conn:
            ids = {code: agency_id_of(conn, code) for code in AGENCIES}
        stix = {
            "A": f"indicator--{uuid.uuid4()}",
            "M": f"malware--{uuid.uuid4()}",
            "B": f"indicator--{uuid.uuid4()}",
            "S": f"malware--{uuid.uuid4()}",
        }
        owner = ids["NL-POL"]
        _store(ctx, alpha, owner, [tlp_marking("green"), indicator(stix["A"], TIMES[0])])
        _store(ctx, alpha, owner, [indicator(stix["A"], TIMES[1])])
        _store(ctx, alpha, owner, [indicator(stix["A"], TIMES[2]), malware(stix["M"])])
        _store(ctx, alpha, owner, [tlp_marking("red"), indicator(stix["B"], TIMES[0], "red")])
        _store(ctx, alpha, owner, [malware(stix["S"], "2.0")])
        for server in serve(ctx):
            yield TaxiiWorld(server=server, alpha=alpha, beta=beta, drop=drop, ids=stix)
