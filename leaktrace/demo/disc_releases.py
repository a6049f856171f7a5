"""Disc releases in the demo: the supply-chain group's BluRay/UHD/REMUX leaks days before
the street date and the P2P re-encodes that follow them within hours, then the ordinary
scene and P2P rips once the discs are in the shops."""

from __future__ import annotations

from datetime import datetime, timedelta

from leaktrace.catalog.model import Work
from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import DISC_GROUPS, P2P_FOLLOWERS, P2P_STYLES, _Film
from leaktrace.demo.naming import p2p_name, scene_name
from leaktrace.demo.premise import SUPPLY_CHAIN_GROUP

__all__ = ["add_disc_releases"]


def add_disc_releases(builder: ScenarioBuilder, work: Work, film: _Film) -> None:
    """The disc releases of one film (none if it has no physical release)."""
    rng = builder.rng
    if work.physical is None:
        return
    street = builder.at(work.physical)
    year = work.year
    assert year is not None
    leaked: list[tuple[datetime, str]] = []
    if film.major and rng.random() < 0.85:
        lead = rng.uniform(1.0, 21.0)
        when = street - timedelta(days=lead)
        versions: list[tuple[str | None, str, str | None, str, str, tuple[float, float]]] = [
            ("1080p", "BluRay", "x264", "bluray", "X264-HD", (8, 14))
        ]
        if rng.random() < 0.65:
            versions.append(("2160p", "UHD.BluRay", "x265", "uhd-bluray", "X265", (30, 55)))
        if rng.random() < 0.5:
            versions.append(("720p", "BluRay", "x264", "bluray", "X264-HD", (4, 7)))
        if rng.random() < 0.45:
            versions.append(
                ("1080p", "BluRay.REMUX", "AVC.DTS-HD.MA.5.1", "remux", "BLURAY", (22, 36))
            )
        if rng.random() < 0.3:
            versions.append(("COMPLETE", "BLURAY", None, "bluray", "BLURAY", (38, 48)))
        if rng.random() < 0.35:
            versions.append((None, "BDRip", "x264", "bdrip", "XVID", (0.7, 1.4)))
        for res, src, codec, norm, cat, (low, high) in versions:
            moment = when + timedelta(minutes=rng.uniform(0, 360))
            name = scene_name(work.title, year, res, src, codec, group=SUPPLY_CHAIN_GROUP)
            if builder.add(
                name,
                work,
                moment,
                group=SUPPLY_CHAIN_GROUP,
                source=norm,
                role="supply-chain leak",
                feed="predb",
                size=builder.size(low, high),
                category=cat,
            ):
                leaked.append((moment, res or "1080p"))
        for group, style in P2P_STYLES:
            # three P2P groups re-encode nearly every supply-chain leak within hours;
            # the others only now and then
            follows = 0.95 if group in P2P_FOLLOWERS else 0.25
            if leaked and rng.random() < follows:
                moment = leaked[0][0] + timedelta(hours=rng.uniform(2, 30))
                res = rng.choice(("1080p", "1080p", "720p", "2160p"))
                builder.add(
                    p2p_name(style, work.title, year, res, "BluRay", group),
                    work,
                    moment,
                    group=group,
                    source="bluray" if style != "brrip" else "bdrip",
                    role="P2P re-encode of a supply-chain leak",
                    feed="trackers",
                    size=builder.size(1.5, 9),
                )
    # the ordinary life of a disc release: scene and P2P rips after the street date
    for group in rng.sample(DISC_GROUPS, rng.randint(1, 3)):
        moment = street + timedelta(hours=rng.uniform(2, 10 * 24))
        for res, codec in (("1080p", "x264"), ("720p", "x264"), ("2160p", "x265")):
            if res != "1080p" and rng.random() < 0.5:
                continue
            src = "UHD.BluRay" if res == "2160p" else "BluRay"
            for tag in (None, "REPACK", "PROPER", "EXTENDED"):
                if tag is not None and rng.random() < 0.85:
                    continue
                later = timedelta(hours=rng.uniform(20, 120)) if tag else timedelta(0)
                builder.add(
                    scene_name(work.title, year, tag, res, src, codec, group=group),
                    work,
                    moment + later + timedelta(minutes=rng.uniform(0, 240)),
                    group=group,
                    source="uhd-bluray" if res == "2160p" else "bluray",
                    role="disc rip after street date",
                    feed="predb",
                    size=builder.size(4, 40),
                    category="X264-HD",
                )
    for group, style in P2P_STYLES:
        for res in ("1080p", "720p", "2160p"):
            if rng.random() < 0.5:
                continue
            moment = street + timedelta(hours=rng.uniform(6, 60 * 24))
            builder.add(
                p2p_name(style, work.title, year, res, "BluRay", group),
                work,
                moment,
                group=group,
                source="bluray" if style != "brrip" else "bdrip",
                role="P2P rip after street date",
                feed="trackers",
                size=builder.size(1, 12),
            )
