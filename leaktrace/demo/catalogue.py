"""The demo's catalogue of protected works: the fictional films (with release dates drawn
for the scenario's year), the older catalogue titles, and the TV seasons."""

from __future__ import annotations

from datetime import date, timedelta

from leaktrace.catalog.model import Work
from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import _FILMS, _OLDER, _SCREENER_FILM, _SHOWS, _Film
from leaktrace.demo.premise import SCENARIO_START

__all__ = ["build_catalogue"]


def build_catalogue(builder: ScenarioBuilder) -> dict[str, _Film]:
    """Fill ``builder.works`` (and the titles the CSV spells) and return the films by id."""
    rng = builder.rng
    films: dict[str, _Film] = {}
    for film in _FILMS:
        films[film.id] = film
        if film.streaming_first:
            theatrical = None
            digital = SCENARIO_START + timedelta(days=rng.randint(30, 290))
        else:
            theatrical = date(2024, 11, 15) + timedelta(days=rng.randint(0, 300))
            digital = theatrical + timedelta(days=rng.randint(28, 75))
        physical = (
            digital + timedelta(days=rng.randint(12, 42))
            if rng.random() < 0.88 or film.id == _SCREENER_FILM
            else None
        )
        year = theatrical.year if theatrical else digital.year
        builder.works.append(
            Work(
                film.id,
                "movie",
                film.title,
                year,
                aliases=tuple(alias for _, alias in film.aliases),
                theatrical=theatrical,
                digital=digital,
                physical=physical,
            )
        )
        builder.csv_titles[film.id] = film.title
    for work in _OLDER:
        builder.works.append(work)
        builder.csv_titles[work.id] = work.title
    for show in _SHOWS:
        builder.works.append(
            Work(
                show.id,
                "season",
                show.title,
                show.year,
                show.season,
                broadcast=show.premiere,
                country=show.country,
            )
        )
        builder.csv_titles[show.id] = show.csv_title
    return films
