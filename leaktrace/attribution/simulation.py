"""A synthetic world of release groups for measuring group links (``bench/`` and tests).

Films get a theatrical date, a digital date 45-90 days later and a disc street date 14-30
days after that. The groups (all invented):

* **LEADR**: leaks discs from the supply chain 1-21 days before street date (02:00-05:00
  UTC) on about 60% of the films of the first half of the period, then stops;
* **NEWLEADR**: LEADR renamed: its first leak comes 20-60 days after LEADR's last one,
  same habits;
* **FASTCOPY** and **SLOWCOPY**: P2P re-encoders that copy the leader's leaks (under either
  name) 2-8 h and 6-30 h after it, on 90% and 85% of them; besides that they rip other
  films after street date (0.5-40 days) and re-encode web releases (0.5-20 days);
* four **web groups** that all release WEB-DLs within hours of the digital date (one of
  them systematically 2-10 h after the others);
* three **cam groups** that release captures 6 h-4 days after the premiere;
* three **retail groups** that rip discs 2 h-5 days after street date.

The true links are the leader's and the renamed leader's followers (4) and the rename (1);
everything else that is reported is false. :func:`build_world` gives the releases as the
records :mod:`leaktrace.store.groups` reads, so the link code runs on them unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from leaktrace.attribution.model import LinkKind
from leaktrace.store.groups import ReleaseRecord

__all__ = ["FOLLOWERS", "LEADER", "RENAMED", "ROLES", "LinkWorld", "build_world"]

LEADER = "LEADR"
RENAMED = "NEWLEADR"
FOLLOWERS = ("FASTCOPY", "SLOWCOPY")
WEB = ("WEBDASH", "STREAMR", "NETGRAB", "SLOWWEB")
CAM = ("CAMCREW", "TRIPOD", "SCREENZ")
RETAIL = ("SHELFRIP", "BOXSET", "STOREDAY")
ROLES: dict[str, str] = {
    LEADER.lower(): "leader",
    RENAMED.lower(): "leader",
    **{g.lower(): "follower" for g in FOLLOWERS},
    **{g.lower(): "web" for g in WEB},
    **{g.lower(): "cam" for g in CAM},
    **{g.lower(): "retail" for g in RETAIL},
}
"""Group key → its part in the world."""


@dataclass(frozen=True, slots=True)
class _Film:
    id: str
    title: str
    year: int
    theatrical: date
    digital: date
    physical: date


@dataclass(slots=True)
class LinkWorld:
    """The releases of one synthetic world and the links that are true in it."""

    releases: list[ReleaseRecord] = field(default_factory=list)
    true_links: set[tuple[LinkKind, str, str]] = field(default_factory=set)
    """(kind, source key, target key)."""

    def role(self, key: str) -> str:
        return ROLES.get(key, "other")


def _at(day: date, hours: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.world = LinkWorld()

    def add(
        self,
        film: _Film,
        group: str,
        at: datetime,
        source: str,
        resolution: str = "1080p",
        codec: str = "h264",
    ) -> None:
        window = {"bluray": film.physical, "web-dl": film.digital, "webrip": film.digital}.get(
            source, film.theatrical
        )
        lead = (_at(window, 0) - at).total_seconds() / 86400.0
        leak = lead > 0
        tag = {"bluray": "BluRay", "web-dl": "WEB-DL", "webrip": "WEBRip", "cam": "HDCAM"}
        name = (
            f"{film.title.replace(' ', '.')}.{film.year}.{resolution}."
            f"{tag.get(source, source)}.{codec}-{group}"
        )
        self.world.releases.append(
            ReleaseRecord(
                id=len(self.world.releases) + 1,
                name=name,
                group_name=group,
                group_key=group.lower(),
                kind="movie",
                title=film.title,
                year=film.year,
                season=None,
                episode=None,
                source=source,
                resolution=resolution,
                codec=codec,
                status="leak" if leak else "in-window",
                released_at=at,
                work_id=film.id,
                work_title=film.title,
                work_year=film.year,
                work_kind="movie",
                work_theatrical=film.theatrical,
                work_digital=film.digital,
                work_physical=film.physical,
                window=("physical" if source == "bluray" else "digital") if leak else None,
                lead_days=round(lead, 3) if leak else None,
                severity="high" if leak else None,
            )
        )


def _films(rng: random.Random, count: int, start: date, days: int) -> list[_Film]:
    films = []
    for i in range(count):
        theatrical = start + timedelta(days=round(i * days / count) + rng.randint(0, 3))
        digital = theatrical + timedelta(days=rng.randint(45, 90))
        physical = digital + timedelta(days=rng.randint(14, 30))
        films.append(
            _Film(f"film-{i:03d}", f"Synthetic Film {i:03d}", 2030, theatrical, digital, physical)
        )
    return films


def build_world(seed: int, *, films: int = 80, days: int = 720) -> LinkWorld:
    """One seeded world of ``films`` films released over ``days`` days (see the module
    text). Small worlds (``films=40``) are enough for tests."""
    rng = random.Random(seed)
    b = _Builder(rng)
    start = date(2030, 1, 1)
    catalogue = _films(rng, films, start, days)
    by_street = sorted(catalogue, key=lambda f: f.physical)
    half = len(by_street) // 2
    handover = timedelta(days=rng.randint(20, 60))
    leaks: list[tuple[_Film, datetime, str]] = []
    last: datetime | None = None
    for index, film in enumerate(by_street):
        group = LEADER if index < half else RENAMED
        when = _at(film.physical, -24 * rng.uniform(1, 21))
        when = when.replace(hour=rng.randint(2, 4), minute=rng.randint(0, 59))
        if group == RENAMED:
            assert last is not None
            if when < last + handover:
                continue  # the pause between the two names
            first = not any(g == RENAMED for _, _, g in leaks)
            if not first and rng.random() >= 0.6:
                continue  # the new name's first release ends the pause
        elif rng.random() >= 0.6:
            continue
        b.add(film, group, when, "bluray")
        if rng.random() < 0.6:
            b.add(
                film, group, when + timedelta(minutes=rng.uniform(5, 90)), "bluray", "2160p", "h265"
            )
        leaks.append((film, when, group))
        if group == LEADER:
            last = max(when + timedelta(minutes=90), last or when)
    for follower, (low, high), share in zip(
        FOLLOWERS, ((2.0, 8.0), (6.0, 30.0)), (0.9, 0.85), strict=True
    ):
        _p2p(b, follower, catalogue, leaks, low, high, share)
    for index, group in enumerate(WEB):
        slow = index == len(WEB) - 1
        for film in catalogue:
            if rng.random() < 0.8:
                hours = rng.uniform(2, 10) if slow else rng.uniform(0, 6)
                b.add(film, group, _at(film.digital, hours), "web-dl")
                if rng.random() < 0.5:
                    b.add(
                        film,
                        group,
                        _at(film.digital, hours + rng.uniform(0.1, 2)),
                        "web-dl",
                        "2160p",
                        "h265",
                    )
    for group in CAM:
        for film in catalogue:
            if rng.random() < 0.6:
                b.add(film, group, _at(film.theatrical, rng.uniform(6, 96)), "cam", "720p")
    for group in RETAIL:
        for film in catalogue:
            if rng.random() < 0.6:
                b.add(film, group, _at(film.physical, rng.uniform(2, 120)), "bluray")
    world = b.world
    for follower in FOLLOWERS:
        for leader in (LEADER, RENAMED):
            world.true_links.add((LinkKind.FOLLOWER, leader.lower(), follower.lower()))
    world.true_links.add((LinkKind.RENAMED, LEADER.lower(), RENAMED.lower()))
    world.releases.sort(key=lambda r: (r.released_at, r.id))
    return world


def _p2p(
    b: _Builder,
    group: str,
    catalogue: list[_Film],
    leaks: list[tuple[_Film, datetime, str]],
    low: float,
    high: float,
    share: float,
) -> None:
    rng = b.rng
    copied: set[str] = set()
    for film, when, _ in leaks:
        if rng.random() < share:
            b.add(
                film,
                group,
                when + timedelta(hours=rng.uniform(low, high)),
                "bluray",
                rng.choice(("1080p", "720p")),
                "h265",
            )
            copied.add(film.id)
    pick: Callable[[], bool] = lambda: rng.random() < 0.5  # noqa: E731
    for film in catalogue:
        if film.id not in copied and pick():
            b.add(
                film,
                group,
                _at(film.physical, 24 * rng.uniform(0.5, 40)),
                "bluray",
                "1080p",
                "h265",
            )
        if pick():
            b.add(
                film, group, _at(film.digital, 24 * rng.uniform(0.5, 20)), "webrip", "1080p", "h265"
            )
