"""``leaktrace hosts …`` and ``leaktrace targets``: servers to seize, per country.

Register with::

    app.add_typer(infra_cmds.app, name="hosts")
    app.command()(infra_cmds.targets)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leaktrace.cli.context import (
    DbOption,
    FormatOption,
    LimitOption,
    err,
    open_context,
    out,
    require_file,
    row_limit,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.cli.targets_cmd import MinStrengthOption, targets
from leaktrace.identity.actor import local_operator
from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.infra.model import Role
from leaktrace.infra.targets import sheet_code
from leaktrace.services.hosts import (
    collect_host_evidence,
    enrich_host_locations,
    fetch_certificates,
    host_clusters,
    host_list,
    import_host_file,
)

__all__ = ["app", "targets"]

app = typer.Typer(
    name="hosts",
    help="Servers and domains tied to releases: collect them from sightings and swarms, "
    "import analysts' lists, locate them (country, ASN), cluster them.",
    no_args_is_help=True,
)

GeoipOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--geoip",
        envvar="LEAKTRACE_GEOIP",
        help="MaxMind DB file for countries (GeoLite2-Country/City, DB-IP, IPinfo …; its "
        "ASN fields are used too, if it has any); repeat it to compare several files: each "
        "file's answer is kept, the first given comes first (LEAKTRACE_GEOIP: paths "
        "separated by ':') (default: the built-in data)",
        show_default=False,
    ),
]
AsnOption = Annotated[
    Path | None,
    typer.Option(
        "--asn-db",
        envvar="LEAKTRACE_ASN_DB",
        help="MaxMind DB file with ASNs and organisations (GeoLite2-ASN, IPinfo Lite …) "
        "(default: the built-in ASN data)",
        show_default=False,
    ),
]
DefaultGeoipOption = Annotated[
    bool,
    typer.Option(
        "--default-geoip/--no-default-geoip",
        help="Use the built-in GeoIP data where no file is given (its files, licence and "
        "build date are printed with the results); --no-default-geoip: only the files given.",
    ),
]

HOST_COLUMNS = (
    ("server", "server"),
    ("role", "role"),
    ("country", "country"),
    ("asn", "ASN"),
    ("organisation", "provider"),
    ("first_seen", "first seen"),
    ("last_seen", "last seen"),
    ("releases_n", "releases"),
    ("leaks", "leaks"),
    ("groups_text", "groups"),
)


@app.command("collect")
def collect(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Find hosts in stored sightings (trackers, web seeds, sites, streaming hosts,
    cyberlockers) and infrastructure swarm peers (initial seeders, seedboxes).

    Each host is tied to its releases and groups by evidence (sighting:ID, swarm:ID);
    running it again adds only what is new.
    """
    with open_context(db) as ctx:
        report = collect_host_evidence(ctx, local_operator())
        display = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    out.print(
        f"[bold]{report.hosts_seen}[/] hosts in {report.sightings} sightings and "
        f"{report.swarm_rows} infrastructure swarm rows → {display}"
    )
    out.print(f"  hosts: {report.new_hosts} new; evidence: {report.new_evidence} new")
    if report.roles:
        roles = ", ".join(f"{k} {v}" for k, v in sorted(report.roles.items()))
        out.print(f"  by role: {escape(roles)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Hosts CSV or JSON.", show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import an analyst's host list (CSV or JSON): the whole file or nothing.

    Columns: ip_or_domain, role (tracker|web-seed|streaming|cyberlocker|seedbox|
    initial-seeder|server|site), first_seen, last_seen, source; optional notes, country,
    release, group, certificate. Re-importing the same file adds nothing.
    """
    require_file(file)
    with open_context(db) as ctx:
        report = import_host_file(ctx, local_operator(), file)
        display = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    out.print(f"[bold]{report.rows}[/] host rows from {escape(report.file)} → {display}")
    out.print(
        f"  hosts: {report.new_hosts} new, {report.updated_hosts} updated; "
        f"evidence: {report.new_evidence} new"
    )


@app.command("enrich")
def enrich(
    db: DbOption = None,
    geoip: GeoipOption = None,
    asn_db: AsnOption = None,
    default_geoip: DefaultGeoipOption = True,
    dns: Annotated[
        bool,
        typer.Option(
            "--dns/--no-dns",
            help="Resolve domains with the system resolver and locate their address "
            "(off by default: nothing is sent anywhere).",
        ),
    ] = False,
    reverse_dns: Annotated[
        bool,
        typer.Option(
            "--reverse-dns/--no-reverse-dns",
            help="Also ask the system resolver for each public address's PTR name (off by "
            "default: a DNS query can reach the server operator's name server).",
        ),
    ] = False,
    only_missing: Annotated[bool, typer.Option(help="Only hosts never looked up before.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Locate hosts: country, ASN and provider from MaxMind DB files, with the date and
    the files' build dates stored on each host (an address's owner changes).

    Each file's answer is kept beside the analyst's: a country an analyst imported stays
    the host's country (analyst, then GeoIP files in the order given, then DNS, then
    certificate), and target sheets show where the sources disagree. Private and
    reserved addresses are marked, not looked up (they keep a country imported for them).
    Works offline: without --geoip/--asn-db, the built-in country and ASN data are used;
    each result names the files, their licence and build date, and the attribution the
    licence requires.
    """
    with open_context(db) as ctx:
        report = enrich_host_locations(
            ctx,
            local_operator(),
            geoip=geoip,
            asn_db=asn_db,
            dns=dns,
            only_missing=only_missing,
            bundled=default_geoip,
            reverse_dns=reverse_dns,
        )
    if fmt is not Format.table:
        asn_note = next((n for n in report.notes if n.startswith("ASN")), None)
        emit_json(out, report.as_dict() | {"asn_note": asn_note})
        return
    out.print(
        f"[bold]{report.hosts}[/] addresses looked up: {report.located} located, "
        f"{report.with_asn} with an ASN, {report.reserved} private/reserved (not looked up), "
        f"{report.not_found} not found"
    )
    if report.disagreements:
        out.print(
            f"  {report.disagreements} host(s): the sources name different countries "
            "(the analyst's comes first; target sheets show each answer)"
        )
    if report.domains_skipped:
        out.print(f"  {report.domains_skipped} domains not resolved (use --dns to resolve them)")
    if dns:
        out.print(f"  {report.resolved} domains resolved")
    if reverse_dns:
        out.print(f"  {report.reverse_named} addresses have a reverse DNS (PTR) name")
    for source in report.sources:
        out.print(f"  source: {escape(source)}")
    for note in report.notes:
        out.print(f"  [yellow]{escape(note)}[/]")


@app.command("certs")
def certs(
    db: DbOption = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="TLS port to connect to.")] = 443,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each server.")] = 5.0,
    role: Annotated[
        list[Role] | None,
        typer.Option(
            "--role", help="Only servers with this role (repeatable).", show_default=False
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="Only servers in this country (XX, or 'unknown': no known country).",
            show_default=False,
        ),
    ] = None,
    include_reserved: Annotated[
        bool,
        typer.Option("--include-reserved", help="Also contact private and reserved addresses."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch the TLS certificate each stored server presents, for clustering.

    This contacts the servers (one TLS handshake each, nothing else is sent; a domain is
    first resolved with the system resolver): do it only when the investigation allows
    it, as it can alert their operators. Private and reserved addresses, stored or behind
    a name, are not contacted unless --include-reserved. The certificate's
    SHA-256 goes into the host's notes and a tls-certificate evidence row records its
    subject, issuer, names and validity; servers presenting the same certificate are tied
    by 'leaktrace hosts clusters'. Servers that do not answer are counted, not fatal.
    """
    code = None if country is None else sheet_code(country)
    with (
        open_context(db) as ctx,
        Progress(
            TextColumn("[bold]certificates"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar,
    ):
        task = bar.add_task("certs", total=None)
        report = fetch_certificates(
            ctx,
            local_operator(),
            port=port,
            timeout=timeout,
            roles=None if role is None else [r.value for r in role],
            country=code,
            include_reserved=include_reserved,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    failed = ", ".join(f"{n} {reason}" for reason, n in sorted(report.failed.items()))
    out.print(
        f"[bold]{report.hosts}[/] servers contacted on port {report.port}: "
        f"{report.fetched} certificates, {report.new_evidence} new"
        + (f"; no certificate from {sum(report.failed.values())} ({failed})" if failed else "")
    )
    if report.skipped_reserved:
        out.print(
            f"  {report.skipped_reserved} private/reserved addresses not contacted "
            "(--include-reserved to contact them)"
        )
    for digest, servers in sorted(report.shared.items()):
        out.print(
            f"  [bold]shared[/] {digest[:16]}… presented by {len(servers)} servers: "
            f"{escape(', '.join(servers))}"
        )


@app.command("list")
def list_(
    db: DbOption = None,
    country: Annotated[
        str | None,
        typer.Option(help="Only this country (ISO alpha-2, or 'unknown': no known country)."),
    ] = None,
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """The stored hosts, with where they are and what ties them to releases."""
    with open_context(db) as ctx:
        hosts = host_list(ctx, country=country, role=None if role is None else role.value).hosts
    cap = row_limit(limit, fmt)
    shown = hosts[:cap] if cap is not None else hosts
    rows: list[dict[str, Any]] = []
    for h in shown:
        row = h.to_json()
        row["releases_n"] = len(h.releases)
        row["groups_text"] = ", ".join(h.groups)
        rows.append(row)
    if fmt is not Format.table:
        for row in rows:
            row.pop("releases_n")
            row.pop("groups_text")
            if fmt is Format.csv:
                for key in ("releases", "groups", "evidence"):
                    row[key] = " | ".join(row[key])
                row["locations"] = " | ".join(
                    f"{a['source']} ({a['name']}): {a['country'] or 'no answer'}"
                    for a in row["locations"]
                )
    caption = f"{len(shown)} of {len(hosts)} hosts" if len(shown) < len(hosts) else None
    emit_rows(
        out,
        rows,
        fmt,
        columns=HOST_COLUMNS,
        title="Hosts",
        caption=caption,
        whole=("server",),
        optional=("groups_text", "releases_n", "first_seen", "organisation", "asn"),
    )
    if fmt is Format.table and hosts and all(h.asn is None for h in hosts):
        out.print("[dim]no ASN stored: run 'leaktrace hosts enrich' (built-in ASN data)[/]")


@app.command("clusters")
def clusters(
    db: DbOption = None,
    min_strength: MinStrengthOption = DEFAULT_MIN_STRENGTH,
    fmt: FormatOption = Format.table,
) -> None:
    """Servers tied together (shared releases, trackers, domains, certificates, networks,
    timing) and the release groups each cluster is tied to, with the evidence."""
    with open_context(db) as ctx:
        found = host_clusters(ctx, min_strength=min_strength).clusters
    if fmt is Format.json:
        emit_json(out, [c.to_json() for c in found])
        return
    if fmt is Format.csv:
        rows = [
            t.to_json() | {"cluster": c.id, "groups": " | ".join(c.groups)}
            for c in found
            for t in c.ties
        ]
        emit_rows(out, rows, fmt, columns=())
        return
    if not found:
        out.print("no clusters: no two hosts are tied strongly enough")
        return
    for c in found:
        groups = ", ".join(c.groups) or "no group"
        out.print(
            f"[bold]{c.id}[/] {len(c.hosts)} hosts · {escape(', '.join(c.countries) or '-')}"
            f" · groups: {escape(groups)} · {c.releases} releases"
        )
        out.print(f"   {escape(', '.join(c.hosts))}")
        for tie in c.ties[:8]:
            out.print(f"   - {escape(tie.a)} — {escape(tie.b)}: {escape(tie.evidence)}")
        if len(c.ties) > 8:
            out.print(f"   … and {len(c.ties) - 8} more ties")
        for link in c.linked_groups[:3]:
            out.print(f"   group link: {escape(link)}")
