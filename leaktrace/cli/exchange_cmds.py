"""``leaktrace exchange``: share intelligence with partner agencies (STIX 2.1 / TAXII 2.1).

``exchange collection add|set|list`` (administrators: collections and which agencies read
and write them), ``exchange permit`` (an owner's permission to pass an H2 object on),
``exchange publish`` (a case, a group, a country's targets, all leaks, or a received object,
under TLP 2.0 and SIENA handling markings), ``exchange export`` (a STIX bundle or a MISP
event in a file), and the inbound commands of :mod:`leaktrace.cli.exchange_inbound_cmds`
(``pull``, ``push``, ``import``).

The command line acts as the deployment's local operator; a publication is made in the name
of an agency (``--agency``, or the case's owner), which must have write rights on the
collection.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli import exchange_inbound_cmds
from leaktrace.cli.context import DbOption, FormatOption, err, open_context, out
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.identity.actor import local_operator
from leaktrace.services import exchange_collections, exchange_export, exchange_publish
from leaktrace.services.exchange_export import DEFAULT_EXPORT_TLP, ExportRequest
from leaktrace.services.exchange_views import SharingCollectionView

__all__ = ["app", "collection_app", "codes_of"]

app = typer.Typer(
    help="Share intelligence with partner agencies: STIX 2.1 objects in TAXII 2.1 "
    "collections, under TLP 2.0 and SIENA handling codes.",
    no_args_is_help=True,
)
collection_app = typer.Typer(
    help="TAXII collections and the agencies that may read and write them.",
    no_args_is_help=True,
)
app.add_typer(collection_app, name="collection")

exchange_inbound_cmds.register(app)


class ResultFormat(StrEnum):
    """The formats of a command that prints one result, not rows (no CSV: not a table)."""

    table = "table"
    json = "json"


ResultFormatOption = Annotated[
    ResultFormat,
    typer.Option(
        "--format", "-f", help="Output format: one result, not rows (no CSV).", case_sensitive=False
    ),
]


def codes_of(value: str | None) -> list[str]:
    """``"FR-PN, nl-pol"`` -> ``["FR-PN", "NL-POL"]`` (empty or omitted: nobody)."""
    return [part.strip().upper() for part in (value or "").split(",") if part.strip()]


NameArg = Annotated[str, typer.Argument(help="The collection's title (also its alias).")]
ReadOption = Annotated[
    str,
    typer.Option("--read", help="Agency codes that may read, comma-separated (empty: nobody)."),
]
WriteOption = Annotated[
    str,
    typer.Option("--write", help="Agency codes that may write, comma-separated (empty: nobody)."),
]


def _print_collection(view: SharingCollectionView, verb: str, fmt: ResultFormat) -> None:
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    out.file.write(f"{view.id}\n")
    err.print(
        f"{verb} collection {view.title!r}: read {', '.join(view.readers) or 'nobody'}; "
        f"write {', '.join(view.writers) or 'nobody'}"
    )


@collection_app.command("add")
def collection_add(
    name: NameArg,
    read: ReadOption = "",
    write: WriteOption = "",
    description: Annotated[
        str | None, typer.Option("--description", help="What the collection is for.")
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Add a collection; print its id (a new UUID)."""
    with open_context(db) as ctx:
        view = exchange_collections.add_collection(
            ctx,
            local_operator(),
            name,
            read=codes_of(read),
            write=codes_of(write),
            description=description,
        )
    _print_collection(view, "added", fmt)


