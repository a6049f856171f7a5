"""TV releases in the demo: each episode as a broadcast capture, a WEB release and a P2P
copy after it airs, a season pack after the finale, and two episodes leaked before they
air (one aired abroad first, one from a platform)."""

from __future__ import annotations

from datetime import timedelta

from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import (
    _PRE_AIR_HDTV,
    _PRE_AIR_WEB,
    _SHOWS,
    TV_HDTV_GROUP,
    TV_P2P_GROUP,
    TV_WEB_GROUP,
)
from leaktrace.demo.naming import title_words

__all__ = ["add_shows"]


def add_shows(builder: ScenarioBuilder) -> list[str]:
    """Every release of every catalogue season; returns the pre-air leaks' names."""
    rng = builder.rng
    pre_air: list[str] = []
    works = {w.id: w for w in builder.works}
    for show in _SHOWS:
        work = works[show.id]
        last = builder.at(show.premiere)
        for episode in range(1, show.episodes + 1):
            air = builder.at(
                show.premiere + timedelta(days=7 * (episode - 1)),
                show.evening_utc_hour + (24 if show.evening_utc_hour < 12 else 0),
            )
            last = air
            tag = f"S{show.season:02d}E{episode:02d}"
            title = None
            if show.titles and rng.random() < 0.35:
                title = ".".join(title_words(rng.choice(show.titles)))
            base = f"{show.name_title}.{tag}"
            builder.add(
                f"{base}.720p.HDTV.x264-{TV_HDTV_GROUP}",
                work,
                air + timedelta(minutes=rng.uniform(50, 150)),
                group=TV_HDTV_GROUP,
                source="hdtv",
                role="broadcast capture after air",
                feed="predb",
                size=builder.size(0.8, 1.4),
                category="TV-X264",
            )
            web = base + (f".{title}" if title else "")
            for res in ("1080p", "2160p"):
                if res == "2160p" and rng.random() < 0.6:
                    continue
                builder.add(
                    f"{web}.{res}.WEB.h264-{TV_WEB_GROUP}"
                    if res == "1080p"
                    else f"{web}.{res}.WEB.h265-{TV_WEB_GROUP}",
                    work,
                    air + timedelta(hours=rng.uniform(3, 12)),
                    group=TV_WEB_GROUP,
                    source="web-dl",
                    role="WEB episode after air",
                    feed="predb",
                    size=builder.size(1.5, 6),
                    category="TV-HD",
                )
            # lower case, but a country tag kept upper case (a lower-case "us" or "uk"
            # reads as a word, not a country)
            lowered = ".".join(
                w if w in ("US", "UK") else w.lower() for w in show.name_title.split(".")
            )
            builder.add(
                f"{lowered}.{tag.lower()}.720p.hdtv.x264-{TV_P2P_GROUP}",
                work,
                air + timedelta(hours=rng.uniform(4, 20)),
                group=TV_P2P_GROUP,
                source="hdtv",
                role="P2P episode after air",
                feed="trackers",
                size=builder.size(0.3, 0.7),
            )
        builder.add(
            f"{show.name_title}.S{show.season:02d}.1080p.WEB.h264-{TV_WEB_GROUP}",
            work,
            last + timedelta(hours=rng.uniform(24, 72)),
            group=TV_WEB_GROUP,
            source="web-dl",
            role="season pack after the finale",
            feed="predb",
            size=builder.size(15, 30),
            category="TV-HD",
        )
        if show.id == _PRE_AIR_HDTV:
            name = f"{show.name_title}.S{show.season:02d}E01.1080p.HDTV.x264-{TV_HDTV_GROUP}"
            if builder.add(
                name,
                work,
                builder.at(show.premiere, -rng.uniform(30, 52)),
                group=TV_HDTV_GROUP,
                source="hdtv",
                role="pre-air broadcast leak (aired abroad first)",
                feed="predb",
                size=builder.size(2, 3),
                category="TV-HD",
            ):
                pre_air.append(name)
        if show.id == _PRE_AIR_WEB:
            name = f"{show.name_title}.S{show.season:02d}E01-E02.1080p.WEB.h264-{TV_WEB_GROUP}"
            if builder.add(
                name,
                work,
                builder.at(show.premiere, -rng.uniform(4 * 24, 6 * 24)),
                group=TV_WEB_GROUP,
                source="web-dl",
                role="pre-air platform leak",
                feed="predb",
                size=builder.size(3, 5),
                category="TV-HD",
            ):
                pre_air.append(name)
    return pre_air
