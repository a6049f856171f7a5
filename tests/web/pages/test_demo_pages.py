"""Every page over the demo scenario's database: real data, filters, pagination."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import LiveServer
from tests.web.pages.conftest import csrf_of, signed_in
from tests.web.pages.demo import demo_server


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from demo_server(Path(tmp_path_factory.mktemp("demo-pages")))


@pytest.fixture(scope="module")
def analyst(demo: LiveServer) -> httpx.Client:
    return signed_in(demo, "analyst", "NL-POL")


PAGES = [
    "/",
    "/?days=730",
    "/leaks",
    "/works",
    "/groups",
    "/supply",
    "/hosts",
    "/targets",
    "/sources",
    "/api/docs",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(analyst: httpx.Client, path: str) -> None:
    answer = analyst.get(path)
    assert answer.status_code == 200, answer.text[:2000]
    assert "text/html" in answer.headers["content-type"]
    assert "analyst@nl-pol.example" in answer.text
    assert "NL-POL" in answer.text
    assert "<script>" not in answer.text  # scripts are static files only


def _next_link(html: str) -> str | None:
    found = re.search(r'<a class="next" rel="next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def _leak_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="leak-(\d+)"', html)


def test_leaks_paginate_with_next_links_without_repeats(analyst: httpx.Client) -> None:
    seen: list[str] = []
    url: str | None = "/leaks?limit=25&sort=lead"
    pages = 0
    while url is not None:
        answer = analyst.get(url)
        assert answer.status_code == 200
        seen.extend(_leak_ids(answer.text))
        url = _next_link(answer.text)
        if url is not None:
            assert "sort=lead" in url and "limit=25" in url and "cursor=" in url
        pages += 1
    assert pages > 2
    assert len(seen) == len(set(seen))
    total = re.search(r'<span class="total">([\d,]+) in all</span>', analyst.get("/leaks").text)
    assert total is not None
    assert len(seen) == int(total.group(1).replace(",", ""))


def test_leaks_filters_narrow_the_listing(analyst: httpx.Client) -> None:
    everything = analyst.get("/leaks?limit=200").text
    critical = analyst.get("/leaks?limit=200&severity=critical").text
    assert 0 < len(_leak_ids(critical)) < len(_leak_ids(everything))
    assert 'value="critical" selected' in critical
    physical = analyst.get("/leaks?limit=200&window=physical").text
    rows = re.findall(r'<tr id="leak-\d+".*?</tr>', physical, re.S)
    assert rows
    assert all("<td>physical" in row for row in rows)


def test_groups_dossier_and_graph(analyst: httpx.Client) -> None:
    listing = analyst.get("/groups").text
    first = re.search(r'<a href="(/groups/[^"]+)">', listing)
    assert first is not None
    dossier = analyst.get(unescape(first.group(1)))
    assert dossier.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="graph"' in dossier.text
    assert analyst.get("/groups/NO-SUCH-GROUP-X").status_code == 404


def test_targets_show_the_world_map_and_a_country_sheet(analyst: httpx.Client) -> None:
    page = analyst.get("/targets").text
    assert "<svg" in page
    country = re.search(r'href="/targets\?country=([A-Z]{2})"', page)
    assert country is not None
    sheet = analyst.get(f"/targets?country={country.group(1)}")
    assert sheet.status_code == 200
    assert 'id="targets-table"' in sheet.text


def test_a_host_page_shows_its_evidence(analyst: httpx.Client) -> None:
    listing = analyst.get("/hosts").text
    link = re.search(r'href="(/hosts/\d+)"', listing)
    assert link is not None
    page = analyst.get(link.group(1))
    assert page.status_code == 200
    assert "<h2>Evidence</h2>" in page.text
    assert analyst.get("/hosts/99999999").status_code == 404


def test_a_release_page_shows_parse_match_rule_and_sightings(analyst: httpx.Client) -> None:
    listing = analyst.get("/leaks?limit=5").text
    link = re.search(r'href="(/releases/\d+)"', listing)
    assert link is not None
    page = analyst.get(link.group(1))
    assert page.status_code == 200
    assert 'data-testid="rule"' in page.text
    assert 'data-testid="parsed"' in page.text
    assert "Sightings (" in page.text


def test_supply_needs_read_personal(demo: LiveServer) -> None:
    viewer = signed_in(demo, "viewer", "NL-POL")
    assert viewer.get("/supply").status_code == 403
    assert "Supply" not in re.sub(r"<main.*", "", viewer.get("/works").text, flags=re.S)


def _first_leak(html: str) -> str:
    ids = _leak_ids(html)
    assert ids
    return ids[0]


def test_triage_form_needs_the_csrf_token(analyst: httpx.Client) -> None:
    leak = _first_leak(analyst.get("/leaks").text)
    refused = analyst.post(f"/leaks/{leak}/triage", data={"verdict": "confirmed", "note": "x"})
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    wrong = analyst.post(
        f"/leaks/{leak}/triage",
        data={"verdict": "confirmed", "note": "x", "csrf_token": "forged"},
    )
    assert wrong.status_code == 403


def test_triage_shows_in_the_listing_for_the_agency_only(demo: LiveServer) -> None:
    analyst = signed_in(demo, "investigator", "DE-BKA")
    page = analyst.get("/leaks?sort=severity").text
    leak = _first_leak(page)
    note = "Seen on <b>two</b> trackers"
    answer = analyst.post(
        f"/leaks/{leak}/triage",
        data={
            "verdict": "false-positive",
            "note": note,
            "csrf_token": csrf_of(page),
            "next": "/leaks?sort=severity",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leaks?sort=severity"
    listing = analyst.get("/leaks?verdict=false-positive").text
    assert _leak_ids(listing) == [leak]
    assert "Seen on &lt;b&gt;two&lt;/b&gt; trackers" in listing
    assert "verdict-false-positive" in listing
    other = signed_in(demo, "analyst", "FR-PJ")
    assert _leak_ids(other.get("/leaks?verdict=false-positive").text) == []


def test_triage_through_htmx_returns_the_updated_row(demo: LiveServer) -> None:
    analyst = signed_in(demo, "analyst", "BE-FCCU")
    page = analyst.get("/leaks").text
    leak = _first_leak(page)
    answer = analyst.post(
        f"/leaks/{leak}/triage",
        data={"verdict": "confirmed", "note": "ok", "csrf_token": csrf_of(page)},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tr id="leak-{leak}"')
    assert "verdict-confirmed" in answer.text


def test_a_viewer_may_not_triage(demo: LiveServer) -> None:
    viewer = signed_in(demo, "viewer", "NL-POL")
    page = viewer.get("/leaks").text
    assert 'class="triage"' not in page
    leak = _first_leak(page)
    answer = viewer.post(
        f"/leaks/{leak}/triage",
        data={"verdict": "confirmed", "csrf_token": csrf_of(viewer.get("/api/docs").text)},
    )
    assert answer.status_code == 403


def test_dossier_withholds_supply_accounts_without_read_personal(
    demo: LiveServer, analyst: httpx.Client
) -> None:
    viewer = signed_in(demo, "viewer", "SE-NOA")
    withheld = viewer.get("/groups/EMBERS")
    assert withheld.status_code == 200
    assert "needs read:personal" in withheld.text
    shown = analyst.get("/groups/EMBERS")
    assert "needs read:personal" not in shown.text
    assert "Disc distributors" in shown.text


def test_htmx_errors_redirect_or_refresh_instead_of_swapping(demo: LiveServer) -> None:
    anonymous = demo.client(None)
    leak = _first_leak(signed_in(demo, "analyst", "NL-POL").get("/leaks").text)
    signed_out = anonymous.post(
        f"/leaks/{leak}/triage",
        data={"verdict": "confirmed"},
        headers={"HX-Request": "true", "HX-Current-URL": f"{demo.url}/leaks?sort=lead"},
    )
    assert signed_out.status_code == 401
    assert signed_out.headers["HX-Redirect"] == "/login?next=%2Fleaks%3Fsort%3Dlead"
    analyst = signed_in(demo, "analyst", "NL-POL")
    stale = analyst.post(
        f"/leaks/{leak}/triage",
        data={"verdict": "confirmed", "csrf_token": "stale"},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 403
    assert stale.headers["HX-Refresh"] == "true"
