"""Noise in the demo: releases of films and shows that are not in the catalogue, and scene
releases that are not films or TV at all; LeakTrace must leave them unmatched."""

from __future__ import annotations

from datetime import timedelta

from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import (
    _NOISE_FILMS,
    _NOISE_OTHER,
    _NOISE_SHOWS,
    CAM_GROUPS,
    DISC_GROUPS,
    OLD_GROUP,
    P2P_STYLES,
    TV_HDTV_GROUP,
    WEB_GROUP,
)
from leaktrace.demo.naming import p2p_name, scene_name, title_words
from leaktrace.demo.premise import SCENARIO_START, SUPPLY_CHAIN_GROUP

__all__ = ["add_noise"]


def add_noise(builder: ScenarioBuilder) -> None:
    """Releases of works outside the catalogue, and of things that are not works."""
    rng = builder.rng
    for title, year in _NOISE_FILMS:
        start = SCENARIO_START + timedelta(days=rng.randint(0, 300))
        for _ in range(rng.randint(10, 30)):
            when = builder.at(start + timedelta(days=rng.randint(0, 60)), rng.uniform(0, 24))
            kind = rng.random()
            if kind < 0.25:
                group = rng.choice(CAM_GROUPS)
                name = scene_name(title, year, "HDCAM", "x264", group=group)
                source, feed = "cam", "predb"
            elif kind < 0.45:
                group = rng.choice((*DISC_GROUPS, SUPPLY_CHAIN_GROUP, OLD_GROUP))
                res = rng.choice(("1080p", "720p", "2160p"))
                name = scene_name(title, year, res, "BluRay", "x264", group=group)
                source, feed = "bluray", "predb"
            elif kind < 0.6:
                group = WEB_GROUP
                name = scene_name(
                    title,
                    year,
                    rng.choice(("1080p", "2160p")),
                    "WEB-DL",
                    "DDP5.1",
                    "H.264",
                    group=group,
                )
                source, feed = "web-dl", "predb"
            else:
                group, style = rng.choice(P2P_STYLES)
                name = p2p_name(
                    style,
                    title,
                    year,
                    rng.choice(("1080p", "720p", "2160p")),
                    rng.choice(("BluRay", "WEB-DL")),
                    group,
                )
                source, feed = None, "trackers"
            builder.add(
                name,
                None,
                when,
                group=group,
                source=source,
                role="noise",
                feed=feed,
                size=builder.size(1, 12),
                category="X264-HD",
            )
    for show in _NOISE_SHOWS:
        start = SCENARIO_START + timedelta(days=rng.randint(0, 250))
        season = rng.randint(2, 9)
        for episode in range(1, rng.randint(6, 12)):
            when = builder.at(start + timedelta(days=7 * episode), rng.uniform(0, 24))
            name = (
                ".".join(title_words(show)) + f".S{season:02d}E{episode:02d}.720p.HDTV."
                f"x264-{TV_HDTV_GROUP}"
            )
            builder.add(
                name,
                None,
                when,
                group=TV_HDTV_GROUP,
                source="hdtv",
                role="noise",
                feed="predb",
                size=builder.size(0.6, 1.2),
                category="TV-X264",
            )
    for name in _NOISE_OTHER:
        when = builder.at(SCENARIO_START + timedelta(days=rng.randint(0, 360)), rng.uniform(0, 24))
        group = name.rsplit("-", 1)[1]
        builder.add(
            name,
            None,
            when,
            group=group,
            source=None,
            role="noise",
            feed="predb",
            size=builder.size(0.05, 0.6),
            category="MP3" if "LAVA" not in name else "0DAY",
            spread=False,
        )
