"""World release-name patterns of issue 14, each with several names written for these tests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.releases import parse

CASES: list[tuple[str, dict[str, Any]]] = [
    # ---- season / episode words in other languages and scripts
    ("Casa de papel Temporada 2 Capitulo 5 [HDTV 720p]", {"seasons": (2,), "episodes": (5,)}),
    ("Velvet [HDTV][Cap.205][Castellano]", {"seasons": (2,), "episodes": (5,)}),
    (
        "Casa de papel T02E05 1080p WEB-DL",
        {"title": "Casa de papel", "seasons": (2,), "episodes": (5,)},
    ),
    ("El Ministerio del Tiempo 2ª Temporada [HDTV 720p]", {"seasons": (2,), "kind": "season"}),
    ("Gomorra Stagione 3 Episodio 4 ITA 720p", {"seasons": (3,), "episodes": (4,)}),
    ("Engrenages Saison 2 Épisode 7 FRENCH HDTV", {"seasons": (2,), "episodes": (7,)}),
    ("Dark Staffel 4 Folge 2 German 1080p", {"seasons": (4,), "episodes": (2,)}),
    ("Wiedźmin Sezon 2 Odcinek 3 PL 1080p", {"seasons": (2,), "episodes": (3,)}),
    ("Kurtlar Vadisi Sezon 2 Bölüm 8 720p", {"seasons": (2,), "episodes": (8,)}),
    ("Vampiry Сезон 3 Серия 4 (2022) WEB-DL 1080p", {"seasons": (3,), "episodes": (4,)}),
    (
        "Беспринципные 3 сезон 1-8 серии из 10 (2023) WEB-DL 1080p",
        {
            "title": "Беспринципные",
            "seasons": (3,),
            "episodes": (1, 2, 3, 4, 5, 6, 7, 8),
            "extras": {"episodes_total": "10"},
        },
    ),
    ("漫长的季节 第2季 第05集 1080p WEB-DL", {"seasons": (2,), "episodes": (5,)}),
    ("绝命毒师 第1-5季 Breaking Bad 1080p BluRay", {"seasons": (1, 2, 3, 4, 5)}),
    ("Attack on Titan 2nd Season [1080p]", {"title": "Attack on Titan", "seasons": (2,)}),
    ("The Office Season 2 Complete 720p WEB-DL", {"seasons": (2,), "kind": "season", "pack": True}),
    ("Show.S01-S03.1080p.BluRay.x264-GRP", {"seasons": (1, 2, 3), "pack": True}),
    ("La Casa de Papel Temporadas 1 a 3 [1080p]", {"seasons": (1, 2, 3), "pack": True}),
    ("Engrenages Saisons 1 à 8 Intégrale FRENCH HDTV 720p", {"seasons": tuple(range(1, 9))}),
    ("Narcos T01-T03 Completa [WEB-DL 1080p]", {"title": "Narcos", "seasons": (1, 2, 3)}),
    ("Kurtlar Vadisi 1.Sezon 5.Bölüm 720p", {"seasons": (1,), "episodes": (5,)}),
    # ---- multi-title names
    (
        "Русское название / Original Title / Сезон: 1 / Серии: 1-8 из 10 (Режиссёр Имя) "
        "[2024, WEB-DL 1080p]",
        {
            "title": "Original Title",
            "aliases": ("Русское название",),
            "seasons": (1,),
            "episodes": tuple(range(1, 9)),
            "year": 2024,
            "source": "web-dl",
        },
    ),
    (
        "Оппенгеймер / Oppenheimer (Кристофер Нолан / Christopher Nolan) [2023, BDRemux 1080p]",
        {"title": "Oppenheimer", "aliases": ("Оппенгеймер",), "year": 2023, "source": "remux"},
    ),
    ("Wiedźmin / The Witcher S03E05 PL 1080p WEB-DL", {"title": "The Witcher"}),
    (
        "中文片名.Original.Title.2024.1080p.WEB-DL",
        {"title": "Original Title", "aliases": ("中文片名",), "year": 2024},
    ),
    ("流浪地球.The.Wandering.Earth.2019.BluRay.1080p", {"title": "The Wandering Earth"}),
    # ---- site and uploader prefixes and suffixes
    (
        "www.SiteName.example - Title (2024) 1080p WEB-DL",
        {"title": "Title", "website": "www.sitename.example"},
    ),
    ("[rutor.info] Title (2024) WEB-DL 1080p", {"title": "Title", "website": "rutor.info"}),
    ("Title (2024) WEB-DL 1080p [rarbg]", {"title": "Title", "website": "rarbg"}),
    (
        "www.ekino-tv.pl - Apollo 13 (1995) Lektor PL DVDRip",
        {"title": "Apollo 13", "website": "www.ekino-tv.pl"},
    ),
    # ---- technical tokens and title numbers are no seasons or episodes
    ("Movie (2019) BDRip 1080p AC3x2", {"kind": "movie", "seasons": (), "episodes": ()}),
    ("Movie (2019) BDRip 1080p 5.1+2.0x3", {"kind": "movie", "seasons": (), "episodes": ()}),
    ("Movie 2019 1080p WEB-DL E-AC3-S78", {"kind": "movie", "seasons": ()}),
    ("Mob.Psycho.100.1080p.WEB-DL", {"title": "Mob Psycho 100", "kind": "movie"}),
    ("UFC 300 1080p WEB-DL", {"title": "UFC 300", "kind": "movie"}),
    ("Apollo.13.1995.1080p", {"title": "Apollo 13", "year": 1995, "kind": "movie"}),
    ("9-1-1 Lone Star 1080p WEB-DL", {"kind": "movie", "absolute_episodes": ()}),
    ("2001 A Space Odyssey 1968 1080p", {"title": "2001 A Space Odyssey", "year": 1968}),
    # ---- anime absolute numbering
    ("Title - 1071 [1080p]", {"kind": "episode", "absolute_episodes": (1071,)}),
    ("Title (2020) - 35 [1080p]", {"kind": "episode", "absolute_episodes": (35,), "year": 2020}),
    ("Title S2 - 10 [1080p]", {"kind": "episode", "seasons": (2,), "episodes": (10,)}),
    # ---- packs and year ranges
    (
        "Movie Collection 1993-2004 1080p BluRay",
        {"title": "Movie", "pack": True, "year_range": (1993, 2004), "year": None},
    ),
    ("Movie INTEGRAL FRENCH 1080p", {"title": "Movie", "pack": True}),
    ("The Matrix Trilogy 1999-2003 1080p BluRay", {"title": "The Matrix", "pack": True}),
]

SOURCES: list[tuple[str, str]] = [
    ("CAMRip", "cam"),
    ("CAMHD", "cam"),
    ("HDCAM", "cam"),
    ("HQCAM", "cam"),
    ("TS", "telesync"),
    ("HDTS", "telesync"),
    ("TELESYNC", "telesync"),
    ("PreDVD", "telesync"),
    ("PDVDRip", "telesync"),
    ("HQ S-Print", "telesync"),
    ("PRE-HDRip", "telesync"),
    ("TC", "telecine"),
    ("HDTC", "telecine"),
    ("HDTCRip", "telecine"),
    ("TC1080P", "telecine"),
    ("TELECINE", "telecine"),
    ("DVDScr", "screener"),
    ("HDSCR", "screener"),
    ("BRScreener", "screener"),
    ("WEB-DLRip", "webrip"),
    ("HDRip", "hdrip"),
    ("BDRemux", "remux"),
    ("UHDRemux 2160p", "remux"),
    ("DVD5", "dvd"),
    ("DVD9", "dvd"),
    ("DVDR", "dvd"),
    ("IPTVRip", "hdtv"),
    ("SATRip", "hdtv"),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_world_pattern(name: str, expected: dict[str, Any]) -> None:
    got = parse(name)
    for key, value in expected.items():
        assert getattr(got, key) == value, (key, got)


@pytest.mark.parametrize(("token", "source"), SOURCES)
@pytest.mark.parametrize("template", ["Film.Title.2024.{}.x264-GRP", "Film Title (2024) {} 1080p"])
def test_world_source_spellings(template: str, token: str, source: str) -> None:
    got = parse(template.format(token))
    assert got.source == source
    assert got.title == "Film Title"


@pytest.mark.parametrize("tag", ["sc_tc", "SC+TC", "chs.cht"])
def test_chinese_subtitle_tags_are_not_telecine(tag: str) -> None:
    assert parse(f"Film.Title.2024.1080p.WEB-DL.{tag}").source == "web-dl"


_AUDIO = ["AC3x2", "5.1+2.0x3", "E-AC3-S78", "DD5.1", "AAC2.0", "2.0x2", "DTS-HD.MA.5.1"]
_SITES = ["[rarbg]", "[rutor.info]", "[TGx]", "[nnm-club.me]"]
_MOVIES = [
    "Film.Title.2019.1080p.BluRay.x264-GRP",
    "Film Title (2019) BDRip 1080p",
    "Фильм / Film Title (Режиссёр) [2019, BDRip 1080p]",
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_MOVIES), st.sampled_from(_AUDIO + _SITES), st.booleans())
def test_audio_and_site_tags_never_make_a_series(base: str, token: str, before: bool) -> None:
    name = f"{token} {base}" if before and token in _SITES else f"{base} {token}"
    got = parse(name)
    assert got.kind == "movie"
    assert got.seasons == () and got.episodes == () and got.absolute_episodes == ()
    assert got.title == "Film Title"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list(" /.-_[](){}сезонСерия第季集0123456789xX+:|")), max_size=80
    )
)
def test_world_alphabet_never_raises(name: str) -> None:
    got = parse(name)
    assert got.name == name
    assert isinstance(got.aliases, tuple)
