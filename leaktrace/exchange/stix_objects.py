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

**A leak is a sighting, not a report.** A leak alert says "this group's release was seen,
N times, before its window": exactly what a ``sighting`` states (``sighting_of_ref`` the
group's ``intrusion-set``, ``count`` the number of sightings, ``first_seen`` the release
time, ``where_sighted_refs`` the agency that saw it, ``observed_data_refs`` the observed
torrent when the info-hash is known). A sighting is one small object per leak, which
partners' tools count and correlate by group; a ``report`` is a curated document, kept here
for a case's shareable part. When the group is unknown, the sighting is of the release
object itself. The alert id, severity, window, lead and the release's id travel in the
piracy property extension.

All SDO and SRO ids are deterministic (:func:`~leaktrace.exchange.stix_extension.stix_id`);
``created`` comes from the facts (first seen, release time, found at), or is the fixed
:data:`UNKNOWN_CREATED` when they hold no time, so the same facts always give the same
object and a re-publication is a new *version* of it: callers pass ``modified`` (the
publication time) to make one. Every function takes ``object_marking_refs`` and passes
them through unchanged (markings are built in :mod:`leaktrace.exchange.markings`). Bad facts raise
:class:`~leaktrace.errors.InputError` naming the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stix2  # type: ignore[import-untyped]

from leaktrace.errors import InputError
from leaktrace.exchange.facts import (
    AgencyFacts,
    GroupFacts,
    GroupLinkFacts,
    HostFacts,
    LeakFacts,
    ReleaseFacts,
    SupplyFinding,
)
from leaktrace.exchange.stix_extension import (
    RELEASE_TYPE,
    LeakTraceRelease,
    marking_refs,
    piracy_extension,
    stix_id,
)
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

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INFO_HASH = re.compile(r"[0-9a-fA-F]{40}\Z")
_MAX_NAME = 256
_EXFILTRATION_ROLES = frozenset(
    {"initial-seeder", "seedbox", "server", "topsite", "web-seed", "cyberlocker", "streaming"}
)
"""Host roles that carry the stolen copy itself out to the public: STIX ``exfiltration``
infrastructure. Trackers, index sites and unknown roles are ``unknown`` (the STIX vocabulary
has nothing closer); LeakTrace's own role always travels in the piracy extension."""


def _text(value: str, field: str, *, max_length: int | None = _MAX_NAME) -> str:
    """``value`` stripped; refused when empty, too long or holding control characters."""
    text = value.strip()
    if not text:
        raise InputError("must not be empty", field=field)
    if max_length is not None and len(text) > max_length:
        raise InputError(f"longer than {max_length} characters", field=field)
    if _CONTROL.search(text):
        raise InputError("holds control characters", field=field)
    return text


def _optional_text(value: str | None, field: str) -> str | None:
    return None if value is None or not value.strip() else _text(value, field, max_length=None)


