"""Exporting findings to a file (issue 12): a STIX 2.1 bundle, or a MISP event (a case or
a group only).

The objects are those a publication would carry (:func:`leaktrace.services.exchange_publish.
build_objects`: markings, identities and extension definitions included), or for
``collection`` the last version of each object of a collection that the agency (``agency``,
required of the local operator, who would otherwise write out every RED and AMBER+STRICT
object; a signed-in user's own agency) may see. The file is written atomically with mode 0600
(:func:`leaktrace.private_files.write_private_text`): never half-written; an existing file
is replaced only with ``force``. Every export is audited; one holding supply findings
(personal data, which need ``read:personal``) is audited as such too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import stix2  # type: ignore[import-untyped]

from leaktrace.errors import ConflictError, InputError, NotFoundError
from leaktrace.exchange.facts import AgencyFacts
from leaktrace.exchange.misp import misp_event
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.private_files import write_private_text
from leaktrace.services import audit, exchange_facts
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, no_such_collection
from leaktrace.services.exchange_facts import Findings
from leaktrace.services.exchange_publish import (
    EXPORT_SOURCES,
    Marking,
    Source,
    build_objects,
    gather_findings,
    publishing_agency,
)
from leaktrace.services.exchange_views import ExchangeExportView
from leaktrace.store.exchange_collections import rights_of
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer

__all__ = ["DEFAULT_EXPORT_TLP", "ExportRequest", "export"]

DEFAULT_EXPORT_TLP = "amber"
"""The TLP level of an export made without ``--tlp``: a file leaves the system, so it is
never unmarked."""

ExportFormat = Literal["stix", "misp"]


@dataclass(frozen=True)
class ExportRequest:
    source: Source
    format: str
    path: Path
    marking: Marking | None = None
    agency: str | None = None
    force: bool = False


def _format(value: str) -> ExportFormat:
    lowered = value.strip().lower()
    if lowered == "stix":
        return "stix"
    if lowered == "misp":
        return "misp"
    raise InputError("must be stix or misp", field="--format")


def _bundle_text(bodies: list[dict[str, Any]]) -> str:
    bundle = stix2.v21.Bundle(objects=bodies, allow_custom=True)
    text: str = bundle.serialize(pretty=True)
    return text + "\n"


def export(ctx: AppContext, actor: Actor, request: ExportRequest) -> ExchangeExportView:
    """Write the export (see the module docstring)."""
    actor.require(Permission.read_intel)
    kind = request.source.chosen(EXPORT_SOURCES)
    fmt = _format(request.format)
    if fmt == "misp" and kind not in ("case", "group"):
        raise InputError(
            "a MISP event holds a case or a group: use --case or --group (or --format stix)",
            field="--format",
        )
    target = Path(request.path).expanduser()
    if target.is_dir():
        raise InputError("is a folder, expected a file name", file=str(target))
    if target.exists() and not request.force:
        raise ConflictError(f"{target} exists already: use --force to replace it")
    marking = request.marking or Marking.of(DEFAULT_EXPORT_TLP)
    now = datetime.now(UTC)
    if kind == "collection":
        if request.marking is not None:
            raise InputError(
                "a collection's objects keep their own markings: --tlp and --handling do not apply",
                field="--tlp",
            )
        return _export_collection(ctx, actor, request, target, now)
    owner, findings = gather_findings(ctx, actor, request.source)
    with ctx.database.transaction() as conn:
        agency: AgencyFacts | None = None
        if request.agency or owner or not actor.is_local:
            _, agency = publishing_agency(conn, actor, request.agency, owner)
        bodies = build_objects(findings, agency, marking, now)
        if fmt == "stix":
            text = _bundle_text(bodies)
            count = len(bodies)
        else:
            event = _event(findings, bodies, marking, now)
            text = event.to_json(indent=2) + "\n"
            count = len(event.attributes)
        _audit(conn, actor, request, findings, count, marking, agency)
        write_private_text(target, text, what="the export")
    return ExchangeExportView(
        path=str(target),
        format=fmt,
        source=request.source.label(),
        tlp=marking.tlp,
        handling=marking.handling,
        agency=agency.code if agency else None,
        objects=count,
        exported_at=now,
    )


def _event(
    findings: Findings, bodies: list[dict[str, Any]], marking: Marking, now: datetime
) -> Any:
    key = next(
        (b["id"] for b in bodies if b["type"] == "report"),
        next((b["id"] for b in bodies if b["type"] == "intrusion-set"), None),
    )
    return misp_event(
        bodies,
        info=f"LeakTrace: {findings.title}",
        tlp=marking.tlp,
        handling=marking.handling,
        handling_text=marking.handling_text,
        when=now.date(),
        key_id=key,
    )


def _audit(
    conn: Any,
    actor: Actor,
    request: ExportRequest,
    findings: Findings | None,
    count: int,
    marking: Marking | None,
    agency: AgencyFacts | None,
) -> None:
    level = f"TLP:{marking.tlp.upper()}" if marking else "as stored"
    audit.record(
        conn,
        actor,
        "exchange.export",
        f"{request.source.label()} -> {request.path}",
        f"{request.format} {count} items; {level}"
        + (f"; {marking.handling}" if marking and marking.handling else "")
        + (f"; as {agency.code}" if agency else ""),
    )
    if findings is not None and findings.personal:
        audit.record(
            conn,
            actor,
            "exchange.export.personal",
            f"{request.source.label()} -> {request.path}",
            f"{len(findings.supply)} supply-account findings exported",
        )


def _export_collection(
    ctx: AppContext, actor: Actor, request: ExportRequest, target: Path, now: datetime
) -> ExchangeExportView:
    if not actor.is_local:
        actor.require(Permission.read_exchange)
    if not request.agency and actor.agency_id is None:
        # the local operator sees every row, RED and AMBER+STRICT ones unredacted: a file
        # leaving the system is always one agency's view (as ``exchange push`` does)
        raise InputError(
            "say whose view of the collection to export (--agency CODE): the file holds what "
            "that agency may see, and the local operator sees everything",
            field="--agency",
        )
    name = request.source.collection or ""
    with ctx.database.transaction() as conn:
        record = collection_for(conn, actor, name.strip(), need="read")
        viewer, code = Viewer(actor.agency_id), actor.agency_code
        if request.agency:
            agency_id, facts = exchange_facts.agency_facts(conn, request.agency)
            if not actor.is_local and agency_id != actor.agency_id:
                raise no_such_collection(name)
            if not rights_of(conn, record.id, Viewer(agency_id))[0]:
                raise no_such_collection(name)
            viewer, code = Viewer(agency_id), facts.code
        rows = find_objects(conn, record.id, viewer, ObjectQuery())
        if not rows:
            raise NotFoundError(f"nothing to export in {record.title!r}", kind="object")
        bodies = [json.loads(json.dumps(row.body)) for row in rows]
        text = _bundle_text(bodies)
        audit.record(
            conn,
            actor,
            "exchange.export",
            f"{request.source.label()} -> {target}",
            f"stix {len(bodies)} objects as {code} sees them",
        )
        write_private_text(target, text, what="the export")
    return ExchangeExportView(
        path=str(target),
        format="stix",
        source=request.source.label(),
        tlp=None,
        handling=None,
        agency=code,
        objects=len(bodies),
        exported_at=now,
    )
