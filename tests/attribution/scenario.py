"""A small attribution scenario built through the real pipeline (catalogue import + ingest).

Groups (times UTC):

* **SPARKS** (also spelled ``Sparks`` and ``sparks``): scene disc rips, 02:00-04:00, 2018-01 to
  2019-10; four leaks before the physical street date (Blade Runner 2049, Halloween 2018 twice,
  Toy Story 4), one in-window release; 12 titles; one nuke; NFOs with the same ASCII art;
  torrents on a private tracker and a web seed of its own (plus two common trackers).
* **PEERCOPY**: x265 re-encodes, 3-6 h after SPARKS on 10 of its 12 titles (and after SPRKS on
  6 of its titles); first on one title ("Kappa Line") two days before SPARKS. Its usual pace
  elsewhere, which the follower test compares with: old catalogue films years after their
  street date, and CAMZ's captures 5-20 days after CAMZ.
* **SPRKS**: starts 37 days after SPARKS stops, same habits, same NFO art, same private tracker
  and web seed (from magnet URIs): SPARKS renamed.
* **CAMZ**: unrelated cinema captures at 20:00, overlapping SPRKS; different art and trackers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leaktrace.config import Settings
from leaktrace.feeds.item import FeedItem, NukeEvent
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.store.database import Database
from leaktrace.store.nukes import apply_nukes
from leaktrace.store.schema import SHIPMENTS, SUPPLY_ACCOUNTS

ART = """\
 ▄████████    ▄███████▄    ▄████████    ▄████████    ▄█   ▄█▄    ▄████████
███    ███   ███    ███   ███    ███   ███    ███   ███ ▄███▀   ███    ███
███    █▀    ███    ███   ███    ███   ███    ███   ███▐██▀     ███    █▀
███          ███    ███   ███    ███  ▄███▄▄▄▄██▀  ▄█████▀      ███
▀███████████ ▀█████████▀ ▀███████████ ▀▀███▀▀▀▀▀   ▀▀█████▄    ▀███████████
         ███   ███          ███    ███ ▀███████████   ███▐██▄            ███
   ▄█    ███   ███          ███    ███   ███    ███   ███ ▀███▄    ▄█    ███
 ▄████████▀   ▄████▀        ███    █▀    ███    ███   ███   ▀█▀  ▄████████▀
