"""Read catalogue files: LeakTrace's own CSV and the TMDB-style CSV.

LeakTrace CSV (the contract): a header row with
``id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast``; ``kind`` is
``movie`` or ``season``; ``aliases`` separated by ``|``; dates ``YYYY-MM-DD`` or empty;
optional ``country``, ``imdb_id`` and ``tmdb_id`` columns; unknown columns ignored.

TMDB CSV: ``tmdb_id,imdb_id,title,original_title,year,release_date,...``; each row is a
film with id ``tmdb:<tmdb_id>``, ``original_title`` as alias and ``release_date`` as the
theatrical date.

Both readers validate every row and raise :class:`CatalogError` naming the file, line
and field of the first problem (with up to 20 further problems in ``more``), so an
import either takes the whole file or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from leaktrace.catalog.model import Work, WorkKind
from leaktrace.errors import CatalogError
from leaktrace.formats.csvtable import open_csv, read_bytes

__all__ = ["CatalogFormat", "read_catalog", "detect_format"]

CatalogFormat = Literal["auto", "leaktrace", "tmdb"]

LEAKTRACE_COLUMNS = (
    "id",
    "kind",
    "title",
    "year",
    "season",
    "aliases",
    "theatrical",
    "digital",
    "physical",
    "broadcast",
)
TMDB_COLUMNS = ("tmdb_id", "title", "original_title", "year", "release_date")
MAX_ERRORS = 20
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_IMDB_RE = re.compile(r"^tt\d{5,10}$")
_TITLE_COUNTRY_RE = re.compile(
    r"^(?P<title>.+?)\s*\((?P<country>US|UK|GB|AU|CA|NZ|IE|FR|DE|IT|ES|NL|BE|SE|DK|NO|FI|JP|KR|IN|BR|MX)\)$"
)
_COUNTRY_ALIASES = {"UK": "GB"}


class _RowError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def detect_format(header: list[str]) -> Literal["leaktrace", "tmdb"] | None:
    names = {h.strip().lower() for h in header}
    if {"id", "kind", "title"} <= names:
        return "leaktrace"
    if {"tmdb_id", "title"} <= names:
        return "tmdb"
    return None


def read_catalog(path: Path, fmt: CatalogFormat = "auto") -> list[Work]:
    """Read and validate a whole catalogue file. Raises CatalogError, never half-reads."""
    name = str(path)
    header, records = open_csv(read_bytes(path, CatalogError), name, CatalogError)
    found = detect_format(header)
    chosen = found if fmt == "auto" else fmt
    if chosen is None:
        raise CatalogError(
            "unknown catalogue header: expected columns "
            f"{','.join(LEAKTRACE_COLUMNS)} (or a TMDB CSV with {','.join(TMDB_COLUMNS)})",
            file=name,
            line=1,
        )
    required = ("id", "kind", "title") if chosen == "leaktrace" else ("tmdb_id", "title")
    missing = [c for c in required if c not in header]
    if missing:
        raise CatalogError(
            f"missing column(s): {', '.join(missing)}", file=name, line=1, field=missing[0]
        )
    convert: Callable[[dict[str, str]], Work] = (
        _leaktrace_row if chosen == "leaktrace" else _tmdb_row
    )
    works: list[Work] = []
    errors: list[CatalogError] = []
    seen: dict[str, int] = {}
    for lineno, record in records:
        try:
            work = convert(record)
        except _RowError as exc:
            errors.append(CatalogError(exc.reason, file=name, line=lineno, field=exc.field))
            if len(errors) > MAX_ERRORS:
                break
            continue
        if work.id in seen:
            errors.append(
                CatalogError(
                    f"duplicate id {work.id!r} (first on line {seen[work.id]})",
                    file=name,
                    line=lineno,
                    field="id",
                )
            )
            continue
        seen[work.id] = lineno
        works.append(work)
    if errors:
        first = errors[0]
        first.more = list(errors[1:])
        raise first
    return works


def _date(record: dict[str, str], column: str) -> date | None:
    value = record.get(column, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(column, value)
    except ValueError:
        return _bad_date(column, value)


def _bad_date(column: str, value: str) -> date:
    raise _RowError(column, f"{value!r} is not a date (expected YYYY-MM-DD)")


def _int(record: dict[str, str], column: str, low: int, high: int) -> int | None:
    value = record.get(column, "")
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise _RowError(column, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise _RowError(column, f"{number} is out of range {low}..{high}")
    return number


def _title(record: dict[str, str]) -> tuple[str, str | None]:
    title = " ".join(record.get("title", "").split())
    if not title:
        raise _RowError("title", "empty title")
    if len(title) > 300:
        raise _RowError("title", f"title is {len(title)} characters long (at most 300)")
    match = _TITLE_COUNTRY_RE.match(title)
    if match:
        country = match.group("country")
        return match.group("title"), _COUNTRY_ALIASES.get(country, country)
    return title, None


def _country(record: dict[str, str], from_title: str | None) -> str | None:
    value = record.get("country", "").upper()
    if not value:
        return from_title
    value = _COUNTRY_ALIASES.get(value, value)
    if not _COUNTRY_RE.match(value):
        raise _RowError("country", f"{value!r} is not a two-letter country code")
    return value


def _imdb(record: dict[str, str]) -> str | None:
    value = record.get("imdb_id", "")
    if not value:
        return None
    if not _IMDB_RE.match(value):
        raise _RowError("imdb_id", f"{value!r} is not an IMDb id (tt1234567)")
    return value


def _leaktrace_row(record: dict[str, str]) -> Work:
    work_id = record.get("id", "")
    if not _ID_RE.match(work_id):
        raise _RowError("id", f"{work_id!r} is not a valid id (1-64 of A-Z a-z 0-9 . _ : / -)")
    kind_text = record.get("kind", "").lower()
    if kind_text not in ("movie", "season"):
        raise _RowError("kind", f"{kind_text!r} is not a kind (movie or season)")
    kind: WorkKind = "movie" if kind_text == "movie" else "season"
    title, title_country = _title(record)
    season = _int(record, "season", 0, 999)
    if kind == "season" and season is None:
        raise _RowError("season", "a season needs its season number")
    if kind == "movie" and season is not None:
        raise _RowError("season", "a movie has no season number")
    aliases = tuple(
        dict.fromkeys(
            a
            for a in (" ".join(part.split()) for part in record.get("aliases", "").split("|"))
            if a and a != title
        )
    )
    return Work(
        id=work_id,
        kind=kind,
        title=title,
        year=_int(record, "year", 1870, 2100),
        season=season,
        aliases=aliases,
        theatrical=_date(record, "theatrical"),
        digital=_date(record, "digital"),
        physical=_date(record, "physical"),
        broadcast=_date(record, "broadcast"),
        country=_country(record, title_country),
        imdb_id=_imdb(record),
        tmdb_id=_int(record, "tmdb_id", 1, 10**10),
    )


def _tmdb_row(record: dict[str, str]) -> Work:
    tmdb_id = _int(record, "tmdb_id", 1, 10**10)
    if tmdb_id is None:
        raise _RowError("tmdb_id", "empty tmdb_id")
    title, _ = _title(record)
    original = " ".join(record.get("original_title", "").split())
    theatrical = _date(record, "release_date")
    year = _int(record, "year", 1870, 2100)
    if year is None and theatrical is not None:
        year = theatrical.year
    return Work(
        id=f"tmdb:{tmdb_id}",
        kind="movie",
        title=title,
        year=year,
        aliases=(original,) if original and original != title else (),
        theatrical=theatrical,
        imdb_id=_imdb(record),
        tmdb_id=tmdb_id,
    )
