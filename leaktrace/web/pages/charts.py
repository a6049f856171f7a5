"""Server-side SVG for pages that have no chart from a service: the group graph and the
leaks-per-day columns of the overview.

Pure functions from views to SVG strings. Group names are outside
text: every label and tooltip is XML-escaped here, so the page may embed the result
(through :func:`leaktrace.web.rendering.trusted_svg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["GraphEdge", "GraphNode", "columns_svg", "graph_svg"]

LINK_COLORS: dict[str, str] = {
    "follower": "#ea580c",
    "nfo": "#0284c7",
    "trackers": "#b45309",
    "renamed": "#7c3aed",
}
_FALLBACK = "#64748b"
_WIDTH = 760
_HEIGHT = 520
_MAX_LABEL = 24


@dataclass(frozen=True, slots=True)
class GraphNode:
    key: str
    name: str
    leaks: int
    focus: bool = False


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    kind: str
    strength: float
    directed: bool
    evidence: str


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _positions(nodes: Sequence[GraphNode]) -> dict[str, tuple[float, float]]:
    """The focus node in the middle, the others on a circle around it."""
    cx, cy = _WIDTH / 2, _HEIGHT / 2
    ring = [node for node in nodes if not node.focus]
    radius = min(_WIDTH, _HEIGHT) / 2 - 70
    places: dict[str, tuple[float, float]] = {}
    for node in nodes:
        if node.focus:
            places[node.key] = (cx, cy)
    for index, node in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * index / max(1, len(ring))
        places[node.key] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return places


def graph_svg(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], *, title: str) -> str:
    """The groups as circles (area by leaks) and their links as lines (width by strength,
    colour by kind), each with a tooltip naming the evidence."""
    places = _positions(nodes)
    most = max((node.leaks for node in nodes), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {_WIDTH} {_HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" font-family="system-ui, sans-serif">',
        f"<title>{_esc(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#475569"/></marker></defs>',
    ]
    for edge in edges:
        if edge.source not in places or edge.target not in places:
            continue
        (x1, y1), (x2, y2) = places[edge.source], places[edge.target]
        color = LINK_COLORS.get(edge.kind, _FALLBACK)
        width = 1 + 4 * max(0.0, min(1.0, edge.strength))
        marker = ' marker-end="url(#arrow)"' if edge.directed else ""
        parts.append(
            f'<line class="link link-{_esc(edge.kind)}" x1="{x1:.1f}" y1="{y1:.1f}" '
            f'x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" stroke-width="{width:.1f}" '
            f'stroke-opacity="0.7"{marker}><title>{_esc(edge.kind)} '
            f"({edge.strength:.2f}): {_esc(edge.evidence)}</title></line>"
        )
    for node in nodes:
        x, y = places[node.key]
        radius = 8 + 22 * math.sqrt(node.leaks / most)
        fill = "#1d4ed8" if node.focus else "#94a3b8"
        parts.append(
            f'<g class="node" data-key="{_esc(node.key)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{radius:.1f}" fill="{fill}" stroke="#fff" stroke-width="2">'
            f"<title>{_esc(node.name)}: {node.leaks} leaks</title></circle>"
            f'<text x="{x:.1f}" y="{y + radius + 14:.1f}" text-anchor="middle" '
            f'font-size="12" fill="#0f172a">{_esc(_short(node.name))}</text></g>'
        )
    if not nodes:
        parts.append(
            f'<text x="{_WIDTH / 2}" y="{_HEIGHT / 2}" text-anchor="middle" fill="#64748b">'
            "No groups to draw.</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def columns_svg(points: Sequence[tuple[str, int]], *, title: str, unit: str = "leaks") -> str:
    """One column per ``(day, count)``, with the first and last day and the top count
    written on the axes; every column has a tooltip."""
    width, height, left, bottom, top = 760.0, 220.0, 36.0, 24.0, 12.0
    usable_w, usable_h = width - left - 8, height - bottom - top
    most = max((count for _, count in points), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="columns" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
        f'font-size="11">',
        f"<title>{_esc(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" '
        f'stroke="#cbd5e1"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#64748b">{most}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end" fill="#64748b">0</text>',
    ]
    if points:
        step = usable_w / len(points)
        for index, (day, count) in enumerate(points):
            bar = usable_h * count / most if most else 0.0
            x = left + index * step
            parts.append(
                f'<rect class="day" x="{x + step * 0.1:.1f}" y="{height - bottom - bar:.1f}" '
                f'width="{max(step * 0.8, 0.5):.1f}" height="{bar:.1f}" fill="#1d4ed8">'
                f"<title>{_esc(day)}: {count} {_esc(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{left}" y="{height - 6}" fill="#64748b">{_esc(points[0][0])}</text>'
            f'<text x="{width - 8}" y="{height - 6}" text-anchor="end" fill="#64748b">'
            f"{_esc(points[-1][0])}</text>"
        )
    else:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#64748b">'
            "Nothing in this period.</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
