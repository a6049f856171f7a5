"""A case or a group as a MISP event (issue 12), built with PyMISP's ``MISPEvent`` from the
STIX objects LeakTrace publishes (:mod:`leaktrace.exchange.stix_objects`).

Tags: the MISP ``tlp`` taxonomy (``tlp:clear`` ... ``tlp:red``; ``tlp:amber+strict`` is in
the taxonomy since TLP 2.0) and the MISP ``anti-piracy`` taxonomy
(``anti-piracy:type="copyright-infringement"``, ``anti-piracy:content-type="film"``; the
predicates and values of misp-taxonomies ``anti-piracy/machinetag.json``). A SIENA handling
code has no MISP taxonomy: it travels as LeakTrace's own tag
``leaktrace:siena-handling="H1"`` and, for H1 (not for judicial proceedings without the
provider's permission) and H3 (with its text), as a ``comment`` attribute too, so no reader
misses it. The event's distribution follows the TLP level (CLEAR: all communities; GREEN:
this community; AMBER and stricter: this organisation only).

=====================  ==========================================================
STIX                    MISP attribute
=====================  ==========================================================
intrusion-set           ``threat-actor`` (category Attribution), aliases in the comment
ipv4-addr / ipv6-addr   ``ip-dst`` (Network activity), the host's role in the comment
domain-name             ``domain``
url                     ``url`` (a torrent's magnet link too)
x-leaktrace-release     ``text`` (Other): the release name, window and lead
sighting                ``text``: what was seen, how often, when
relationship            ``text`` for ``related-to`` (a group link, with its evidence)
note                    ``comment``: a supply finding's explanation
=====================  ==========================================================

No attribute is an IDS indicator (``to_ids`` false): these are investigative findings.
Attribute uuids are those of the STIX ids, the event's a UUIDv5 of the report's (a case) or
the intrusion-set's (a group) id, so exporting again gives the same uuids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from pymisp import MISPEvent

from leaktrace.errors import InputError
from leaktrace.exchange.markings import TLP_LEVELS, TlpLevel
from leaktrace.exchange.stix_extension import PIRACY_EXTENSION_ID, RELEASE_TYPE

__all__ = [
    "ANTI_PIRACY_TAGS",
    "DISTRIBUTION",
    "HANDLING_TAG",
    "misp_event",
    "tlp_tag",
]

ANTI_PIRACY_TAGS: Final = (
    'anti-piracy:type="copyright-infringement"',
    'anti-piracy:content-type="film"',
)
DISTRIBUTION: Final[dict[TlpLevel, int]] = {
    "clear": 3,
    "green": 1,
    "amber": 0,
    "amber+strict": 0,
    "red": 0,
}
"""MISP distribution per TLP level: 3 all communities, 1 this community, 0 organisation only."""
HANDLING_TAG: Final = 'leaktrace:siena-handling="{code}"'
_HANDLING_WORDS: Final = {
    "H0": "H0: use only to prevent and combat crime",
    "H1": "H1: not for judicial proceedings without the provider's permission",
    "H2": "H2: not to be passed on without the provider's permission",
}


def tlp_tag(level: str) -> str:
    """``tlp:<level>`` of the MISP ``tlp`` taxonomy; InputError for an unknown level."""
    if level not in TLP_LEVELS:
        raise InputError(f"unknown TLP level {level!r}", field="tlp")
    return f"tlp:{level}"


def _uuid_of(stix_id: str) -> str:
    return str(uuid.UUID(stix_id.split("--", 1)[1]))


def _piracy(body: Mapping[str, Any]) -> Mapping[str, Any]:
    extension = (body.get("extensions") or {}).get(PIRACY_EXTENSION_ID)
    return extension if isinstance(extension, Mapping) else {}


def misp_event(
    objects: Sequence[Mapping[str, Any]],
    *,
    info: str,
    tlp: str,
    handling: str | None = None,
    handling_text: str | None = None,
    when: date | None = None,
    key_id: str | None = None,
) -> MISPEvent:
    """The event holding ``objects`` (STIX bodies as dicts), titled ``info``, tagged with
    ``tlp`` and the anti-piracy taxonomy (and the handling code). ``key_id``: the STIX id
    whose uuid the event takes (a report's or an intrusion-set's)."""
    text = info.strip()
    if not text:
        raise InputError("a MISP event needs a title", field="info")
    event = MISPEvent()
    event.info = text[:65535]
    level: TlpLevel = next(each for each in TLP_LEVELS if each == tlp_tag(tlp)[4:])
    event.distribution = DISTRIBUTION[level]
    event.threat_level_id = 2
    event.analysis = 1
    if when is not None:
        event.date = when
    if key_id is not None:
        event.uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, "leaktrace-misp-event:" + key_id))
    event.add_tag(tlp_tag(tlp))
    for tag in ANTI_PIRACY_TAGS:
        event.add_tag(tag)
    if handling is not None:
        event.add_tag(HANDLING_TAG.format(code=handling))
        words = _HANDLING_WORDS.get(handling, f"{handling}: {handling_text or ''}".strip())
        if handling in ("H1", "H3"):
            event.add_attribute(
                "comment", f"SIENA {words}", category="Other", to_ids=False, distribution=5
            )
    by_id = {str(body.get("id")): body for body in objects}
    roles: dict[str, str] = {}
    for body in objects:  # infrastructure consists-of observable: the host's role
        if body.get("type") == "relationship" and body.get("relationship_type") == "consists-of":
            infra = by_id.get(str(body.get("source_ref")), {})
            role = _piracy(infra).get("role")
            if isinstance(role, str):
                roles[str(body.get("target_ref"))] = role
    seen: set[str] = set()
    for body in objects:
        stix_id = str(body.get("id"))
        if stix_id in seen:
            continue
        seen.add(stix_id)
        _add(event, body, stix_id, by_id, roles)
    return event


def _add(
    event: MISPEvent,
    body: Mapping[str, Any],
    stix_id: str,
    by_id: Mapping[str, Mapping[str, Any]],
    roles: Mapping[str, str],
) -> None:
    kind = body.get("type")
    common: dict[str, Any] = {"uuid": _uuid_of(stix_id), "to_ids": False, "distribution": 5}
    if kind == "intrusion-set":
        aliases = ", ".join(body.get("aliases", []))
        event.add_attribute(
            "threat-actor",
            str(body["name"]),
            category="Attribution",
            comment=f"release group; also spelled {aliases}" if aliases else "release group",
            **common,
        )
    elif kind in ("ipv4-addr", "ipv6-addr"):
        role = roles.get(stix_id)
        event.add_attribute(
            "ip-dst",
            str(body["value"]),
            category="Network activity",
            comment=f"distribution server ({role})" if role else "distribution server",
            **common,
        )
    elif kind == "domain-name":
        event.add_attribute("domain", str(body["value"]), category="Network activity", **common)
    elif kind == "url":
        event.add_attribute("url", str(body["value"]), category="Network activity", **common)
    elif kind == RELEASE_TYPE:
        details = [
            f"window {body['window']}" if body.get("window") else "",
            f"lead {body['lead_days']} days" if body.get("lead_days") is not None else "",
            f"work {body['work_title']}" if body.get("work_title") else "",
        ]
        event.add_attribute(
            "text",
            str(body["name"]),
            category="Other",
            comment="; ".join(d for d in details if d) or "release",
            **common,
        )
    elif kind == "sighting":
        target = by_id.get(str(body.get("sighting_of_ref")), {})
        what = str(target.get("name", body.get("sighting_of_ref")))
        seen = f" first seen {body['first_seen']}" if body.get("first_seen") else ""
        event.add_attribute(
            "text",
            f"{body.get('description', 'sighting')} ({body.get('count', 1)} times{seen})",
            category="Other",
            comment=f"leak: sighting of {what}",
            **common,
        )
    elif kind == "relationship" and body.get("relationship_type") == "related-to":
        source = by_id.get(str(body.get("source_ref")), {}).get("name", body.get("source_ref"))
        target = by_id.get(str(body.get("target_ref")), {}).get("name", body.get("target_ref"))
        event.add_attribute(
            "text",
            f"{source} related to {target}: {body.get('description', '')}".strip(),
            category="Other",
            comment=f"group link ({_piracy(body).get('link_kind', 'link')})",
            **common,
        )
    elif kind == "note":
        event.add_attribute(
            "comment",
            str(body.get("content", "")),
            category="Other",
            comment=str(body.get("abstract", "supply finding")),
            **common,
        )
