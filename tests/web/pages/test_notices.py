"""Pages /notices, /notices/{id} and /notices/contacts against a real uvicorn: the draft
form and its outcome, the review page with the Send button only for users who may send,
the figures and the chart (numbers written, labels escaped), a 404 page for another
agency's notice like a missing one, bad input as a 4xx page naming the field, and the
chart's SVG itself."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.demo.infra import DEMO_SWARM_KEY
from leaktrace.services.notice_views import TakedownFigureView
from leaktrace.web.pages.notices import figure_text, hours, takedown_chart
from tests.web.notice_world import (
    CONTACT_EMAIL,
    CONTACT_HOST,
    INDUSTRY,
    POLICE,
    NoticeWorld,
    notice_world,
    peer_and_stranger,
)
from tests.web.pages.conftest import csrf_of, signed_in

URL = f"https://{CONTACT_HOST}/page/<script>alert(1)</script>.mkv"
_SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoticeWorld]:
    with notice_world(Path(tmp_path_factory.mktemp("notices-pages"))) as built:
        yield built


def _notice_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-notice="(\d+)">', html)]


def _draft_page(client: httpx.Client, world: NoticeWorld, **fields: str) -> httpx.Response:
    page = client.get("/notices")
    data = {
        "csrf_token": csrf_of(page.text),
        "scope": "leak",
        "value": str(world.leak_id),
        "form": "dmca",
        "language": "en",
        **fields,
    }
    return client.post("/notices/drafts", data=data)


@pytest.fixture(scope="module")
def drafted(world: NoticeWorld) -> int:
    """The industry analyst drafts through the form (signed in like a browser): the id of
    the notice to files.example."""
    client = signed_in(world.server, "analyst", INDUSTRY)
    reply = _draft_page(client, world, urls=f"{URL}\nhttp://192.168.1.1/x\n")
    assert reply.status_code == 201, reply.text
    assert "Notices drafted" in reply.text
    # the refusal and the recipients without contact are on the page, never hidden
    refused = reply.text.split('id="refused"', 1)[1]
    assert "http://192.168.1.1/x" in refused and "private-address" in refused
    needs = reply.text.split('id="needs-contact"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<a href="/notices/\d+">[^<]+</a>: 1 location</li>', needs)
    rows = re.findall(r'<tr data-notice="(\d+)">(.*?)</tr>', reply.text, re.DOTALL)
    ours = [int(i) for i, row in rows if CONTACT_EMAIL in row]
    assert len(ours) == 1
    return ours[0]


def test_a_peer_and_an_address_never_seen_show_the_same_refusal(
    world: NoticeWorld, drafted: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft outcome page shows a downloading peer's address and an address never
    seen with the same refusal, byte for byte, and neither address anywhere."""
    monkeypatch.setenv("LEAKTRACE_SWARM_KEY", DEMO_SWARM_KEY)
    client = signed_in(world.server, "analyst", INDUSTRY)
    sections = []
    for address in peer_and_stranger():
        reply = _draft_page(client, world, urls=f"http://{address}/f.mkv\n", form="dsa")
        assert reply.status_code == 201, reply.text
        assert address not in reply.text
        sections.append(reply.text.split('id="refused"', 1)[1].split("</section>", 1)[0])
    assert sections[0] == sections[1]
    assert "http://[address withheld]/f.mkv" in sections[0] and "downloader" in sections[0]


def test_a_recipient_taking_the_other_form_is_shown(world: NoticeWorld, drafted: int) -> None:
    """A contact that takes DSA notices only: a DMCA draft lists it on the outcome page
    with its locations, and drafts nothing for it."""
    client = signed_in(world.server, "analyst", INDUSTRY)
    added = world.server.client("analyst", agency=INDUSTRY).post(
        "/api/v1/notice-contacts",
        json={
            "match": "eu-host.example",
            "name": "EU Host <legal>",
            "email": "legal@eu-host.example",
            "form": "dsa",
        },
    )
    assert added.status_code == 201, added.text
    reply = _draft_page(client, world, urls="https://eu-host.example/v/1\n", form="dmca")
    assert reply.status_code == 201, reply.text
    section = reply.text.split('id="other-form"', 1)[1].split("</section>", 1)[0]
    assert "EU Host &lt;legal&gt;" in section and "DSA" in section
    assert "https://eu-host.example/v/1" in section
    drafted_rows = reply.text.split('id="drafted"', 1)[1].split("</section>", 1)[0]
    assert "eu-host.example" not in drafted_rows


