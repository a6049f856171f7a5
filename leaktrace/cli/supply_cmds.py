"""``leaktrace supply import`` and ``leaktrace supply rank``: which account leaked discs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leaktrace.cli.context import (
    DbOption,
    FormatOption,
    LimitOption,
    open_context,
    out,
    require_file,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.identity.actor import local_operator
from leaktrace.services.supply import flagged_accounts, import_shipment_file, supply_ranking
from leaktrace.services.supply_views import AccountFlagsView, FlagView, SupplyRankingView
from leaktrace.supply.explain import percent
from leaktrace.supply.flags import WARNING_MAX_ORDINARY
from leaktrace.supply.importer import SupplyImportReport
from leaktrace.supply.scoring import DEFAULT_EPSILON, DEFAULT_PRIOR_NONE

__all__ = ["app", "posterior_text"]

app = typer.Typer(
    name="supply",
    help="Disc supply chain: import distributors' shipments, rank the customer accounts "
    "that pre-release disc leaks may have come through.",
    no_args_is_help=True,
)

EXPLAINED_TOP = 3
"""How many accounts get their plain-words explanation below the table."""


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Shipments CSV.", show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import shipment records (CSV): the whole file or nothing; re-importing adds nothing.

    Columns: distributor, account, declared_business, account_country, account_opened,
    work_id, format, quantity, shipped_at, street_date, and optionally shipment_id (other
    columns are ignored and never stored: an account may name a person, so only what the
    ranking needs is kept). A shipment is its shipment_id, or else its file and line: two
    identical rows are two shipments, importing the same file again adds nothing.
    """
    require_file(file)
    with open_context(db) as ctx:
        report = import_shipment_file(ctx, local_operator(), file)
        display = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    _print_import(report, display)


def _print_import(report: SupplyImportReport, target: str) -> None:
    out.print(f"[bold]{report.rows}[/] shipment rows from {report.file} → {target}")
    out.print(f"  shipments: {report.added} added, {report.already_stored} already stored")
    out.print(
        f"  accounts: {report.accounts_added} added, {report.accounts_updated} updated, "
        f"{report.accounts_unchanged} unchanged"
    )


