"""Freezing a finding: what a LeakTrace read model says at this moment, as the exact bytes
stored as evidence.

Each kind is read through the service that shows it everywhere else (the same permission
checks, the same audit of personal data), so a snapshot is exactly what the analyst saw:
a leak with its release and sightings, a release, a group dossier, a host with its
enrichment, the supply ranking with its explanations, a country's target sheet, an impact
estimate, a shared STIX object (``stix``: the latest version the agency may see, read through
the one need-to-know rule, with its provenance and markings; its label starts with its
handling restriction, :data:`~leaktrace.services.case_views.STIX_RESTRICTIONS`). The bytes
are the RFC 8785 canonical JSON of ``{"kind", "reference", "taken_at", "view"}``.
OWNER: cases helper (H2, then F1).

What one agency keeps to itself stays out: a leak's triage (the adding agency's verdict
and note) is never frozen, since every member agency reads the case. A snapshot that
names people (the supply ranking; a group dossier that lists its distributors' accounts,
which only a reader with ``read:personal`` is given) is marked ``personal``: reading it
back needs ``read:personal`` too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from leaktrace.errors import InputError, NotFoundError
from leaktrace.evidence.canonical import canonical_json
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.impact.model import ImpactFilter
from leaktrace.services import (
    exchange_browse,
    groups,
    hosts,
    impact,
    leaks,
    releases,
    supply,
    targets,
    works,
)
from leaktrace.services.case_shared import BODY_DIGEST, body_digest
from leaktrace.services.case_views import FINDING_KINDS, STIX_RESTRICTIONS, LeakEvidenceView
from leaktrace.services.context import AppContext
from leaktrace.services.leak_views import LeakView
from leaktrace.services.views import View
from leaktrace.store.release_queries import release_id_by_name

__all__ = ["NEEDS_REFERENCE", "SNAPSHOT_MEDIA_TYPE", "Snapshot", "take_snapshot"]

SNAPSHOT_MEDIA_TYPE = "application/json"
MAX_LABEL = 500


@dataclass(frozen=True, slots=True)
class Snapshot:
    kind: str
    reference: str
    """What was frozen, normalised (a leak id, a release's exact name, a group's name as
    the dossier spells it, a host, a country code, a work id or empty)."""
    label: str
    """A human one-liner: ``leak 42: Some.Movie.2020.1080p.BluRay.x264-GRP``."""
    taken_at: str
    content: bytes
    personal: bool = False
    """Whether the frozen view names people (supply-chain accounts, customers)."""
    media_type: str = SNAPSHOT_MEDIA_TYPE
    markings: dict[str, Any] | None = None
    """A shared object's provenance and markings (``stix``), recorded in its log entry."""


@dataclass(frozen=True, slots=True)
class _Taken:
    reference: str
    label: str
    view: View
    personal: bool = False
    markings: dict[str, Any] | None = field(default=None)


def _taken_at() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _without_triage(leak: LeakView | None) -> LeakView | None:
    """The alert without the asking agency's own verdict and note."""
    return None if leak is None else leak.model_copy(update={"triage": None})


