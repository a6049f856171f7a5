"""Publishing LeakTrace's findings as STIX 2.1 into a TAXII collection (issue 12).

**What goes in.** ``--group``: the intrusion-set, its links (``related-to``, with the linked
groups) and its hosts (infrastructure, observable, ``consists-of`` and ``uses``);
``--case``: a ``report`` referencing the case's shareable findings (groups and their links,
hosts, leaks as sightings, releases, supply findings as notes; see
:func:`leaktrace.services.exchange_facts.case_findings`); ``--targets XX``: the country's
hosts; ``--all-leaks``: one sighting (with its release) per leak. Every finding object
carries ``object_marking_refs`` [TLP, handling if any], ``created_by_ref`` the publishing
agency's identity and ``modified`` the publication time (re-publishing is a new version of
the same ids). Beside them: the agency's identity, LeakTrace's identities and extension
definitions, the TLP 2.0 extension definition and marking, the handling marking.

**Who.** The publishing agency is ``agency``, else (a signed-in user) the user's own agency,
else the case's owner; it must have write rights on the collection. A user may publish only
as their own agency.

**RED.** ``to`` names the agencies a RED publication reaches (each must read the
collection); without it only the publisher sees it. ``to`` with another level is refused.

**All or nothing.** Everything is added through
:func:`leaktrace.store.exchange_batches.store_batch` in one transaction with its audit
entry: a failure anywhere adds nothing.

**Re-publication** of an object an agency received (``object_id`` from
``from_collection``) is its own use case: :func:`leaktrace.services.exchange_republish.
republish`, to which :func:`publish` hands such a request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import (
    InputError,
    NotFoundError,
    PermissionDeniedError,
    SharingRefusedError,
)
from leaktrace.exchange.classify import SUPPORT_TYPES, check_object, classify
from leaktrace.exchange.facts import AgencyFacts
from leaktrace.exchange.markings import (
    HANDLING_EXTENSION_DEFINITION,
    LEAKTRACE_IDENTITY,
    TLP_EXTENSION_DEFINITION,
    TlpLevel,
    handling_marking,
    tlp_marking,
)
from leaktrace.exchange.stix_extension import extension_definitions, leaktrace_identity
from leaktrace.exchange.stix_objects import (
    identity_of,
    infrastructure_of,
    intrusion_set_of,
    leak_objects,
    link_of,
    note_of,
    release_object,
    report_of,
)
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit, exchange_facts
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, store_batch
from leaktrace.services.exchange_collections import agency_ids
from leaktrace.services.exchange_facts import Findings
from leaktrace.services.exchange_views import PublicationView
from leaktrace.store.exchange_collections import CollectionRecord, rights_of
from leaktrace.store.exchange_visibility import Viewer

__all__ = [
    "EXPORT_SOURCES",
    "Marking",
    "PUBLISH_SOURCES",
    "PublishRequest",
    "Source",
    "build_objects",
    "gather_findings",
    "publication_notes",
    "publish",
    "publishing_agency",
    "red_audience",
    "writable_collection",
]


PUBLISH_SOURCES = ("case", "group", "targets", "all-leaks", "object")
"""The options naming what ``exchange publish`` publishes (``--object`` with ``--from``)."""
EXPORT_SOURCES = ("case", "group", "targets", "all-leaks", "collection")
"""The options naming what ``exchange export`` writes."""

_OPTION_OF_FIELD = {
    "tlp": "--tlp",
    "handling_code": "--handling",
    "handling_text": "--handling-text",
    "source_reliability": "--source",
    "information_accuracy": "--accuracy",
}
"""The field names of :mod:`leaktrace.exchange.markings` -> the options that set them."""


@dataclass(frozen=True)
class Source:
    """What to publish or export: exactly one of these."""

    case: int | None = None
    group: str | None = None
    targets: str | None = None
    all_leaks: bool = False
    object_id: str | None = None
    from_collection: str | None = None
    collection: str | None = None
    """Export only: the objects of a collection."""

    def chosen(self, offered: Sequence[str] = (*PUBLISH_SOURCES, "collection")) -> str:
        """The one source given (``case``, ``group``, ``targets``, ``all-leaks``, ``object``
        or ``collection``), one of ``offered``; InputError naming the options otherwise."""
        picked = [
            name
            for name, given in (
                ("case", self.case is not None),
                ("group", self.group is not None),
                ("targets", self.targets is not None),
                ("all-leaks", self.all_leaks),
                ("object", self.object_id is not None),
                ("collection", self.collection is not None),
            )
            if given
        ]
        options = ", ".join(f"--{name}" for name in offered)
        if len(picked) != 1:
            raise InputError(
                f"give exactly one of {options}"
                + (f" (got {', '.join('--' + p for p in picked)})" if picked else ""),
                field=", ".join(f"--{name}" for name in picked or offered),
            )
        if picked[0] not in offered:
            raise InputError(
                f"not an option of this command: give one of {options}", field=f"--{picked[0]}"
            )
        if picked[0] == "object" and not self.from_collection:
            raise InputError("--object needs --from COLLECTION", field="--from")
        if picked[0] != "object" and self.from_collection:
            raise InputError("--from goes with --object only", field="--from")
        return picked[0]

    def label(self) -> str:
        if self.case is not None:
            return f"case {self.case}"
        if self.group is not None:
            return f"group {self.group.strip()}"
        if self.targets is not None:
            return f"targets {self.targets.strip().upper()}"
        if self.all_leaks:
            return "all leaks"
        if self.object_id is not None:
            return f"object {self.object_id} from {self.from_collection}"
        return f"collection {self.collection}"


@dataclass(frozen=True)
class Marking:
    """The markings of a publication: a TLP 2.0 level and, optionally, a SIENA handling
    code (H3 with its text) with the 4x4 evaluation."""

    tlp: TlpLevel
    handling: str | None = None
    handling_text: str | None = None
    source: str | None = None
    accuracy: int | None = None

    @staticmethod
    def of(
        tlp: str,
        handling: str | None = None,
        handling_text: str | None = None,
        source: str | None = None,
        accuracy: int | None = None,
    ) -> Marking:
        """Checked: InputError for an unknown level or code, a text without H3 ... with
        ``field`` the option to fix (``--tlp``, ``--handling``, ``--handling-text``,
        ``--source``, ``--accuracy``)."""
        if handling is None and (handling_text or source or accuracy is not None):
            raise InputError(
                "--handling-text, --source and --accuracy go with --handling", field="--handling"
            )
        try:
            level = tlp_marking(tlp)["extensions"]
            found: TlpLevel = next(iter(level.values()))["tlp_2_0"]
            marking = Marking(found, handling, handling_text, source, accuracy)
            if handling is not None:
                marking.handling_definition("identity--00000000-0000-4000-8000-000000000000")
        except InputError as exc:
            raise InputError(
                exc.reason, field=_OPTION_OF_FIELD.get(exc.field or "", exc.field)
            ) from None
        return marking

    def handling_definition(self, created_by_ref: str) -> dict[str, Any] | None:
        if self.handling is None:
            return None
        return handling_marking(
            self.handling, self.handling_text, self.source, self.accuracy, created_by_ref
        )


@dataclass(frozen=True)
class PublishRequest:
    source: Source
    collection: str
    marking: Marking
    to: tuple[str, ...] = ()
    agency: str | None = None


def _body(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    parsed: dict[str, Any] = json.loads(obj.serialize())
    return parsed


def build_objects(
    findings: Findings,
    agency: AgencyFacts | None,
    marking: Marking,
    now: datetime,
) -> list[dict[str, Any]]:
    """The STIX objects of ``findings`` (each once), support objects first: the finding
    objects marked with the TLP (and handling) marking, created by the agency's identity,
    version ``now``."""
    identity = identity_of(agency) if agency is not None else None
    creator = identity.id if identity is not None else None
    tlp = tlp_marking(marking.tlp)
    handling = marking.handling_definition(creator or LEAKTRACE_IDENTITY["id"])
    refs = [tlp["id"], *([handling["id"]] if handling else [])]
    support: list[Any] = [
        leaktrace_identity(),
        *extension_definitions(),
        LEAKTRACE_IDENTITY,
        TLP_EXTENSION_DEFINITION,
        tlp,
    ]
    if identity is not None:
        support.append(identity)
    if handling is not None:
        support.extend([HANDLING_EXTENSION_DEFINITION, handling])
    objects: list[Any] = []
    group_ids: dict[str, str] = {}
    for key, group in sorted(findings.groups.items()):
        made = intrusion_set_of(group, creator, refs, modified=now)
        group_ids[key] = made.id
        objects.append(made)
    for link in findings.links:
        objects.append(link_of(link, creator, refs, modified=now))
    for _, host in sorted(findings.hosts.items()):
        objects.extend(infrastructure_of(host, creator, refs, modified=now).all())
    sightings: dict[int, str] = {}
    for alert_id, leak in sorted(findings.leaks.items()):
        made_leak = leak_objects(leak, creator, refs, where_sighted_ref=creator, modified=now)
        sightings[alert_id] = made_leak.sighting.id
        objects.extend(made_leak.all())
    for _, release in sorted(findings.releases.items()):
        objects.append(release_object(release, creator, refs, modified=now))
    for item in findings.supply:
        about = [
            *(sightings[a] for a in item.alert_ids if a in sightings),
            *(group_ids[g.casefold()] for g in item.groups if g.casefold() in group_ids),
        ]
        if about:
            objects.append(note_of(item.finding, about, creator, refs, modified=now))
    if findings.report is not None and objects:
        key, published = findings.report
        objects.append(
            report_of(
                findings.title,
                [obj["id"] for obj in objects],
                key=key,
                published=published,
                created_by_ref=creator,
                object_marking_refs=refs,
                modified=now,
            )
        )
    if not objects:
        raise NotFoundError(f"nothing to share in {findings.title}", kind="finding")
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for obj in [*support, *objects]:
        body = _body(obj)
        unique.setdefault((body["id"], str(body.get("modified", ""))), body)
    bodies = list(unique.values())
    # a definition no finding needs would be stored as an ordinary, unmarked row: leave it out
    kept = classify(bodies)
    return [
        body
        for body, item in zip(bodies, kept, strict=True)
        if item.support or body["type"] not in SUPPORT_TYPES
    ]


def publishing_agency(
    conn: Connection, actor: Actor, code: str | None, case_owner: str | None
) -> tuple[int, AgencyFacts]:
    """(id, facts) of the agency acting: ``code``, else a user's own agency, else the case's
    owner; a user may act only as their own agency."""
    chosen = code or (actor.agency_code if not actor.is_local else None) or case_owner
    if not chosen:
        raise InputError(
            "name the publishing agency with --agency (only a case has an owner to default to)",
            field="--agency",
        )
    agency_id, facts = exchange_facts.agency_facts(conn, chosen)
    if not actor.is_local and actor.agency_id != agency_id:
        raise PermissionDeniedError(
            f"you may publish only as your own agency ({actor.agency_code}), not {facts.code}",
            permission="agency",
        )
    return agency_id, facts


def writable_collection(
    conn: Connection, actor: Actor, name: str, agency_id: int, code: str
) -> CollectionRecord:
    """The collection ``name``, which the publishing agency must be able to write
    (PermissionDeniedError otherwise)."""
    if not actor.is_local:  # the actor's own agency: no rights, no collection; read only: 403
        return collection_for(conn, actor, name.strip(), need="write")
    record = collection_for(conn, actor, name.strip())
    if not rights_of(conn, record.id, Viewer(agency_id))[1]:
        raise PermissionDeniedError(
            f"agency {code} may not write to collection {record.title!r} "
            "(leaktrace exchange collection set ... --write)",
            permission="collection:write",
        )
    return record


def red_audience(
    conn: Connection, record: CollectionRecord, marking_tlp: str, to: Sequence[str]
) -> dict[str, int]:
    """Code -> id of the ``--to`` agencies of a RED publication, each a reader of
    ``record`` (SharingRefusedError otherwise); ``--to`` with another level: InputError."""
    if not to:
        return {}
    if marking_tlp != "red":
        raise InputError("--to narrows a TLP:RED publication: use it with --tlp red", field="--to")
    wanted = agency_ids(conn, to, "--to")
    for code, agency_id in wanted.items():
        if not rights_of(conn, record.id, Viewer(agency_id))[0]:
            raise SharingRefusedError(
                f"agency {code} may not read collection {record.title!r}: a RED object can go "
                "only to the collection's readers",
                rule="red",
            )
    return wanted


def gather_findings(ctx: AppContext, actor: Actor, source: Source) -> tuple[str | None, Findings]:
    """(case owner code or None, findings) of a case, group, country or all leaks."""
    kind = source.chosen()
    if kind == "case" and source.case is not None:
        return exchange_facts.case_findings(ctx, actor, source.case)
    if kind == "group" and source.group is not None:
        return None, exchange_facts.group_findings(ctx, actor, source.group)
    if kind == "targets" and source.targets is not None:
        return None, exchange_facts.targets_findings(ctx, actor, source.targets)
    if kind == "all-leaks":
        return None, exchange_facts.all_leaks_findings(ctx, actor)
    raise InputError(f"--{kind} names no findings to gather", field=f"--{kind}")


def publication_notes(marking: Marking, audience: dict[str, int], code: str) -> list[str]:
    """What the publisher ``code`` should know of who will see the publication."""
    notes: list[str] = []
    if marking.tlp == "red" and not audience:
        notes.append(f"TLP:RED without --to: visible to the publisher ({code}) only")
    if marking.tlp == "amber+strict":
        notes.append(f"TLP:AMBER+STRICT: visible to the publisher ({code}) only")
    if marking.handling == "H1":
        notes.append("H1: not for judicial proceedings without the provider's permission")
    return notes


def publish(ctx: AppContext, actor: Actor, request: PublishRequest) -> PublicationView:
    """Publish (see the module docstring); one transaction, audited."""
    actor.require(Permission.write_exchange)
    kind = request.source.chosen(PUBLISH_SOURCES)
    if request.to and request.marking.tlp != "red":
        raise InputError("--to narrows a TLP:RED publication: use it with --tlp red", field="--to")
    if kind == "object":
        # its own use case and module (which builds on this one: imported here, not above)
        from leaktrace.services.exchange_republish import republish

        return republish(ctx, actor, request)
    now = datetime.now(UTC)
    owner, findings = gather_findings(ctx, actor, request.source)
    with ctx.database.transaction() as conn:
        agency_id, agency = publishing_agency(conn, actor, request.agency, owner)
        record = writable_collection(conn, actor, request.collection, agency_id, agency.code)
        audience = red_audience(conn, record, request.marking.tlp, request.to)
        bodies = build_objects(findings, agency, request.marking, now)
        checked = [check_object(body, f"objects[{i}]") for i, body in enumerate(bodies)]
        outcomes = store_batch(
            conn,
            record.id,
            checked,
            owner_agency_id=agency_id,
            origin="published",
            audience=audience.values(),
        )
        audit.record(
            conn,
            actor,
            "exchange.publish",
            f"{request.source.label()} -> {record.title}",
            f"as {agency.code}; TLP:{request.marking.tlp.upper()}"
            f"{'; ' + request.marking.handling if request.marking.handling else ''}; "
            f"{len(checked)} objects, {sum(o.added for o in outcomes)} new"
            + (f"; to {', '.join(sorted(audience))}" if audience else ""),
        )
        if findings.personal:
            audit.record(
                conn,
                actor,
                "exchange.publish.personal",
                f"{request.source.label()} -> {record.title}",
                f"{len(findings.supply)} supply-account findings published as {agency.code}",
            )
    return PublicationView(
        collection=record.title,
        collection_id=record.id,
        agency=agency.code,
        source=request.source.label(),
        tlp=request.marking.tlp,
        handling=request.marking.handling,
        audience=sorted(audience),
        objects=len(checked),
        added=sum(o.added for o in outcomes),
        stix_ids=[body["id"] for body in checked],
        published_at=now,
        notes=[*findings.notes, *publication_notes(request.marking, audience, agency.code)],
    )
