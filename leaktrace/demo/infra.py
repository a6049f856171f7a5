"""The demo's infrastructure and swarms: servers in many countries, and peers.

Everything is synthetic. The servers use documentation addresses (RFC 5737) and
``.example`` domains, with the country an investigator would have established: those
addresses are reserved, so no GeoIP look-up answers for them, and each of the 60 servers
is on the target sheet of its analyst's country. The peers' addresses are random and are
only ever stored as keyed hashes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["DEMO_SWARM_KEY", "InfraFacts", "demo_infohash", "write_infrastructure"]

DEMO_SWARM_KEY = "leaktrace-demo-swarm-key (synthetic data only)"
"""The demo's own key for peers' keyed hashes: never use it for real observations."""

# 18 countries, as in the Sparks case (DOMAIN.md)
COUNTRIES = (
    "CA",
    "CZ",
    "DK",
    "FR",
    "DE",
    "LV",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "KR",
    "ES",
    "SE",
    "CH",
    "GB",
    "US",
    "IT",
)
ROLES = ("server", "seedbox", "seedbox", "streaming", "cyberlocker", "tracker", "site")
HOST_COLUMNS = (
    "ip_or_domain",
    "role",
    "first_seen",
    "last_seen",
    "source",
    "country",
    "release",
    "group",
    "notes",
)
PEER_COUNTRIES_WEIGHT = 40  # peers per leaked release and day, before randomness


@dataclass(frozen=True, slots=True)
class InfraFacts:
    hosts: Path
    swarm: Path
    servers: int
    countries: int
    observations: int


def demo_infohash(name: str) -> str:
    """The (synthetic) infohash of a release's torrent in the demo feeds."""
    return hashlib.sha1(f"demo torrent {name}".encode()).hexdigest()


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def write_infrastructure(
    directory: Path,
    leaks: Sequence[tuple[str, datetime]],
    torrents: Sequence[tuple[str, datetime]],
    seed: int,
) -> InfraFacts:
    """Write ``servers.csv`` (analyst-entered servers tied to the supply-chain group's
    releases) and ``swarm.jsonl`` (peers seen in the swarms of leaked releases).

    ``leaks`` are (release name, first seen) of the group's leaked releases; ``torrents``
    the leaked releases that were shared as torrents (their swarms are observed).
    """
    rng = random.Random(seed * 7907 + 3)
    hosts = directory / "servers.csv"
    rows: list[tuple[str, ...]] = []
    ordered = sorted(leaks, key=lambda pair: pair[1])
    for index in range(60):
        country = COUNTRIES[index % len(COUNTRIES)]
        role = ROLES[index % len(ROLES)]
        release, first = ordered[index % len(ordered)]
        if role in ("server", "seedbox"):
            value = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{index + 10}"
        else:
            value = f"{role}{index:02d}.{country.lower()}-node.example"
        last = first + timedelta(days=rng.randint(30, 200))
        rows.append(
            (
                value,
                role,
                _day(first - timedelta(days=rng.randint(1, 60))),
                _day(last),
                "synthetic demo: joint investigation file (fictional)",
                country,
                release,
                "EMBERS",
                "fictional server",
            )
        )
    with hosts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HOST_COLUMNS)
        writer.writerows(rows)

    swarm = directory / "swarm.jsonl"
    observations = 0
    with swarm.open("w", encoding="utf-8") as handle:
        for release, first in sorted(torrents, key=lambda pair: pair[1]):
            infohash = demo_infohash(release)
            seeder_ip = f"203.0.113.{rng.randint(1, 250)}"
            handle.write(
                json.dumps(
                    {
                        "time": first.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "infohash": infohash,
                        "ip": seeder_ip,
                        "port": 51413,
                        "client": "-DE2110-",
                        "seeder": True,
                        "completed": True,
                        "tag": "initial-seeder",
                    }
                )
                + "\n"
            )
            observations += 1
            for day in range(rng.randint(3, 10)):
                when = first + timedelta(days=day, hours=rng.uniform(0, 20))
                for _ in range(rng.randint(PEER_COUNTRIES_WEIGHT // 2, PEER_COUNTRIES_WEIGHT)):
                    ip = ".".join(str(rng.randint(1, 223)) for _ in range(4))
                    done = rng.random() < 0.55
                    handle.write(
                        json.dumps(
                            {
                                "time": (when + timedelta(minutes=rng.uniform(0, 180))).strftime(
                                    "%Y-%m-%dT%H:%M:%SZ"
                                ),
                                "infohash": infohash,
                                "ip": ip,
                                "port": rng.randint(1024, 65535),
                                "client": rng.choice(
                                    ("-qB4630-", "-TR4050-", "-DE2110-", "-UT3550-")
                                ),
                                "seeder": done and rng.random() < 0.4,
                                "completed": done,
                            }
                        )
                        + "\n"
                    )
                    observations += 1
    return InfraFacts(hosts, swarm, len(rows), len(set(COUNTRIES)), observations)