def _when(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError("timestamp without a time zone", field=field)
    return value.astimezone(UTC)


UNKNOWN_CREATED = datetime(2000, 1, 1, tzinfo=UTC)
"""``created`` of an object whose facts hold no time: fixed, so that every publication of
the same facts is a version of one object (STIX forbids ``created`` to change)."""


def _times(created: datetime | None, modified: datetime | None, field: str) -> dict[str, Any]:
    """``created`` / ``modified`` keywords: ``modified`` never before ``created``."""
    first = _when(created, field) if created is not None else UNKNOWN_CREATED
    last = _when(modified, "modified") if modified is not None else first
    return {"created": first, "modified": max(first, last)}


def _confidence(value: float, field: str) -> int:
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InputError("must be a number from 0 to 1", field=field)
    return round(value * 100)


def _extension(fields: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": piracy_extension(fields), "allow_custom": True}


def group_id(name: str, field: str = "name") -> str:
    """The ``intrusion-set`` id of the group called ``name`` (any spelling of its case)."""
    return stix_id("intrusion-set", "group:" + _text(name, field).casefold())


def identity_of(
    agency: AgencyFacts,
    *,
    modified: datetime | None = None,
    object_marking_refs: Sequence[str] = (),
) -> stix2.v21.Identity:
    """The agency as an ``identity`` (its code, country and kind in the piracy extension)."""
    code = _text(agency.code, "code", max_length=64)
    return stix2.v21.Identity(
        id=stix_id("identity", "agency:" + code.casefold()),
        name=_text(agency.name, "name"),
        identity_class="organization",
        sectors=["government-public-services"],
        **_times(None, modified, "modified"),
        **marking_refs(object_marking_refs),
        **_extension(
            {
                "agency_code": code,
                "country": _optional_text(agency.country, "country"),
                "agency_kind": _optional_text(agency.kind, "kind"),
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
    name = _text(group.name, "name")
    aliases: list[str] = []
    for spelling in group.spellings:
        alias = _text(spelling, "spellings") if spelling.strip() else None
        if alias and alias != name and alias not in aliases:
            aliases.append(alias)
    first = _when(group.first_seen, "first_seen")
    last = _when(group.last_seen, "last_seen")
    if last < first:
        raise InputError("last seen before first seen", field="last_seen")
    extra: dict[str, Any] = {"aliases": aliases} if aliases else {}
    if created_by_ref is not None:
        extra["created_by_ref"] = created_by_ref
    return stix2.v21.IntrusionSet(
        id=group_id(name),
        name=name,
        description=_optional_text(group.description, "description"),
        first_seen=first,
        last_seen=last,
        goals=["distribute copyrighted works before their release windows"],
        resource_level="club",
        primary_motivation="notoriety",
        **_times(first, modified or last, "first_seen"),
        **extra,
        **marking_refs(object_marking_refs),
        **_extension({"releases": group.releases, "leaks": group.leaks}),
    )


def _relationship(
    source_ref: str,
    kind: str,
    target_ref: str,
    created_by_ref: str | None,
    object_marking_refs: Sequence[str],
    times: dict[str, Any],
    **more: Any,
) -> stix2.v21.Relationship:
    extra: dict[str, Any] = {"created_by_ref": created_by_ref} if created_by_ref else {}
    return stix2.v21.Relationship(
        id=stix_id("relationship", f"{source_ref}|{kind}|{target_ref}"),
        source_ref=source_ref,
        relationship_type=kind,
        target_ref=target_ref,
        **times,
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
    role = _text(host.role, "role", max_length=64)
    first = _when(host.first_seen, "first_seen") if host.first_seen else None
    last = _when(host.last_seen, "last_seen") if host.last_seen else None
    if first and last and last < first:
        raise InputError("last seen before first seen", field="last_seen")
    evidence = [_text(line, "evidence", max_length=None) for line in host.evidence if line.strip()]
    releases = [_text(name, "releases") for name in host.releases]
    times = _times(first, modified or last, "first_seen")
    seen: dict[str, Any] = {}
    if first:
        seen["first_seen"] = first
    if last:
        seen["last_seen"] = last
    extra: dict[str, Any] = {"created_by_ref": created_by_ref} if created_by_ref else {}
    infrastructure = stix2.v21.Infrastructure(
        id=stix_id("infrastructure", "host:" + str(observable.value).casefold()),
        name=str(observable.value),
        infrastructure_types=["exfiltration" if role.lower() in _EXFILTRATION_ROLES else "unknown"],
        description="\n".join(evidence) or None,
        **seen,
        **times,
        **extra,
        **marking_refs(object_marking_refs),
        **_extension(
            {
                "role": role,
                "country": _optional_text(host.country, "country"),
                "releases": releases or None,
            }
        ),
    )
    consists_of = _relationship(
        infrastructure.id, "consists-of", observable.id, created_by_ref, object_marking_refs, times
    )
    used_by = tuple(
        _relationship(
            group_id(group, "groups"),
            "uses",
            infrastructure.id,
            created_by_ref,
            object_marking_refs,
            times,
        )
        for group in dict.fromkeys(g.strip() for g in host.groups if g.strip())
    )
    return HostObjects(infrastructure, observable, consists_of, used_by)


def _info_hash(release: ReleaseFacts) -> str | None:
    if release.info_hash is None:
        return None
    if not _INFO_HASH.match(release.info_hash.strip()):
        raise InputError("not a 40-digit hexadecimal info-hash", field="info_hash")
    return release.info_hash.strip().lower()


def release_object(
    release: ReleaseFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> Any:
    """The release as LeakTrace's ``x-leaktrace-release`` SDO (keyed by its exact name)."""
    name = _text(release.name, "name")
    released = _when(release.released_at, "released_at") if release.released_at else None
    if release.lead_days is not None and not math.isfinite(release.lead_days):
        raise InputError("must be a finite number", field="lead_days")
    if release.work_year is not None and not 1800 <= release.work_year <= 2200:
        raise InputError("not a plausible year", field="work_year")
    fields: dict[str, Any] = {
        "group": _optional_text(release.group, "group"),
        "work_title": _optional_text(release.work_title, "work_title"),
        "work_year": release.work_year,
        "window": _optional_text(release.window, "window"),
        "lead_days": release.lead_days,
        "info_hash": _info_hash(release),
        "released_at": released,
        "created_by_ref": created_by_ref,
    }
    return LeakTraceRelease(
        id=stix_id(RELEASE_TYPE, "release:" + name),
        name=name,
        **{key: value for key, value in fields.items() if value is not None},
        **_times(released, modified, "released_at"),
        **marking_refs(object_marking_refs),
    )


@dataclass(frozen=True)
class LeakObjects:
    """What one leak becomes: the sighting, the release, and what was observed (if known)."""

    sighting: stix2.v21.Sighting
    release: Any
    observed: tuple[Any, ...]
    """The observed torrent (a magnet ``url``) and its ``observed-data``, or nothing."""

    def all(self) -> list[Any]:
        return [self.sighting, self.release, *self.observed]


def leak_objects(
    leak: LeakFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    where_sighted_ref: str | None = None,
    modified: datetime | None = None,
) -> LeakObjects:
    """The leak as a ``sighting`` of its group's intrusion-set (see the module docstring)."""
    release = release_object(leak.release, created_by_ref, object_marking_refs, modified=modified)
    if leak.sightings < 1 or leak.sightings > 999_999_999:
        raise InputError("must be from 1 to 999999999", field="sightings")
    severity = _text(leak.severity, "severity", max_length=32)
    seen_at = release.get("released_at")
    times = _times(seen_at, modified, "released_at")
    observed: tuple[Any, ...] = ()
    refs: dict[str, Any] = {}
    info_hash = release.get("info_hash")
    if info_hash and seen_at:
        magnet = observable_of(
            f"magnet:?xt=urn:btih:{info_hash}", object_marking_refs=object_marking_refs
        )
        observed_data = stix2.v21.ObservedData(
            id=stix_id("observed-data", f"leak:{leak.alert_id}"),
            first_observed=seen_at,
            last_observed=seen_at,
            number_observed=leak.sightings,
            object_refs=[magnet.id],
            **times,
            **({"created_by_ref": created_by_ref} if created_by_ref else {}),
            **marking_refs(object_marking_refs),
        )
        observed = (magnet, observed_data)
        refs["observed_data_refs"] = [observed_data.id]
    if where_sighted_ref:
        refs["where_sighted_refs"] = [where_sighted_ref]
    if seen_at:
        refs["first_seen"] = seen_at
        refs["last_seen"] = seen_at
    if created_by_ref:
        refs["created_by_ref"] = created_by_ref
    group = release.get("group")
    sighting = stix2.v21.Sighting(
        id=stix_id("sighting", f"leak:{leak.alert_id}"),
        sighting_of_ref=group_id(group) if group else release.id,
        count=leak.sightings,
        description=f"Release {release.name} seen before its window.",
        **refs,
        **times,
        **marking_refs(object_marking_refs),
        **_extension(
            {
                "alert_id": leak.alert_id,
                "severity": severity,
                "release_ref": release.id,
                "release_name": release.name,
                "window": release.get("window"),
                "lead_days": release.get("lead_days"),
            }
        ),
    )
    return LeakObjects(sighting, release, observed)


def link_of(
    link: GroupLinkFacts,
    created_by_ref: str | None = None,
    object_marking_refs: Sequence[str] = (),
    *,
    modified: datetime | None = None,
) -> stix2.v21.Relationship:
    """A link between two groups as ``related-to``; the evidence text is its description."""
    kind = _text(link.kind, "kind", max_length=64)
    source, target = group_id(link.source, "source"), group_id(link.target, "target")
    if source == target:
        raise InputError("a group cannot be linked to itself", field="target")
    return _relationship(
        source,
        "related-to",
        target,
        created_by_ref,
        object_marking_refs,
        _times(link.found_at, modified, "found_at"),
        description=_text(link.evidence, "evidence", max_length=None),
        confidence=_confidence(link.strength, "strength"),
        **_extension({"link_kind": kind, "strength": link.strength}),
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
    account = _text(finding.account, "account")
    refs = sorted(set(about_refs))
    extra: dict[str, Any] = {"created_by_ref": created_by_ref} if created_by_ref else {}
    return stix2.v21.Note(
        id=stix_id("note", f"supply:{account}|{'|'.join(refs)}"),
        abstract=f"Supply account {account}",
        content=_text(finding.explanation, "explanation", max_length=None),
        object_refs=refs,
        confidence=_confidence(finding.posterior, "posterior"),
        **_times(finding.found_at, modified, "found_at"),
        **extra,
        **marking_refs(object_marking_refs),
        **_extension({"account": account, "posterior": finding.posterior}),
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
    when = _when(published, "published")
    extra: dict[str, Any] = {"created_by_ref": created_by_ref} if created_by_ref else {}
    return stix2.v21.Report(
        id=stix_id("report", _text(key, "key")),
        name=_text(title, "title"),
        description=_optional_text(description, "description"),
        report_types=["threat-actor"],
        published=when,
        object_refs=list(dict.fromkeys(object_refs)),
        **_times(when, modified, "published"),
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