@app.command("rank")
def rank(
    db: DbOption = None,
    epsilon: Annotated[
        float,
        typer.Option(
            min=0.001,
            max=0.999,
            help="Share of physical leaks that come through other channels (at least).",
        ),
    ] = DEFAULT_EPSILON,
    prior_none: Annotated[
        float,
        typer.Option(
            min=0.001,
            max=0.999,
            help="Prior probability that none of the accounts in the data is the source.",
        ),
    ] = DEFAULT_PRIOR_NONE,
    min_leaks: Annotated[
        int, typer.Option(min=0, help="List only accounts that explain this many leaks.")
    ] = 1,
    flags_only: Annotated[
        bool,
        typer.Option(
            "--flags-only", help="List the accounts with behaviour flags instead (no leaks needed)."
        ),
    ] = False,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Rank customer accounts by the evidence that pre-release disc leaks came through them.

    An account's chance of holding a leaked title early anyway is measured from the account
    and the title (popular titles are ordered by more accounts); each behaviour flag is
    shown with how often it fires on ordinary and on leaking accounts in simulated markets.
    """
    with open_context(db) as ctx:
        if flags_only:
            flagged = flagged_accounts(ctx, local_operator(), limit=limit)
            _emit_flags(flagged.accounts, flagged.total, fmt)
            return
        ranking = supply_ranking(
            ctx,
            local_operator(),
            epsilon=epsilon,
            min_leaks=min_leaks,
            prior_none=prior_none,
            limit=limit,
        )
    if fmt is Format.json:
        emit_json(out, ranking.to_json())
        return
    rows = [_row(s.to_json()) for s in ranking.accounts]
    if fmt is Format.csv:
        emit_rows(out, rows, fmt, columns=_COLUMNS)
        return
    _print_ranking(ranking, rows, len(ranking.accounts))


_COLUMNS = [
    ("rank", "#"),
    ("account", "account"),
    ("distributor", "distributor"),
    ("declared_business", "business"),
    ("country", "country"),
    ("leaks", "leaks explained"),
    ("p_a", "p_a"),
    ("log10_lr", "log10 LR"),
    ("posterior", "posterior"),
    ("flag_codes", "flags"),
]


def _row(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": data["rank"],
        "account_id": data["account_id"],
        "account": data["account"],
        "distributor": data["distributor"],
        "declared_business": data["declared_business"],
        "country": data["country"],
        "opened_on": data["opened_on"],
        "leaks": f"{data['leaks_explained']} / {data['leaks_counted']}",
        "leaks_explained": data["leaks_explained"],
        "leaks_counted": data["leaks_counted"],
        "p_a": f"{data['p_a']:.3f}",
        "log10_lr": f"{data['log10_lr']:.2f}",
        "posterior": posterior_text(data["posterior"]),
        "flag_codes": _flag_codes(data["flags"]),
        "explanation": data["explanation"],
    }


def posterior_text(posterior: float) -> str:
    """Three decimals, never a false certainty: every hypothesis has a prior strictly
    between 0 and 1, so its posterior is never exactly 0 or 1 (0.99998 is '>0.999', not
    '1.000'; 2e-9 is '<0.001', not '0.000')."""
    if posterior >= 0.9995:
        return ">0.999"
    if posterior < 0.0005:
        return "<0.001"
    return f"{posterior:.3f}"


def _flag_codes(flags: list[dict[str, Any]]) -> str:
    """Warnings by code; flags too common among ordinary accounts marked as context."""
    warnings = [f["code"] for f in flags if f["level"] == "warning"]
    context = [f["code"] for f in flags if f["level"] != "warning"]
    return " ".join(warnings + [f"(context: {c})" for c in context])


def _flag_line(flag: FlagView) -> str:
    """``warning: code: evidence (rates)``; a flag common among ordinary accounts is marked
    as context (more than 5% of them: never a warning)."""
    if flag.level == "warning":
        return f"warning: {flag.code}: {flag.evidence} ({flag.rates})"
    return f"context only: {flag.code}: {flag.evidence} ({flag.rates})"


def _print_ranking(ranking: SupplyRankingView, rows: list[dict[str, Any]], shown: int) -> None:
    if not ranking.leaks:
        out.print(
            "no physical-window leaks of titles in the shipment data: nothing to rank "
            "(try --flags-only)"
        )
        return
    caption = (
        f"{len(ranking.leaks)} leaks considered, {ranking.model.accounts} accounts; "
        "posterior of 'none of these accounts': "
        f"{posterior_text(ranking.model.none_posterior)}"
    )
    if shown < ranking.total_accounts:
        caption += f"; {shown} of {ranking.total_accounts} shown"
    emit_rows(
        out,
        rows,
        Format.table,
        columns=_COLUMNS,
        title="Accounts the leaked discs may have come through",
        caption=caption,
        optional=("log10_lr", "p_a", "country", "declared_business", "distributor"),
    )
    if ranking.uncounted_leaks:
        out.print(
            f"{len(ranking.uncounted_leaks)} leak(s) of titles nobody in the shipment data "
            "received count for no account."
        )
    for row in rows[:EXPLAINED_TOP]:
        out.print()
        out.print(f"[bold]{row['rank']}.[/] {row['explanation']}", markup=True, highlight=False)
    for row in rows[:EXPLAINED_TOP]:
        if row["flag_codes"]:
            break
    else:
        return
    out.print()
    out.print(
        "[bold]Behaviour flags[/] (patterns worth a look, not evidence of a leak; a flag "
        f"that fires on more than {percent(WARNING_MAX_ORDINARY)} of ordinary accounts is "
        "context only, never a warning):"
    )
    for score in ranking.accounts[:EXPLAINED_TOP]:
        for flag in sorted(score.flags, key=lambda f: f.level != "warning"):
            out.print(f"  {score.account}: {_flag_line(flag)}", markup=False, highlight=False)


def _emit_flags(flagged: list[AccountFlagsView], total: int, fmt: Format) -> None:
    if fmt is Format.json:
        emit_json(out, [f.to_json() for f in flagged])
        return
    rows = [
        {
            **{k: v for k, v in f.to_json().items() if k != "flags"},
            "flag_codes": _flag_codes([x.to_json() for x in f.flags]),
            "evidence": "; ".join(
                _flag_line(x) for x in sorted(f.flags, key=lambda x: x.level != "warning")
            ),
        }
        for f in flagged
    ]
    emit_rows(
        out,
        rows,
        fmt,
        title="Accounts with behaviour flags",
        caption=f"{len(rows)} of {total} flagged accounts" if total else "no flagged accounts",
        columns=[
            ("account", "account"),
            ("distributor", "distributor"),
            ("declared_business", "business"),
            ("country", "country"),
            ("opened_on", "opened"),
            ("shipments", "shipments"),
            ("evidence", "flags"),
        ],
    )
