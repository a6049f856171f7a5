"""Property tests: the parser never raises, returns well-typed results, is deterministic, and
round-trips the fields of generated well-formed scene names."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.releases import Kind, ParsedRelease, parse
from leaktrace.releases.parser import MAX_LENGTH, _parse

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text shaped like release names: separators, brackets, digits, scene words, control chars
_WORDS = [
    "S01E02",
    "1080p",
    "x264",
    "-",
    ".",
    "_",
    " ",
    "[",
    "]",
    "(",
    ")",
    "2019",
    "WEB-DL",
    "1x05",
    "DD5.1",
    "/",
    "\\",
    "REPACK",
    "00",
    "S01-S03",
    "E",
    "e99",
    "\x00",
    "\t",
    "Ⅳ",
    "ß",
    "𝔘",
    "999999999999",
    "2024.13.45",
    "- 07",
    "[ABCDEF12]",
    "www.",
    ".com",
]
name_like = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=6)), max_size=40).map(
    "".join
)
any_text = st.one_of(
    st.text(),
    name_like,
    st.text(alphabet=st.characters(max_codepoint=0x7F)),
    st.from_regex(r"[\W_]*", fullmatch=True),
)


def _check_types(r: ParsedRelease) -> None:
    assert isinstance(r.name, str)
    assert r.title is None or (isinstance(r.title, str) and r.title.strip() == r.title and r.title)
    assert r.year is None or isinstance(r.year, int)
    assert r.kind in get_args(Kind)
    for tup in (r.seasons, r.episodes, r.absolute_episodes):
        assert isinstance(tup, tuple) and all(isinstance(v, int) and v >= 0 for v in tup)
    assert r.air_date is None or isinstance(r.air_date, date)
    for tup2 in (r.audio, r.languages, r.subtitles, r.tags):
        assert isinstance(tup2, tuple) and all(isinstance(v, str) and v for v in tup2)
    for f in (
        "episode_title",
        "resolution",
        "source",
        "codec",
        "edition",
        "service",
        "country",
        "container",
        "group",
        "website",
    ):
        v = getattr(r, f)
        assert v is None or (isinstance(v, str) and v), (f, v)
    assert isinstance(r.extras, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in r.extras.items())
    # kind agrees with the numbers
    if r.episodes or r.absolute_episodes or r.air_date:
        assert r.kind == "episode"
    elif r.seasons:
        assert r.kind == "season"
    else:
        assert r.kind == "movie"
    r.to_dict()


@SETTINGS
@given(any_text)
def test_never_raises_and_types_are_right(name: str) -> None:
    # _parse is parse without its safety net: it must not raise either
    result = _parse(name)
    assert result.name == name
    _check_types(result)


@SETTINGS
@given(any_text)
def test_deterministic(name: str) -> None:
    assert parse(name) == parse(name)
    assert _parse(name) == _parse(name)


@settings(max_examples=25, deadline=None)
@given(name_like, st.integers(min_value=1, max_value=50))
def test_huge_names(chunk: str, reps: int) -> None:
    name = (chunk or "x") * (MAX_LENGTH // max(1, len(chunk)) + reps)
    result = _parse(name)
    assert result.name == name
    _check_types(result)


def test_fixed_nasty_inputs() -> None:
    for name in [
        "\x00" * 5000,
        "-" * 3000,
        "[" * 2000,
        "]" * 2000,
        "(((((",
        "S" + "9" * 500,
        "1x" + "9" * 400,
        "E" * 10_000,
        "1" * 5000,
        "2019." * 800,
        "/" * 100,
        "a/b\\c/d",
        "[]" * 500,
        "\u202e\u200b\ufeff",
        "S01E01" * 300,
        ".".join(["S01E01-E99"] * 200),
        "9999.99.99",
        "2019-02-30",
    ]:
        r = _parse(name)
        _check_types(r)


# ---- round-trip of generated scene names
_TITLE_WORDS = [
    "Silent",
    "River",
    "Night",
    "Garden",
    "Echo",
    "Paper",
    "Stone",
    "Winter",
    "Harbor",
    "Glass",
    "Lantern",
    "Orchard",
    "Falcon",
    "Copper",
    "Meadow",
    "Velvet",
    # words and numbers that are also tags, services or years elsewhere
    "It",
    "Real",
    "Proper",
    "Limited",
    "Red",
    "Max",
    "Web",
    "Cam",
    "Complete",
    "1984",
    "13",
    "2049",
    "Us",
]
_RESOLUTIONS = ["480p", "576p", "720p", "1080p", "2160p"]
_SOURCES = {
    "HDCAM": "cam",
    "TELESYNC": "telesync",
    "HDTS": "telesync",
    "TELECINE": "telecine",
    "WORKPRINT": "workprint",
    "DVDSCR": "screener",
    "SCREENER": "screener",
    "R5": "r5",
    "HDTV": "hdtv",
    "PDTV": "hdtv",
    "WEB-DL": "web-dl",
    "WEBRip": "webrip",
    "DVDRip": "dvdrip",
    "BDRip": "bdrip",
    "BRRip": "bdrip",
    "BluRay": "bluray",
    "WEB": "web-dl",
}
_CODECS = {
    "x264": "h264",
    "H.264": "h264",
    "x265": "h265",
    "HEVC": "h265",
    "XviD": "xvid",
    "AV1": "av1",
}
_GROUPS = ["GRP", "NTb", "FLUX", "SPARKS", "EVO", "CMRG", "TEPES", "d3g", "Rapta", "ION10"]


def _expected_source(src: str, res: str) -> str:
    """A 2160p Blu-ray encode comes from an Ultra HD Blu-ray (documented convention)."""
    source = _SOURCES[src]
    return "uhd-bluray" if source == "bluray" and res == "2160p" else source


title_words = st.lists(st.sampled_from(_TITLE_WORDS), min_size=1, max_size=5)
# "Show.1984.S01E01" means year 1984 by the scene grammar, so TV titles avoid a trailing year
tv_title_words = st.lists(
    st.sampled_from([w for w in _TITLE_WORDS if w != "1984"]), min_size=1, max_size=5
)


@SETTINGS
@given(
    title_words,
    st.integers(1950, 2030),
    st.sampled_from(_RESOLUTIONS),
    st.sampled_from(sorted(_SOURCES)),
    st.sampled_from(sorted(_CODECS)),
    st.sampled_from(_GROUPS),
    st.sampled_from([".", " ", "_"]),
)
def test_movie_names_round_trip(
    words: list[str], year: int, res: str, src: str, codec: str, group: str, sep: str
) -> None:
    name = sep.join([*words, str(year), res, src, codec]) + "-" + group
    r = parse(name)
    assert r.title == " ".join(words)
    assert r.year == year
    assert r.kind == "movie"
    assert r.resolution == res
    assert r.source == _expected_source(src, res)
    assert r.codec == _CODECS[codec]
    assert r.group == group


@SETTINGS
@given(
    tv_title_words,
    st.integers(1, 40),
    st.lists(st.integers(1, 30), min_size=1, max_size=3, unique=True),
    st.sampled_from(_RESOLUTIONS),
    st.sampled_from(["HDTV", "WEB-DL", "WEBRip", "BluRay"]),
    st.sampled_from(sorted(_CODECS)),
    st.sampled_from(_GROUPS),
)
def test_episode_names_round_trip(
    words: list[str], season: int, episodes: list[int], res: str, src: str, codec: str, group: str
) -> None:
    eps = sorted(episodes)
    marker = f"S{season:02d}" + "".join(f"E{e:02d}" for e in eps)
    name = ".".join([*words, marker, res, src, codec]) + "-" + group
    r = parse(name)
    assert r.title == " ".join(words)
    assert r.seasons == (season,)
    assert r.episodes == tuple(eps)
    assert r.kind == "episode"
    assert r.resolution == res
    assert r.source == _expected_source(src, res)
    assert r.group == group
    assert r.year is None


@SETTINGS
@given(tv_title_words, st.integers(1, 20), st.integers(0, 5), st.sampled_from(_GROUPS))
def test_season_packs_round_trip(words: list[str], first: int, extra: int, group: str) -> None:
    last = first + extra
    marker = f"S{first:02d}" if extra == 0 else f"S{first:02d}-S{last:02d}"
    r = parse(".".join([*words, marker, "1080p", "BluRay", "x264"]) + "-" + group)
    assert r.title == " ".join(words)
    assert r.seasons == tuple(range(first, last + 1))
    assert r.kind == "season"
    assert r.episodes == ()


@SETTINGS
@given(tv_title_words, st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_daily_round_trip(words: list[str], day: date) -> None:
    r = parse(".".join([*words, day.strftime("%Y.%m.%d"), "720p", "HDTV", "x264"]) + "-GRP")
    assert r.title == " ".join(words)
    assert r.air_date == day
    assert r.kind == "episode"


@SETTINGS
@given(tv_title_words, st.integers(1, 1500), st.sampled_from(["SubsPlease", "Erai-raws", "Grp"]))
def test_anime_round_trip(words: list[str], number: int, group: str) -> None:
    r = parse(f"[{group}] {' '.join(words)} - {number:02d} [1080p].mkv")
    assert r.title == " ".join(words)
    assert r.absolute_episodes == (number,)
    assert r.group == group
    assert r.kind == "episode"


def test_dataclass_is_frozen() -> None:
    r = parse("Movie.2019.720p.BluRay.x264-GRP")
    assert dataclasses.is_dataclass(r)
    try:
        r.title = "x"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover
        raise AssertionError("ParsedRelease must be frozen")
