"""Puts the demo scenario on disk: ``catalog.csv``, the three JSONL feeds (``predb.jsonl``,
``trackers.jsonl`` with its deliberately malformed lines, ``indexer.jsonl``) and the
``SCENARIO.txt`` that tells the story and the expected outcome."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from leaktrace.catalog.model import Work
from leaktrace.demo.builder import Release, Sighting
from leaktrace.demo.cast import SITES
from leaktrace.demo.infra import demo_infohash
from leaktrace.demo.premise import FICTIONAL_NOTICE, SCENARIO_START
from leaktrace.demo.results import ScenarioFiles

__all__ = ["WrittenFeeds", "write_catalog", "write_feeds", "write_readme"]

_MB = 1024**2


@dataclass(frozen=True, slots=True)
class WrittenFeeds:
    """The feed files :func:`write_feeds` wrote and how many lines went into them."""

    paths: tuple[Path, ...]
    sightings: int
    malformed_lines: int


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_catalog(path: Path, works: Sequence[Work], titles: dict[str, str]) -> None:
    """``catalog.csv``: the works in LeakTrace's catalogue CSV contract."""

    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "id",
                "kind",
                "title",
                "year",
                "season",
                "aliases",
                "theatrical",
                "digital",
                "physical",
                "broadcast",
            ]
        )
        for work in works:
            writer.writerow(
                [
                    work.id,
                    work.kind,
                    titles[work.id],
                    work.year or "",
                    work.season if work.season is not None else "",
                    "|".join(work.aliases),
                    day(work.theatrical),
                    day(work.digital),
                    day(work.physical),
                    day(work.broadcast),
                ]
            )


def _predb_row(
    rng: random.Random, release: Release, sighting: Sighting, pre_id: int
) -> dict[str, Any]:
    size_mb = round(sighting.size / _MB, 2)
    nuke = None
    if release.role != "supply-chain leak" and release.work is not None and rng.random() < 0.03:
        nuke = {
            "id": pre_id * 7 % 100000,
            "typeId": 1,
            "type": "nuke",
            "preId": pre_id,
            "reason": rng.choice(("bad.ivtc", "dupe", "mislabeled.source", "audio.sync")),
            "net": "FICTIONALNET",
            "nukeAt": int(sighting.time.timestamp()) + 3600,
        }
    return {
        "id": pre_id,
        "name": release.name,
        "team": release.group or "",
        "cat": release.category or "X264-HD",
        "size": size_mb,
        "files": max(1, int(size_mb // 100)),
        "preAt": int(sighting.time.timestamp()),
        "nuke": nuke,
    }


def _feed_row(rng: random.Random, release: Release, sighting: Sighting) -> dict[str, Any]:
    row: dict[str, Any] = {"name": release.name, "time": _iso(sighting.time)}
    if sighting.group:
        row["group"] = sighting.group
    row["size"] = sighting.size
    if sighting.site:
        row["site"] = sighting.site
        row["url"] = f"https://{sighting.site}/t/{rng.randint(100000, 999999)}"
        row["infohash"] = demo_infohash(release.name)
    return row


def _malformed(releases: Sequence[Release]) -> list[tuple[datetime, str]]:
    """Broken lines for trackers.jsonl: each one must be rejected, never stored."""
    picks = [r for r in releases if r.work is not None][:4]
    when = [r.first + timedelta(hours=1) for r in picks]
    return [
        (when[0], '{"name": "' + picks[0].name + '", "time": "2025-'),  # cut short
        (
            when[1],
            json.dumps({"name": picks[1].name, "site": SITES[0], "size": 1234567890}),
        ),  # no time
        (
            when[2],
            json.dumps({"name": picks[2].name, "time": "31/07/2025 22:10", "site": SITES[1]}),
        ),  # bad format
        (
            when[3],
            json.dumps({"name": picks[3].name, "time": "2025-07-31T22:10:00", "site": SITES[2]}),
        ),  # no offset
        (when[3] + timedelta(hours=2), "<html><body>502 Bad Gateway</body></html>"),
    ]


def _write_jsonl(path: Path, lines: list[tuple[datetime, str]]) -> None:
    lines.sort(key=lambda item: item[0])
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for _, text in lines:
            handle.write(text + "\n")


def write_feeds(directory: Path, releases: Sequence[Release], seed: int) -> WrittenFeeds:
    """One line per sighting of ``releases`` (sorted by first sighting) in the feed it was
    seen in, plus the malformed lines; each feed sorted by time."""
    rng = random.Random(seed * 7919 + 1)
    feeds: dict[str, list[tuple[datetime, str]]] = {"predb": [], "trackers": [], "indexer": []}
    pre_id = 7_000_000
    sightings = 0
    for release in releases:
        for sighting in release.sightings:
            sightings += 1
            if sighting.feed == "predb":
                pre_id += 1
                text = json.dumps(_predb_row(rng, release, sighting, pre_id), ensure_ascii=False)
            else:
                text = json.dumps(_feed_row(rng, release, sighting), ensure_ascii=False)
            feeds[sighting.feed].append((sighting.time, text))
    broken = _malformed(releases[len(releases) // 3 :])
    feeds["trackers"].extend(broken)
    paths: list[Path] = []
    for feed, lines in feeds.items():
        path = directory / f"{feed}.jsonl"
        _write_jsonl(path, lines)
        paths.append(path)
    return WrittenFeeds(tuple(paths), sightings, len(broken))


def write_readme(files: ScenarioFiles) -> None:
    """``SCENARIO.txt``: the story, the files, and what LeakTrace should find."""
    files.readme.write_text(_readme_text(files), encoding="utf-8")


def _readme_text(files: ScenarioFiles) -> str:
    def table(counts: dict[str, int]) -> str:
        return "\n".join(f"    {key:<28} {value:>6}" for key, value in counts.items())

    roles = dict(Counter(p.role for p in files.planted.values()).most_common())
    return f"""LeakTrace demo scenario (seed {files.seed})
{"=" * 44}

{FICTIONAL_NOTICE}
synthetic: true

The story: a fictional disc supply-chain group, {files.supply_chain_group}, obtains Blu-rays
from distributors before their street date (the pattern of the 2020 "Sparks" case) and
releases BluRay/UHD/REMUX rips 1-21 days early; P2P groups re-encode its releases within
hours. Around it, the ordinary life of {files.films} films and {files.seasons} TV seasons over
{SCENARIO_START.year}: cinema captures (a few before the premiere), WEB releases on the
digital date (a few from a platform, before it), one workprint, one awards screener, TV
episodes after they air (two before), localised Italian/French/original-language releases,
and releases of works that are not in the catalogue at all.

Files
    catalog.csv       {files.works} protected works (LeakTrace catalogue CSV)
    predb.jsonl       scene pre-database log (predb.ovh rows: preAt, team, size in MB)
    trackers.jsonl    P2P trackers (LeakTrace feed rows), {files.malformed_lines} malformed lines
    indexer.jsonl     an indexer that re-lists releases seen elsewhere

Releases: {files.releases} unique names, {files.sightings} sightings.
Expected outcome per release:
{table(files.statuses)}
Planted leaks by window:
{table(files.leaks_by_window)}
Planted leaks by group:
{table(files.leaks_by_group)}
Releases by role:
{table(roles)}

Workprint leak: {files.workprint_release}
Screener leak:  {files.screener_release}
Pre-air leaks:  {", ".join(files.pre_air_releases)}
"""
