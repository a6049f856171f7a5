"""``leaktrace groups``, ``group NAME`` and ``group-graph``: who is behind the leaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from leaktrace.attribution import LinkKind
from leaktrace.cli.context import DbOption, FormatOption, LimitOption, open_context, out, row_limit
from leaktrace.cli.group_print import days, emit_flat, pct, print_dossier
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.private_files import write_private_text
from leaktrace.services.groups import (
    GROUP_SORTS,
    group_dossier,
    group_graph_export,
    group_list,
)
from leaktrace.services.groups_views import GroupView

__all__ = ["graph", "group", "groups", "register"]

FollowHoursOption = Annotated[
    float,
    typer.Option(
        "--follow-hours",
        min=0.1,
        help="A release of the same title by another group within this many hours after a "
        "group's is 'following' it (a follower link also needs a consistent order and more "
        "follows than racing to the same window opening gives; see "
        "leaktrace/attribution/README.md).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``groups``, ``group`` and ``group-graph`` to ``app``."""
    app.command()(groups)
    app.command()(group)
    app.command("group-graph")(graph)


def _summary_row(s: GroupView, fmt: Format) -> dict[str, Any]:
    row = s.to_json()
    if fmt is Format.json:
        return row
    row["variants"] = "|".join(s.variants)
    row["windows"] = "|".join(s.windows)
    if fmt is Format.table:
        others = len(s.variants) - 1
        if others > 0:
            row["group"] = f"{s.group} (+{others} spelling{'s' if others > 1 else ''})"
        row["windows"] = ", ".join(s.windows)
        row["rate"] = pct(s.pre_release_rate)
        row["lead"] = days(s.median_lead_days)
        row["first"] = f"{s.first_to_release}/{s.contested}" if s.contested else ""
        row["last_seen"] = s.last_seen[:10]
    return row


def groups(
    db: DbOption = None,
    sort: Annotated[
        str,
        typer.Option(help="Order: " + ", ".join(GROUP_SORTS) + "."),
    ] = "leaks",
    min_releases: Annotated[
        int, typer.Option("--min-releases", min=1, help="Only groups with this many releases.")
    ] = 1,
    search: Annotated[str | None, typer.Option(help="Part of the group name.")] = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List release groups: releases, leaks, pre-release rate, lead, first-to-release.

    The pre-release rate is leaks / releases matched to a catalogue work; "first" is how
    many titles the group released before every other group, of those others released too.
    """
    if sort not in GROUP_SORTS:
        raise typer.BadParameter(f"must be one of {', '.join(GROUP_SORTS)}", param_hint="--sort")
    with open_context(db) as ctx:
        rows = group_list(ctx, sort=sort, min_releases=min_releases, search=search).groups
    total = len(rows)
    shown = row_limit(limit, fmt)
    if shown is not None:
        rows = rows[:shown]
    emit_rows(
        out,
        [_summary_row(s, fmt) for s in rows],
        fmt,
        title="Release groups",
        caption=f"{len(rows)} of {total} groups" if len(rows) < total else f"{total} groups",
        columns=[
            ("group", "group"),
            ("releases", "releases"),
            ("leaks", "leaks"),
            ("rate", "rate"),
            ("lead", "lead (d)"),
            ("windows", "windows"),
            ("first", "first"),
            ("last_seen", "last seen"),
        ],
    )


def group(
    name: Annotated[str, typer.Argument(help="Group name (any spelling).", show_default=False)],
    db: DbOption = None,
    follow_hours: FollowHoursOption = 48.0,
    releases: Annotated[
        int, typer.Option("--releases", min=0, help="Latest releases to list in the table.")
    ] = 15,
    fmt: FormatOption = Format.table,
) -> None:
    """One group's dossier: leaks by window, lead times, formats, works and distributors,
    activity, first-to-release, nukes, and its links to other groups (with evidence)."""
    with open_context(db) as ctx:
        dossier = group_dossier(ctx, local_operator(), name, follow_hours=follow_hours)
    if fmt is Format.json:
        emit_json(out, dossier.to_json())
    elif fmt is Format.csv:
        emit_flat(dossier.to_json())
    else:
        print_dossier(dossier, releases)


def graph(
    graphml_file: Annotated[
        Path | None,
        typer.Option(
            "--graphml", help="Write the graph as GraphML to this file.", show_default=False
        ),
    ] = None,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Write the graph as JSON ({nodes, links}) to this file.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    follow_hours: FollowHoursOption = 48.0,
    min_strength: Annotated[
        float, typer.Option("--min-strength", min=0.0, max=1.0, help="Leave out weaker links.")
    ] = 0.0,
    kind: Annotated[
        list[LinkKind] | None,
        typer.Option(
            "--kind", help="Only these link kinds (repeat the option).", show_default=False
        ),
    ] = None,
    linked_only: Annotated[
        bool, typer.Option("--linked-only", help="Leave out groups without any link.")
    ] = False,
    min_releases: Annotated[
        int, typer.Option("--min-releases", min=1, help="Only groups with this many releases.")
    ] = 1,
) -> None:
    """Export the group graph: groups as nodes (releases, leaks, spellings), links as edges
    (kind, strength 0-1, evidence, direction) to GraphML and/or JSON."""
    if graphml_file is None and json_file is None:
        raise InputError("give --graphml FILE and/or --json FILE", field="--graphml")
    with open_context(db) as ctx:
        result = group_graph_export(
            ctx,
            follow_hours=follow_hours,
            kinds=kind or None,
            min_strength=min_strength,
            linked_only=linked_only,
            min_releases=min_releases,
        )
    written = []
    if graphml_file is not None:
        written.append(write_private_text(graphml_file, result.graphml))
    if json_file is not None:
        text = json.dumps(result.view.to_json(), ensure_ascii=False, indent=2) + "\n"
        written.append(write_private_text(json_file, text))
    targets = " and ".join(f"[bold]{escape(str(p))}[/]" for p in written)
    view = result.view
    out.print(f"{len(view.nodes)} groups, {len(view.links)} links written to {targets}")
