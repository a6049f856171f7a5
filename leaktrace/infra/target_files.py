"""A target sheet written out: CSV for spreadsheets, JSON, and a self-contained HTML page.

Files are written with :mod:`leaktrace.private_files` (mode 0600, atomically).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from leaktrace.infra.model import iso
from leaktrace.infra.targets import CSV_COLUMNS, UNKNOWN_SHEET, TargetSheet, target_rows
from leaktrace.infra.worldmap import world_map_svg
from leaktrace.private_files import make_private_folder, write_private_text

__all__ = ["CSV_CELL_LIMIT", "render_targets_html", "rows_csv", "targets_csv", "write_targets"]

_SHOW = 12
CSV_CELL_LIMIT = 32_000
"""Characters of one CSV cell at most (spreadsheets hold 32,767 in a cell)."""


def _cell(values: Sequence[str], json_name: str) -> str:
    """A list in one CSV cell, ``a | b``, cut at a whole item to fit a spreadsheet cell."""
    text = " | ".join(values)
    if len(text) <= CSV_CELL_LIMIT:
        return text
    kept: list[str] = []
    size = 0
    for value in values:
        size += len(value) + 3
        if size > CSV_CELL_LIMIT - 120:
            break
        kept.append(value)
    rest = len(values) - len(kept)
    return " | ".join([*kept, f"… and {rest} more (all of them in {json_name})"])


def targets_csv(sheet: TargetSheet) -> str:
    """The sheet as CSV: one row per server, lists joined with `` | `` (a list longer than
    a spreadsheet cell holds is cut at a whole item and says where the rest is)."""
    return rows_csv(sheet.country, target_rows(sheet))


def rows_csv(country: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """:func:`targets_csv` of the sheet of ``country`` whose servers are ``rows``
    (:func:`~leaktrace.infra.targets.target_rows`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    json_name = f"targets-{country}.json"
    for row in rows:
        writer.writerow(
            {
                k: _cell(v, json_name)
                if isinstance(v, list)
                else ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


def write_targets(sheet: TargetSheet, out_dir: Path) -> list[Path]:
    """Write ``targets-XX.csv``, ``.json`` and ``.html`` into ``out_dir``; their paths."""
    make_private_folder(out_dir)
    stem = out_dir / f"targets-{sheet.country}"
    written: list[Path] = []
    for suffix, text in (
        (".csv", targets_csv(sheet)),
        (".json", json.dumps(sheet.as_dict(), ensure_ascii=False, indent=2) + "\n"),
        (".html", render_targets_html(sheet)),
    ):
        written.append(write_private_text(stem.with_suffix(suffix), text, what="a target sheet"))
    return written


# ------------------------------------------------------------------ HTML

_CSS = """
:root{--ink:#0f172a;--muted:#475569;--line:#cbd5e1}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:20px 0 6px}
svg.lt-world-map{max-width:960px}
.meta,.note{color:var(--muted)}.note{margin:2px 0}
table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f1f5f9;font-size:12px}td{font-size:12px}
td.server{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap;font-weight:600}
td.refs,td.rel{font-size:11px;word-break:break-word}
.tag{display:inline-block;border:1px solid var(--line);border-radius:3px;padding:0 4px;
margin:0 2px 2px 0;font-size:11px}
.reserved{color:#b91c1c;font-weight:600}
.differ{color:#b45309;font-size:11px}
.cluster{border:1px solid var(--line);padding:6px 10px;margin:6px 0;break-inside:avoid}
.cluster ul{margin:4px 0 0 18px;padding:0}
.map{margin-top:16px;break-inside:avoid}
@media print{
 @page{size:A4 landscape;margin:12mm}
 body{margin:0;font-size:10px}th,td{font-size:9.5px;padding:2px 4px}
 tr{break-inside:avoid}thead{display:table-header-group}
 a{color:inherit;text-decoration:none}
}
"""


def _list(values: Sequence[str], limit: int = _SHOW) -> str:
    if not values:
        return "—"
    shown = "<br>".join(escape(v) for v in values[:limit])
    if len(values) > limit:
        shown += f"<br><em>… and {len(values) - limit} more (full list in the CSV/JSON)</em>"
    return shown


def _country_cell(row: Mapping[str, Any]) -> str:
    located = escape(row["country_source"] or row["enrichment_source"] or "")
    when = escape((row["enriched_at"] or "")[:10])
    cell = f'<td title="{located}">{escape(row["country"] or "—")}'
    if row["country_source"]:
        cell += f"<br><small>{escape(row['country_source'])}</small>"
    elif when:
        cell += f"<br><small>{when}</small>"
    if row["disagreement"]:
        cell += f'<br><span class="differ">sources differ: {escape(row["disagreement"])}</span>'
    return cell + "</td>"


def _server_rows(sheet: TargetSheet) -> list[str]:
    parts = [
        "<table><thead><tr><th>#</th><th>Server</th><th>Role</th><th>Provider</th><th>ASN</th>"
        "<th>Country</th><th>First seen</th><th>Last seen</th><th>Releases</th>"
        "<th>Groups</th><th>Evidence</th><th>Cluster</th></tr></thead><tbody>"
    ]
    for n, row in enumerate(target_rows(sheet), start=1):
        reserved = ' <span class="reserved">private/reserved</span>' if row["reserved"] else ""
        ptr = f"<br><small>{escape(row['reverse_dns'])}</small>" if row["reverse_dns"] else ""
        leaks = f"<br><strong>{row['leaks']} leak(s)</strong>" if row["leaks"] else ""
        tags = "".join(f'<span class="tag">{escape(g)}</span>' for g in row["groups"])
        parts.append(
            f"<tr><td>{n}</td>"
            f'<td class="server">{escape(row["server"])}{reserved}{ptr}</td>'
            f"<td>{escape(row['role'])}</td>"
            f"<td>{escape(row['provider'] or '—')}</td>"
            f"<td>{escape(str(row['asn'])) if row['asn'] is not None else '—'}</td>"
            f"{_country_cell(row)}"
            f"<td>{escape((row['first_seen'] or '—')[:10])}</td>"
            f"<td>{escape((row['last_seen'] or '—')[:10])}</td>"
            f'<td class="rel">{_list(row["releases"])}{leaks}</td>'
            f"<td>{tags or '—'}</td>"
            f'<td class="refs">{_list(row["evidence"])}</td>'
            f"<td>{escape(row['cluster'] or '—')}</td></tr>"
        )
    parts.append("</tbody></table>")
    return parts


def _elsewhere(summary: Mapping[str, Any]) -> str:
    places = [
        f"{'no known country' if code == UNKNOWN_SHEET else code} {len(values)} "
        f"({', '.join(values[:4])}{' …' if len(values) > 4 else ''})"
        for code, values in summary["elsewhere"].items()
    ]
    return "; ".join(places) or "none: every server of this cluster is on this sheet"


def _cluster_summaries(sheet: TargetSheet) -> list[str]:
    """After the servers: each cluster, its servers in other countries summarised."""
    if not sheet.clusters:
        return []
    parts = ["<h2>Clusters, and ties to servers in other countries</h2>"]
    summaries = {s["cluster"]: s for s in sheet.ties_abroad()}
    here = {h.value for h in sheet.hosts}
    for c in sheet.clusters:
        summary = summaries[c.id]
        groups = ", ".join(c.groups) or "no group tied yet"
        parts.append(
            f'<div class="cluster"><strong>{escape(c.id)}</strong> · '
            f"{len(summary['here'])} server(s) on this sheet · groups: {escape(groups)} · "
            f"{c.releases} release(s)<ul>"
        )
        inner = [t for t in c.ties if t.a in here and t.b in here]
        for tie in inner[:_SHOW]:
            parts.append(
                f"<li>{escape(tie.a)} — {escape(tie.b)}: {escape(tie.evidence)} "
                f"({escape(tie.kind)}, {tie.strength:.2f})</li>"
            )
        if len(inner) > _SHOW:
            parts.append(f"<li><em>… and {len(inner) - _SHOW} more ties</em></li>")
        parts.append(
            f"<li>in other countries: {escape(_elsewhere(summary))}"
            + (f" — {summary['ties_across']} tie(s) across" if summary["ties_across"] else "")
            + "</li>"
        )
        for link in c.linked_groups[:5]:
            parts.append(f"<li>group link: {escape(link)}</li>")
        parts.append("</ul></div>")
    return parts


def render_targets_html(sheet: TargetSheet) -> str:
    """A printable, self-contained HTML sheet (no script, no external resource): the
    country's servers first, then their clusters with the ties abroad summarised."""
    title = sheet.title
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(title)} — LeakTrace targets</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{len(sheet.hosts)} server(s) · generated '
        f"{escape(iso(sheet.generated_at) or '')} by LeakTrace · each evidence line names "
        "its record (sighting, swarm observation, import, certificate) and says what it is: "
        "a torrent's info-hash and trackers, an observation's date and role, an import's "
        "file and line</p>",
    ]
    for note in sheet.notes():
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.append("<h2>Servers</h2>")
    parts += _server_rows(sheet)
    parts += _cluster_summaries(sheet)
    if sheet.servers_by_country:
        parts.append('<div class="map"><h2>Servers per country (all countries)</h2>')
        parts.append(world_map_svg(sheet.servers_by_country, "Servers per country", unit="servers"))
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