def _leak(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    if not reference.isascii() or not reference.isdigit() or len(reference) > 18:
        raise InputError("a leak is named by its id (a number)", field="reference")
    leak = leaks.get_leak(ctx, actor, int(reference))
    release = releases.get_release(ctx, actor, leak.release_id)
    frozen = LeakEvidenceView(
        leak=leak.model_copy(update={"triage": None}),
        release=release.model_copy(update={"alert": _without_triage(release.alert)}),
    )
    return _Taken(str(leak.id), f"leak {leak.id}: {leak.release}", frozen)


def _release(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        release_id = release_id_by_name(conn, reference)
    if release_id is None:
        raise NotFoundError(f"no release {reference!r}", kind="release", key=reference)
    release = releases.get_release(ctx, actor, release_id)
    frozen = release.model_copy(update={"alert": _without_triage(release.alert)})
    return _Taken(release.name, f"release {release.id}: {release.name}", frozen)


def _group(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    dossier = groups.group_dossier(ctx, actor, reference)  # accounts: read:personal only
    label = f"group {dossier.group}: {dossier.releases} releases, {dossier.leaks} leaks"
    return _Taken(dossier.group, label, dossier, personal=dossier.account_names > 0)


def _host(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    actor.require(Permission.read_intel)
    wanted = reference.lower().rstrip(".")
    listed = hosts.host_list(ctx).hosts
    found = next((h for h in listed if h.server.lower() == wanted), None)
    if found is None:
        found = next(
            (h for h in listed if h.reverse_dns and h.reverse_dns.lower().rstrip(".") == wanted),
            None,
        )
    if found is None:
        raise NotFoundError(f"no host {reference!r}", kind="host", key=reference)
    detail = hosts.host_detail(ctx, found.id)
    where = f" ({detail.country})" if detail.country else ""
    return _Taken(detail.server, f"host {detail.server}{where}: {detail.role}", detail)


def _supply_rank(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    if reference:
        raise InputError("the supply ranking takes no reference", field="reference")
    actor.require(Permission.read_intel)
    ranking = supply.supply_ranking(ctx, actor)  # needs read:personal, audited there
    label = f"supply ranking: {len(ranking.accounts)} accounts, {len(ranking.leaks)} leaks"
    return _Taken("", label, ranking, personal=True)


def _targets(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    actor.require(Permission.read_intel)
    try:
        sheet = targets.country_targets(ctx, reference)
    except InputError as exc:
        raise InputError(exc.reason, field="reference") from None
    if sheet.servers == 0:
        raise NotFoundError(
            f"no servers in {sheet.country}: no target sheet", kind="targets", key=sheet.country
        )
    return _Taken(sheet.country, f"targets {sheet.country}: {sheet.servers} servers", sheet)


def _impact(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    actor.require(Permission.read_intel)
    if reference:
        work = works.get_work(ctx, actor, reference)  # NotFoundError kind work
        estimate = impact.impact_estimate(ctx, ImpactFilter(work_id=work.id))
        return _Taken(work.id, f"impact estimate: work {work.id}", estimate)
    return _Taken("", "impact estimate: all works", impact.impact_estimate(ctx, ImpactFilter()))


def _stix(ctx: AppContext, actor: Actor, reference: str) -> _Taken:
    """``reference``: ``"STIX_ID COLLECTION"`` (the collection's id, title or alias)."""
    stix_id, _, collection = reference.partition(" ")
    if not stix_id or not collection.strip() or "--" not in stix_id:
        raise InputError(
            "a shared object is named by its STIX id and its collection", field="reference"
        )
    frozen = exchange_browse.object_evidence(ctx, actor, collection.strip(), stix_id)
    restriction = STIX_RESTRICTIONS.get(frozen.handling or "")
    marks = [f"TLP:{frozen.tlp.upper()}" if frozen.tlp else "no TLP"]
    if frozen.handling:
        marks.append(frozen.handling)
    prefix = f"[{restriction}] " if restriction else ""
    label = (
        f"{prefix}{frozen.type} {frozen.summary} ({', '.join(marks)}) "
        f"from {frozen.collection_title}"
    )
    markings = {
        "collection": frozen.collection_id,
        "stix_id": frozen.stix_id,
        "version": frozen.version,
        "origin": frozen.origin,
        "owner_agency": frozen.owner_agency,
        "creator_agency": frozen.creator_agency,
        "tlp": frozen.tlp,
        "handling": frozen.handling,
        "handling_text": frozen.handling_text,
        "restriction": restriction,
        BODY_DIGEST: body_digest(frozen.to_json()["object"]),
    }
    return _Taken(f"{frozen.stix_id} {frozen.collection_id}", label, frozen, markings=markings)


_TAKERS = {
    "leak": _leak,
    "release": _release,
    "group": _group,
    "host": _host,
    "supply-rank": _supply_rank,
    "targets": _targets,
    "impact": _impact,
    "stix": _stix,
}
assert set(_TAKERS) == set(FINDING_KINDS)
NEEDS_REFERENCE = frozenset({"leak", "release", "group", "host", "targets", "stix"})
"""Finding kinds that name one thing: an empty reference is refused (it would match
whatever has an empty name)."""


def take_snapshot(ctx: AppContext, actor: Actor, kind: str, reference: str) -> Snapshot:
    """Read the finding ``kind``/``reference`` through its service, as ``actor`` sees it
    now, and freeze it. NotFoundError (of the finding's kind) for an unknown reference;
    PermissionDeniedError when the actor may not read it (the supply ranking needs
    read:personal)."""
    taker = _TAKERS.get(kind)
    if taker is None:
        raise InputError(f"must be one of {', '.join(FINDING_KINDS)}", field="kind")
    reference = reference.strip()
    if kind in NEEDS_REFERENCE and not reference:
        raise InputError(f"name the {kind} to add", field="reference")
    taken = taker(ctx, actor, reference)
    taken_at = _taken_at()
    content = canonical_json(
        {
            "kind": kind,
            "reference": taken.reference,
            "taken_at": taken_at,
            "view": taken.view.to_json(),
        }
    )
    return Snapshot(
        kind=kind,
        reference=taken.reference,
        label=taken.label[:MAX_LABEL],
        taken_at=taken_at,
        content=content,
        personal=taken.personal,
        markings=taken.markings,
    )
