"""Rows of the web API benchmark's database: works, group names and releases with their
sightings, alerts, NFOs and nukes, generated deterministically from a seed.

Works: the 4,803 films of the shared TMDB catalogue (digital and physical dates added 45-150
days after the theatrical one, per film) plus synthetic TV seasons; without the corpus,
synthetic films instead. Releases: scene-style names by 2,500 groups (Zipf-sized) over those
works and 10% unmatched titles; each judged by LeakTrace's own detector
(``leaktrace.detect.detector.assess``), so about 4% are leaks with their alert. Used by
``api_service_data.py``.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from leaktrace.catalog.csv_import import read_catalog  # noqa: E402
from leaktrace.catalog.model import Work  # noqa: E402
from leaktrace.detect.detector import assess  # noqa: E402

__all__ = ["CHUNK", "END", "Chunk", "Generator", "catalogue_works", "group_names"]

END = datetime(2026, 12, 1, tzinfo=UTC)
FLOOR = datetime(2004, 1, 1, tzinfo=UTC)
CHUNK = 20_000
LEAK_SHARE = 0.085  # releases timed before their window (many have none: ~4% leak)

# (parsed source, name token, weight); None: a source no rule knows (status "unknown")
SOURCES: tuple[tuple[str | None, str, float], ...] = (
    ("bluray", "BluRay", 14),
    ("bdrip", "BDRip", 6),
    ("remux", "BluRay.REMUX", 3),
    ("uhd-bluray", "UHD.BluRay", 2),
    ("dvdrip", "DVDRip", 5),
    ("web-dl", "WEB-DL", 20),
    ("webrip", "WEBRip", 12),
    ("hdtv", "HDTV", 4),
    ("cam", "HDCAM", 3),
    ("telesync", "TS", 2),
    ("screener", "DVDSCR", 1),
    ("r5", "R5", 0.5),
    ("workprint", "WORKPRINT", 0.3),
    (None, "", 3),
)
RESOLUTIONS = ("2160p", "1080p", "1080p", "1080p", "720p", "720p", None)
CODECS = (("h264", "x264"), ("h264", "H.264"), ("h265", "x265"), ("h265", "HEVC"), ("xvid", "XviD"))
EXTRAS = ("", "", "", "", "", "PROPER", "REPACK", "iNTERNAL", "LIMITED", "EXTENDED", "MULTi")
WORDS = (
    "Harbour Glass Silent Border Paper Lantern Static Bloom Winter Orchard Quiet Engine Long "
    "Tide Iron Meadow Hollow Crown Velvet North Signal Ember Coast Broken Compass Golden Hour "
    "Shadow Line Night Shift Cold Case River Stone Black Ridge Open Water Last Light Red Sky"
).split()
SYLLABLES = "ka ro vi ne xo lu da mi te zo ra fi go sa pe qu yn th ex ar on is".split()
ORIGINS = (("predb", 0.4), ("torznab", 0.3), ("rss", 0.2), ("torrent", 0.1))
PUBLIC_TRACKERS = (  # open trackers of LeakTrace's built-in list: they link no groups
    "udp://tracker.opentrackr.org:1337/announce",
    "udp://open.stealth.si:80/announce",
    "udp://tracker.torrent.eu.org:451/announce",
    "udp://tracker.openbittorrent.com:6969/announce",
)
CREWS = 150  # one group in eight belongs to a crew: its private tracker and NFO style
NUKE_REASONS = ("dupe", "mislabeled", "bad.ivtc", "get.proper", "stolen.release", "out.of.sync")


def dotted(title: str) -> str:
    cleaned = re.sub(r"[^0-9A-Za-z&' ]+", " ", title).replace("&", "and").replace("'", "")
    return ".".join(cleaned.split()) or "Untitled"


def catalogue_works(path: Path, rng: random.Random) -> list[Work]:
    """The catalogue's films with home-release dates added, and synthetic TV seasons."""
    films = read_catalog(path) if path.is_file() else []
    if not films:  # no corpus: synthetic films
        films = [
            Work(f"bench:film{n:05d}", "movie", _phrase(rng, 2), 1990 + n % 35,
                 theatrical=date(1990 + n % 35, 1 + n % 12, 1 + n % 28))
            for n in range(3000)
        ]  # fmt: skip
    works: list[Work] = []
    for film in films:
        if film.theatrical is None:
            works.append(film)
            continue
        digital = film.theatrical + timedelta(days=rng.randint(45, 120))
        works.append(
            replace(film, digital=digital, physical=digital + timedelta(rng.randint(0, 30)))
        )
    for n in range(150):
        title, first = f"{_phrase(rng, 2)} {n}", rng.randint(2008, 2025)
        for season in range(1, rng.randint(1, 6) + 1):
            aired = date(min(first + season - 1, 2026), rng.randint(1, 10), rng.randint(1, 28))
            works.append(Work(f"bench:tv{n:03d}:s{season:02d}", "season", title, first, season,
                              broadcast=aired, digital=aired + timedelta(days=rng.randint(0, 40)),
                              country="US"))  # fmt: skip
    return works


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def group_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct group names, the best known first (rank 1 is the largest)."""
    names = ["SPARKS", "GECKOS", "DRONES", "AMIABLE", "ROVERS", "DEFLATE", "VETO", "BLOW"]
    seen = {name.lower() for name in names}
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        name = word.upper() if rng.random() < 0.6 else word.capitalize()
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names[:count]


def _cumulative(count: int, exponent: float) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, count + 1):
        total += rank**-exponent
        out.append(total)
    return out


@dataclass
class Chunk:
    releases: list[dict[str, Any]] = field(default_factory=list)
    sightings: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    nfos: list[dict[str, Any]] = field(default_factory=list)
    nukes: list[dict[str, Any]] = field(default_factory=list)


class Generator:
    """Deterministic release rows, ``CHUNK`` at a time, ids from 1."""

    def __init__(self, works: Sequence[Work], groups: Sequence[str], seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.works = list(works)
        self.work_weights = _cumulative(len(self.works), 0.8)
        self.rng.shuffle(self.works)  # popularity independent of catalogue order
        self.groups = list(groups)
        self.crews = {g: self.rng.randrange(CREWS) for g in groups if self.rng.random() < 0.125}
        self.group_weights = _cumulative(len(self.groups), 0.9)
        self.source_weights = list(_accumulate(w for _, _, w in SOURCES))
        self.names: set[str] = set()
        self.next_id = 1
        self.next_sighting = 1
        self.next_alert = 1

    def chunks(self, total: int) -> Iterator[Chunk]:
        while self.next_id <= total:
            chunk = Chunk()
            for _ in range(min(CHUNK, total - self.next_id + 1)):
                self._release(chunk)
            yield chunk

    def _pick(self, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
        return items[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _release(self, chunk: Chunk) -> None:
        rng, rid = self.rng, self.next_id
        self.next_id += 1
        group = None if rng.random() < 0.08 else self._pick(self.groups, self.group_weights)
        source, token, _ = self._pick(SOURCES, self.source_weights)
        resolution = rng.choice(RESOLUTIONS)
        codec, codec_token = rng.choice(CODECS)
        work: Work | None = (
            None if rng.random() < 0.1 else self._pick(self.works, self.work_weights)
        )
        episode = None
        if work is None:
            title, year, kind, season = (
                _phrase(rng, rng.randint(1, 3)),
                rng.randint(1970, 2026),
                "movie",
                None,
            )
            head = f"{dotted(title)}.{year}"
        elif work.kind == "season":
            title, year, kind, season = work.title, None, "episode", work.season
            episode = rng.randint(1, 12)
            head = f"{dotted(title)}.S{season:02d}E{episode:02d}"
        else:
            title, year, kind, season = work.title, work.year, "movie", None
            head = f"{dotted(title)}.{year}" if year else dotted(title)
        extra = rng.choice(EXTRAS)
        parts = [head, extra, resolution or "", token, codec_token]
        name = ".".join(p for p in parts if p) + (f"-{group}" if group else "")
        while name in self.names:
            name = f"{name[:480]}.{rng.choice(('RERIP', 'PROPER', 'REPACK', 'DUBBED', 'v2'))}"
        self.names.add(name)
        released_at = self._time(work, source)
        status, score, reason, alert = (
            "unmatched",
            round(rng.uniform(0, 60), 2),
            "no work scored above the threshold",
            None,
        )
        if work is not None:
            verdict = assess(source, work, released_at)
            status, score, alert = verdict.status, round(rng.uniform(86, 100), 2), verdict.alert
            reason = f"title and year match '{work.label}'"
        sightings = 1 + (rng.random() < 0.1) + (rng.random() < 0.02)
        nuked = rng.random() < 0.015
        row = {
            "id": rid, "name": name, "title": title, "year": year, "kind": kind, "season": season,
            "episode": episode, "resolution": resolution, "source": source, "codec": codec,
            "languages": "fr" if extra == "MULTi" else None,
            "tags": extra.upper() if extra in ("PROPER", "REPACK", "iNTERNAL") else None,
            "group_name": group, "group_key": group.lower() if group else None,
            "service": None, "work_id": work.id if work else None, "match_score": score,
            "match_reason": reason, "status": status, "imdb_id": work.imdb_id if work else None,
            "nuke_status": "nuked" if nuked else None,
            "nuke_reason": rng.choice(NUKE_REASONS) if nuked else None,
            "nuke_net": rng.choice(("LocalNet", "ZENET")) if nuked else None,
            "nuked_at": released_at + timedelta(hours=rng.uniform(1, 48)) if nuked else None,
            "released_at": released_at, "sightings": sightings, "first_run_id": 1,
        }  # fmt: skip
        chunk.releases.append(row)
        for n in range(sightings):
            self._sighting(chunk, row, n)
        if alert is not None:
            created = released_at + timedelta(minutes=rng.uniform(1, 30))
            chunk.alerts.append(
                {
                    "id": self.next_alert,
                    "release_id": rid,
                    "work_id": alert.work_id,
                    "rule": alert.rule,
                    "window": alert.window.value,
                    "window_date": alert.window_date,
                    "source": alert.source,
                    "released_at": alert.released_at,
                    "lead_days": alert.lead_days,
                    "severity": alert.severity.value,
                    "explanation": alert.explanation,
                    "created_at": created,
                    "updated_at": created,
                }  # fmt: skip
            )
            self.next_alert += 1
        if nuked:
            chunk.nukes.append(
                {
                    "fingerprint": _sha1(f"nuke:{rid}"),
                    "release_id": rid,
                    "name": name,
                    "action": "nuke",
                    "reason": row["nuke_reason"],
                    "net": row["nuke_net"],
                    "at": row["nuked_at"],
                    "source": "bench-predb",
                }  # fmt: skip
            )
        if group and rng.random() < 0.01:
            body = f"{self._nfo_style(group)}\n\n{title}\n\nSource: {token}\n"
            chunk.nfos.append(
                {
                    "release_id": rid,
                    "group_key": group.lower(),
                    "sha256": _sha256(body),
                    "text": body,
                    "seen_at": released_at,
                }  # fmt: skip
            )

    def _time(self, work: Work | None, source: str | None) -> datetime:
        rng = self.rng
        opening = _opening(work, source)
        if opening is not None and rng.random() < LEAK_SHARE and opening > FLOOR:
            lead = min(rng.expovariate(1 / 9) + rng.uniform(0.02, 1), 180)
            return min(opening - timedelta(days=lead), END)
        base = max(opening or FLOOR, FLOOR)
        if base >= END:
            base = END - timedelta(days=30)
        moment = base + timedelta(days=rng.expovariate(1 / 150), seconds=rng.randint(0, 86399))
        return min(moment, END - timedelta(seconds=rng.randint(0, 86400 * 365)))

    def _nfo_style(self, group: str) -> str:
        """A group's NFO banner and greetings (a crew's groups share theirs)."""
        crew = self.crews.get(group)
        style = random.Random(f"crew{crew}" if crew is not None else f"group:{group}")
        art = "".join(style.choice("#=*~/\\|_-") for _ in range(60))
        greets = " ".join(style.choice(WORDS + SYLLABLES) for _ in range(14))
        return f"{art}\n{group} presents\n{art[::-1]}\nGreets: {greets}"

    def _sighting(self, chunk: Chunk, release: dict[str, Any], n: int) -> None:
        rng, sid = self.rng, self.next_sighting
        self.next_sighting += 1
        origin = ORIGINS[min(bisect.bisect([0.4, 0.7, 0.9], rng.random()), 3)][0]
        torrent = origin == "torrent"
        extra = None
        if torrent:
            trackers = rng.sample(PUBLIC_TRACKERS, rng.randint(1, 3))
            crew = self.crews.get(release["group_name"] or "")
            if crew is not None:
                trackers.append(f"https://announce.crew{crew}-{_sha1(str(crew))[:6]}.net/announce")
            extra = json.dumps({"trackers": trackers})
        chunk.sightings.append(
            {
                "id": sid,
                "release_id": release["id"],
                "fingerprint": _sha1(f"s:{sid}"),
                "seen_at": release["released_at"] + timedelta(minutes=n * rng.uniform(5, 600)),
                "origin": origin,
                "site": f"{origin}.example.org",
                "url": f"https://{origin}.example.org/r/{release['id']}/{n}",
                "size_bytes": rng.randint(300_000_000, 60_000_000_000),
                "group_name": release["group_name"],
                "extra": extra,
                "run_id": 1,
                "source": f"bench-{origin}",
                "infohash": _sha1(f"ih:{sid}") if torrent else None,
                "infohash_v2": None,
                "seeders": rng.randint(0, 900) if torrent else None,
                "leechers": rng.randint(0, 300) if torrent else None,
                "grabs": None,
                "category": "Movies/HD" if release["kind"] == "movie" else "TV/HD",
            }  # fmt: skip
        )


def _accumulate(values: Iterator[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _opening(work: Work | None, source: str | None) -> datetime | None:
    if work is None:
        return None
    day = work.digital if source in ("web-dl", "webrip") else None
    if source in ("cam", "telesync"):
        day = work.theatrical
    elif source in ("hdtv",):
        day = work.broadcast
    elif source in ("screener", "workprint"):
        day = min((d for d in (work.digital, work.physical) if d), default=None)
    elif day is None:
        day = work.physical or work.digital
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _sha1(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
