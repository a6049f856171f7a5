"""TAXII's query parameters are outside data: whatever a client sends, reading them gives
a query or an InputError naming the parameter, never anything else."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.services.taxii_paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    TaxiiFilters,
    next_token,
    page_limit,
    read_next,
    to_query,
)

_TEXT = st.one_of(st.none(), st.text(max_size=80), st.from_regex(r"[0-9a-zA-Z,\-:.TZ]{0,40}"))


@given(st.one_of(st.none(), st.text(max_size=30), st.integers().map(str)))
def test_page_limit_is_a_size_or_an_input_error(text: str | None) -> None:
    try:
        limit = page_limit(text)
    except InputError as exc:
        assert exc.field == "limit"
    else:
        assert 1 <= limit <= MAX_LIMIT


def test_page_limit_defaults_and_caps() -> None:
    assert page_limit(None) == DEFAULT_LIMIT
    assert page_limit("7") == 7
    assert page_limit(str(MAX_LIMIT * 10)) == MAX_LIMIT
    for bad in ("0", "-1", "1.5", "ten", "١٢"):
        with pytest.raises(InputError):
            page_limit(bad)


@given(st.text(max_size=300))
def test_a_next_token_is_ours_or_an_input_error(token: str) -> None:
    try:
        position = read_next(token)
    except InputError as exc:
        assert exc.field == "next"
    else:
        assert position is None or all(isinstance(value, str) for value in position)


@given(
    st.datetimes(
        min_value=datetime(1000, 1, 1),
        max_value=datetime(9999, 1, 1),
    ),
    st.uuids(),
)
def test_next_tokens_round_trip(moment: datetime, key: uuid.UUID) -> None:
    added = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    stix_id = f"indicator--{key}"
    assert read_next(next_token(added, stix_id, added)) == (added, stix_id, added)


@given(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT)
def test_any_filters_give_a_query_or_an_input_error(
    added_after: str | None,
    ids: str | None,
    types: str | None,
    versions: str | None,
    spec: str | None,
    token: str | None,
) -> None:
    filters = TaxiiFilters(
        next=token,
        added_after=added_after,
        match_id=ids,
        match_type=types,
        match_version=versions,
        match_spec_version=spec,
    )
    try:
        query = to_query(filters, limit=10)
    except InputError as exc:
        assert exc.field in {
            "next",
            "added_after",
            "match[id]",
            "match[type]",
            "match[version]",
            "match[spec_version]",
        }
    else:
        assert query.limit == 11
        assert query.versions


def test_filters_are_read_as_taxii_says() -> None:
    query = to_query(
        TaxiiFilters(
            added_after="2026-01-01T00:00:00Z",
            match_id="indicator--1,indicator--1, malware--2",
            match_type="indicator",
            match_version="first,2026-02-01T00:00:00.5Z",
            match_spec_version="2.0,2.1",
        ),
        limit=5,
    )
    assert query.added_after == "2026-01-01T00:00:00.000000Z"
    assert query.ids == ("indicator--1", "malware--2")
    assert query.types == ("indicator",)
    assert query.versions == ("first", "2026-02-01T00:00:00.500000Z")
    assert query.spec_versions == ("2.0", "2.1")
    assert to_query(TaxiiFilters(), limit=5).versions == ("last",)
    fixed = to_query(
        TaxiiFilters(match_type="x"), limit=5, ids=("a",), types=False, versions=("all",)
    )
    assert (fixed.ids, fixed.types, fixed.versions) == (("a",), (), ("all",))