╔══════════════════════════════════════════════════════════════════════════╗
║        ░▒▓█  quality scene releases since the dawn of time  █▓▒░         ║
╠══════════════════════════════════════════════════════════════════════════╣
║  greetings to all our friends, couriers and site ops, you know who u r   ║
║  we are always looking for: retail disc suppliers, fast affils, hw       ║
╚══════════════════════════════════════════════════════════════════════════╝
"""

CAM_ART = """\
   ______      __  ___ _____
  / ____/___ _/  |/  //__  /
 / /   / __ `/ /|_/ /   / /
/ /___/ /_/ / /  / /   / /__
\\____/\\__,_/_/  /_/   /____/
*****************************************************
*  fresh from the cinema floor -- camcorder crew    *
*  audio: line in, video: tripod, no heads promised *
*****************************************************
"""

OPEN = "udp://tracker.opentrackr.org:1337/announce"
BIG = "http://tracker.bigpublic.example/announce"
HUB = "https://hub.sparksnet.example:2710/{key}/announce"
SEED = "https://seed7.boxhost.example/dl/{name}"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _infohash(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def _nfo(art: str, name: str, extra: str = "") -> str:
    return (
        f"{art}\n  release.....: {name}\n  date........: 2019\n"
        f"  source......: retail disc\n  notes.......: {extra or 'enjoy'}\n"
    )


@dataclass(frozen=True)
class Rel:
    name: str
    at: datetime


# SPARKS: (name, time); the first four are leaks, the fifth is in-window
SPARKS: list[Rel] = [
    Rel("Blade.Runner.2049.2017.1080p.BluRay.x264-SPARKS", t("2018-01-12T03:00")),
    Rel("Halloween.2018.1080p.BluRay.x264-SPARKS", t("2019-01-11T03:00")),
    Rel("Halloween.2018.720p.BluRay.x264-Sparks", t("2019-01-11T03:30")),
    Rel("Toy.Story.4.2019.1080p.BluRay.x264-Sparks", t("2019-10-04T02:00")),
    Rel("Blade.Runner.2049.2017.2160p.UHD.BluRay.x265-sparks", t("2018-02-01T02:40")),
]
SPARKS_OTHER_TITLES = [
    "Quiet.Harbor",
    "Amber.Road",
    "Velvet.Orchard",
    "Copper.Lantern",
    "Silent.Meridian",
    "Glass.Prairie",
    "Hollow.Summit",
    "Kappa.Line",
    "Northbound.Tide",
]
for index, title in enumerate(SPARKS_OTHER_TITLES):
    SPARKS.append(
        Rel(f"{title}.2018.1080p.BluRay.x264-SPARKS", t(f"2018-{index + 3:02d}-10T02:{index:02d}"))
    )

SPRKS_TITLES = [
    "Marble.Canyon",
    "Paper.Comet",
    "Iron.Willow",
    "Lunar.Bay",
    "Scarlet.Ferry",
    "Winter.Loom",
    "Echo.Quarry",
    "Frost.Arcade",
    "Ivory.Basin",
    "Rust.Lagoon",
]
SPRKS: list[Rel] = [
    Rel(f"{title}.2019.1080p.BluRay.x264-SPRKS", t("2019-11-10T03:00") + timedelta(days=30 * i))
    for i, title in enumerate(SPRKS_TITLES)
]
SPRKS.append(Rel("Dune.2021.1080p.BluRay.x264-SPRKS", t("2022-01-07T03:00")))

CAMZ: list[Rel] = [
    Rel(f"{title}.2020.HDCAM.x264-CAMZ", t("2019-11-20T20:00") + timedelta(days=25 * i))
    for i, title in enumerate(
        ["Neon.Harvest", "Crimson.Vale", "Distant.Choir", "Pale.Engine", "Storm.Atlas"]
        + ["Wild.Signal", "Brass.Kingdom", "Shadow.Ledger", "Golden.Fathom"]
    )
]


def _p2p(name: str) -> str:
    base = name.rsplit("-", 1)[0]
    return base.replace("x264", "x265").replace(".720p.", ".1080p.") + "-PEERCOPY"


def _peercopy() -> list[Rel]:
    out: list[Rel] = []
    followed = {r.name: r for r in SPARKS if "2160p" not in r.name and ".720p." not in r.name}
    skip = {
        "Hollow.Summit.2018.1080p.BluRay.x264-SPARKS",
        "Kappa.Line.2018.1080p.BluRay.x264-SPARKS",
    }
    for i, (name, rel) in enumerate(sorted(followed.items())):
        if name in skip:
            continue
        out.append(Rel(_p2p(name), rel.at + timedelta(hours=3 + i % 4)))
    # first on Kappa Line, two days before SPARKS
    kappa = next(r for r in SPARKS if r.name.startswith("Kappa.Line"))
    out.append(Rel(_p2p(kappa.name), kappa.at - timedelta(days=2)))
    for rel in SPRKS[:6]:
        out.append(Rel(_p2p(rel.name), rel.at + timedelta(hours=5)))
    for i, (title, year) in enumerate(PEERCOPY_OLD):
        when = t("2018-02-20T14:00") + timedelta(days=61 * i)
        out.append(Rel(f"{title}.{year}.1080p.BluRay.x265-PEERCOPY", when))
    for i, rel in enumerate(CAMZ):
        name = rel.name.replace(".x264-CAMZ", ".x265-PEERCOPY")
        out.append(Rel(name, rel.at + timedelta(days=5 + 2 * i, hours=3)))
    return out


PEERCOPY_OLD = [
    ("It", 2017),
    ("It.Follows", 2014),
    ("Halloween", 1978),
    ("The.Godfather", 1972),
    ("Toy.Story.3", 2010),
    ("Amelie", 2001),
    ("Fast.and.Furious.6", 2013),
]
"""Catalogue films PEERCOPY re-encodes long after their street date."""


PEERCOPY = _peercopy()


def items() -> list[FeedItem]:
    out: list[FeedItem] = []
    for i, rel in enumerate(SPARKS):
        out.append(FeedItem(rel.name, rel.at, origin="predb"))
        out.append(
            FeedItem(
                rel.name,
                rel.at + timedelta(minutes=20),
                origin="torrent",
                infohash=_infohash(rel.name),
                url=SEED.format(name=rel.name),
                attrs={
                    "trackers": " ".join([OPEN, BIG, HUB.format(key=f"pk{i:04d}")]),
                    "web_seeds": SEED.format(name=rel.name),
                },
            )
        )
        if i % 3 == 0:
            out.append(
                FeedItem(
                    rel.name,
                    rel.at + timedelta(minutes=5),
                    origin="nfo",
                    group="SPARKS",
                    nfo_text=_nfo(ART, rel.name),
                )
            )
    for i, rel in enumerate(SPRKS):
        out.append(FeedItem(rel.name, rel.at, origin="predb"))
        tr = HUB.format(key=f"zz{i}")
        magnet = (
            f"magnet:?xt=urn:btih:{_infohash(rel.name)}&dn={rel.name}&tr={OPEN}&tr={tr}"
            f"&ws=https://seed7.boxhost.example/other/{i}"
        )
        out.append(
            FeedItem(
                rel.name,
                rel.at + timedelta(minutes=30),
                origin="magnet",
                infohash=_infohash(rel.name),
                attrs={"magneturl": magnet, "trackers": f"{OPEN} {tr}"},
            )
        )
        if i % 4 == 0:
            art = ART.replace("quality scene releases", "quality scene rls     ")
            out.append(
                FeedItem(
                    rel.name,
                    rel.at + timedelta(minutes=3),
                    origin="nfo",
                    nfo_text=_nfo(art, rel.name, "new name, same crew"),
                )
            )
    for rel in PEERCOPY:
        out.append(
            FeedItem(
                rel.name,
                rel.at,
                origin="torrent",
                infohash=_infohash(rel.name),
                attrs={"trackers": f"{OPEN} {BIG} udp://tracker.p2pland.example:6969/announce"},
            )
        )
    for i, rel in enumerate(CAMZ):
        out.append(FeedItem(rel.name, rel.at, origin="predb"))
        out.append(
            FeedItem(
                rel.name,
                rel.at + timedelta(hours=1),
                origin="torrent",
                infohash=_infohash(rel.name),
                attrs={"trackers": f"{OPEN} {BIG} http://tracker.camnet.example/announce"},
            )
        )
        if i % 3 == 0:
            out.append(FeedItem(rel.name, rel.at, origin="nfo", nfo_text=_nfo(CAM_ART, rel.name)))
    return out


def build(db: Database, settings: Settings, catalog: Path) -> None:
    """Import the test catalogue, ingest the scenario, add a nuke and some shipments."""
    import_catalog(db, catalog, settings)
    report = ingest_items(db, items(), settings)
    assert report.rejected == 0
    with db.transaction() as conn:
        apply_nukes(
            conn,
            [
                NukeEvent(
                    "Halloween.2018.720p.BluRay.x264-Sparks",
                    "nuke",
                    t("2019-01-11T09:00"),
                    reason="mislabeled.source",
                    net="LocalNet",
                )
            ],
        )
        now = t("2019-12-01T00:00")
        conn.execute(
            SUPPLY_ACCOUNTS.insert(),
            [
                {
                    "id": 1,
                    "distributor": "Nordic Disc Wholesale",
                    "account": "Flicks & Co Retail",
                    "declared_business": "retailer",
                    "country": "DK",
                    "updated_at": now,
                },
                {
                    "id": 2,
                    "distributor": "Nordic Disc Wholesale",
                    "account": "Big Box Stores",
                    "declared_business": "retailer",
                    "country": "SE",
                    "updated_at": now,
                },
            ],
        )
        shipments = [
            (1, "halloween-2018", "2019-01-05T10:00", "2019-01-15"),
            (1, "toy-story-4", "2019-09-30T10:00", "2019-10-08"),
            (2, "toy-story-4", "2019-10-06T10:00", "2019-10-08"),
        ]
        conn.execute(
            SHIPMENTS.insert(),
            [
                {
                    "fingerprint": f"fp{i}",
                    # shipments are identified by file and line since migration 0006
                    **({"identity": f"id{i}"} if "identity" in SHIPMENTS.c else {}),
                    "account_id": account,
                    "work_id": work,
                    "format": "bluray",
                    "quantity": 5,
                    "shipped_at": t(shipped),
                    "street_date": datetime.fromisoformat(street).date(),
                }
                for i, (account, work, shipped, street) in enumerate(shipments)
            ],
        )
