"""Film releases in the demo: cinema captures (a few before the premiere), WEB releases on
the digital date (a few from a platform, before it), localised releases, the older
catalogue titles, and the two special leaks (a workprint and an awards screener).

Disc releases, the heart of the story, are in :mod:`~leaktrace.demo.disc_releases`.
"""

from __future__ import annotations

from datetime import timedelta

from leaktrace.catalog.model import Work
from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import (
    _SCREENER_FILM,
    _WORKPRINT_FILM,
    CAM_GROUPS,
    DISC_GROUPS,
    FRENCH_GROUP,
    ITALIAN_GROUP,
    P2P_CAM_GROUP,
    P2P_STYLES,
    SCREENER_GROUP,
    WEB_GROUP,
    WEB_P2P_GROUP,
    WORKPRINT_GROUP,
    _Film,
)
from leaktrace.demo.disc_releases import add_disc_releases
from leaktrace.demo.naming import p2p_name, scene_name, title_words
from leaktrace.demo.premise import SCENARIO_START

__all__ = ["add_films", "add_specials"]


def add_films(builder: ScenarioBuilder, films: dict[str, _Film]) -> None:
    """Every release of every catalogue film (``films``: the new films by id; the other
    movies are older catalogue titles)."""
    for work in builder.works:
        if work.kind != "movie":
            continue
        film = films.get(work.id)
        if film is None:
            _older_film(builder, work)
            continue
        _cams(builder, work)
        _web(builder, work)
        add_disc_releases(builder, work, film)
        _localised(builder, work, film)


def _older_film(builder: ScenarioBuilder, work: Work) -> None:
    rng = builder.rng
    year = work.year
    assert year is not None
    when = builder.at(SCENARIO_START + timedelta(days=rng.randint(20, 330)), rng.uniform(0, 24))
    builder.add(
        scene_name(
            work.title,
            year,
            "REMASTERED",
            "2160p",
            "UHD",
            "BluRay",
            "x265",
            group=DISC_GROUPS[0],
        ),
        work,
        when,
        group=DISC_GROUPS[0],
        source="uhd-bluray",
        role="catalogue title, window long open",
        feed="predb",
        size=builder.size(45, 60),
        category="BLURAY-UHD",
    )
    for group, style in P2P_STYLES[:4]:
        later = when + timedelta(hours=rng.uniform(3, 200))
        for res in ("1080p", "2160p"):
            builder.add(
                p2p_name(style, work.title, year, res, "BluRay", group),
                work,
                later,
                group=group,
                source="bluray",
                role="catalogue title, window long open",
                feed="trackers",
                size=builder.size(2, 9),
            )


def _cams(builder: ScenarioBuilder, work: Work) -> None:
    rng = builder.rng
    if work.theatrical is None:
        return
    premiere_leak = work.id in builder.premiere_leaks
    for index, group in enumerate(CAM_GROUPS):
        if not premiere_leak and rng.random() < 0.2:
            continue
        if premiere_leak and index == 0:
            when = builder.at(work.theatrical, -rng.uniform(24, 5 * 24))
            role = "premiere leak"
        else:
            when = builder.at(work.theatrical, rng.uniform(10, 8 * 24))
            role = "cinema capture after release"
        if group == "LENSCAP":
            name = scene_name(
                work.title, work.year, rng.choice(("HDCAM", "720p.HDCAM")), "x264", group=group
            )
            source = "cam"
        else:
            tag = rng.choice(("TS", "HDTS", "TELESYNC.1080p"))
            name = scene_name(work.title, work.year, tag, "x264", group=group)
            source = "telesync"
        added = builder.add(
            name,
            work,
            when,
            group=group,
            source=source,
            role=role,
            feed="predb",
            size=builder.size(1.2, 2.4),
            category="MOVIE-CAM",
        )
        if added is not None and rng.random() < 0.7:
            assert work.year is not None
            builder.add(
                f"{' '.join(title_words(work.title))} {work.year} HDCAM 720p x264 AAC-"
                f"{P2P_CAM_GROUP}",
                work,
                when + timedelta(hours=rng.uniform(2, 20)),
                group=P2P_CAM_GROUP,
                source="cam",
                role=f"P2P copy of a {role}",
                feed="trackers",
                size=builder.size(0.9, 1.6),
            )


