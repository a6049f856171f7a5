"""Write a synthetic JSON Lines feed of scene-style release names for benchmarks.

Titles come from a catalogue CSV (default: the TMDB 5000 corpus) so most releases match a
work; a share are films outside the catalogue; about one line in ten repeats an earlier
release seen on another site (a second sighting).

    python bench/make_feed.py --lines 1000000 --out bench/out/feed-1m.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOGUE = ROOT.parent / "shared" / "corpora" / "catalogue" / "tmdb5000.csv"

RESOLUTIONS = ["2160p", "1080p", "1080p", "720p", "720p", "480p"]
SOURCES = [
    "BluRay",
    "BluRay",
    "BDRip",
    "BRRip",
    "WEB-DL",
    "WEB-DL",
    "WEBRip",
    "HDTV",
    "DVDRip",
    "HDCAM",
    "TS",
    "TELESYNC",
    "R5",
    "DVDSCR",
    "WORKPRINT",
    "REMUX",
]
CODECS = ["x264", "x264", "x265", "H.264", "HEVC", "XviD"]
AUDIO = ["", "", "DTS", "DD5.1", "AAC2.0", "DDP5.1", "TrueHD.Atmos"]
EXTRAS = [
    "",
    "",
    "",
    "",
    "PROPER",
    "REPACK",
    "iNTERNAL",
    "LIMITED",
    "EXTENDED",
    "iTALiAN",
    "FRENCH",
    "GERMAN",
    "MULTi",
]
GROUPS = [f"GRP{n:03d}" for n in range(300)] + ["SPARKS", "GECKOS", "DRONES", "AMIABLE"]
NOISE = [
    "Zebra Crossing",
    "Midnight Harbour",
    "The Quiet Engine",
    "Paper Lanterns",
    "A Winter in Oslo",
    "Glass Orchard",
    "Static Bloom",
    "The Long Tide",
]


def dotted(title: str) -> str:
    text = re.sub(r"[^0-9A-Za-z&' ]+", " ", title).replace("&", "and").replace("'", "")
    return ".".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "feed.jsonl")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=0.1,
        help="share of lines that repeat an earlier release seen elsewhere",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    films: list[tuple[str, int, date]] = []
    with args.catalogue.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["year"] and row["release_date"]:
                films.append(
                    (row["title"], int(row["year"]), date.fromisoformat(row["release_date"]))
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    recent: list[str] = []
    with args.out.open("w", encoding="utf-8") as out:
        for i in range(args.lines):
            if recent and rng.random() < args.repeat_share:
                name = rng.choice(recent)
                when = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(10**6))
                out.write(
                    json.dumps(
                        {
                            "name": name,
                            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "site": f"mirror{rng.randrange(20)}",
                        }
                    )
                    + "\n"
                )
                continue
            if rng.random() < 0.15:
                title, year, opened = rng.choice(NOISE), rng.randrange(1990, 2026), date(2020, 1, 1)
            else:
                title, year, opened = rng.choice(films)
            parts = [dotted(title), str(year)]
            extra = rng.choice(EXTRAS)
            if extra:
                parts.append(extra)
            parts += [rng.choice(RESOLUTIONS), rng.choice(SOURCES)]
            audio = rng.choice(AUDIO)
            if audio:
                parts.append(audio)
            parts.append(rng.choice(CODECS))
            name = ".".join(parts) + "-" + rng.choice(GROUPS)
            when = datetime.combine(opened, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=rng.randrange(-24 * 60, 24 * 400)
            )
            if when.year < 1990:
                when = datetime(1990, 1, 1, tzinfo=UTC) + timedelta(hours=i % 1000)
            out.write(
                json.dumps(
                    {
                        "name": name,
                        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "group": name.rsplit("-", 1)[1],
                        "size": rng.randrange(10**9),
                        "site": f"site{rng.randrange(5)}",
                    }
                )
                + "\n"
            )
            if len(recent) < 5000:
                recent.append(name)
            else:
                recent[rng.randrange(5000)] = name
    print(f"wrote {args.lines} lines to {args.out}")


if __name__ == "__main__":
    main()
