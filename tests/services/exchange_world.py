"""A small shared-intelligence world for the browsing, page and case-evidence tests.

Agencies: NL-POL publishes into the collection "Partners" (NL-POL, DE-BKA and FR-GN read;
NL-POL writes); NO-NONE has no rights on it; the collection "Secret" is NL-POL's alone.
Objects (intrusion sets), all owned by NL-POL:

* ``amber``: "Amber Crew", TLP:AMBER, H1, in two versions (everyone reading sees both);
* ``red``: "Red Crew", TLP:RED for DE-BKA only;
* ``strict``: "Strict Crew", AMBER+STRICT (NL-POL only);
* ``hostile``: a GREEN object whose name and description are markup, H3 with a text;
* ``h2``: "Quiet Crew", TLP:GREEN, H2.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leaktrace.exchange.classify import check_object
from leaktrace.exchange.facts import GroupFacts
from leaktrace.exchange.markings import handling_marking, tlp_marking
from leaktrace.exchange.stix_objects import intrusion_set_of
from leaktrace.services.context import AppContext
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_collections import create_collection, set_rights
from tests.services.test_leaks import agency_id_of

__all__ = ["HOSTILE_NAME", "H3_TEXT", "ExchangeWorld", "exchange_world"]

HOSTILE_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>'
H3_TEXT = "Only for <b>operational</b> use & not before 2027"
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
LATER = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ExchangeWorld:
    partners: str
    secret: str
    agencies: dict[str, int]
    ids: dict[str, str]


def _group(name: str, marks: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    facts = GroupFacts(
        name=name, first_seen=FIRST, last_seen=FIRST, description=kw.pop("description", None)
    )
    made = intrusion_set_of(facts, object_marking_refs=[m["id"] for m in marks], **kw)
    return check_object(json.loads(made.serialize()))


def _stored(obj: dict[str, Any], marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [check_object(m) for m in marks] + [obj]


def exchange_world(ctx: AppContext) -> ExchangeWorld:
    now = datetime.now(UTC)
    ids: dict[str, str] = {}
    with ctx.database.transaction() as conn:
        agencies = {
            code: agency_id_of(conn, code) for code in ("NL-POL", "DE-BKA", "FR-GN", "NO-NONE")
        }
        partners = str(uuid.uuid4())
        secret = str(uuid.uuid4())
        create_collection(conn, partners, "Partners", "partners", "Shared with partners", now)
        create_collection(conn, secret, "Secret", "secret", None, now)
        set_rights(
            conn,
            partners,
            {
                agencies["NL-POL"]: (True, True),
                agencies["DE-BKA"]: (True, False),
                agencies["FR-GN"]: (True, False),
            },
        )
        set_rights(conn, secret, {agencies["NL-POL"]: (True, True)})

        def put(key: str, obj: dict[str, Any], marks: list[dict[str, Any]], **kw: Any) -> None:
            ids[key] = obj["id"]
            store_batch(
                conn,
                kw.pop("collection", partners),
                _stored(obj, marks),
                owner_agency_id=agencies["NL-POL"],
                origin="published",
                **kw,
            )

        amber_marks = [tlp_marking("amber"), handling_marking("H1")]
        put("amber", _group("Amber Crew", amber_marks), amber_marks)
        put("amber", _group("Amber Crew", amber_marks, modified=LATER), amber_marks)
        red_marks = [tlp_marking("red")]
        put("red", _group("Red Crew", red_marks), red_marks, audience=[agencies["DE-BKA"]])
        strict_marks = [tlp_marking("amber+strict")]
        put("strict", _group("Strict Crew", strict_marks), strict_marks)
        hostile_marks = [tlp_marking("green"), handling_marking("H3", H3_TEXT)]
        hostile = _group(HOSTILE_NAME, hostile_marks, description="</pre><b>bold</b>")
        put("hostile", hostile, hostile_marks)
        h2_marks = [tlp_marking("green"), handling_marking("H2")]
        put("h2", _group("Quiet Crew", h2_marks), h2_marks)
        secret_marks = [tlp_marking("clear")]
        put("secret", _group("Secret Crew", secret_marks), secret_marks, collection=secret)
    return ExchangeWorld(partners=partners, secret=secret, agencies=agencies, ids=ids)