def test_the_list_with_figures_chart_and_draft_form(world: NoticeWorld, drafted: int) -> None:
    page = world.server.client("analyst", agency=INDUSTRY).get("/notices")
    assert page.status_code == 200
    text = page.text
    assert drafted in _notice_ids(text)
    assert 'data-testid="nav-notices"' in text
    assert 'id="draft-notices"' in text and 'action="/notices/drafts"' in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="takedown-chart"' in text
    assert 'data-testid="stat-removed"' in text
    # no inline script, nothing from another site
    assert re.findall(r"<script[^>]*>", text) == [
        '<script src="/static/vendor/htmx.org-2.0.11/htmx.min.js" defer>'
    ]
    assert "https://cdn" not in text and "http://cdn" not in text
    filtered = world.server.client("viewer", agency=INDUSTRY).get(
        "/notices", params={"status": "removed"}
    )
    assert filtered.status_code == 200
    assert drafted not in _notice_ids(filtered.text)
    assert 'id="draft-notices"' not in filtered.text  # a viewer cannot draft
    later = world.server.client("viewer", agency=INDUSTRY).get(
        "/notices", params={"since": "2100-01-01", "status": "drafted"}
    )
    assert later.status_code == 200
    assert 'name="since" value="2100-01-01"' in later.text
    assert '<input type="hidden" name="status" value="drafted">' in later.text
    assert drafted in _notice_ids(later.text)  # the list is not cut by the figures' date
    bad = world.server.client("viewer", agency=INDUSTRY).get("/notices", params={"since": "soon"})
    assert bad.status_code == 422


def test_review_page_escapes_and_offers_send_only_to_who_may_send(
    world: NoticeWorld, drafted: int
) -> None:
    page = world.server.client("analyst", agency=INDUSTRY).get(f"/notices/{drafted}")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="send-notice"' in text
    assert f'action="/notices/{drafted}/send"' in text
    # outside text escaped: the URL, the contact's name, the principal
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Files Example Abuse &lt;desk&gt;" in text
    assert "<desk>" not in text and "<Studios>" not in text
    # a viewer of the same agency reads it, without Send
    viewer = world.server.client("viewer", agency=INDUSTRY).get(f"/notices/{drafted}")
    assert viewer.status_code == 200
    assert 'data-testid="send-notice"' not in viewer.text
    assert 'id="recipient-form"' not in viewer.text


def test_a_police_analyst_drafts_but_is_not_offered_send(world: NoticeWorld) -> None:
    client = world.server.client("analyst", agency=POLICE)
    reply = client.post(
        "/notices/drafts",
        data={
            "scope": "work",
            "value": world.work_id,
            "urls": f"https://{CONTACT_HOST}/police/page.mkv",
            "form": "dsa",
            "language": "it",
        },
    )
    assert reply.status_code == 201, reply.text
    ids = _notice_ids(reply.text)
    assert ids
    page = client.get(f"/notices/{ids[0]}")
    assert page.status_code == 200
    assert 'data-testid="send-notice"' not in page.text
    assert 'data-testid="send-not-allowed"' in page.text
    refused = client.post(f"/notices/{ids[0]}/send", data={})
    assert refused.status_code == 403


