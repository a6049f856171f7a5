"""A small database with two groups' torrents, streaming links and infrastructure peers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from leaktrace.config import Settings
from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.store.database import Database
from leaktrace.store.schema import RELEASES, SWARM_OBSERVATIONS
from tests.analytics.conftest import spark

__all__ = ["spark"]

T0 = datetime(2020, 3, 1, 12, 0, tzinfo=UTC)
SPARKS_TRACKER = "udp://tracker.sparks-private.org:1337/announce"
PUBLIC_TRACKER = "udp://tracker.opentrackr.org:1337/announce"
SEED_1 = "https://seed1.sparkscdn.net/files/"
SEED_2 = "http://81.2.69.142/seed/"
INFOHASH_A = "a" * 40


def items() -> list[FeedItem]:
    one = "Film.One.2020.1080p.BluRay.x264-SPARKS"
    two = "Film.Two.2020.1080p.BluRay.x264-SPARKS"
    other = "Other.Film.2020.720p.WEB-DL.x264-OTHER"
    return [
        FeedItem(
            name=one,
            time=T0,
            origin="torrent",
            url=SEED_1,
            site="tracker.sparks-private.org",
            infohash=INFOHASH_A,
            attrs={"trackers": f"{SPARKS_TRACKER} {PUBLIC_TRACKER}", "web_seeds": SEED_1},
        ),
        FeedItem(
            name=two,
            time=T0 + timedelta(days=3),
            origin="magnet",
            url=None,
            infohash="b" * 40,
            attrs={
                "magneturl": (
                    f"magnet:?xt=urn:btih:{'b' * 40}&dn={two}&tr={SPARKS_TRACKER}"
                    f"&ws={SEED_1}&ws={SEED_2}"
                )
            },
        ),
        FeedItem(
            name=one,
            time=T0 + timedelta(days=1),
            origin="rss",
            url="https://rapidgator.net/file/0123abcd/Film.One.rar.html",
            site="some indexer",
        ),
        FeedItem(
            name=other,
            time=T0 + timedelta(days=2),
            origin="torznab",
            url="https://streamtape.com/e/xyz123",
            attrs={"magneturl": f"magnet:?xt=urn:btih:{'c' * 40}&tr={PUBLIC_TRACKER}"},
        ),
    ]


def swarm_row(ip: str, at: datetime, *, seeder: bool, release_id: int | None) -> dict[str, Any]:
    key = hashlib.sha256(ip.encode()).hexdigest()
    return {
        "fingerprint": hashlib.sha1(f"{ip}{at}".encode()).hexdigest(),
        "observed_at": at,
        "infohash": INFOHASH_A,
        "release_id": release_id,
        "work_id": None,
        "peer_key": key,
        "peer_ip": ip,
        "port": 51413,
        "client": "qBittorrent 4.2",
        "seeder": seeder,
        "completed": seeder,
        "country": None,
        "asn": None,
        "role": "infrastructure",
        "imported_from": "test",
    }


@pytest.fixture
def loaded(db: Database, settings: Settings) -> Database:
    """Sightings of two SPARKS releases and one OTHER release, plus swarm peers."""
    ingest_items(db, items(), settings)
    with db.transaction() as conn:
        rid = conn.execute(
            RELEASES.select().where(RELEASES.c.name == "Film.One.2020.1080p.BluRay.x264-SPARKS")
        ).one()
        conn.execute(RELEASES.update().where(RELEASES.c.id == rid.id).values(status="leak"))
        conn.execute(
            SWARM_OBSERVATIONS.insert(),
            [
                swarm_row("81.2.69.160", T0 + timedelta(minutes=5), seeder=True, release_id=rid.id),
                swarm_row("81.2.69.161", T0 + timedelta(days=2), seeder=True, release_id=rid.id),
                swarm_row("10.0.0.7", T0 + timedelta(minutes=1), seeder=True, release_id=rid.id),
            ],
        )
    return db


@pytest.fixture
def asn_mmdb(tmp_path: Path) -> Path:
    """A tiny GeoLite2-ASN-style file: 81.2.69.0/24 is AS64500 'Example Hosting'."""
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN", description="test"
    )
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {"autonomous_system_number": 64500, "autonomous_system_organization": "Example Hosting"},
    )
    path = tmp_path / "asn.mmdb"
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def country_mmdb(tmp_path: Path) -> Path:
    """A GeoLite2-Country-style file: 81.2.69.0/24 in Germany, 2001:db8:: nowhere."""
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country", description="t"
    )
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "DE"}})
    writer.insert_network(IPSet(["93.184.216.0/24"]), {"country": {"iso_code": "NL"}})
    path = tmp_path / "country.mmdb"
    writer.to_db_file(str(path))
    return path
