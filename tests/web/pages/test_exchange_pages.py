"""The shared-intelligence pages over a real uvicorn: /exchange (the agency's collections),
/exchange/{id} (the objects it may see, paged, by type) and one object's page (its JSON
escaped, its versions, "Add to case"). What an agency may not see answers exactly the 404
of what does not exist; partner text is escaped; no inline style or script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.services.exchange_world import H3_TEXT, HOSTILE_NAME, ExchangeWorld, exchange_world
from tests.web.conftest import LiveServer, serve
from tests.web.pages.conftest import csrf_of, signed_in

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, ExchangeWorld]]:
    folder = Path(tmp_path_factory.mktemp("exchange-pages"))
    with build_context(load_settings(db=str(folder / "pages.db"))) as context:
        w = exchange_world(context)
        for server in serve(context):
            yield server, w


def _client(
    site: tuple[LiveServer, ExchangeWorld], agency: str, role: str = "analyst"
) -> httpx.Client:
    return site[0].client(role, agency=agency)


def _clean(html: str) -> None:
    """No partner markup got through, and the page obeys the CSP (no inline style/script)."""
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE)


def test_the_collections_page_lists_the_agencys_collections(
    site: tuple[LiveServer, ExchangeWorld],
) -> None:
    server, w = site
    nl = _client(site, "NL-POL").get("/exchange")
    assert nl.status_code == 200
    assert 'href="/exchange"' in nl.text and 'data-testid="nav-exchange"' in nl.text
    assert f'href="/exchange/{w.partners}"' in nl.text and f'href="/exchange/{w.secret}"' in nl.text
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", nl.text, re.S)
    assert len(rows) == 2
    assert ">5</td>" in rows[0] and ">1</td>" in rows[1]
    de = _client(site, "DE-BKA").get("/exchange")
    assert w.partners in de.text and w.secret not in de.text and "Secret" not in de.text
    assert ">4</td>" in de.text
    none = _client(site, "NO-NONE").get("/exchange")
    assert "no rights on any collection" in none.text
    _clean(nl.text)


def test_the_collection_page_shows_what_the_agency_may_see(
    site: tuple[LiveServer, ExchangeWorld],
) -> None:
    server, w = site
    fr = _client(site, "FR-GN").get(f"/exchange/{w.partners}")
    assert fr.status_code == 200
    assert "Amber Crew" in fr.text and "Quiet Crew" in fr.text
    assert "Red Crew" not in fr.text and "Strict Crew" not in fr.text
    assert w.ids["red"] not in fr.text and w.ids["strict"] not in fr.text
    assert 'class="tlp tlp-amber" data-testid="tlp">TLP:AMBER<' in fr.text
    assert 'class="handling handling-h1"' in fr.text
    assert (
        unescape(fr.text).count(HOSTILE_NAME) >= 1 and unescape(fr.text).count(H3_TEXT) == 2
    )  # badge title and text
    _clean(fr.text)
    de = _client(site, "DE-BKA").get(f"/exchange/{w.partners}")
    assert "Red Crew" in de.text and "TLP:RED" in de.text and "Strict Crew" not in de.text
    nl = _client(site, "NL-POL").get(f"/exchange/{w.partners}")
    assert "Strict Crew" in nl.text and "TLP:AMBER+STRICT" in nl.text


def test_paging_and_the_type_filter(site: tuple[LiveServer, ExchangeWorld]) -> None:
    server, w = site
    client = _client(site, "DE-BKA")
    seen: list[str] = []
    path: str | None = f"/exchange/{w.partners}?limit=1"
    while path:
        page = client.get(path)
        assert page.status_code == 200
        seen += re.findall(r'data-stix-id="([^"]+)"', page.text)
        found = re.search(r'rel="next" href="([^"]+)"', page.text)
        path = unescape(found.group(1)) if found else None
    assert len(seen) == len(set(seen)) == 4
    markings = client.get(f"/exchange/{w.partners}?type=marking-definition")
    assert "marking-definition--" in markings.text and "Amber Crew" not in markings.text
    none = client.get(f"/exchange/{w.partners}?type=indicator")
    assert "No objects you may see of type indicator" in none.text
    assert client.get(f"/exchange/{w.partners}?type=%3Cb%3E").status_code == 422
    assert client.get(f"/exchange/{w.partners}?cursor=bogus").status_code == 422


def _body(reply: httpx.Response, key: str) -> str:
    return reply.text.replace(key, "KEY")


def test_what_the_agency_may_not_see_is_a_plain_404(
    site: tuple[LiveServer, ExchangeWorld],
) -> None:
    server, w = site
    fr = _client(site, "FR-GN")
    hidden = fr.get(f"/exchange/{w.secret}")
    absent = fr.get(f"/exchange/{MISSING}")
    assert hidden.status_code == absent.status_code == 404
    assert _body(hidden, w.secret) == _body(absent, MISSING)
    hidden_in = fr.get(f"/exchange/{w.secret}/objects/{w.ids['secret']}")
    assert hidden_in.status_code == 404 and "no collection" in hidden_in.text
    red, fake = w.ids["red"], w.ids["red"][:-4] + "ffff"
    hidden_object = fr.get(f"/exchange/{w.partners}/objects/{red}")
    absent_object = fr.get(f"/exchange/{w.partners}/objects/{fake}")
    assert hidden_object.status_code == absent_object.status_code == 404
    assert _body(hidden_object, red) == _body(absent_object, fake)
    assert "Red Crew" not in hidden_object.text


def test_permissions(site: tuple[LiveServer, ExchangeWorld]) -> None:
    server, w = site
    assert _client(site, "DE-BKA", "viewer").get("/exchange").status_code == 403
    out = server.client(None)
    out.follow_redirects = False
    answer = out.get(f"/exchange/{w.partners}")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_object_page_and_add_to_case(site: tuple[LiveServer, ExchangeWorld]) -> None:
    server, w = site
    de = signed_in(server, "investigator", "DE-BKA")  # a password user (analyst: a token)
    page = de.get(f"/exchange/{w.partners}/objects/{w.ids['amber']}")
    assert page.status_code == 200
    _clean(page.text)
    assert "TLP:AMBER" in page.text
    notice = "H1 — not for use in judicial proceedings without the provider&#39;s permission"
    assert notice in page.text
    assert page.text.count('<tr><td class="mono">2026-') == 2  # both versions
    assert "&#34;name&#34;: &#34;Amber Crew&#34;" in page.text  # the JSON, escaped
    hostile = de.get(f"/exchange/{w.partners}/objects/{w.ids['hostile']}")
    _clean(hostile.text)
    assert "&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;" in hostile.text
    # Add to case: the menu on the object's page, then the form
    opened = de.post("/cases", data={"csrf_token": csrf_of(page.text), "title": "Amber"})
    assert opened.status_code == 303
    case_id = opened.headers["location"].rsplit("/", 1)[1]
    assert 'hx-get="/cases/add?kind=stix&amp;reference=' in page.text
    menu = de.get(
        "/cases/add", params={"kind": "stix", "reference": f"{w.ids['amber']} {w.partners}"}
    )
    assert menu.status_code == 200 and 'name="kind" value="stix"' in menu.text
    added = de.post(
        "/cases/items",
        data={
            "csrf_token": csrf_of(menu.text),
            "case_id": case_id,
            "kind": "stix",
            "reference": f"{w.ids['amber']} {w.partners}",
            "reason": "profile",
        },
    )
    assert added.status_code == 303, added.text
    case_page = de.get(added.headers["location"])
    assert notice in case_page.text and "Amber Crew" in case_page.text
