"""The group graph (groups as nodes, links as edges) as JSON and as GraphML.

GraphML is written with :mod:`xml.etree.ElementTree`, so every name and evidence text is
escaped; characters XML 1.0 cannot hold at all (most control characters) are dropped.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace.attribution.model import GroupLink, GroupSummary
from leaktrace.feeds.timeparse import format_time
from leaktrace.private_files import write_private_text

__all__ = [
    "GRAPHML_NS",
    "GroupGraph",
    "build_graph",
    "dumps_json",
    "graph_json",
    "graphml",
    "write_text",
]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: object) -> str:
    return _XML_BAD.sub("", str(value))


@dataclass(frozen=True, slots=True)
class GroupGraph:
    nodes: tuple[GroupSummary, ...]
    links: tuple[GroupLink, ...]


def build_graph(
    summaries: Sequence[GroupSummary],
    links: Sequence[GroupLink],
    *,
    linked_only: bool = False,
    min_strength: float = 0.0,
) -> GroupGraph:
    """Nodes for ``summaries`` (only linked ones with ``linked_only``), and the links
    between them of at least ``min_strength``."""
    kept_links = [link for link in links if link.strength >= min_strength]
    keys = {s.key for s in summaries}
    kept_links = [link for link in kept_links if link.source in keys and link.target in keys]
    if linked_only:
        linked = {k for link in kept_links for k in (link.source, link.target)}
        summaries = [s for s in summaries if s.key in linked]
    return GroupGraph(tuple(summaries), tuple(kept_links))


def _node(s: GroupSummary) -> dict[str, Any]:
    rate = s.pre_release_rate
    return {
        "id": s.key,
        "name": s.group,
        "variants": list(s.variants),
        "releases": s.releases,
        "leaks": s.leaks,
        "pre_release_rate": None if rate is None else round(rate, 3),
        "first_to_release": s.first_to_release,
        "first_seen": format_time(s.first_seen),
        "last_seen": format_time(s.last_seen),
    }


def graph_json(graph: GroupGraph) -> dict[str, Any]:
    """``{"nodes": [...], "links": [...]}`` (node ids are group keys; d3-style links)."""
    return {
        "nodes": [_node(s) for s in graph.nodes],
        "links": [
            {
                "source": link.source,
                "target": link.target,
                "kind": link.kind.value,
                "strength": round(link.strength, 3),
                "directed": link.directed,
                "evidence": link.evidence,
                "details": link.details,
            }
            for link in graph.links
        ],
    }


_NODE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("name", "name", "string"),
    ("variants", "variants", "string"),
    ("releases", "releases", "int"),
    ("leaks", "leaks", "int"),
    ("rate", "pre_release_rate", "double"),
    ("first", "first_to_release", "int"),
    ("first_seen", "first_seen", "string"),
    ("last_seen", "last_seen", "string"),
)
_EDGE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("kind", "kind", "string"),
    ("strength", "strength", "double"),
    ("evidence", "evidence", "string"),
    ("directed_link", "directed", "boolean"),
)


def graphml(graph: GroupGraph) -> str:
    """The graph as a GraphML document (nodes ``g0``…, edges ``e0``…; the group key is
    the ``key`` data of a node; undirected links carry ``directed="false"``)."""
    ET.register_namespace("", GRAPHML_NS)
    ns = f"{{{GRAPHML_NS}}}"
    root = ET.Element(f"{ns}graphml")
    for ident, name, kind in _NODE_KEYS + (("key", "key", "string"),):
        ET.SubElement(
            root,
            f"{ns}key",
            {"id": f"n_{ident}", "for": "node", "attr.name": name, "attr.type": kind},
        )
    for ident, name, kind in _EDGE_KEYS:
        ET.SubElement(
            root,
            f"{ns}key",
            {"id": f"e_{ident}", "for": "edge", "attr.name": name, "attr.type": kind},
        )
    g = ET.SubElement(root, f"{ns}graph", {"id": "groups", "edgedefault": "directed"})
    ids: dict[str, str] = {}
    for index, s in enumerate(graph.nodes):
        ids[s.key] = f"g{index}"
        node = ET.SubElement(g, f"{ns}node", {"id": ids[s.key]})
        values = _node(s)
        for ident, name, _ in _NODE_KEYS:
            value = values[name]
            if value is None:
                continue
            text = "|".join(value) if isinstance(value, list) else value
            ET.SubElement(node, f"{ns}data", {"key": f"n_{ident}"}).text = _xml_text(text)
        ET.SubElement(node, f"{ns}data", {"key": "n_key"}).text = _xml_text(s.key)
    for index, link in enumerate(graph.links):
        edge = ET.SubElement(
            g,
            f"{ns}edge",
            {
                "id": f"e{index}",
                "source": ids[link.source],
                "target": ids[link.target],
                "directed": "true" if link.directed else "false",
            },
        )
        for ident, text in (
            ("kind", link.kind.value),
            ("strength", f"{link.strength:.3f}"),
            ("evidence", link.evidence),
            ("directed_link", "true" if link.directed else "false"),
        ):
            ET.SubElement(edge, f"{ns}data", {"key": f"e_{ident}"}).text = _xml_text(text)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8, mode 0600); OS errors become InputError."""
    return write_private_text(path, text)


def dumps_json(graph: GroupGraph) -> str:
    return json.dumps(graph_json(graph), ensure_ascii=False, indent=2) + "\n"
