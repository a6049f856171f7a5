"""The matcher tries the other titles a name gives (``ParsedRelease.aliases``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leaktrace.catalog import Work
from leaktrace.matching import Matcher
from leaktrace.releases.model import ParsedRelease

WORKS = [
    Work(
        id="master",
        kind="movie",
        title="Мастер и Маргарита",
        year=2024,
        aliases=("The Master and Margarita",),
    ),
    Work(id="dune", kind="movie", title="Dune", year=2021, aliases=("Дюна",)),
    Work(id="wandering", kind="movie", title="流浪地球", year=2019),
    # two works known by one Russian title: an alias naming them is ambiguous
    Work(id="crew-2016", kind="movie", title="Экипаж", year=2016, aliases=("Flight Crew",)),
    Work(id="crew-2016b", kind="movie", title="The Crew Again", year=2016, aliases=("Экипаж",)),
    Work(id="office-s02", kind="season", title="The Office", year=2005, season=2),
    Work(id="office-film", kind="movie", title="Офис", year=2005),
]


@pytest.fixture
def matcher() -> Matcher:
    return Matcher(WORKS)


def release(
    title: str | None, *aliases: str, year: int | None = 2024, **more: object
) -> ParsedRelease:
    return replace(ParsedRelease(name="x", title=title, aliases=tuple(aliases), year=year), **more)


def test_an_alias_matches_when_the_title_is_not_in_the_catalogue(matcher: Matcher) -> None:
    result = matcher.match(release("Unknown Original Title", "Мастер и Маргарита"))
    assert result.work_id == "master"
    assert result.score >= matcher.threshold
    assert "title in the name 'Мастер и Маргарита' (an alias in the name) equals" in result.reason
    assert "year 2024" in result.reason


def test_script_titles_are_compared_without_case_or_marks(matcher: Matcher) -> None:
    # an alias written in capitals with a stress mark still equals the catalogue title
    assert matcher.match(release(None, "МА́СТЕР И МАРГАРИТА")).work_id == "master"
    assert matcher.match(release("Liulang Diqiu", "流浪地球", year=2019)).work_id == "wandering"


def test_aliases_are_tried_in_name_order_after_the_title(matcher: Matcher) -> None:
    result = matcher.match(release("Nothing Like It", "Nor This", "Дюна", year=2021))
    assert result.work_id == "dune"
    assert "'Дюна' (an alias in the name)" in result.reason


def test_an_alias_never_overrides_a_match_of_the_title(matcher: Matcher) -> None:
    # the title matches Dune; the alias names another work: the title's match stands
    result = matcher.match(release("Dune", "Мастер и Маргарита", year=2021))
    assert result.work_id == "dune"
    assert "an alias in the name" not in result.reason
    # the title matches with a year one off; the alias would match exactly: still the title
    near = matcher.match(release("The Master and Margarita", "Дюна", year=2023))
    assert near.work_id == "master"
    assert "one off" in near.reason


def test_an_ambiguous_alias_refuses(matcher: Matcher) -> None:
    result = matcher.match(release("Unknown Title", "Экипаж", year=2016))
    assert result.work_id is None
    assert "ambiguous" in result.reason


def test_aliases_naming_different_works_refuse(matcher: Matcher) -> None:
    result = matcher.match(release("Unknown Title", "Дюна", "Flight Crew", year=None))
    assert result.work_id is None
    assert "ambiguous" in result.reason


def test_an_alias_follows_the_rules_of_kind_and_year(matcher: Matcher) -> None:
    # an episode whose alias names a film is not that film
    episode = release(
        "Unknown Show", "Офис", year=None, kind="episode", seasons=(2,), episodes=(3,)
    )
    result = matcher.match(episode)
    assert result.work_id is None
    assert "alias 'Офис'" in result.reason
    # a year two off refuses through an alias as through the title
    far = matcher.match(release("Unknown Title", "Мастер и Маргарита", year=2021))
    assert far.work_id is None
    assert "year 2024" in far.reason


def test_the_title_reason_comes_first_when_nothing_matches(matcher: Matcher) -> None:
    result = matcher.match(release("Unknown Title", "Неизвестно"))
    assert result.work_id is None
    assert result.reason.startswith("no catalogue title like 'unknown title'")
    assert "alias 'Неизвестно'" in result.reason


def test_the_cache_keeps_aliases_apart(matcher: Matcher) -> None:
    plain = matcher.match(release("Unknown Title"))
    with_alias = matcher.match(release("Unknown Title", "Мастер и Маргарита"))
    other_alias = matcher.match(release("Unknown Title", "Дюна", year=2021))
    again = matcher.match(release("Unknown Title", "Мастер и Маргарита"))
    assert plain.work_id is None
    assert with_alias.work_id == "master"
    assert other_alias.work_id == "dune"
    assert again == with_alias
