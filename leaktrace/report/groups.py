"""The report's "Release groups" section: a compact dossier table, the group links, and the
group graph drawn as inline SVG (deterministic circular layout, no JavaScript).

Every name and evidence text is XML-escaped in the SVG; the table is escaped by Jinja.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from leaktrace.attribution import GroupLink, GroupSummary, LinkKind, find_links, list_groups
from leaktrace.attribution.data import GroupData, load_group_data
from leaktrace.infra.services import BUILTIN, ServiceLists

__all__ = [
    "KIND_COLORS",
    "KIND_LABELS",
    "GroupRow",
    "GroupsSection",
    "build_groups_section",
    "gather_groups",
    "group_graph",
    "kind_legend",
]

KIND_COLORS: dict[str, str] = {
    LinkKind.FOLLOWER.value: "#0284c7",
    LinkKind.NFO.value: "#7c3aed",
    LinkKind.TRACKERS.value: "#b45309",
    LinkKind.RENAMED.value: "#dc2626",
}
KIND_LABELS: dict[str, str] = {
    LinkKind.FOLLOWER.value: "follower (arrow to the group that copies)",
    LinkKind.NFO.value: "shared NFO art/text",
    LinkKind.TRACKERS.value: "shared trackers / web seeds",
    LinkKind.RENAMED.value: "renamed (arrow to the new name)",
}
MAX_TABLE_GROUPS = 50
MAX_GRAPH_NODES = 40
MAX_LINKS_LISTED = 60


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One line of the report's group table."""

    summary: GroupSummary
    formats: str
    """The group's usual source / resolution / codec."""
    links: int
    strongest: str
    """The strongest link in words (kind and other group), or ''."""