@collection_app.command("set")
def collection_set(
    name: NameArg,
    read: ReadOption = "",
    write: WriteOption = "",
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Replace a collection's readers and writers (an agency left out loses access at once)."""
    with open_context(db) as ctx:
        view = exchange_collections.set_collection_rights(
            ctx, local_operator(), name, read=codes_of(read), write=codes_of(write)
        )
    _print_collection(view, "changed", fmt)


@collection_app.command("list")
def collection_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """The collections: id, title, readers and writers (csv: every field, the agency codes
    comma-separated, empty for nobody)."""
    with open_context(db) as ctx:
        views = exchange_collections.list_collections(ctx, local_operator())
    if fmt is Format.json:
        emit_json(out, [view.to_json() for view in views])
        return
    if fmt is Format.csv:
        rows = [
            view.to_json() | {"readers": ",".join(view.readers), "writers": ",".join(view.writers)}
            for view in views
        ]
    else:
        rows = [
            {
                "id": view.id,
                "title": view.title,
                "readers": ", ".join(view.readers) or "nobody",
                "writers": ", ".join(view.writers) or "nobody",
            }
            for view in views
        ]
    emit_rows(
        out,
        rows,
        fmt,
        columns=[("id", "id"), ("title", "title"), ("readers", "readers"), ("writers", "writers")],
        title="Collections",
    )


@app.command("permit")
def permit(
    stix_id: Annotated[str, typer.Argument(help="The STIX id of the H2 object.")],
    agency: Annotated[str, typer.Option("--agency", help="The agency allowed to pass it on.")],
    granted_by: Annotated[
        str,
        typer.Option(
            "--granted-by", help="Who (at the owner) gave the permission, and how (free text)."
        ),
    ],
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Record the owner's permission for an agency to re-publish an H2 object."""
    with open_context(db) as ctx:
        view = exchange_collections.permit(
            ctx, local_operator(), stix_id, agency=agency, granted_by=granted_by
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    err.print(f"recorded: {view.agency} may pass {view.stix_id} on (granted by {view.granted_by})")


CaseOption = Annotated[
    int | None, typer.Option("--case", min=1, help="A case's shareable findings (a report).")
]
GroupOption = Annotated[
    str | None, typer.Option("--group", help="A release group, its links and its hosts.")
]
TargetsOption = Annotated[
    str | None, typer.Option("--targets", help="A country's servers (ISO code, e.g. NL).")
]
AllLeaksOption = Annotated[
    bool, typer.Option("--all-leaks", help="Every leak (one sighting each).")
]
TlpOption = Annotated[
    str, typer.Option("--tlp", help="TLP 2.0 level: clear, green, amber, amber+strict or red.")
]
HandlingOption = Annotated[
    str | None,
    typer.Option("--handling", help="SIENA handling code: H0, H1, H2 or H3 (H3 needs a text)."),
]
HandlingTextOption = Annotated[
    str | None, typer.Option("--handling-text", help="The H3 restriction, in words.")
]
SourceOption = Annotated[
    str | None, typer.Option("--source", help="Source reliability: A, B, C or X.")
]
AccuracyOption = Annotated[
    int | None, typer.Option("--accuracy", min=1, max=4, help="Information accuracy: 1 to 4.")
]
AgencyOption = Annotated[
    str | None,
    typer.Option(
        "--agency", help="The publishing agency's code (default: the case's owning agency)."
    ),
]


@app.command("publish")
def publish_cmd(
    collection: Annotated[
        str, typer.Option("--collection", help="The collection to publish into.")
    ],
    tlp: TlpOption,
    case: CaseOption = None,
    group: GroupOption = None,
    targets: TargetsOption = None,
    all_leaks: AllLeaksOption = False,
    object_id: Annotated[
        str | None,
        typer.Option("--object", help="Re-publish this received object (a STIX id) ..."),
    ] = None,
    from_collection: Annotated[
        str | None, typer.Option("--from", help="... from this collection.")
    ] = None,
    handling: HandlingOption = None,
    handling_text: HandlingTextOption = None,
    source: SourceOption = None,
    accuracy: AccuracyOption = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="TLP:RED only: the agencies (codes, comma-separated, readers of the "
            "collection) it goes to; without it only the publisher sees it.",
        ),
    ] = None,
    agency: AgencyOption = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Publish findings as STIX 2.1 into a collection, all or nothing."""
    request = exchange_publish.PublishRequest(
        source=exchange_publish.Source(
            case=case,
            group=group,
            targets=targets,
            all_leaks=all_leaks,
            object_id=object_id,
            from_collection=from_collection,
        ),
        collection=collection,
        marking=exchange_publish.Marking.of(tlp, handling, handling_text, source, accuracy),
        to=tuple(codes_of(to)),
        agency=agency,
    )
    with open_context(db) as ctx:
        view = exchange_publish.publish(ctx, local_operator(), request)
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    audience = f" to {', '.join(view.audience)}" if view.audience else ""
    handled = f", {view.handling}" if view.handling else ""
    out.file.write(
        f"published {view.source} into {view.collection!r} as {view.agency} "
        f"(TLP:{view.tlp.upper()}{handled}{audience}): {view.objects} objects, "
        f"{view.added} new\n"
    )
    for note in view.notes:
        err.print(f"note: {note}")


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="The file to write.")],
    export_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="What FILE holds: stix (a STIX 2.1 bundle) or misp (a MISP event of a case or "
            "a group).",
        ),
    ],
    case: CaseOption = None,
    group: GroupOption = None,
    targets: TargetsOption = None,
    all_leaks: AllLeaksOption = False,
    collection: Annotated[
        str | None,
        typer.Option("--collection", help="The objects of a collection (STIX only)."),
    ] = None,
    tlp: Annotated[
        str | None,
        typer.Option(
            "--tlp",
            help="TLP 2.0 level of the exported findings: clear, green, amber, amber+strict or "
            "red. Default when not given: TLP:AMBER (a file leaving the system is never "
            "unmarked). Not with --collection (its objects keep their own markings).",
            show_default=False,
        ),
    ] = None,
    handling: HandlingOption = None,
    handling_text: HandlingTextOption = None,
    source: SourceOption = None,
    accuracy: AccuracyOption = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The agency the objects are created by (default: the case's owner); "
            "required with --collection: the agency whose view is exported.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    db: DbOption = None,
) -> None:
    """Export findings as a STIX 2.1 bundle or a MISP event (a case or a group) to FILE."""
    marking = None
    if tlp is not None or handling is not None:
        marking = exchange_publish.Marking.of(
            tlp or DEFAULT_EXPORT_TLP, handling, handling_text, source, accuracy
        )
    request = ExportRequest(
        source=exchange_publish.Source(
            case=case, group=group, targets=targets, all_leaks=all_leaks, collection=collection
        ),
        format=export_format,
        path=file,
        marking=marking,
        agency=agency,
        force=force,
    )
    with open_context(db) as ctx:
        view = exchange_export.export(ctx, local_operator(), request)
    out.file.write(f"{view.path}\n")
    level = ""
    if view.tlp is not None:
        level = f" (TLP:{view.tlp.upper()}{', ' + view.handling if view.handling else ''})"
    unit = "attributes" if view.format == "misp" else "objects"
    err.print(f"exported {view.source} as {view.format}: {view.objects} {unit}{level}")
