"""How ``leaktrace group NAME`` shows a dossier: Rich panels and tables, or flat CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from leaktrace.attribution import LinkKind
from leaktrace.cli.context import out
from leaktrace.services.groups_views import GroupDossier, GroupLinkView

__all__ = ["emit_flat", "pct", "days", "print_dossier"]

_BAR = "█"
_KIND_STYLE = {"follower": "cyan", "nfo": "magenta", "trackers": "yellow", "renamed": "red"}


def pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def emit_flat(value: dict[str, Any]) -> None:
    """The dossier as ``field,value`` CSV rows (nested fields as dotted paths)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["field", "value"])

    def walk(prefix: str, item: Any) -> None:
        if isinstance(item, dict):
            for key, sub in item.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(item, list):
            if all(not isinstance(v, dict | list) for v in item):
                writer.writerow([prefix, "|".join("" if v is None else str(v) for v in item)])
            else:
                for index, sub in enumerate(item):
                    walk(f"{prefix}.{index}", sub)
        else:
            writer.writerow([prefix, "" if item is None else item])

    walk("", value)
    out.file.write(buffer.getvalue())


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{escape(k)} {v}" for k, v in counts.items()) or "—"


def _link_row(link: GroupLinkView, key: str) -> tuple[str, str, str, str]:
    style = _KIND_STYLE.get(link.kind, "white")
    mine = link.source_key == key
    if link.directed:
        if link.kind == LinkKind.FOLLOWER.value:
            relation = "followed by" if mine else "follows"
        else:
            relation = "became" if mine else "formerly"
    else:
        relation = "shares with"
    other = link.target if mine else link.source
    return (
        f"[{style}]{link.kind}[/]",
        f"{relation} [bold]{escape(other)}[/]",
        f"{link.strength:.2f}",
        escape(link.evidence),
    )


def print_dossier(d: GroupDossier, release_rows: int) -> None:
    s = d
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold cyan")
    facts.add_column()
    facts.add_row("spellings", escape(", ".join(s.variants)))
    facts.add_row(
        "active",
        f"{s.first_seen[:10]} → {s.last_seen[:10]}",
    )
    facts.add_row(
        "releases",
        f"{s.releases} ({s.matched} matched to {s.works} catalogue works), "
        f"[bold red]{s.leaks} leaks[/], pre-release rate {pct(s.pre_release_rate) or '—'}",
    )
    f = d.first_release
    facts.add_row(
        "first to release",
        f"{f.first} of {f.contested} titles other groups also released"
        + (
            f" (median margin {_hours(f.median_margin_hours)}, range "
            f"{_hours(f.min_margin_hours)}–{_hours(f.max_margin_hours)})"
            if f.first
            else ""
        )
        + f"; {f.titles} titles in all",
    )
    facts.add_row("sources", _counts_text(d.sources))
    facts.add_row("resolutions", _counts_text(d.resolutions))
    facts.add_row("codecs", _counts_text(d.codecs))
    nukes = d.nukes
    facts.add_row(
        "nukes",
        f"{nukes.nuked} nuked, {nukes.unnuked} unnuked, {nukes.deleted} deleted"
        + (f" — reasons: {_counts_text(nukes.reasons)}" if nukes.reasons else ""),
    )
    out.print(Panel(facts, title=f"[bold]{escape(s.group)}[/] dossier", expand=False))

    if d.lead_by_window:
        table = Table(title="Leaks by window (lead in days)", header_style="bold cyan")
        for header in ("window", "leaks", "median", "min", "max"):
            table.add_column(header, justify="left" if header == "window" else "right")
        for w in d.lead_by_window:
            table.add_row(
                escape(w.window),
                str(w.leaks),
                days(w.median_days),
                days(w.min_days),
                days(w.max_days),
            )
        out.print(table)

    if d.works_hit:
        table = Table(title="Works hit", header_style="bold cyan")
        for header in ("work", "releases", "leaks", "longest lead (d)", "windows"):
            table.add_column(header, justify="left" if header in ("work", "windows") else "right")
        for hit in d.works_hit[:20]:
            table.add_row(
                escape(hit.work),
                str(hit.releases),
                str(hit.leaks),
                days(hit.max_lead_days),
                escape(", ".join(hit.windows)),
            )
        out.print(table)

    if d.distributors:
        table = Table(title="Distributors of those works (shipments)", header_style="bold cyan")
        for header in ("distributor", "works", "leaked", "shipped before leak", "accounts"):
            table.add_column(
                header, justify="left" if header in ("distributor", "accounts") else "right"
            )
        for dist in d.distributors:
            table.add_row(
                escape(dist.distributor),
                str(dist.works),
                str(dist.leaked_works),
                str(dist.shipped_before_leak),
                escape(", ".join(dist.accounts)),
            )
        out.print(table)

    if d.timeline:
        out.print(_activity(d))

    if d.links:
        table = Table(title="Links to other groups", header_style="bold cyan")
        table.add_column("kind")
        table.add_column("group")
        table.add_column("strength", justify="right")
        table.add_column("evidence", overflow="fold")
        for link in d.links:
            table.add_row(*_link_row(link, s.key))
        out.print(table)
    else:
        out.print("[dim]no links to other groups[/]")

    if release_rows and d.release_list:
        table = Table(
            title=f"Latest releases ({min(release_rows, len(d.release_list))} of "
            f"{len(d.release_list)})",
            header_style="bold cyan",
        )
        for header in ("released (UTC)", "release", "work", "status", "lead (d)", "nuke"):
            table.add_column(
                header, justify="right" if header == "lead (d)" else "left", overflow="fold"
            )
        for r in d.release_list[:release_rows]:
            status = f"[bold red]{r.status}[/]" if r.status == "leak" else escape(r.status)
            table.add_row(
                r.released_at[:16].replace("T", " "),
                escape(r.release),
                escape(r.work or ""),
                status,
                days(r.lead_days),
                escape(r.nuke or ""),
            )
        out.print(table)


def _periods(d: GroupDossier) -> tuple[str, list[tuple[str, int, int]]]:
    """Months, or quarters/years when there are too many months to show."""
    months = [(m.month, m.releases, m.leaks) for m in d.timeline]
    if len(months) <= 36:
        return "month", months
    unit = "quarter" if len(months) <= 36 * 3 else "year"
    merged: dict[str, list[int]] = {}
    for month, n, leaks in months:
        year, mm = month.split("-")
        label = f"{year}-Q{(int(mm) - 1) // 3 + 1}" if unit == "quarter" else year
        slot = merged.setdefault(label, [0, 0])
        slot[0] += n
        slot[1] += leaks
    return unit, [(k, v[0], v[1]) for k, v in merged.items()]


def _activity(d: GroupDossier) -> Table:
    unit, periods = _periods(d)
    most = max((n for _, n, _ in periods), default=0) or 1
    width = 40
    table = Table(
        title=f"Activity per {unit} ([cyan]█[/] releases, [red]█[/] leaks)",
        header_style="bold cyan",
        show_edge=False,
        box=None,
    )
    table.add_column(unit)
    table.add_column("releases", justify="right")
    table.add_column("leaks", justify="right")
    table.add_column("")
    for label, n, leaks in periods:
        leak_w = round(width * leaks / most)
        rel_w = max(round(width * n / most) - leak_w, 0)
        if n and not rel_w and not leak_w:
            rel_w = 1
        bar = f"[red]{_BAR * leak_w}[/][cyan]{_BAR * rel_w}[/]"
        table.add_row(label, str(n), str(leaks) if leaks else "", bar)
    return table