@dataclass(frozen=True, slots=True)
class GroupsSection:
    rows: tuple[GroupRow, ...]
    links: tuple[GroupLink, ...]
    nodes: tuple[GroupSummary, ...]
    """The groups the graph draws (linked ones, most leaks first)."""
    total_groups: int

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _top(values: Sequence[str | None]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        if value:
            counts[value] += 1
    if not counts:
        return "?"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def build_groups_section(
    data: GroupData, summaries: Sequence[GroupSummary], links: Sequence[GroupLink]
) -> GroupsSection:
    """Pick the rows, links and graph nodes the report shows (no SQL)."""
    per_group: dict[str, list[GroupLink]] = defaultdict(list)
    for link in links:
        per_group[link.source].append(link)
        per_group[link.target].append(link)
    rows = []
    for s in list(summaries)[:MAX_TABLE_GROUPS]:
        rel = data.by_group.get(s.key, [])
        mine = sorted(per_group.get(s.key, []), key=lambda k: -k.strength)
        strongest = ""
        if mine:
            best = mine[0]
            other = best.target_name if best.source == s.key else best.source_name
            strongest = f"{best.kind.value} · {other} ({best.strength:.2f})"
        rows.append(
            GroupRow(
                summary=s,
                formats=" / ".join(
                    (
                        _top([r.source for r in rel]),
                        _top([r.resolution for r in rel]),
                        _top([r.codec for r in rel]),
                    )
                ),
                links=len(mine),
                strongest=strongest,
            )
        )
    linked = [s for s in summaries if s.key in per_group]
    linked.sort(key=lambda s: (-s.leaks, -len(per_group[s.key]), s.key))
    nodes = tuple(linked[:MAX_GRAPH_NODES])
    keys = {s.key for s in nodes}
    shown_links = tuple(k for k in links if k.source in keys and k.target in keys)
    return GroupsSection(tuple(rows), shown_links, nodes, len(summaries))


def gather_groups(conn: Connection, services: ServiceLists = BUILTIN) -> GroupsSection:
    """Read groups and their links for the report."""
    data = load_group_data(conn)
    summaries = list_groups(conn, sort="leaks", data=data)
    links = find_links(conn, data=data, services=services)
    return build_groups_section(data, summaries, links)


# ----------------------------------------------------------------- SVG


def _esc(text: object) -> str:
    from html import escape

    return escape(str(text), quote=True)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _order(nodes: Sequence[GroupSummary], links: Sequence[GroupLink]) -> list[str]:
    """Nodes around the circle: connected groups next to each other (breadth-first from
    the group with most leaks in each component), deterministic."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
    rank = {s.key: i for i, s in enumerate(nodes)}
    seen: set[str] = set()
    order: list[str] = []
    for s in nodes:
        if s.key in seen:
            continue
        queue = [s.key]
        seen.add(s.key)
        while queue:
            key = queue.pop(0)
            order.append(key)
            for other in sorted(neighbours[key], key=lambda k: rank.get(k, 1 << 30)):
                if other not in seen and other in rank:
                    seen.add(other)
                    queue.append(other)
    return order


def group_graph(
    nodes: Sequence[GroupSummary], links: Sequence[GroupLink], *, width: float = 1120
) -> str:
    """The groups on a circle, links as lines (width by strength, colour by kind, arrows
    for directed links), nodes sized by leaks. Empty input gives ''."""
    if not nodes:
        return ""
    height = 600.0 if len(nodes) > 2 else 320.0
    cx, cy = width / 2, height / 2
    radius = min(cx - 190, cy - 70)
    order = _order(nodes, links)
    by_key = {s.key: s for s in nodes}
    most = max((s.leaks for s in nodes), default=0) or 1
    pos: dict[str, tuple[float, float, float]] = {}
    count = len(order)
    for i, key in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        if count == 2:
            angle = math.pi * i  # left and right
        size = 7 + 15 * math.sqrt(by_key[key].leaks / most)
        pos[key] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), size)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart group-graph" role="img" '
        f'aria-label="Links between release groups" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f"font-family=\"Inter, 'Segoe UI', system-ui, Arial, sans-serif\">",
        "<defs>",
    ]
    for kind, colour in KIND_COLORS.items():
        parts.append(
            f'<marker id="lt-arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    parts.append("</defs>")

    # links: several between one pair are bent apart
    pair_links: dict[tuple[str, str], list[GroupLink]] = defaultdict(list)
    for link in links:
        if link.source in pos and link.target in pos:
            pair = tuple(sorted((link.source, link.target)))
            pair_links[(pair[0], pair[1])].append(link)
    for (ka, _kb), items in sorted(pair_links.items()):
        items.sort(key=lambda k: (k.kind.value, k.source))
        for index, link in enumerate(items):
            x1, y1, r1 = pos[link.source]
            x2, y2, r2 = pos[link.target]
            dx, dy = x2 - x1, y2 - y1
            dist = math.hypot(dx, dy) or 1.0
            # perpendicular offset, same side whatever the link's direction
            sign = 1.0 if link.source == ka else -1.0
            bend = (index - (len(items) - 1) / 2) * 26.0 * sign
            mx = (x1 + x2) / 2 - dy / dist * bend
            my = (y1 + y2) / 2 + dx / dist * bend
            sx, sy = _toward(x1, y1, mx, my, r1 + 2)
            ex, ey = _toward(x2, y2, mx, my, r2 + (6 if link.directed else 2))
            colour = KIND_COLORS.get(link.kind.value, "#64748b")
            stroke = 1.2 + 4.8 * max(0.0, min(1.0, link.strength))
            arrow = f' marker-end="url(#lt-arrow-{link.kind.value})"' if link.directed else ""
            dash = ' stroke-dasharray="6 4"' if link.kind is LinkKind.RENAMED else ""
            tip = (
                f"{link.source_name} {'→' if link.directed else '↔'} {link.target_name}: "
                f"{link.kind.value}, strength {link.strength:.2f}\n{link.evidence}"
            )
            parts.append(
                f'<g class="link link-{_esc(link.kind.value)}"><title>{_esc(tip)}</title>'
                f'<path d="M{_n(sx)},{_n(sy)} Q{_n(mx)},{_n(my)} {_n(ex)},{_n(ey)}" '
                f'fill="none" stroke="{colour}" stroke-opacity="0.8" '
                f'stroke-width="{_n(stroke)}"{dash}{arrow}/></g>'
            )

    for key in order:
        s = by_key[key]
        x, y, size = pos[key]
        fill = "#991b1b" if s.leaks else "#475569"
        rate = "" if s.pre_release_rate is None else f", pre-release rate {s.pre_release_rate:.0%}"
        tip = (
            f"{s.group} ({', '.join(s.variants)})\n{s.releases} releases, {s.leaks} leaks{rate}"
            f"\nactive {s.first_seen:%Y-%m-%d} to {s.last_seen:%Y-%m-%d}"
        )
        right = x >= cx - 1
        lx = x + (size + 6) * (1 if right else -1)
        label = s.group if len(s.group) <= 24 else s.group[:23] + "…"
        parts.append(
            f'<g class="node"><title>{_esc(tip)}</title>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}" fill="{fill}" '
            f'fill-opacity="0.85" stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{_n(lx)}" y="{_n(y + 4)}" font-size="12.5" font-weight="600" '
            f'text-anchor="{"start" if right else "end"}" fill="#0f172a">{_esc(label)}</text>'
            f'<text x="{_n(lx)}" y="{_n(y + 18)}" font-size="10.5" '
            f'text-anchor="{"start" if right else "end"}" fill="#64748b">'
            f"{s.leaks} leaks · {s.releases} rel.</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _toward(x: float, y: float, tx: float, ty: float, distance: float) -> tuple[float, float]:
    dx, dy = tx - x, ty - y
    length = math.hypot(dx, dy) or 1.0
    return x + dx / length * distance, y + dy / length * distance


def kind_legend(kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """``(label, colour)`` pairs for the link kinds (all, or those given)."""
    wanted = list(KIND_COLORS) if kinds is None else [k for k in KIND_COLORS if k in kinds]
    return [(KIND_LABELS[k], KIND_COLORS[k]) for k in wanted]
