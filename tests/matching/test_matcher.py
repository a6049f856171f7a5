from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.catalog import Work, read_catalog
from leaktrace.matching import Matcher
from leaktrace.releases import parse


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    path = Path(__file__).parents[1] / "fixtures" / "catalog.csv"
    return Matcher(read_catalog(path))


@pytest.mark.parametrize(
    ("name", "work_id"),
    [
        ("It.2017.1080p.BluRay.x264-GRP", "it-2017"),
        ("It.Follows.2014.720p.BluRay.x264-GRP", "it-follows"),
        ("Halloween.2018.1080p.WEB-DL.DD5.1.H264-GRP", "halloween-2018"),
        ("Halloween.1978.REMASTERED.1080p.BluRay.x264-GRP", "halloween-1978"),
        ("Dune.2021.2160p.WEB-DL.DDP5.1.Atmos.HDR.HEVC-GRP", "dune-2021"),
        ("Dune.Part.Two.2024.1080p.BluRay.x264-GRP", "dune-2"),
        ("The.Office.US.S04E01.720p.HDTV.x264-GRP", "office-us-s04"),
        ("The.Office.S01E03.DVDRip.XviD-GRP", "office-uk-s01"),
        ("the.office.us.s04e02.720p.hdtv.x264-grp", "office-us-s04"),
        ("the office us s04e03 720p web h264-grp", "office-us-s04"),
        ("The.Office.US.S04.1080p.BluRay.x264-GRP", "office-us-s04"),
        ("Amelie.2001.FRENCH.1080p.BluRay.x264-GRP", "amelie"),
        ("Le.Fabuleux.Destin.d.Amelie.Poulain.2001.FRENCH.1080p.BluRay.x264-GRP", "amelie"),
        ("Il.Padrino.1972.iTALiAN.BDRip.x264-GRP", "godfather"),
        ("1917.2019.1080p.BluRay.x264-GRP", "1917"),
        ("Blade.Runner.2049.2017.1080p.BluRay.x264-GRP", "br2049"),
        ("Toy.Story.3.2010.720p.BluRay.x264-GRP", "toy-story-3"),
        ("Fast.and.Furious.6.2013.1080p.BluRay.x264-GRP", "fast-6"),
        ("Protocollo.Aurora.2026.iTALiAN.MD.TS.XviD-GRP", "northern"),
        ("northern lights protocol (2026) [1080p] [BluRay] [5.1] [YTS.MX]", "northern"),
        ("Northern.Light.Protocol.2026.1080p.BluRay.x264-GRP", "northern"),
        ("It.2018.1080p.BluRay.x264-GRP", "it-2017"),
    ],
)
def test_matches(matcher: Matcher, name: str, work_id: str) -> None:
    result = matcher.match(parse(name))
    assert result.work_id == work_id, result.reason
    assert result.score >= matcher.threshold
    assert result.reason


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("It.Follows.2017.1080p.BluRay.x264-GRP", "year"),  # It Follows is 2014
        ("Halloween.1080p.BluRay.x264-GRP", "ambiguous"),  # which Halloween?
        ("Halloween.2007.1080p.BluRay.x264-GRP", "year"),
        ("Dune.Part.Two.2021.1080p.BluRay.x264-GRP", "year"),
        ("The.Office.UK.S04E01.720p.HDTV.x264-GRP", "country"),  # only the US S04 is known
        ("The.Office.S04E01.720p.HDTV.x264-GRP", "country"),
        ("the.office.uk.s04e01.720p.hdtv.x264-grp", ""),
        ("The.Office.US.S01E01.720p.HDTV.x264-GRP", ""),  # US season 1 is not catalogued
        ("Toy.Story.2.1999.720p.BluRay.x264-GRP", ""),
        ("Toy.Story.5.2010.720p.BluRay.x264-GRP", ""),
        (
            "Dune.S01E01.720p.HDTV.x264-GRP",
            "the release is TV",
        ),  # a series named Dune is not the film
        (
            "Harbour.Lights.2026.1080p.BluRay.x264-GRP",
            "the release is a film",
        ),  # the film is not the series
        ("Completely.Unknown.Film.2020.1080p.BluRay.x264-GRP", "no catalogue title"),
    ],
)
def test_does_not_match_look_alikes(matcher: Matcher, name: str, why: str) -> None:
    result = matcher.match(parse(name))
    assert result.work_id is None, f"{name} matched {result.work_id}: {result.reason}"
    assert why in result.reason


def test_year_off_by_one_costs_score(matcher: Matcher) -> None:
    exact = matcher.match(parse("It.2017.1080p.BluRay.x264-GRP"))
    near = matcher.match(parse("It.2018.1080p.BluRay.x264-GRP"))
    assert exact.score > near.score >= matcher.threshold
    assert "one off" in near.reason


def test_imdb_id_from_source_wins() -> None:
    works = [Work(id="a", kind="movie", title="Alpha", year=2000, imdb_id="tt0000001")]
    result = Matcher(works).match(
        parse("Totally.Different.Name.2000.1080p.WEB-DL-GRP"), imdb_id="tt0000001"
    )
    assert result.work_id == "a"
    assert "IMDb" in result.reason


def test_fuzzy_needs_same_numbers_and_long_titles() -> None:
    works = [
        Work(id="a", kind="movie", title="Rocky III", year=1982),
        Work(id="b", kind="movie", title="Heat", year=1995),
    ]
    matcher = Matcher(works)
    assert matcher.match(parse("Rocky.II.1982.1080p.BluRay.x264-GRP")).work_id is None
    assert matcher.match(parse("Rocky.III.1982.1080p.BluRay.x264-GRP")).work_id == "a"
    assert matcher.match(parse("Heath.1995.1080p.BluRay.x264-GRP")).work_id is None


def test_result_is_cached_but_equal(matcher: Matcher) -> None:
    first = matcher.match(parse("It.2017.1080p.BluRay.x264-GRP"))
    again = matcher.match(parse("It.2017.720p.WEB-DL.x264-OTHER"))
    assert first == again