def _web(builder: ScenarioBuilder, work: Work) -> None:
    rng = builder.rng
    if work.digital is None:
        return
    early = work.id in builder.platform_leaks
    base = builder.at(work.digital, -rng.uniform(30, 6 * 24) if early else rng.uniform(0, 30))
    role = "platform leak" if early else "WEB release on the digital date"
    for res, codec, service in (
        ("1080p", "H.264", None),
        ("2160p", "H.265", "HDR"),
        ("720p", "H.264", None),
    ):
        if res == "720p" and rng.random() < 0.5:
            continue
        srv = rng.choice(("AMZN", "NF", "DSNP", "ATVP")) if rng.random() < 0.5 else None
        name = scene_name(
            work.title, work.year, res, srv, "WEB-DL", "DDP5.1", service, codec, group=WEB_GROUP
        )
        builder.add(
            name,
            work,
            base + timedelta(minutes=rng.uniform(0, 90)),
            group=WEB_GROUP,
            source="web-dl",
            role=role,
            feed="predb",
            size=builder.size(15, 22) if res == "2160p" else builder.size(2.5, 7),
            category="X265" if res == "2160p" else "X264-HD",
        )
    later = base + timedelta(hours=rng.uniform(3, 72))
    builder.add(
        scene_name(work.title, work.year, "1080p", "WEBRip", "x264", "AAC", group=WEB_P2P_GROUP),
        work,
        later,
        group=WEB_P2P_GROUP,
        source="webrip",
        role=role + " (P2P copy)",
        feed="trackers",
        size=builder.size(1.5, 2.6),
    )
    for group, style in P2P_STYLES:
        for res in ("1080p", "720p", "2160p"):
            if rng.random() < 0.45:
                continue
            assert work.year is not None
            when = base + timedelta(hours=rng.uniform(5, 24 * 20))
            builder.add(
                p2p_name(style, work.title, work.year, res, "WEB-DL", group),
                work,
                when,
                group=group,
                source="webrip",
                role=role + " (P2P re-encode)",
                feed="trackers",
                size=builder.size(1, 4),
            )


def _localised(builder: ScenarioBuilder, work: Work, film: _Film) -> None:
    rng = builder.rng
    year = work.year
    assert year is not None
    for lang, alias in film.aliases:
        if lang == "it" and work.physical is not None:
            when = builder.at(work.physical, rng.uniform(30, 20 * 24))
            for parts in (
                ("iTALiAN", "AC3", "BDRip", "x264"),
                ("iTALiAN", "1080p", "BluRay", "x264"),
            ):
                builder.add(
                    scene_name(alias, year, *parts, group=ITALIAN_GROUP),
                    work,
                    when + timedelta(minutes=rng.uniform(0, 200)),
                    group=ITALIAN_GROUP,
                    source="bdrip" if "BDRip" in parts else "bluray",
                    role="Italian release after street date",
                    feed="predb",
                    size=builder.size(1, 10),
                    category="X264-HD",
                )
        elif lang == "fr" and work.physical is not None:
            when = builder.at(work.physical, rng.uniform(12, 15 * 24))
            builder.add(
                scene_name(
                    alias, year, "TRUEFRENCH", "1080p", "BluRay", "x264", group=FRENCH_GROUP
                ),
                work,
                when,
                group=FRENCH_GROUP,
                source="bluray",
                role="French release after street date",
                feed="predb",
                size=builder.size(6, 10),
                category="X264-HD",
            )
        elif lang == "orig" and work.digital is not None:
            when = builder.at(work.digital, rng.uniform(20, 12 * 24))
            language = {
                "Sogeum Hang": "KOREAN",
                "La Casa del Acantilado": "SPANISH",
                "Le Dernier Été à Brissac": "FRENCH",
                "Il Ritorno di Nessuno": "iTALiAN",
            }.get(alias, "MULTi")
            group = {
                "KOREAN": "KOBALT",
                "SPANISH": "GLiMMER",
                "FRENCH": FRENCH_GROUP,
                "iTALiAN": ITALIAN_GROUP,
            }.get(language, "NOVA")
            builder.add(
                scene_name(alias, year, language, "1080p", "WEB", "H264", group=group),
                work,
                when,
                group=group,
                source="web-dl",
                role="original-language release after the digital date",
                feed="trackers" if group in ("KOBALT", "GLiMMER") else "predb",
                size=builder.size(3, 6),
                category="X264-HD",
            )


def add_specials(builder: ScenarioBuilder) -> tuple[str, str]:
    """The workprint and screener leaks; returns their release names."""
    by_id = {w.id: w for w in builder.works}
    rng = builder.rng
    work = by_id[_WORKPRINT_FILM]
    home = min(d for d in (work.digital, work.physical) if d is not None)
    when = builder.at(home, -rng.uniform(55 * 24, 80 * 24))
    when = max(when, builder.at(SCENARIO_START, 36))
    workprint = scene_name(work.title, work.year, "WORKPRINT", "XviD", group=WORKPRINT_GROUP)
    builder.add(
        workprint,
        work,
        when,
        group=WORKPRINT_GROUP,
        source="workprint",
        role="workprint leak",
        feed="predb",
        size=builder.size(0.7, 1.4),
        category="XVID",
    )
    work = by_id[_SCREENER_FILM]
    home = min(d for d in (work.digital, work.physical) if d is not None)
    screener = scene_name(work.title, work.year, "DVDSCR", "x264", group=SCREENER_GROUP)
    builder.add(
        screener,
        work,
        builder.at(home, -rng.uniform(18 * 24, 30 * 24)),
        group=SCREENER_GROUP,
        source="screener",
        role="screener leak",
        feed="predb",
        size=builder.size(0.8, 1.5),
        category="DVDR",
    )
    return workprint, screener
