"""'Local - Original (Year)' and 'Local (Original) Year' names tagged with the local language:
the original title is the title, the local one an alias (issue 14)."""

from __future__ import annotations

import pytest

from leaktrace.releases.parser import _parse


@pytest.mark.parametrize(
    ("name", "title", "alias"),
    [
        (
            "La Grande Fuga - The Great Escape (1963) BDRip 720p ITA ENG",
            "The Great Escape",
            "La Grande Fuga",
        ),
        (
            "El Gran Escape (The Great Escape) 1963 [BluRay 1080p][Castellano]",
            "The Great Escape",
            "El Gran Escape",
        ),
        (
            "La Grande Évasion (The Great Escape) 1963 TRUEFRENCH DVDRip",
            "The Great Escape",
            "La Grande Évasion",
        ),
        (
            "Der Weg nach Westen - The Way West (1967) German DL 1080p BluRay",
            "The Way West",
            "Der Weg nach Westen",
        ),
        (
            "Il Ponte delle Spie (Bridge of Spies) S01E02 ITA ENG 720p",
            "Bridge of Spies",
            "Il Ponte delle Spie",
        ),
        (
            "Il Ponte delle Spie - Bridge of Spies - Stagione 2 ITA ENG 1080p",
            "Bridge of Spies",
            "Il Ponte delle Spie",
        ),
    ],
)
def test_local_then_original(name: str, title: str, alias: str) -> None:
    r = _parse(name)
    assert r.title == title
    assert r.aliases == (alias,)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        # an English title with a subtitle stays whole (no local words on the left)
        (
            "Mission: Impossible - Dead Reckoning (2023) iTALiAN 1080p WEB-DL",
            "Mission: Impossible - Dead Reckoning",
        ),
        # no language tag: nothing says which side is local
        ("Il Padrone - The Master (2012) 1080p BluRay x264-GRP", "Il Padrone - The Master"),
        # a bracket of technical words or a year is no title
        ("Il Padrone (2012) ITA 1080p", "Il Padrone"),
        ("Il Padrone [BDRip 720p] ITA", "Il Padrone"),
    ],
)
def test_no_swap_without_evidence(name: str, title: str) -> None:
    r = _parse(name)
    assert r.title == title
    assert r.aliases == ()


def test_turkish_local_title_with_turkish_tags() -> None:
    r = _parse("Kırmızı Ev - The Red House 2019 TR Dublaj BRRip 720p")
    assert r.title == "The Red House"
    assert r.aliases == ("Kırmızı Ev",)
    assert "tr" in r.languages


def test_a_year_inside_an_episodic_title() -> None:
    r = _parse("Scam 1987 The Bank Job Story S01 EP01-04 Hindi 720p WEB-DL")
    assert r.title == "Scam 1987 The Bank Job Story"
    assert r.year is None
    assert r.episodes == (1, 2, 3, 4)
    # a year right before the marker is still the year
    r = _parse("Doctor.Who.2005.S01E01.720p.HDTV.x264-GRP")
    assert (r.title, r.year) == ("Doctor Who", 2005)
