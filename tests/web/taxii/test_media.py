"""``Accept`` and ``Content-Type`` are outside data: the parsers never raise, and they
take exactly TAXII 2.1 JSON (or a wildcard, for ``Accept``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.web.taxii.media import (
    TAXII_MEDIA_TYPE,
    accepts_taxii,
    is_taxii_content,
    is_taxii_path,
    media_ranges,
    taxii_error_body,
)

_HEADER = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "application/taxii+json",
                "version=2.1",
                "version=2.0",
                "q=0",
                "q=x",
                "*/*",
                ";",
                ",",
                "text/html",
                " ",
                "=",
                '"',
                "application/*",
            ]
        ),
        max_size=12,
    ).map("".join),
)


@given(_HEADER)
def test_the_parsers_never_raise(header: str) -> None:
    assert isinstance(accepts_taxii(header), bool)
    assert isinstance(is_taxii_content(header), bool)
    for name, params in media_ranges(header):
        assert name.count("/") == 1 and all(isinstance(v, str) for v in params.values())
    if is_taxii_content(header) and not _refusing(media_ranges(header)[0][1]):
        # the TAXII type as an Accept is accepted too, unless its q refuses it
        assert accepts_taxii(header)


def _refusing(params: dict[str, str]) -> bool:
    """A q of 0, or a number out of 0..1 (NaN included), refuses; a malformed q is ignored."""
    try:
        q = float(params.get("q", "1") or "1")
    except ValueError:
        return False
    return not 0 < q <= 1


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (None, True),
        ("", True),
        (TAXII_MEDIA_TYPE, True),
        ("application/taxii+json", True),
        ("Application/TAXII+JSON; Version=2.1", True),
        ("text/html;q=0.9, */*;q=0.1", True),
        ("application/json", False),
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json;version=2.1;q=0", False),
        ("*/*;q=0", False),
        ("garbage", False),
    ],
)
def test_accept(header: str | None, accepted: bool) -> None:
    assert accepts_taxii(header) is accepted


@pytest.mark.parametrize(
    ("header", "taken"),
    [
        (TAXII_MEDIA_TYPE, True),
        ("application/taxii+json", True),
        ("application/taxii+json; version=2.1; charset=utf-8", True),
        (None, False),
        ("", False),
        ("application/json", False),
        ("*/*", False),
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json, application/json", False),
    ],
)
def test_content_type(header: str | None, taken: bool) -> None:
    assert is_taxii_content(header) is taken


def test_error_body_and_paths() -> None:
    body = taxii_error_body(404, "no collection 'x'", {"kind": "collection"})
    assert body == {
        "title": "Not found",
        "description": "no collection 'x'",
        "http_status": "404",
        "details": {"kind": "collection"},
    }
    assert is_taxii_path("/taxii2/") and is_taxii_path("/taxii2")
    assert not is_taxii_path("/taxii20/") and not is_taxii_path("/api/v1/taxii2/")
