"""The report's "Release groups" section: graph SVG, dossier table, links, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leaktrace.attribution import GroupLink, GroupSummary, LinkKind
from leaktrace.config import Settings
from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.report import build_report_data, render_report, write_report
from leaktrace.report.groups import GroupRow, GroupsSection, group_graph
from leaktrace.store.database import Database
from tests.attribution import scenario
from tests.report.test_report_html import _assert_self_contained

HOSTILE = '<img src=x onerror=alert(1)>"&'
SVG_NS = "{http://www.w3.org/2000/svg}"


def _graph_svg(page: str) -> str:
    found = re.search(r'<svg[^>]*class="chart group-graph".*?</svg>', page, re.S)
    assert found is not None
    return found.group(0)


def test_report_has_group_section(
    db: Database, settings: Settings, catalog_csv: Path, tmp_path: Path
) -> None:
    scenario.build(db, settings, catalog_csv)
    page = write_report(db, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="release-groups"' in page and 'href="#release-groups"' in page
    svg = _graph_svg(page)
    root = ET.fromstring(svg)  # well-formed XML
    labels = {t.text for t in root.iter(f"{SVG_NS}text")}
    assert {"SPARKS", "SPRKS", "PEERCOPY"} <= labels and "CAMZ" not in labels  # unlinked
    assert len(root.findall(f"{SVG_NS}g[@class='link link-follower']")) == 2
    assert svg.count("marker-end=") == 3  # two follower links, one rename
    assert "shared NFO art/text" in page  # legend
    assert "PEERCOPY released 10 of SPARKS" in page  # evidence table
    assert "SPARKS, Sparks, sparks" in page  # spellings
    assert "10 / 11" in page  # first / contested
    assert page.count("<script") == 1
    _assert_self_contained(page)


def test_report_escapes_hostile_group_names(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    """A group name from a feed (not from the release name) is shown escaped everywhere."""
    start = datetime(2021, 3, 1, 2, 0, tzinfo=UTC)
    items = []
    private = {"trackers": "http://tracker.sharedhub.example/announce"}
    for i, title in enumerate(("Alpha.Title", "Beta.Title", "Gamma.Title", "Delta.Title")):
        at = start + timedelta(days=10 * i)
        good, bad = f"{title}.2021.1080p.BluRay.x264-GOODGRP", f"{title}.2021.1080p.BluRay.x265"
        items.append(FeedItem(good, at))
        items.append(FeedItem(bad, at + timedelta(hours=2), group=HOSTILE))
        # the two groups are linked by an uncommon tracker both announce to
        items.append(FeedItem(good, at, origin="torrent", infohash=f"{i:040x}", attrs=private))
        items.append(
            FeedItem(
                bad, at, origin="torrent", infohash=f"{i + 9:040x}", attrs=private, group=HOSTILE
            )
        )
    ingest_items(db, items, settings)
    page = write_report(db, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    svg = _graph_svg(page)
    ET.fromstring(svg)
    assert "GOODGRP" in svg and "&lt;img src=x onerror=alert(1)&gt;&quot;&amp;" in svg
    assert page.count("<script") == 1
    _assert_self_contained(page)


def test_group_graph_pure_and_escaped() -> None:
    when = datetime(2020, 1, 1, tzinfo=UTC)

    def summary(name: str, leaks: int) -> GroupSummary:
        return GroupSummary(
            name, name.lower(), (name,), 10, 5, leaks, 2.0, ("physical",), 1, 2, 3, when, when
        )

    a, b = summary("</svg><script>x</script>", 3), summary("B&B", 0)
    links = [
        GroupLink(LinkKind.NFO, a.key, b.key, a.group, b.group, 0.8, "<b>evidence</b>"),
        GroupLink(LinkKind.FOLLOWER, b.key, a.key, b.group, a.group, 0.4, "follows"),
    ]
    svg = group_graph([a, b], links)
    ET.fromstring(svg)
    assert "<script>" not in svg and "&lt;b&gt;evidence&lt;/b&gt;" in svg
    assert group_graph([], []) == ""
    assert group_graph([a, b], links) == svg  # deterministic
    section = GroupsSection(
        rows=(GroupRow(a, "bluray / 1080p / h264", 2, "nfo · B&B (0.80)"),),
        links=tuple(links),
        nodes=(a, b),
        total_groups=2,
    )
    page = render_report(build_report_data({}, [], groups=section))
    assert 'id="release-groups"' in page and "No leaks yet" in page
    assert "<script>x</script>" not in page and "B&amp;B" in page
    assert "… and 1 more groups" in page


def test_no_group_section_without_groups(tmp_path: Path) -> None:
    with Database(str(tmp_path / "empty.db")) as db:
        page = write_report(db, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="release-groups"' not in page
    empty = GroupsSection((), (), (), 0)
    assert 'id="release-groups"' not in render_report(build_report_data({}, [], groups=empty))
