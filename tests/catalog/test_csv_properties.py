"""Property tests: any catalogue file gives works or a CatalogError, never a crash."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.catalog import Work, read_catalog
from leaktrace.errors import CatalogError

HEADER = "id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast\n"


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_after_header(tmp_path_factory: pytest.TempPathFactory, body: bytes) -> None:
    path = tmp_path_factory.mktemp("cat") / "c.csv"
    path.write_bytes(HEADER.encode() + body)
    try:
        works = read_catalog(path)
    except CatalogError as exc:
        assert exc.file == str(path)
        return
    assert all(isinstance(w, Work) for w in works)


@settings(max_examples=200)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=12), max_size=6))
def test_any_cells(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    path = tmp_path_factory.mktemp("cat") / "c.csv"
    path.write_text(HEADER + buffer.getvalue(), encoding="utf-8")
    try:
        read_catalog(path)
    except CatalogError as exc:
        assert exc.line is not None and exc.line >= 1


titles = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=40
).filter(lambda t: t.strip() and "|" not in t)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(titles, st.integers(1900, 2099), st.dates(date(1990, 1, 1))),
        min_size=1,
        max_size=8,
    )
)
def test_valid_rows_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, int, date]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for index, (title, year, day) in enumerate(rows):
        writer.writerow([f"w{index}", "movie", title, year, "", "", day.isoformat(), "", "", ""])
    path = tmp_path_factory.mktemp("cat") / "c.csv"
    path.write_text(HEADER + buffer.getvalue(), encoding="utf-8")
    works = read_catalog(path)
    assert [(w.year, w.theatrical) for w in works] == [(y, d) for _, y, d in rows]
    assert all(
        w.title == " ".join(t.split()) or w.country
        for w, (t, _, _) in zip(works, rows, strict=True)
    )
