"""The TAXII 2.1 client against a real medallion and against hostile local servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.formats.source_errors import SourceError
from leaktrace.sources.retry_delays import parse_retry_after
from leaktrace.sources.taxii_client import (
    TAXII_MEDIA_TYPE,
    Page,
    TaxiiClient,
    envelope_page,
    pulled_origin,
)
from tests.medallion_server import MedallionServer, start_medallion
from tests.services.inbound_data import partner_objects
from tests.sources._servers import Reply, Request, http_server

USER, PASSWORD = "partner", "partner-secret"


@pytest.fixture(scope="module")
def medallion() -> Iterator[MedallionServer]:
    with start_medallion(("c", "empty"), {USER: PASSWORD}, max_content_length=50_000) as m:
        m.add("c", partner_objects())
        yield m


def client(medallion: MedallionServer, password: str = PASSWORD) -> TaxiiClient:
    return TaxiiClient(medallion.api_root, user=USER, password=password)


def test_pages_follow_next_with_the_same_filters(medallion: MedallionServer) -> None:
    with client(medallion) as taxii:
        pages = list(taxii.pages(medallion.collection_ids["c"], limit=4))
    assert [len(p.objects) for p in pages] == [4, 4, 4, 3]
    assert [p.more for p in pages] == [True, True, True, False]
    assert all(p.next for p in pages[:-1])
    ids = [o["id"] for p in pages for o in p.objects]
    assert sorted(ids) == sorted(o["id"] for o in partner_objects())
    # one POST: every object has the same date added; resuming mid-run goes 1 µs before
    last = pages[-1].date_added_last
    assert last is not None and pages[-1].resume_point() == last
    mid = pages[0].resume_point()
    assert mid is not None and mid < last
    with client(medallion) as taxii:
        again = list(taxii.pages(medallion.collection_ids["c"], added_after=mid, limit=100))
        after = list(taxii.pages(medallion.collection_ids["c"], added_after=last))
    assert len(again[0].objects) == len(partner_objects()) and after[0].objects == []


def test_post_follow_status_and_max_content_length(medallion: MedallionServer) -> None:
    with client(medallion) as taxii:
        assert taxii.max_content_length() == 50_000
        assert taxii.collection(medallion.collection_ids["empty"])["can_write"] is True
        status = taxii.wait_status(
            taxii.add_objects(medallion.collection_ids["empty"], partner_objects()[:3])
        )
        assert status["status"] == "complete" and status["success_count"] == 3
        assert taxii.status(status["id"])["id"] == status["id"]


def test_wrong_password_names_the_url_not_the_password(medallion: MedallionServer) -> None:
    with pytest.raises(SourceError) as caught, client(medallion, "hunter2-wrong") as taxii:
        list(taxii.pages(medallion.collection_ids["c"]))
    error = caught.value
    assert error.status == 401 and not error.transient
    assert medallion.api_root in str(error) and "hunter2" not in str(error)


def _envelope(objects: list[object], **extra: object) -> bytes:
    return json.dumps({"objects": objects, **extra}).encode()


def test_redirects_only_to_the_same_origin() -> None:
    def app(request: Request) -> Reply:
        if request.path == "/root/collections/c/objects/":
            return Reply(301, headers={"Location": "/moved/"}, content_type=None)
        if request.path == "/moved/":
            return Reply(200, _envelope([]), content_type=TAXII_MEDIA_TYPE)
        if request.path == "/evil/collections/c/objects/":
            return Reply(302, headers={"Location": "http://localhost:1/steal"}, content_type=None)
        return Reply(404, b"", content_type=None)

    with http_server(app) as server:
        with TaxiiClient(server.url + "/root/", user="u", password="pw") as taxii:
            assert list(taxii.pages("c"))[0].objects == []
        with (
            TaxiiClient(server.url + "/evil/", user="u", password="pw") as taxii,
            pytest.raises(SourceError, match="redirect to another host refused"),
        ):
            list(taxii.pages("c"))
        assert all(seen.path != "/steal" for seen in server.seen)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, b"x" * 5000, content_type=TAXII_MEDIA_TYPE), "over the 2048-byte limit"),
        (Reply(200, b"<html>", content_type="text/html"), "unexpected content type"),
        (Reply(200, b"{not json", content_type=TAXII_MEDIA_TYPE), "not JSON"),
        (Reply(200, b"[]", content_type=TAXII_MEDIA_TYPE), "not a JSON object"),
        (Reply(200, _envelope({"a": 1}), content_type=TAXII_MEDIA_TYPE), "not a list"),  # type: ignore[arg-type]
        (
            Reply(
                503,
                json.dumps({"title": "Busy", "description": "later"}).encode(),
                headers={"Retry-After": "7"},
                content_type=TAXII_MEDIA_TYPE,
            ),
            "HTTP 503 \\(Busy: later\\)",
        ),
    ],
)
def test_bad_replies_are_clear_errors_naming_the_url(reply: Reply, message: str) -> None:
    with (
        http_server(lambda request: reply) as server,
        TaxiiClient(server.url + "/r/", max_bytes=2048) as taxii,
        pytest.raises(SourceError, match=message) as caught,
    ):
        list(taxii.pages("c"))
    assert server.url in str(caught.value)
    if reply.status == 503:
        assert caught.value.transient and caught.value.retry_after == 7


def test_more_without_next_pages_by_added_after_and_never_loops() -> None:
    stamps = ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00.000002Z"]

    def app(request: Request) -> Reply:
        after = request.query.get("added_after")
        if after is None:
            body, last, more = [{"n": 1}], stamps[0], True
        elif after == stamps[0]:
            body, last, more = [{"n": 2}], stamps[1], True
        else:  # a confused peer: says more, but the date does not move
            body, last, more = [{"n": 3}], stamps[1], True
        return Reply(
            200,
            _envelope(body, more=more),  # type: ignore[arg-type]
            headers={"X-TAXII-Date-Added-Last": last},
            content_type=TAXII_MEDIA_TYPE,
        )

    with http_server(app) as server, TaxiiClient(server.url + "/r/") as taxii:
        pages = list(taxii.pages("c"))
    assert [p.objects for p in pages] == [[{"n": 1}], [{"n": 2}], [{"n": 3}]]
    assert [s.query.get("added_after") for s in server.seen] == [None, stamps[0], stamps[1]]


def test_ids_cannot_climb_out_of_the_api_root() -> None:
    with TaxiiClient("http://127.0.0.1:9/r/") as taxii, pytest.raises(SourceError, match="id"):
        list(taxii.pages("../../admin"))
    with pytest.raises(SourceError, match="http"):
        TaxiiClient("ftp://example.org/")


@given(header=st.text(max_size=40), more=st.booleans())
def test_any_date_added_header_gives_a_resume_point_or_a_clear_error(
    header: str, more: bool
) -> None:
    page = Page("http://peer/", [], more, None, None, header)
    try:
        point = page.resume_point()
    except SourceError as exc:
        assert "X-TAXII-Date-Added-Last" in str(exc)
    else:
        assert point is not None and (more or point == header)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["objects", "more", "next", "x"]), children, max_size=4)
    ),
    max_leaves=12,
)


@given(body=_JSON, first=st.none() | st.text(max_size=80), last=st.none() | st.text(max_size=80))
def test_any_envelope_gives_a_page_or_a_clear_error(
    body: object, first: str | None, last: str | None
) -> None:
    try:
        page = envelope_page("http://peer/objects/", body, first=first, last=last)
    except SourceError as exc:
        assert "http://peer/objects/" in str(exc) and not exc.transient
    else:
        assert isinstance(page.objects, list)
        assert page.more is (isinstance(body, dict) and body.get("more") is True)
        assert page.next is None or (isinstance(page.next, str) and page.next)
        for stamp in (page.date_added_first, page.date_added_last):
            assert stamp is None or 0 < len(stamp) <= 64


def test_a_pending_status_is_followed_until_it_completes() -> None:
    answers = iter(["pending", "pending", "complete"])

    def app(request: Request) -> Reply:
        assert request.path == "/r/status/s-1/"
        state = next(answers)
        body = {"id": "s-1", "status": state, "total_count": 2, "success_count": 2}
        return Reply(200, json.dumps(body).encode(), content_type=TAXII_MEDIA_TYPE)

    with http_server(app) as server, TaxiiClient(server.url + "/r/") as taxii:
        final = taxii.wait_status({"id": "s-1", "status": "pending"})
    assert final["status"] == "complete" and len(server.seen) == 3


# ---------------------------------------------------------------- hostile peers (review M2)

_HOSTILE_STATE: dict[str, Reply] = {}


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    """One local server answering whatever reply a test puts in ``_HOSTILE_STATE``."""
    with http_server(lambda request: _HOSTILE_STATE["reply"]) as server:
        yield server.url + "/r/"


def _ask(api_root: str, reply: Reply) -> Page | SourceError:
    _HOSTILE_STATE["reply"] = reply
    with TaxiiClient(api_root, max_bytes=200_000) as taxii:
        try:
            return next(taxii.pages("c"))
        except SourceError as exc:
            return exc


def test_deeply_nested_json_is_a_clear_error_not_a_traceback(hostile: str) -> None:
    for status in (200, 500):
        answer = _ask(hostile, Reply(status, b"[" * 50_000, content_type=TAXII_MEDIA_TYPE))
        assert isinstance(answer, SourceError)
        assert hostile in str(answer)
        if status == 200:
            assert "nested too deeply" in str(answer)


def test_a_non_ascii_digit_retry_after_is_ignored(hostile: str) -> None:
    answer = _ask(hostile, Reply(503, b"{}", headers={"Retry-After": "\u00b2"}))
    assert isinstance(answer, SourceError) and answer.transient
    assert answer.retry_after is None


_LATIN1_HEADER = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=30,
)
_BODIES = st.one_of(
    st.binary(max_size=300),
    st.integers(1, 30_000).map(lambda n: b"[" * n),
    st.integers(1, 30_000).map(lambda n: b'{"objects":' * n),
    _JSON.map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=60, deadline=None)
@given(
    status=st.sampled_from([200, 206, 400, 401, 404, 429, 500, 503]),
    body=_BODIES,
    content_type=st.sampled_from([TAXII_MEDIA_TYPE, "application/json", "text/html", None]),
    retry_after=st.none() | _LATIN1_HEADER,
    length=st.none() | _LATIN1_HEADER,
    date_added=st.none() | _LATIN1_HEADER,
)
def test_any_reply_is_a_page_or_a_source_error_naming_the_url(
    hostile: str,
    status: int,
    body: bytes,
    content_type: str | None,
    retry_after: str | None,
    length: str | None,
    date_added: str | None,
) -> None:
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if length is not None:
        headers["X-Content-Length-Hint"] = length
    if date_added is not None:
        headers["X-TAXII-Date-Added-Last"] = date_added
    answer = _ask(hostile, Reply(status, body, headers=headers, content_type=content_type))
    if isinstance(answer, SourceError):
        assert hostile in str(answer)
        assert answer.retry_after is None or 0 <= answer.retry_after <= 7 * 86400
    else:
        assert 200 <= status < 300 and isinstance(answer.objects, list)
        try:
            answer.resume_point()
        except SourceError as exc:
            assert "X-TAXII-Date-Added-Last" in str(exc)


@given(
    value=st.none() | st.text(max_size=40) | st.text("0123456789\u00b2\u0663\u2460 ", max_size=8)
)
def test_any_retry_after_is_none_or_a_bounded_delay(value: str | None) -> None:
    delay = parse_retry_after(value)
    assert delay is None or 0 <= delay <= 7 * 86400


# ---------------------------------------------------------------- review M3, M6


def test_a_peer_repeating_the_same_page_and_next_token_is_stopped(hostile: str) -> None:
    loop = Reply(
        200,
        _envelope([], more=True, next="again"),
        headers={"X-TAXII-Date-Added-Last": "2026-01-01T00:00:00.000000Z"},
        content_type=TAXII_MEDIA_TYPE,
    )
    _HOSTILE_STATE["reply"] = loop
    pages = 0
    with (
        TaxiiClient(hostile) as taxii,
        pytest.raises(SourceError, match="same page with the same next token") as caught,
    ):
        for _page in taxii.pages("c"):
            pages += 1
            assert pages < 10, "the loop was not stopped"
    assert pages == 2 and hostile in str(caught.value)


def test_a_next_token_kept_over_a_session_with_new_pages_is_followed() -> None:
    """medallion keeps one next token for a paging session: a token alone may repeat."""
    served = iter(range(3))

    def app(request: Request) -> Reply:
        number = next(served)
        more = number < 2
        body = _envelope([{"n": number}], more=more, **({"next": "session"} if more else {}))
        return Reply(200, body, content_type=TAXII_MEDIA_TYPE)

    with http_server(app) as server, TaxiiClient(server.url + "/r/") as taxii:
        assert [page.objects for page in taxii.pages("c")] == [[{"n": 0}], [{"n": 1}], [{"n": 2}]]


def test_credentials_in_an_api_root_are_refused_and_never_shown() -> None:
    with pytest.raises(InputError, match="--user and --password-env") as caught:
        TaxiiClient("http://alice:S3cretPW@127.0.0.1:9/api/")
    assert "S3cretPW" not in str(caught.value)
    assert pulled_origin("http://alice:S3cretPW@peer/api/?token=T0k", "c") == (
        "pulled http://peer/api/?token=*** c"
    )