def test_another_agency_gets_the_same_404_page_as_for_a_missing_notice(
    world: NoticeWorld, drafted: int
) -> None:
    police = world.server.client("analyst", agency=POLICE)
    real = police.get(f"/notices/{drafted}")
    missing = police.get("/notices/2000000000")
    assert real.status_code == missing.status_code == 404
    message = re.compile(r'<p class="message">(.*?)</p>', re.DOTALL)
    said, said_missing = message.search(real.text), message.search(missing.text)
    assert said and said_missing
    assert said.group(1).replace(str(drafted), "N") == said_missing.group(1).replace(
        "2000000000", "N"
    )
    assert message.sub("", real.text) == message.sub("", missing.text)
    assert CONTACT_EMAIL not in real.text
    for action, data in (("marks", {"status": "removed"}), ("send", {})):
        answer = police.post(f"/notices/{drafted}/{action}", data=data)
        assert answer.status_code == 404, (action, answer.text)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scope": "leak", "value": "abc", "form": "dmca"}, "value"),
        ({"scope": "moon", "value": "1", "form": "dmca"}, "scope"),
        ({"scope": "leak", "value": "1", "form": "gdpr"}, "form"),
        ({"scope": "since", "value": "soon", "form": "dmca"}, "since"),
        ({"scope": "leak", "value": "1", "form": "dmca", "case_id": "x"}, "case_id"),
    ],
)
def test_bad_draft_forms_are_a_422_page_naming_the_field(
    world: NoticeWorld, data: dict[str, str], field: str
) -> None:
    reply = world.server.client("analyst", agency=INDUSTRY).post("/notices/drafts", data=data)
    assert reply.status_code == 422, reply.text
    assert f"field &#39;{field}&#39;" in reply.text or f"field '{field}'" in reply.text


def test_bad_ids_and_marks(world: NoticeWorld, drafted: int) -> None:
    client = world.server.client("analyst", agency=INDUSTRY)
    assert client.get("/notices/abc").status_code == 422
    assert client.get("/notices/99999999999").status_code == 422
    wrong = client.post(f"/notices/{drafted}/marks", data={"status": "sent"})
    assert wrong.status_code == 422
    conflict = client.post(f"/notices/{drafted}/marks", data={"status": "removed"})
    assert conflict.status_code == 409  # a drafted notice cannot be marked


