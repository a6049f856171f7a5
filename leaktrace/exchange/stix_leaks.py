"""A leak as STIX 2.1: the ``x-leaktrace-release`` object and a ``sighting``.

**A leak is a sighting, not a report.** A leak alert says "this group's release was seen,
N times, before its window": exactly what a ``sighting`` states (``sighting_of_ref`` the
group's ``intrusion-set``, ``count`` the number of sightings, ``first_seen`` the release
time, ``where_sighted_refs`` the agency that saw it, ``observed_data_refs`` the observed
torrent, a magnet ``url``, when the info-hash is known). A sighting is one small object per
leak, which partners' tools count and correlate by group; a ``report`` is a curated
document, kept for a case's shareable part. When the group is unknown, the sighting is of
the release object itself. The alert id, severity, window, lead and the release's id travel
in the piracy property extension.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stix2  # type: ignore[import-untyped]

from leaktrace.errors import InputError
from leaktrace.exchange.facts import LeakFacts, ReleaseFacts
from leaktrace.exchange.stix_common import (
    checked_text,
    creator,
    group_id,
    optional_text,
    owned_id,
    piracy_fields,
    stix_times,
    utc_time,
)
from leaktrace.exchange.stix_extension import (
    RELEASE_TYPE,
    LeakTraceRelease,
    marking_refs,
)
from leaktrace.exchange.stix_observables import observable_of

__all__ = ["LeakObjects", "leak_objects", "release_object"]

_INFO_HASH = re.compile(r"[0-9a-fA-F]{40}\Z")


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
    name = checked_text(release.name, "name")
    released = utc_time(release.released_at, "released_at") if release.released_at else None
    if release.lead_days is not None and not math.isfinite(release.lead_days):
        raise InputError("must be a finite number", field="lead_days")
    if release.work_year is not None and not 1800 <= release.work_year <= 2200:
        raise InputError("not a plausible year", field="work_year")
    fields: dict[str, Any] = {
        "group": optional_text(release.group, "group"),
        "work_title": optional_text(release.work_title, "work_title"),
        "work_year": release.work_year,
        "window": optional_text(release.window, "window"),
        "lead_days": release.lead_days,
        "info_hash": _info_hash(release),
        "released_at": released,
        "created_by_ref": created_by_ref,
    }
    return LeakTraceRelease(
        id=owned_id(RELEASE_TYPE, "release:" + name, created_by_ref),
        name=name,
        **{key: value for key, value in fields.items() if value is not None},
        **stix_times(released, modified, "released_at"),
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
    severity = checked_text(leak.severity, "severity", max_length=32)
    seen_at = release.get("released_at")
    stamps = stix_times(seen_at, modified, "released_at")
    observed: tuple[Any, ...] = ()
    refs: dict[str, Any] = {}
    info_hash = release.get("info_hash")
    if info_hash and seen_at:
        magnet = observable_of(
            f"magnet:?xt=urn:btih:{info_hash}", object_marking_refs=object_marking_refs
        )
        observed_data = stix2.v21.ObservedData(
            id=owned_id("observed-data", f"leak:{leak.alert_id}", created_by_ref),
            first_observed=seen_at,
            last_observed=seen_at,
            number_observed=leak.sightings,
            object_refs=[magnet.id],
            **stamps,
            **creator(created_by_ref),
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
        id=owned_id("sighting", f"leak:{leak.alert_id}", created_by_ref),
        sighting_of_ref=group_id(group, created_by_ref) if group else release.id,
        count=leak.sightings,
        description=f"Release {release.name} seen before its window.",
        **refs,
        **stamps,
        **marking_refs(object_marking_refs),
        **piracy_fields(
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
