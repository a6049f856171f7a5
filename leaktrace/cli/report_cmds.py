"""``leaktrace report`` and ``leaktrace demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from leaktrace.cli.context import DbOption, context_of, err, open_context, out
from leaktrace.cli.invocation import command_line
from leaktrace.cli.output import Format, emit_rows
from leaktrace.cli.serve_cmd import SHUTDOWN_GRACE_SECONDS
from leaktrace.config import Settings, load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.infra.targets import UNKNOWN_SHEET
from leaktrace.services.demo_accounts import DemoLogin, create_demo_accounts
from leaktrace.services.demo_notices import create_demo_notices, demo_notice_settings
from leaktrace.services.groups import group_dossier
from leaktrace.services.leaks import LeakQuery, list_leaks
from leaktrace.services.overview import get_overview
from leaktrace.services.report import write_html_report
from leaktrace.services.supply import supply_ranking

if TYPE_CHECKING:
    from leaktrace.services.demo_operation import DemoOperation

DEMO_BUNDLE = "demo-case.zip"
DEMO_MAIL = "mail"
DEMO_REPLIES = "replies"


def report(
    html: Annotated[
        Path, typer.Option("--html", help="Write the report to this HTML file.", show_default=False)
    ],
    db: DbOption = None,
    title: Annotated[str | None, typer.Option(help="Title at the top of the page.")] = None,
) -> None:
    """Write one self-contained HTML page: leaks on a timeline, by work, group and source."""
    with open_context(db) as ctx:
        written = write_html_report(ctx, local_operator(), html, title=title)
    out.print(f"report written to [bold]{written.path}[/]")


def demo(
    directory: Annotated[
        Path,
        typer.Option("--dir", help="Where to write the scenario, its database and the report."),
    ] = Path("leaktrace-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the synthetic scenario.")] = 2020,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then add fictional agencies and users, print their logins and the address "
            "of the action day's live board, and serve the web UI and API on the demo "
            "database (Ctrl-C stops).",
        ),
    ] = False,
    host: Annotated[str, typer.Option(help="With --serve: address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="With --serve: port to listen on.")
    ] = 8000,
) -> None:
    """Build a synthetic pre-release piracy scenario, detect its leaks, write the report.

    Everything in it (titles, groups, sites, dates) is fictional. It uses its own
    database in DIR and never touches your own. Its case has an action day (operation),
    played to an hour or so past its H-hour. With --serve it goes on to serve the shared
    service's web UI over that database, with fictional agencies and users.
    """
    from leaktrace.demo.maildrop import MailDrop
    from leaktrace.private_files import make_private_folder

    make_private_folder(directory)
    # the demo's notices go to its own mail drop, never to a real mail server
    with MailDrop((directory / DEMO_MAIL).absolute()) as drop:
        _demo(directory, seed, serve=serve, host=host, port=port, mail_port=drop.port)


def _demo(directory: Path, seed: int, *, serve: bool, host: str, port: int, mail_port: int) -> None:
    from leaktrace.demo import run_demo
    from leaktrace.demo.run import DEMO_TITLE
    from leaktrace.demo.scenario import FICTIONAL_NOTICE
    from leaktrace.services.demo_case import create_demo_case  # loads cryptography

    db_file = (directory / "demo.db").absolute()
    # the demo signs its case's log with its own key, never the installation's
    settings = load_settings(
        db=str(db_file),
        evidence={"key_file": (directory / "evidence-ed25519.pem").absolute()},
        notices=demo_notice_settings(mail_port),
    )
    with err.status("building the synthetic scenario and ingesting its feeds …"):
        result = run_demo(directory, settings, seed=seed)
    out.rule("[bold]LeakTrace demo — synthetic data, fictional titles and groups")
    out.print(f"catalogue: {result.catalog.works} works from {result.catalog.file}")
    ingest = result.ingest
    out.print(
        f"feeds: {ingest.lines:,} lines, {ingest.accepted:,} accepted, "
        f"{ingest.new_releases:,} releases, {ingest.new_sightings:,} sightings"
    )
    if ingest.rejected:
        planted = result.scenario.malformed_lines
        on_purpose = (
            "planted in the feeds on purpose, to show that a bad line is reported "
            "with its file and line and the rest is still ingested"
            if ingest.rejected == planted
            else f"{planted} of them planted on purpose"
        )
        out.print(
            f"[yellow]{ingest.rejected} malformed lines skipped[/] ({on_purpose}), for example:"
        )
    for error in ingest.errors[:3]:
        out.print(f"  [dim]skipped {escape(str(error))}[/]")
    me = local_operator()
    with context_of(settings) as ctx:
        counts = get_overview(ctx, me, days=1)
        top = [v.to_json() for v in list_leaks(ctx, me, LeakQuery(sort="severity", limit=15)).items]
        dossier = group_dossier(ctx, me, result.scenario.supply_chain_group)
        ranking = supply_ranking(ctx, me, limit=5) if result.supply is not None else None
    statuses = counts.releases_by_status
    out.print(
        f"outcomes: [bold red]{statuses.get('leak', 0):,} pre-release leaks[/], "
        f"[green]{statuses.get('in-window', 0):,} inside their window[/], "
        f"{statuses.get('unmatched', 0):,} not in the catalogue, "
        f"{statuses.get('unknown', 0):,} without a window to compare"
    )
    out.print(f"leaks by window: {_by_window(counts.leaks_by_window)}")
    emit_rows(
        out,
        top,
        Format.table,
        title="Gravest leaks",
        columns=[
            ("released_at", "released (UTC)"),
            ("release", "release"),
            ("work", "work"),
            ("window", "window"),
            ("lead_days", "lead (days)"),
            ("severity", "severity"),
            ("group", "group"),
        ],
        whole=("release",),
        optional=("window", "released_at", "group", "work"),
    )
    group = result.scenario.supply_chain_group
    out.print(
        f"[bold]{group}[/] (the supply-chain group): {dossier.releases} releases, "
        f"{dossier.leaks} leaks, {_by_window(dossier.leaks_by_window)}; "
        f"see: {command_line('group', group, '--db', str(db_file))}"
    )
    for link in dossier.links[:5]:
        out.print(
            f"  {link.kind} {link.source} → {link.target} "
            f"(strength {link.strength:.2f}): {escape(link.evidence)}"
        )
    if result.supply is not None and ranking is not None:
        out.print(
            f"supply chain: {result.supply.rows:,} shipment records from {result.supply.file}"
        )
        emit_rows(
            out,
            [{**a.to_json(), "posterior": f"{a.posterior:.1%}"} for a in ranking.accounts],
            Format.table,
            title="Which account did the leaked discs leave through?",
            columns=[
                ("rank", "#"),
                ("account", "account"),
                ("distributor", "distributor"),
                ("declared_business", "business"),
                ("leaks_explained", "explained"),
                ("leaks_counted", "of"),
                ("posterior", "posterior"),
            ],
        )
        if ranking.accounts:
            out.print(f"[bold]Evidence:[/] {escape(ranking.accounts[0].explanation)}")
    if result.infra is not None:
        infra = result.infra
        swarm = infra.swarm
        countries = sorted(c for c in infra.targets if c != UNKNOWN_SHEET)
        unknown = (
            ", and an 'unknown' list for servers that no source locates"
            if UNKNOWN_SHEET in infra.targets
            else ""
        )
        out.print(
            f"infrastructure: {infra.hosts.rows} servers imported; target lists for "
            f"{len(countries)} countries ({', '.join(countries)}){unknown}, in "
            f"{result.directory / 'targets'}"
        )
        out.print(
            f"swarms: {swarm.added:,} observations, {swarm.peers:,} downloaders stored only "
            f"as keyed hashes, {swarm.infrastructure:,} infrastructure peers in clear"
        )
        total = infra.impact.as_dict()["total"]
        d, loss = total["downloads"], total["losses"]
        out.print(
            f"impact: about {d['central']:,.0f} downloads (range {d['low']:,.0f}–"
            f"{d['high']:,.0f}); losses {loss['central']:,.0f} {loss['currency']} (range "
            f"{loss['low']:,.0f}–{loss['high']:,.0f}); assumptions: "
            f"{command_line('impact', '--db', str(db_file))}"
        )
    countries = (
        sorted(c for c in result.infra.targets if c != UNKNOWN_SHEET) if result.infra else []
    )
    with context_of(settings) as ctx, err.status("opening the demo case and exporting it …"):
        case = create_demo_case(
            ctx,
            me,
            group=group,
            leak_id=top[0]["id"] if top else None,
            country="NL" if "NL" in countries else (countries[0] if countries else None),
            supply=result.supply is not None,
            bundle=directory / DEMO_BUNDLE,
            action_day=countries,
        )
    verdict = "[green]verified[/]" if case.verification.ok else "[red]does NOT verify[/]"
    out.print(
        f"case {case.id}: {escape(case.title)}: {case.items} findings frozen as evidence, "
        f"{case.export.entries} log entries; bundle {escape(str(case.export.file))} {verdict} "
        f"(root {case.export.root_hash[:16]}…); check it: "
        f"{command_line('verify', str(directory / DEMO_BUNDLE))}",
        soft_wrap=True,
    )
    operation = case.operation
    if operation is not None:
        progress = ", ".join(
            f"{n} {status}" for status, n in sorted(operation.by_status.items(), key=_by_count)
        )
        out.print(
            f"action day: operation {operation.id} {escape(operation.name)} on "
            f"{operation.day}, H-hour {operation.h_hour} UTC: {operation.servers} servers in "
            f"{len(operation.countries)} countries, {operation.persons} persons and "
            f"{operation.targets - operation.servers - operation.persons} other targets, "
            f"each assigned to its country's (fictional) police, coordinated by "
            f"{operation.coordinator}; an hour in: {progress}; "
            f"{operation.open_issues} open issues",
            soft_wrap=True,
        )
    with context_of(settings) as ctx, err.status("noticing the sites that carry the leaks …"):
        notices = create_demo_notices(
            ctx,
            me,
            leak_ids=[leak["id"] for leak in top[:3]],
            mail_folder=(directory / DEMO_MAIL).absolute(),
            replies_folder=(directory / DEMO_REPLIES).absolute(),
        )
        # again, now with the notices' figures
        write_html_report(ctx, me, result.report, title=DEMO_TITLE, note=FICTIONAL_NOTICE)
    out.print(
        f"takedown notices: {notices.drafted} DSA notices for the {notices.locations} "
        f"locations of the 3 gravest leaks, one per site and leak "
        f"({', '.join(escape(r) for r in notices.recipients)}), {notices.sent} sent to the "
        f"demo's own mail drop ({escape(notices.mail_folder)}), {notices.replies} answers "
        f"tracked, {notices.removed} locations removed; figures: "
        f"{command_line('notices', 'stats', '--db', str(db_file))}",
        soft_wrap=True,
    )
    out.print(f"HTML report: [bold]{result.report}[/]")
    out.print(f"explore: {command_line('leaks', '--db', str(db_file))}")
    if serve:
        _serve_demo(settings, host, port, operation)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _serve_demo(
    settings: Settings, host: str, port: int, operation: DemoOperation | None = None
) -> None:
    """Add the fictional agencies and users, print their logins, serve until Ctrl-C."""
    import uvicorn

    from leaktrace.web.app import create_app

    with context_of(settings) as ctx:
        logins = create_demo_accounts(ctx, local_operator())
        out.rule("[bold]Web UI — fictional agencies and users (passwords made for this demo)")
        emit_rows(
            out,
            [login.to_json() for login in logins],
            Format.table,
            columns=[
                ("email", "e-mail"),
                ("password", "password"),
                ("agency", "agency"),
                ("role", "role"),
            ],
            whole=("email", "password"),
        )
        out.print(
            f"open [bold]http://{host}:{port}/[/] and sign in; API docs at "
            f"http://{host}:{port}/api/docs; Ctrl-C stops",
            soft_wrap=True,
        )
        if operation is not None:
            _print_board(operation, logins, f"http://{host}:{port}")
        out.print(
            f"takedown notices: [bold]http://{host}:{port}/notices[/] — "
            "analyst@industry.demo.invalid drafts, sends (to the demo's own mail drop) "
            "and tracks them; viewer@industry.demo.invalid reads them",
            soft_wrap=True,
        )
        uvicorn.run(
            create_app(ctx),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )


_BOARD_ROLES = {
    "coordinator": "coordinator: changes every target, sees the real names",
    "participant": "participant: changes its country's targets; real names of its country",
    "observer": "observer: reads the board",
    "case-member": "member of the case: reads the board as an observer",
}


def _print_board(operation: DemoOperation, logins: list[DemoLogin], base: str) -> None:
    """Where the action day's live board is, and which of the logins see it (how)."""
    from leaktrace.services.demo_accounts import police_code

    roles = {operation.coordinator: "coordinator", operation.observer: "observer"}
    roles.update({police_code(c): "participant" for c in operation.countries})
    # every other demo login's agency is a member of the demo case, whose evidence log
    # records the day: it takes part as an observer
    out.print(
        f"action day board (live): [bold]{base}{operation.path}[/] — sign in as one of:",
        soft_wrap=True,
    )
    for login in logins:
        role = roles.get(login.agency, "case-member")
        out.print(f"  {login.email} ({login.agency}, {_BOARD_ROLES[role]})")


_WINDOW_WORDS = {
    "physical": "disc rips before street date",
    "digital": "web releases before the digital date",
    "theatrical": "cams before the premiere",
    "broadcast": "before the broadcast",
}


def _by_window(counts: dict[str, int]) -> str:
    """Leak counts per window in words: ``all physical (disc rips before street date)``."""
    shown = {w: n for w, n in counts.items() if n}
    if not shown:
        return "none"
    if len(shown) == 1:
        ((window, n),) = shown.items()
        return f"all {window} ({_WINDOW_WORDS.get(window, window)})"
    return ", ".join(f"{n} {w}" for w, n in sorted(shown.items(), key=lambda i: (-i[1], i[0])))
