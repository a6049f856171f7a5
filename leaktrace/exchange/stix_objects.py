"""LeakTrace's findings as STIX 2.1 objects (issue 12), built with the ``stix2`` library.

=====================  ===============================================================
LeakTrace               STIX 2.1
=====================  ===============================================================
agency                  ``identity`` (class ``organization``)
release group           ``intrusion-set`` (``aliases`` = the other spellings)
server (host)           ``infrastructure`` ``consists-of`` an ``ipv4-addr`` /
                        ``ipv6-addr`` / ``domain-name`` / ``url``; the group's
                        ``intrusion-set`` ``uses`` it
release                 ``x-leaktrace-release`` (LeakTrace's own new SDO)
leak                    ``sighting`` (see below)
group link              ``relationship`` ``related-to``, description = the evidence
supply finding          ``note`` about the objects it concerns, content = explanation
case's shareable part   ``report`` referencing its objects
=====================  ===============================================================

A leak is a ``sighting`` (why, and how: :mod:`leaktrace.exchange.stix_leaks`; its builders are
re-exported here).

All SDO and SRO ids are deterministic (:func:`~leaktrace.exchange.stix_extension.stix_id`);
``created`` comes from the facts (first seen, release time, found at), or is the fixed
:data:`UNKNOWN_CREATED` when they hold no time, so the same facts always give the same
object and a re-publication is a new *version* of it: callers pass ``modified`` (the
publication time) to make one. Every function takes ``object_marking_refs`` and passes
them through unchanged (markings are built in :mod:`leaktrace.exchange.markings`). Bad
facts raise :class:`~leaktrace.errors.InputError` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stix2  # type: ignore[import-untyped]

from leaktrace.errors import InputError
from leaktrace.exchange.facts import (
    AgencyFacts,
    GroupFacts,
    GroupLinkFacts,
    HostFacts,
    SupplyFinding,
)
from leaktrace.exchange.stix_common import (
    UNKNOWN_CREATED,
    checked_text,
    confidence_of,
    creator,
    group_id,
    optional_text,
    owned_id,
    piracy_fields,
    stix_times,
    utc_time,
)
from leaktrace.exchange.stix_extension import marking_refs, stix_id
from leaktrace.exchange.stix_leaks import LeakObjects, leak_objects, release_object
from leaktrace.exchange.stix_observables import Observable, observable_of

__all__ = [
    "HostObjects",
    "LeakObjects",
    "UNKNOWN_CREATED",
    "bundle_of",
    "group_id",
    "identity_of",
    "infrastructure_of",
    "intrusion_set_of",
    "leak_objects",
    "link_of",
    "note_of",
    "release_object",
    "report_of",
]

_EXFILTRATION_ROLES = frozenset(
    {"initial-seeder", "seedbox", "server", "topsite", "web-seed", "cyberlocker", "streaming"}
)
"""Host roles that carry the stolen copy itself out to the public: STIX ``exfiltration``
infrastructure. Trackers, index sites and unknown roles are ``unknown`` (the STIX vocabulary
has nothing closer); LeakTrace's own role always travels in the piracy extension."""


def identity_of(
    agency: AgencyFacts,
    *,
    modified: datetime | None = None,
    object_marking_refs: Sequence[str] = (),
) -> stix2.v21.Identity:
    """The agency as an ``identity`` (its code, country and kind in the piracy extension)."""
    code = checked_text(agency.code, "code", max_length=64)
    return stix2.v21.Identity(
        id=stix_id("identity", "agency:" + code.casefold()),
        name=checked_text(agency.name, "name"),
        identity_class="organization",
        sectors=["government-public-services"],
        **stix_times(None, modified, "modified"),
        **marking_refs(object_marking_refs),
        **piracy_fields(
            {
                "agency_code": code,
                "country": optional_text(agency.country, "country"),
                "agency_kind": optional_text(agency.kind, "kind"),
            }
        ),
    )


