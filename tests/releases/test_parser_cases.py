"""Explicit release names (written for these tests) and what the parser must say about them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from leaktrace.releases import Kind, ParsedRelease, parse

# (name, expected fields): only the listed fields are checked
CASES: list[tuple[str, dict[str, Any]]] = [
    # ---- films, scene style
    (
        "The.Matrix.1999.1080p.BluRay.x264-GRP",
        {
            "title": "The Matrix",
            "year": 1999,
            "kind": "movie",
            "resolution": "1080p",
            "source": "bluray",
            "codec": "h264",
            "group": "GRP",
        },
    ),
    (
        "Movie.Title.2019.PROPER.REPACK.720p.WEB-DL.DD5.1.H264-NTb",
        {
            "title": "Movie Title",
            "tags": ("PROPER", "REPACK"),
            "source": "web-dl",
            "audio": ("ac3", "5.1"),
            "group": "NTb",
        },
    ),
    (
        "Movie.Title.2019.UNRATED.REMASTERED.2160p.UHD.BluRay.REMUX.HDR10.DV.HEVC.TrueHD.7.1.Atmos-GRP",
        {
            "title": "Movie Title",
            "source": "remux",
            "codec": "h265",
            "resolution": "2160p",
            "audio": ("truehd", "7.1", "atmos"),
            "tags": ("HDR10", "DV"),
            "edition": "Unrated Remastered",
        },
    ),
    (
        "Movie.Title.2019.EXTENDED.DIRECTORS.CUT.1080p.BluRay.DTS-HD.MA.7.1.x264-GRP",
        {"edition": "Extended Director's Cut", "audio": ("dts-hd", "7.1"), "source": "bluray"},
    ),
    (
        "Movie Title 2019 1080p WEB-DL H264 AC3-EVO",
        {
            "title": "Movie Title",
            "year": 2019,
            "source": "web-dl",
            "audio": ("ac3",),
            "group": "EVO",
        },
    ),
    # ---- numbers and years inside titles
    ("1917.2019.1080p.BluRay.x264-GRP", {"title": "1917", "year": 2019}),
    (
        "Blade.Runner.2049.2017.2160p.UHD.BluRay.x265-GRP",
        {"title": "Blade Runner 2049", "year": 2017, "source": "uhd-bluray"},
    ),
    (
        "Wonder.Woman.1984.2020.1080p.WEB-DL.DDP5.1.Atmos.H.264-GRP",
        {"title": "Wonder Woman 1984", "year": 2020, "audio": ("eac3", "5.1", "atmos")},
    ),
    (
        "2001.A.Space.Odyssey.1968.1080p.BluRay.x264-GRP",
        {"title": "2001 A Space Odyssey", "year": 1968},
    ),
    ("Apollo.13.1995.720p.BRRip.x264-GRP", {"title": "Apollo 13", "year": 1995, "source": "bdrip"}),
    ("Dune.2021.1080p.WEB-DL.x264-GRP", {"title": "Dune", "year": 2021}),
    ("300.2006.1080p.BluRay.x264-GRP", {"title": "300", "year": 2006}),
    (
        "10.Cloverfield.Lane.2016.1080p.BluRay.x264-GRP",
        {"title": "10 Cloverfield Lane", "year": 2016},
    ),
    ("Se7en.1995.1080p.BluRay.x264-GRP", {"title": "Se7en", "year": 1995}),
    ("The.100.S01E01.720p.HDTV.x264-GRP", {"title": "The 100", "seasons": (1,), "episodes": (1,)}),
    ("It.2017.1080p.BluRay.x264-GRP", {"title": "It", "year": 2017, "service": None}),
    (
        "Spider-Man.Homecoming.2017.1080p.BluRay.x264-GRP",
        {"title": "Spider-Man Homecoming", "group": "GRP"},
    ),
    ("S.W.A.T.2017.S01E01.720p.HDTV.x264-GRP", {"title": "S.W.A.T.", "year": 2017}),
    ("Ocean's.Eleven.2001.720p.BluRay.x264-GRP", {"title": "Ocean's Eleven"}),
    # ---- sources
    ("Film.Title.2020.HDCAM.x264-GRP", {"source": "cam"}),
    ("Film.Title.2020.CAMRip.x264-GRP", {"source": "cam"}),
    ("Film.Title.2020.HDTS.x264-GRP", {"source": "telesync", "title": "Film Title"}),
    ("Film.Title.2020.TS.XviD-GRP", {"source": "telesync", "codec": "xvid"}),
    ("Film.Title.2020.PDVD.x264-GRP", {"source": "telesync"}),
    ("Film.Title.2020.TELECINE.XviD-GRP", {"source": "telecine"}),
    ("Film.Title.2020.HDTC.x264-GRP", {"source": "telecine"}),
    ("Film.Title.2020.WORKPRINT.XviD-GRP", {"source": "workprint"}),
    ("Film.Title.2020.DVDSCR.XviD-GRP", {"source": "screener"}),
    ("Film.Title.2020.BDSCR.x264-GRP", {"source": "screener"}),
    ("Film.Title.2020.SCREENER.x264-GRP", {"source": "screener"}),
    ("Film.Title.2020.R5.LINE.XviD-GRP", {"source": "r5", "tags": ("LINE",)}),
    ("Film.Title.2020.DVDRip.XviD-GRP", {"source": "dvdrip"}),
    ("Film.Title.2020.BDRip.x264-GRP", {"source": "bdrip"}),
    ("Film.Title.2020.BRRip.x264-GRP", {"source": "bdrip"}),
    ("Film.Title.2020.Blu-Ray.1080p.x264-GRP", {"source": "bluray"}),
    ("Film.Title.2020.1080p.BluRay.REMUX.AVC.DTS-HD.MA.5.1-GRP", {"source": "remux"}),
    ("Film.Title.2020.PDTV.x264-GRP", {"source": "hdtv"}),
    ("Film.Title.2020.AHDTV.x264-GRP", {"source": "hdtv"}),
    ("Film.Title.2020.DSR.XviD-GRP", {"source": "hdtv"}),
    ("Film.Title.2020.HDTVRip.x264-GRP", {"source": "hdtv"}),
    ("Film.Title.2020.DVDR-GRP", {"source": "dvd", "group": "GRP"}),
    ("Film.Title.2020.HDDVD.x264-GRP", {"source": "hddvd"}),
    ("Film.Title.2020.PPV.x264-GRP", {"source": "ppv"}),
    ("Film.Title.2020.VHSRip.XviD-GRP", {"source": "vhs"}),
    ("Film.Title.2020.720p.WEBRip.x264-GRP", {"source": "webrip"}),
    ("Film.Title.2020.720p.WEB-Rip.x264-GRP", {"source": "webrip"}),
    ("Film.Title.2020.720p.WEBDL.x264-GRP", {"source": "web-dl"}),
    ("Film.Title.2020.720p.WEB.x264-GRP", {"source": "web-dl"}),
    # ---- codecs and audio
    (
        "Movie.Title.2019.1080p.BluRay.VC-1.DTS-HD.MA.5.1-GRP",
        {"codec": "vc1", "audio": ("dts-hd", "5.1")},
    ),
    ("Movie.Title.2019.DVDRip.DivX-GRP", {"codec": "divx"}),
    (
        "Movie.Title.2019.1080i.HDTV.MPEG2.AC3-GRP",
        {"codec": "mpeg2", "resolution": "1080i", "audio": ("ac3",)},
    ),
    ("Movie.Title.2019.1080p.WEB.AV1.Opus-GRP", {"codec": "av1", "audio": ("opus",)}),
    ("Movie.Title.2019.720p.BluRay.AAC2.0.x264-GRP", {"audio": ("aac", "2.0")}),
    ("Movie.Title.2019.1080p.BluRay.DD+7.1.x264-GRP", {"audio": ("eac3", "7.1")}),
    ("Movie.Title.2019.1080p.BluRay.FLAC.x265-GRP", {"audio": ("flac",), "codec": "h265"}),
    ("Movie.Title.2019.720p.HDTV.MP3.H.264-GRP", {"audio": ("mp3",), "codec": "h264"}),
    # ---- languages, subtitles
    (
        "Film.Title.2020.iTALiAN.MD.TS.XviD-GRP",
        {"languages": ("it",), "tags": ("MD",), "source": "telesync", "title": "Film Title"},
    ),
    (
        "Film.Title.2020.TRUEFRENCH.1080p.WEB.H264-GRP",
        {"languages": ("fr",), "tags": ("TRUEFRENCH",)},
    ),
    (
        "Film.Title.2020.MULTi.VFF.1080p.BluRay.x265-GRP",
        {"languages": ("multi", "fr"), "tags": ("VFF",)},
    ),
    ("Film.Title.2020.GERMAN.DL.1080p.WEB.x264-GRP", {"languages": ("de", "multi")}),
    ("Film.Title.2020.SPANISH.HDCAM.x264-GRP", {"languages": ("es",), "source": "cam"}),
    ("Film.Title.2020.VOSTFR.720p.WEBRip.x264-GRP", {"subtitles": ("fr",), "languages": ()}),
    ("Film.Title.2020.FRENCH.720p.BluRay.x264-GRP", {"languages": ("fr",), "title": "Film Title"}),
    ("Film.Title.FRENCH.DVDRip.XviD-GRP", {"title": "Film Title", "languages": ("fr",)}),
    # ---- tags and editions
    (
        "Movie.Title.2019.LIMITED.INTERNAL.READNFO.720p.BluRay.x264-GRP",
        {"tags": ("LIMITED", "INTERNAL", "READNFO")},
    ),
    (
        "Movie.Title.2019.DIRFIX.NFOFIX.RERIP.REAL.PROPER.720p.BluRay.x264-GRP",
        {"tags": ("DIRFIX", "NFOFIX", "RERIP", "REAL", "PROPER")},
    ),
    (
        "Movie.Title.2019.SUBBED.DUBBED.HDR.1080p.WEB.x265-GRP",
        {"tags": ("SUBBED", "DUBBED", "HDR")},
    ),
    ("Movie.Title.2019.Special.Edition.1080p.BluRay.x264-GRP", {"edition": "Special Edition"}),
    ("Movie.Title.2019.IMAX.1080p.WEB-DL.x264-GRP", {"edition": "IMAX"}),
    ("Movie.Title.2019.THEATRICAL.720p.BluRay.x264-GRP", {"edition": "Theatrical"}),
    ("Movie.Title.2019.DC.720p.BluRay.x264-GRP", {"edition": "Director's Cut"}),
    ("Alien DC (1979) [1080p]", {"title": "Alien", "edition": "Director's Cut", "year": 1979}),
    ("Real.Steel.2011.720p.BluRay.x264-GRP", {"title": "Real Steel", "tags": ()}),
    # ---- streaming services
    (
        "Film.Title.2020.1080p.AMZN.WEB-DL.DDP5.1.H.264-GRP",
        {"service": "AMZN", "languages": (), "source": "web-dl"},
    ),
    ("Show.Name.S03E07.1080p.NF.WEBRip.DDP5.1.x264-GRP", {"service": "NF", "source": "webrip"}),
    ("Show.Name.S01E02.720p.DSNP.WEB-DL.DDP5.1.H.264-GRP", {"service": "DSNP"}),
    (
        "Show.Name.S01E02.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.H.265-GRP",
        {"service": "ATVP", "tags": ("DV",), "codec": "h265"},
    ),
    ("Show.Name.S01E02.1080p.HMAX.WEB-DL.DD5.1.x264-GRP", {"service": "HMAX"}),
    ("Show.Name.S01E02.1080p.iT.WEB-DL.DD5.1.H.264-GRP", {"service": "iT"}),
    ("Show.Name.S01E02.1080p.PCOK.WEB-DL.DDP5.1.H.264-GRP", {"service": "PCOK"}),
    ("Show.Name.S01E02.1080p.HULU.WEB-DL.DDP5.1.H.264-GRP", {"service": "HULU"}),
    # ---- countries
    (
        "The.Office.US.S01E01.720p.HDTV.x264-GRP",
        {"title": "The Office", "country": "US", "seasons": (1,), "episodes": (1,)},
    ),
    (
        "The.Office.UK.S01.DVDRip.XviD-GRP",
        {"title": "The Office", "country": "GB", "kind": "season"},
    ),
    (
        "Shameless (US) S05E03 720p HDTV x264-KILLERS",
        {"title": "Shameless", "country": "US", "group": "KILLERS"},
    ),
    ("Citizen.Kane.1941.1080p.BluRay.x264-GRP", {"country": None}),
    # ---- TV: episodes, multi-episodes, packs
    (
        "Doctor.Who.2005.S10E01.The.Pilot.1080p.BluRay.x264-GRP",
        {
            "title": "Doctor Who",
            "year": 2005,
            "seasons": (10,),
            "episodes": (1,),
            "episode_title": "The Pilot",
            "kind": "episode",
        },
    ),
    (
        "Friends.S01E01.The.One.Where.Monica.Gets.a.Roommate.1080p.BluRay.x265-GRP",
        {"episode_title": "The One Where Monica Gets a Roommate", "title": "Friends"},
    ),
    ("Show.Name.S02.1080p.BluRay.x264-GRP", {"kind": "season", "seasons": (2,), "episodes": ()}),
    (
        "Show.Name.S01-S05.COMPLETE.720p.BluRay.x264-GRP",
        {"kind": "season", "seasons": (1, 2, 3, 4, 5), "tags": ("COMPLETE",)},
    ),
    ("Show.Name.Season.1-3.720p.WEB-DL", {"kind": "season", "seasons": (1, 2, 3)}),
    ("Show.Name.S01E01E02E03.720p.HDTV.x264-GRP", {"episodes": (1, 2, 3), "kind": "episode"}),
    ("Show.Name.S01E01-E02.720p.WEB.h264-GRP", {"episodes": (1, 2)}),
    ("Show.Name.S02E05-06.720p.HDTV.x264-GRP", {"seasons": (2,), "episodes": (5, 6)}),
    ("Show.Name.1x05.HDTV.XviD-GRP", {"seasons": (1,), "episodes": (5,), "title": "Show Name"}),
    ("Show.Name.2x05-2x06.HDTV.XviD-GRP", {"seasons": (2,), "episodes": (5, 6)}),
    (
        "Show Name - 3x04 - Episode Title [HDTV]",
        {"title": "Show Name", "episodes": (4,), "episode_title": "Episode Title"},
    ),
    ("Show.Name.S01E01.REPACK.720p.HDTV.x264-GRP", {"episode_title": None, "tags": ("REPACK",)}),
    # ---- daily
    (
        "The.Daily.Show.2019.03.14.Guest.Name.720p.WEB.x264-GRP",
        {
            "title": "The Daily Show",
            "air_date": date(2019, 3, 14),
            "kind": "episode",
            "year": None,
            "episode_title": "Guest Name",
        },
    ),
    ("Late.Show.14.03.2019.HDTV.x264-GRP", {"title": "Late Show", "air_date": date(2019, 3, 14)}),
    # ---- anime
    (
        "[HorribleSubs] Some Anime - 07 [1080p].mkv",
        {
            "title": "Some Anime",
            "absolute_episodes": (7,),
            "kind": "episode",
            "group": "HorribleSubs",
            "resolution": "1080p",
            "container": "mkv",
        },
    ),
    (
        "[SubsPlease] Another Show - 1071 (1080p) [ABCDEF12].mkv",
        {"absolute_episodes": (1071,), "group": "SubsPlease", "extras": {"crc32": "ABCDEF12"}},
    ),
    (
        "[Erai-raws] Show Title - 11-12 [720p].mkv",
        {"absolute_episodes": (11, 12), "group": "Erai-raws"},
    ),
    (
        "[Group] Anime Title S2 - 05 [1080p]",
        {"title": "Anime Title", "seasons": (2,), "episodes": (5,)},
    ),
    (
        "[Fansub]_Show_Name_07_(1280x720_x264-AAC)_[6B7FD717]",
        {"title": "Show Name", "absolute_episodes": (7,), "resolution": "720p", "group": "Fansub"},
    ),
    # ---- P2P: spaces, brackets, lower case, underscores
    (
        "Some Movie (2019) [1080p] [WEBRip] [5.1] [YTS.MX]",
        {
            "title": "Some Movie",
            "year": 2019,
            "resolution": "1080p",
            "source": "webrip",
            "audio": ("5.1",),
            "group": "YTS.MX",
            "website": None,
        },
    ),
    (
        "Some Movie Title (2010) 1080p BluRay x264 DTS-GRP",
        {"title": "Some Movie Title", "year": 2010, "audio": ("dts",), "group": "GRP"},
    ),
    (
        "the.matrix.1999.720p.bluray.x264-grp",
        {"title": "the matrix", "year": 1999, "source": "bluray", "group": "grp"},
    ),
    (
        "some_movie_title_2010_720p_bluray_x264-grp",
        {"title": "some movie title", "year": 2010, "resolution": "720p"},
    ),
    # ---- folders and files
    (
        "Movies/Some Movie (1998)/Some.Movie.1998.720p.BluRay.x264-GRP.mkv",
        {"title": "Some Movie", "year": 1998, "container": "mkv", "group": "GRP"},
    ),
    (
        "Movies/Fear and Loathing (1998)/Fear.and.Loathing.720p.HDDVD.DTS.x264-GRP.mkv",
        {"title": "Fear and Loathing", "year": 1998, "source": "hddvd"},
    ),
    (
        "TV/Show Name/Season 02/Show.Name.S02E03.720p.HDTV.x264-GRP.mkv",
        {"title": "Show Name", "seasons": (2,), "episodes": (3,)},
    ),
    (
        "Show.Name.S01E01.720p.HDTV.x264-GRP/abc123def456.mkv",
        {"title": "Show Name", "episodes": (1,), "group": "GRP", "container": "mkv"},
    ),
    (
        "C:\\Films\\Some.Film.2004.DVDRip.XviD-GRP\\grp-sf.avi",
        {"title": "Some Film", "year": 2004, "container": "avi", "source": "dvdrip"},
    ),
    # ---- groups and websites
    ("Movie.Title.2018.1080p.BluRay.x264-GRP[rarbg]", {"group": "GRP", "website": "rarbg"}),
    ("Show.Name.S01E01.720p.HDTV.x264-GRP[eztv].mkv", {"group": "GRP", "website": "eztv"}),
    ("Show.Name.S01E01.720p.HDTV.x264-GRP-xpost", {"group": "GRP"}),
    ("Movie.Title.2011.1080p.BluRay.DTS.x264.D-Z0N3.mkv", {"group": "D-Z0N3"}),
    (
        "www.Torrenting.com - Movie.Title.2019.720p.BluRay.x264-GRP",
        {"title": "Movie Title", "website": "www.torrenting.com", "group": "GRP"},
    ),
    ("Movie.Title.2019.720p.BluRay.x264", {"group": None, "codec": "h264"}),
    ("Spider-Man", {"title": "Spider-Man", "group": None}),
    # ---- regressions
    ("Something Seasons 1 & 2 - Complete", {"seasons": (1, 2), "group": None}),
    ("Movie.Title.2013.720.x264-GRP", {"resolution": "720p", "episodes": (), "kind": "movie"}),
    ("Film.2004-GRP/grp-f.avi", {"title": "Film", "year": 2004, "group": "GRP"}),
    ("Rocky.4.1985.1080p.BluRay.x264-GRP", {"title": "Rocky 4", "year": 1985}),
    ("Show.Name.101.HDTV.x264-GRP", {"seasons": (1,), "episodes": (1,), "title": "Show Name"}),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_parse_case(name: str, expected: dict[str, Any]) -> None:
    result = parse(name)
    assert result.name == name
    got = {field: getattr(result, field) for field in expected}
    assert got == expected


def test_exports() -> None:
    import leaktrace.releases as releases

    assert set(releases.__all__) == {"parse", "ParsedRelease", "Kind", "compiled"}
    assert isinstance(parse("Movie.2019.720p.BluRay.x264-GRP"), ParsedRelease)
    kind: Kind = parse("Show.S01E01.720p.HDTV.x264-GRP").kind
    assert kind == "episode"


@pytest.mark.parametrize("name", ["", "   ", "-", "[]", "...", "/", "\\\\", "()", "S01E01"])
def test_degenerate_names_keep_name(name: str) -> None:
    result = parse(name)
    assert result.name == name


def test_long_names_are_truncated_for_parsing() -> None:
    name = "Movie.Title.2019.1080p.BluRay.x264-GRP" + ".word" * 2000
    result = parse(name)
    assert result.name == name  # the full name is kept
    assert result.title == "Movie Title"
    assert result.year == 2019


def test_to_dict_is_json_ready() -> None:
    import json

    d = parse("The.Daily.Show.2019.03.14.720p.WEB.x264-GRP").to_dict()
    assert d["air_date"] == "2019-03-14"
    json.dumps(d)