def test_contacts_page_add_and_import(world: NoticeWorld) -> None:
    client = signed_in(world.server, "analyst", INDUSTRY)
    page = client.get("/notices/contacts")
    assert page.status_code == 200 and CONTACT_HOST in page.text
    added = client.post(
        "/notices/contacts",
        data={
            "csrf_token": csrf_of(page.text),
            "match": "AS64500",
            "name": "Transit <AS>",
            "email": "abuse@transit.example",
            "country": "DE",
            "form": "dsa",
        },
        follow_redirects=True,
    )
    assert added.status_code == 200
    assert "Transit &lt;AS&gt;" in added.text and "as64500" in added.text.lower()
    csv = b"host_or_domain,name,email,country\nmirror.example,Mirror,abuse@mirror.example,FR\n"
    imported = client.post(
        "/notices/contacts/import",
        data={"csrf_token": csrf_of(added.text)},
        files={"file": ("contacts.csv", csv, "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert 'id="imported"' in imported.text and "mirror.example" in imported.text
    assert "upload:contacts.csv" in imported.text and "/tmp" not in imported.text
    for odd in ("..", "../../etc/contacts.csv", ".hidden"):
        again = client.post(
            "/notices/contacts/import",
            data={"csrf_token": csrf_of(added.text)},
            files={"file": (odd, csv, "text/csv")},
        )
        assert again.status_code == 200, (odd, again.text[-400:])
        assert "1 unchanged" in again.text
    broken = client.post(
        "/notices/contacts/import",
        data={"csrf_token": csrf_of(added.text)},
        files={"file": ("bad.csv", b"host_or_domain,name,email,country\nx,,nope,ZZZ\n")},
    )
    assert broken.status_code == 422
    assert "bad.csv" in broken.text
    # a police analyst (who drafts) sees the contacts but no form, and may not post one
    police = world.server.client("analyst", agency=POLICE)
    shown = police.get("/notices/contacts")
    assert shown.status_code == 200 and "mirror.example" in shown.text
    assert 'id="add-contact"' not in shown.text and 'id="import-contacts"' not in shown.text
    refused = police.post(  # a Bearer client: no CSRF token needed, the rule answers
        "/notices/contacts",
        data={"match": "mirror.example", "name": "Elsewhere", "email": "abuse@elsewhere.example"},
    )
    assert refused.status_code == 403 and "industry agency" in refused.text
    assert "abuse@elsewhere.example" not in police.get("/notices/contacts").text


# ------------------------------------------------------------------ the chart


def _figure(
    key: str, median: float | None, p90: float | None, removed: int = 1
) -> TakedownFigureView:
    return TakedownFigureView(
        key=key,
        notices=2,
        locations=4,
        removed=removed,
        removed_share=removed / 4,
        median_hours=median,
        p90_hours=p90,
    )


def test_chart_writes_the_numbers_and_escapes_the_labels() -> None:
    svg = takedown_chart(
        [_figure("Evil <Host> & Co", 5.5, 30.0), _figure("Slow", None, None, removed=0)],
        title="Time to <takedown>",
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<Host>" not in svg and "Evil &lt;Host&gt; &amp; Co" in svg
    assert "Time to &lt;takedown&gt;" in svg
    assert "median 5.5 h · p90 30.0 h · 1 of 4 removed (25%)" in svg
    assert "no removal yet · 0 of 4 removed (0%)" in svg
    assert svg.count('class="median"') == 1 and svg.count('class="p90"') == 1
    assert "<script" not in svg


def test_chart_without_figures_says_so() -> None:
    assert "No notice sent yet." in takedown_chart([], title="t")


def test_hours_in_words() -> None:
    assert hours(None) == "–"
    assert hours(0.5) == "30 min"
    assert hours(12.25) == "12.2 h"
    assert hours(72) == "3.0 days"
    assert figure_text(_figure("x", 1.0, 1.0)) == "median 1.0 h · p90 1.0 h · 1 of 4 removed (25%)"


_NAMES = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60)
_HOURS = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))


@given(st.lists(st.tuples(_NAMES, _HOURS, _HOURS, st.integers(0, 4)), max_size=20))
def test_chart_is_well_formed_whatever_the_keys_and_figures(
    rows: list[tuple[str, float | None, float | None, int]],
) -> None:
    figures = [
        _figure(key, median, p90 if median is not None else None, removed)
        for key, median, p90, removed in rows
    ]
    root = ET.fromstring(takedown_chart(figures, title="per <provider>"))
    groups = list(root.iter(f"{_SVG}g"))
    assert len(groups) == len(figures)
    for figure, group in zip(figures, groups, strict=True):
        assert group.get("data-key") == figure.key
        written = [t.text or "" for t in group.iter(f"{_SVG}text")]
        assert figure_text(figure) in written  # the numbers, never colour alone


_FORM_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["leak", "work", "host", "since", "dmca", "dsa", "en", "it", "removed"]),
    st.integers(-5, 2**40).map(str),
)


def test_the_forms_never_answer_a_server_error(world: NoticeWorld, drafted: int) -> None:
    """Whatever a browser or a scanner posts to the draft and mark forms: no 5xx."""
    client = world.server.client("analyst", agency=INDUSTRY)

    @given(
        scope=_FORM_TEXT,
        value=_FORM_TEXT,
        urls=st.text(max_size=80),
        form=_FORM_TEXT,
        language=_FORM_TEXT,
        case_id=_FORM_TEXT,
    )
    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    def draft(scope: str, value: str, urls: str, form: str, language: str, case_id: str) -> None:
        data = {
            "scope": scope,
            "value": value,
            "urls": urls,
            "form": form,
            "language": language,
            "case_id": case_id,
        }
        reply = client.post("/notices/drafts", data=data)
        assert reply.status_code < 500, (data, reply.text[-500:])

    @given(status=_FORM_TEXT, location=st.text(max_size=60), at=_FORM_TEXT, note=_FORM_TEXT)
    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    def mark(status: str, location: str, at: str, note: str) -> None:
        data = {"status": status, "location": location, "at": at, "note": note}
        reply = client.post(f"/notices/{drafted}/marks", data=data)
        assert reply.status_code < 500, (data, reply.text[-500:])

    draft()
    mark()
