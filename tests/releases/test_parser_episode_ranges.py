"""Episode ranges after a season marker, bracketed episode numbers, anime episodes after a
season word, anime number ranges (issue 14: Indian web series, anime batches)."""

from __future__ import annotations

import pytest

from leaktrace.releases.parser import _parse


@pytest.mark.parametrize(
    ("name", "seasons", "episodes"),
    [
        ("Kota Diaries S02 EP01-07 Hindi 1080p AMZN WEB-DL DDP5.1 H264", (2,), tuple(range(1, 8))),
        ("Kota Diaries S02 E01-E06 Hindi 720p NF WEBRip", (2,), tuple(range(1, 7))),
        ("Kota Diaries S03 E02-05 Tamil 720p WEB-DL", (3,), (2, 3, 4, 5)),
        ("Kota Diaries (2024) S01 EP (01-05) - Tamil WEB-DL - 1080p", (1,), (1, 2, 3, 4, 5)),
        ("Some Show Episode [7] 720p WEB-DL", (), (7,)),
    ],
)
def test_episode_ranges_after_a_season(
    name: str, seasons: tuple[int, ...], episodes: tuple[int, ...]
) -> None:
    r = _parse(name)
    assert r.title in ("Kota Diaries", "Some Show")
    assert r.seasons == seasons
    assert r.episodes == episodes
    assert r.kind == "episode"


def test_season_ranges_still_read() -> None:
    assert _parse("Show.S01-S03.1080p.BluRay.x264-GRP").seasons == (1, 2, 3)
    assert _parse("Show.S01-03.720p.HDTV.x264-GRP").seasons == (1, 2, 3)
    assert _parse("Show S01 E01 720p HDTV").episodes == (1,)


def test_a_year_in_brackets_after_an_episode_word_is_no_episode() -> None:
    r = _parse("Dizi 1. Sezon Tüm Bölümler (2022) 1080p NF WEB-DL")
    assert r.seasons == (1,)
    assert r.episodes == ()
    assert r.year == 2022


@pytest.mark.parametrize(
    ("name", "season", "episode"),
    [
        ("[Grp] Some Anime Season 3 - 11 [1080p][Multiple Subtitle].mkv", 3, 11),
        ("[Grp] Some Anime 2nd Season - 04 [720p].mkv", 2, 4),
    ],
)
def test_anime_episode_after_a_season_word(name: str, season: int, episode: int) -> None:
    r = _parse(name)
    assert r.title == "Some Anime"
    assert r.seasons == (season,)
    assert r.episodes == (episode,)


def test_season_word_then_a_year_or_resolution_is_no_episode() -> None:
    r = _parse("Show Season 1 - 2019 WEB-DL")
    assert r.episodes == ()
    assert r.seasons == (1,)


@pytest.mark.parametrize(
    ("name", "absolute"),
    [
        ("[Grp] Some Anime (01-12) (1080p) [Batch]", tuple(range(1, 13))),
        ("[Grp] Some Anime - 01 ~ 10 [1080p][Batch]", tuple(range(1, 11))),
        ("Some Anime (2011) - 131 [BD 1080p].mkv", (131,)),
    ],
)
def test_anime_numbers(name: str, absolute: tuple[int, ...]) -> None:
    r = _parse(name)
    assert r.title == "Some Anime"
    assert r.absolute_episodes == absolute
    assert r.seasons == ()
    assert r.kind == "episode"


def test_three_digits_after_a_year_without_a_spaced_dash_stay_season_episode() -> None:
    r = _parse("the.show.2014.208.hdtv-lol")
    assert (r.seasons, r.episodes) == ((2,), (8,))
