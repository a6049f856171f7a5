"""The site list: the shipped names, names registered at run time, the parser's use of it."""

from __future__ import annotations

from leaktrace.releases import parse
from leaktrace.releases.sites import known_site, register_sites, site_names


def test_shipped_sites_are_known_in_any_spelling() -> None:
    for text in ("rarbg", "RARBG", "rutor.info", "www.rutor.info", "[nnm-club.me]", "LostFilm"):
        assert known_site(text), text
    assert "rutracker" in site_names()


def test_ordinary_words_are_not_sites() -> None:
    for text in ("Fargo", "", "   ", "[]", "The Office", "1080p"):
        assert not known_site(text), text


def test_registered_sites_are_used_by_the_parser() -> None:
    name = "Film Title (2024) WEB-DL 1080p [Zqxwlegacytracker]"
    assert parse(name).website is None
    register_sites(["ZQXWLEGACYTRACKER  # a comment", "", "# only a comment"])
    assert known_site("zqxwlegacytracker.example")
    got = parse(name)
    assert got.website == "zqxwlegacytracker"
    assert got.title == "Film Title"
