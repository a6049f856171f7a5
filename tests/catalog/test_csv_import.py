from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from leaktrace.catalog import read_catalog
from leaktrace.errors import CatalogError

HEADER = "id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast\n"


def write(tmp_path: Path, body: str, header: str = HEADER, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_reads_contract_columns(catalog_csv: Path) -> None:
    works = {w.id: w for w in read_catalog(catalog_csv)}
    it = works["it-2017"]
    assert (it.kind, it.title, it.year, it.season) == ("movie", "It", 2017, None)
    assert it.aliases == ("Es", "Ça")
    assert it.theatrical == date(2017, 9, 8)
    assert it.physical == date(2018, 1, 9)
    assert it.broadcast is None


def test_country_comes_from_title_suffix(catalog_csv: Path) -> None:
    works = {w.id: w for w in read_catalog(catalog_csv)}
    assert works["office-us-s04"].title == "The Office"
    assert works["office-us-s04"].country == "US"
    assert works["office-us-s04"].season == 4
    assert works["office-uk-s01"].country is None


def test_unknown_columns_are_ignored(catalog_csv: Path) -> None:
    # the fixture has an extra "notes" column
    assert len(read_catalog(catalog_csv)) == 17


def test_country_column_and_uk_is_gb(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s1,season,Shameless,2011,1,,,,,2011-01-09,uk\n",
        header=HEADER.rstrip("\n") + ",country\n",
    )
    assert read_catalog(path)[0].country == "GB"


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("x,film,T,2000,,,,,,", "kind", "not a kind"),
        ("x,movie,,2000,,,,,,", "title", "empty title"),
        ("x,movie,T,20x0,,,,,,", "year", "not a whole number"),
        ("x,movie,T,1200,,,,,,", "year", "out of range"),
        ("x,movie,T,2000,,,2000-13-01,,,", "theatrical", "not a date"),
        ("x,movie,T,2000,,,01/02/2000,,,", "theatrical", "not a date"),
        ("x,season,T,2000,,,,,,", "season", "needs its season number"),
        ("x,movie,T,2000,3,,,,,", "season", "no season number"),
        ("bad id!,movie,T,2000,,,,,,", "id", "not a valid id"),
    ],
)
def test_bad_rows_name_line_and_field(tmp_path: Path, row: str, field: str, reason: str) -> None:
    path = write(tmp_path, "ok,movie,Fine,2001,,,,,,\n" + row + "\n")
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    error = info.value
    assert error.line == 3
    assert error.field == field
    assert reason in error.reason
    assert str(path) in str(error)


def test_all_problems_are_collected(tmp_path: Path) -> None:
    path = write(tmp_path, "a,film,T,,,,,,,\nb,movie,,,,,,,,\nc,movie,T,abc,,,,,,\n")
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    assert [info.value.line] + [e.line for e in info.value.more] == [2, 3, 4]


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a,movie,T,2000,,,,,,\na,movie,U,2001,,,,,,\n")
    with pytest.raises(CatalogError, match="duplicate id 'a'") as info:
        read_catalog(path)
    assert info.value.line == 3


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(HEADER.encode() + b"a,movie,T,2000,,,,,,\nb,movie,Caf\xe9,2000,,,,,,\n")
    with pytest.raises(CatalogError, match="UTF-8") as info:
        read_catalog(path)
    assert info.value.line == 3


def test_unknown_header(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2\n", header="foo,bar\n")
    with pytest.raises(CatalogError, match="unknown catalogue header"):
        read_catalog(path)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CatalogError, match="empty file"):
        read_catalog(empty)
    with pytest.raises(CatalogError, match="cannot read"):
        read_catalog(tmp_path / "missing.csv")


def test_too_many_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "a,movie,T,2000,,,,,,,,,extra\n")
    with pytest.raises(CatalogError, match="cells"):
        read_catalog(path)


def test_tmdb_layout(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "19995,tt0499549,Avatar,Avatar,en,2009,2009-12-10\n"
        "11,tt0076759,Star Wars,Star Wars,en,1977,1977-05-25\n"
        "129,tt0245429,Spirited Away,千と千尋の神隠し,ja,2001,2001-07-20\n"
        "380097,,A Film Without Date,A Film Without Date,en,,\n",
        header="tmdb_id,imdb_id,title,original_title,original_language,year,release_date\n",
    )
    works = {w.id: w for w in read_catalog(path)}
    spirited = works["tmdb:129"]
    assert spirited.aliases == ("千と千尋の神隠し",)
    assert spirited.theatrical == date(2001, 7, 20)
    assert spirited.imdb_id == "tt0245429"
    assert spirited.tmdb_id == 129
    assert works["tmdb:19995"].aliases == ()
    assert works["tmdb:380097"].year is None
