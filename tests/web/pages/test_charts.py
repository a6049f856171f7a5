"""The page-side SVG (group graph, leaks per day) escapes every outside text and stays
well-formed XML whatever the group names are (hypothesis)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.web.pages.charts import GraphEdge, GraphNode, columns_svg, graph_svg

SVG = "{http://www.w3.org/2000/svg}"
names = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40)


@given(st.lists(names, min_size=1, max_size=8, unique=True), names)
def test_graph_is_well_formed_and_names_are_text(groups: list[str], evidence: str) -> None:
    nodes = [GraphNode(f"k{i}", name, i, focus=i == 0) for i, name in enumerate(groups)]
    edges = [GraphEdge("k0", f"k{i}", "nfo", 0.5, True, evidence) for i in range(1, len(groups))]
    svg = graph_svg(nodes, edges, title=groups[0])
    root = ET.fromstring(svg)
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert titles[0] == groups[0]
    for name, node in zip(groups, root.iter(f"{SVG}g"), strict=True):
        assert node.find(f"{SVG}circle/{SVG}title") is not None
        assert (node.find(f"{SVG}circle/{SVG}title").text or "").startswith(name)  # type: ignore[union-attr]


def test_script_in_a_group_name_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    svg = graph_svg([GraphNode("a", evil, 3, focus=True)], [], title=evil)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


@given(st.lists(st.tuples(names, st.integers(min_value=0, max_value=10**6)), max_size=60))
def test_columns_are_well_formed(points: list[tuple[str, int]]) -> None:
    root = ET.fromstring(columns_svg(points, title="leaks <per> day"))
    assert len(list(root.iter(f"{SVG}rect"))) == len(points)
