"""A partner's publication for the inbound tests (pull, push, import, the ``taxii`` watch
source), made with LeakTrace's own builders (:mod:`leaktrace.exchange`): the agency's
identity, LeakTrace's extension definitions, TLP 2.0 marking definitions, an H3 handling
marking with its text, intrusion sets at GREEN / AMBER / AMBER+STRICT / RED, one with a
granular RED marking on its aliases, and an object of a type and extension nobody knows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from leaktrace.exchange.facts import AgencyFacts, GroupFacts
from leaktrace.exchange.markings import (
    TLP_MARKING_IDS,
    granular,
    handling_marking,
    tlp_marking,
)
from leaktrace.exchange.stix_extension import extension_definitions
from leaktrace.exchange.stix_objects import bundle_of, identity_of, intrusion_set_of

PARTNER = AgencyFacts(code="BE-FCCU", name="Belgian Federal Computer Crime Unit", country="BE")
H3_TEXT = "Only for Operation Nightjar; ask BE-FCCU before any arrest"
UNKNOWN_EXTENSION = "extension-definition--0f6a0d4e-7b0c-4f55-9a47-6e9c3a1b2d10"
UNKNOWN_ID = "x-partner-lead--5f1d1b2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


def _plain(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return json.loads(json.dumps(item))  # type: ignore[no-any-return]
    return json.loads(item.serialize())  # type: ignore[no-any-return]


def group(name: str, refs: list[str], identity_id: str, **extra: Any) -> dict[str, Any]:
    first = datetime(2026, 1, 5, tzinfo=UTC)
    body = _plain(
        intrusion_set_of(
            GroupFacts(name, first, datetime(2026, 3, 1, tzinfo=UTC), spellings=(name.lower(),)),
            identity_id,
            refs,
        )
    )
    body.update(extra)
    return body


def partner_objects() -> list[dict[str, Any]]:
    """The partner's objects, support objects first (as a TAXII server would send them)."""
    identity = _plain(identity_of(PARTNER))
    h3 = handling_marking("H3", H3_TEXT, created_by_ref=identity["id"])
    support = [
        identity,
        *(_plain(ext) for ext in extension_definitions()),
        *(tlp_marking(level) for level in TLP_MARKING_IDS),
        h3,
    ]
    ident = identity["id"]
    green, amber = TLP_MARKING_IDS["green"], TLP_MARKING_IDS["amber"]
    groups = [
        group("GREENGRP", [green], ident),
        group("AMBERH3", [amber, h3["id"]], ident),
        group("STRICTGRP", [TLP_MARKING_IDS["amber+strict"]], ident),
        group("REDGRP", [TLP_MARKING_IDS["red"]], ident),
        group(
            "GRANULAR",
            [green],
            ident,
            granular_markings=[granular("red", ["aliases"])],
        ),
    ]
    unknown = {
        "type": "x-partner-lead",
        "spec_version": "2.1",
        "id": UNKNOWN_ID,
        "created": "2026-02-01T00:00:00.000Z",
        "modified": "2026-02-01T00:00:00.000Z",
        "created_by_ref": ident,
        "object_marking_refs": [green],
        "lead": "a seedbox in a rack in Roubaix",
        "extensions": {UNKNOWN_EXTENSION: {"extension_type": "property-extension", "x": 1}},
    }
    return [*support, *(_plain(g) for g in groups), unknown]


def partner_bundle() -> dict[str, Any]:
    """The same objects as one STIX bundle (``bundle_of``)."""
    return _plain(bundle_of(partner_objects()))


def by_name(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(o["name"]): o for o in objects if o.get("type") == "intrusion-set"}