def intrusion_set_of(
    group: GroupFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> stix2.v21.IntrusionSet:
    """The release group as an ``intrusion-set``; its other spellings are the ``aliases``."""
    name = checked_text(group.name, "name")
    aliases: list[str] = []
    for spelling in group.spellings:
        alias = checked_text(spelling, "spellings") if spelling.strip() else None
        if alias and alias != name and alias not in aliases:
            aliases.append(alias)
    first = utc_time(group.first_seen, "first_seen")
    last = utc_time(group.last_seen, "last_seen")
    if last < first:
        raise InputError("last seen before first seen", field="last_seen")
    extra: dict[str, Any] = {"aliases": aliases} if aliases else {}
    if created_by_ref is not None:
        extra["created_by_ref"] = created_by_ref
    return stix2.v21.IntrusionSet(
        id=group_id(name, created_by_ref),
        name=name,
        description=optional_text(group.description, "description"),
        first_seen=first,
        last_seen=last,
        goals=["distribute copyrighted works before their release windows"],
        resource_level="club",
        primary_motivation="notoriety",
        **stix_times(first, modified or last, "first_seen"),
        **extra,
        **marking_refs(object_marking_refs),
        **piracy_fields({"releases": group.releases, "leaks": group.leaks}),
    )


def _relationship(
    source_ref: str,
    kind: str,
    target_ref: str,
    created_by_ref: str | None,
    object_marking_refs: Sequence[str],
    stamps: dict[str, Any],
    **more: Any,
) -> stix2.v21.Relationship:
    extra: dict[str, Any] = creator(created_by_ref)
    return stix2.v21.Relationship(
        id=owned_id("relationship", f"{source_ref}|{kind}|{target_ref}", created_by_ref),
        source_ref=source_ref,
        relationship_type=kind,
        target_ref=target_ref,
        **stamps,
        **extra,
        **marking_refs(object_marking_refs),
        **more,
    )


@dataclass(frozen=True)
class HostObjects:
    """What one host becomes: the infrastructure, its observable and their relationships."""

    infrastructure: stix2.v21.Infrastructure
    observable: Observable
    consists_of: stix2.v21.Relationship
    used_by: tuple[stix2.v21.Relationship, ...]
    """One ``uses`` relationship per group tied to the host (from its intrusion-set)."""

    def all(self) -> list[Any]:
        return [self.infrastructure, self.observable, self.consists_of, *self.used_by]


def infrastructure_of(
    host: HostFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> HostObjects:
    """The host as ``infrastructure`` consisting of its observable, used by its groups."""
    observable = observable_of(host.value, object_marking_refs=object_marking_refs)
    role = checked_text(host.role, "role", max_length=64)
    first = utc_time(host.first_seen, "first_seen") if host.first_seen else None
    last = utc_time(host.last_seen, "last_seen") if host.last_seen else None
    if first and last and last < first:
        raise InputError("last seen before first seen", field="last_seen")
    evidence = [
        checked_text(line, "evidence", max_length=None) for line in host.evidence if line.strip()
    ]
    releases = [checked_text(name, "releases") for name in host.releases]
    stamps = stix_times(first, modified or last, "first_seen")
    seen: dict[str, Any] = {}
    if first:
        seen["first_seen"] = first
    if last:
        seen["last_seen"] = last
    extra: dict[str, Any] = creator(created_by_ref)
    infrastructure = stix2.v21.Infrastructure(
        id=owned_id("infrastructure", "host:" + str(observable.value).casefold(), created_by_ref),
        name=str(observable.value),
        infrastructure_types=["exfiltration" if role.lower() in _EXFILTRATION_ROLES else "unknown"],
        description="\n".join(evidence) or None,
        **seen,
        **stamps,
        **extra,
        **marking_refs(object_marking_refs),
        **piracy_fields(
            {
                "role": role,
                "country": optional_text(host.country, "country"),
                "releases": releases or None,
            }
        ),
    )
    consists_of = _relationship(
        infrastructure.id, "consists-of", observable.id, created_by_ref, object_marking_refs, stamps
    )
    used_by = tuple(
        _relationship(
            group_id(group, created_by_ref, "groups"),
            "uses",
            infrastructure.id,
            created_by_ref,
            object_marking_refs,
            stamps,
        )
        for group in dict.fromkeys(g.strip() for g in host.groups if g.strip())
    )
    return HostObjects(infrastructure, observable, consists_of, used_by)


def link_of(
    link: GroupLinkFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> stix2.v21.Relationship:
    """A link between two groups as ``related-to``; the evidence text is its description."""
    kind = checked_text(link.kind, "kind", max_length=64)
    source, target = (
        group_id(link.source, created_by_ref, "source"),
        group_id(link.target, created_by_ref, "target"),
    )
    if source == target:
        raise InputError("a group cannot be linked to itself", field="target")
    return _relationship(
        source,
        "related-to",
        target,
        created_by_ref,
        object_marking_refs,
        stix_times(link.found_at, modified, "found_at"),
        description=checked_text(link.evidence, "evidence", max_length=None),
        confidence=confidence_of(link.strength, "strength"),
        **piracy_fields({"link_kind": kind, "strength": link.strength}),
    )


def note_of(
    finding: SupplyFinding,
    about_refs: Sequence[str],
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> stix2.v21.Note:
    """A supply finding as a ``note`` on ``about_refs`` (its groups, releases, sightings)."""
    if not about_refs:
        raise InputError("a note must be about at least one object", field="about_refs")
    account = checked_text(finding.account, "account")
    refs = sorted(set(about_refs))
    extra: dict[str, Any] = creator(created_by_ref)
    return stix2.v21.Note(
        id=owned_id("note", f"supply:{account}|{'|'.join(refs)}", created_by_ref),
        abstract=f"Supply account {account}",
        content=checked_text(finding.explanation, "explanation", max_length=None),
        object_refs=refs,
        confidence=confidence_of(finding.posterior, "posterior"),
        **stix_times(finding.found_at, modified, "found_at"),
        **extra,
        **marking_refs(object_marking_refs),
        **piracy_fields({"account": account, "posterior": finding.posterior}),
    )


def report_of(
    title: str,
    object_refs: Sequence[str],
    *,
    key: str,
    published: datetime,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    description: str | None = None,
    modified: datetime | None = None,
) -> stix2.v21.Report:
    """A case's shareable part as a ``report`` (``key``: a stable name, e.g. ``case:12``)."""
    if not object_refs:
        raise InputError("a report must reference at least one object", field="object_refs")
    published_at = utc_time(published, "published")
    extra: dict[str, Any] = creator(created_by_ref)
    return stix2.v21.Report(
        id=owned_id("report", checked_text(key, "key"), created_by_ref),
        name=checked_text(title, "title"),
        description=optional_text(description, "description"),
        report_types=["threat-actor"],
        published=published_at,
        object_refs=list(dict.fromkeys(object_refs)),
        **stix_times(published_at, modified, "published"),
        **extra,
        **marking_refs(object_marking_refs),
        allow_custom=True,
    )


def bundle_of(objects: Iterable[Any]) -> stix2.v21.Bundle:
    """A ``bundle`` of ``objects``, each once (first occurrence of an id and version kept)."""
    unique: dict[tuple[str, str], Any] = {}
    for item in objects:
        unique.setdefault((item["id"], str(item.get("modified", ""))), item)
    return stix2.v21.Bundle(objects=list(unique.values()), allow_custom=True)
