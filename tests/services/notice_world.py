"""A world for the notice service tests, built through the real services: the test
catalogue, a feed of leaks of Northern Lights Protocol whose sightings carry URLs, a host
list (one address enriched with an ASN from a MaxMind file), swarm observations under a
key (one address only as an ordinary peer: a downloader; one as a seedbox), agencies
(two industry, one police) and contacts.

The database is built once per test run and copied for each test (SQLite); on
PostgreSQL :func:`build_world` builds it on the database given.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leaktrace.config import load_settings
from leaktrace.geo import open_lookup
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import identity
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.hosts import enrich_host_locations, import_host_file
from leaktrace.services.ingest import ingest_files
from leaktrace.services.notice_contacts import import_contacts
from leaktrace.services.swarm import import_swarm
from leaktrace.services.works import import_catalog
from tests.services.test_leaks import agency_actor
from tests.swarm.mmdb import write_mmdb

FIXTURES = Path(__file__).parent.parent / "fixtures"
SWARM_KEY = "notice-test-swarm-key-0123456789abcdef"
SENDER = {
    "name": "Jane Roe",
    "email": "jane.roe@antipiracy.example",
    "address": "1 Studio Way, Burbank, CA 91505, USA",
    "phone": "+1 555 0100",
    "signature": "/s/ Jane Roe",
    "principal": "Aurora Pictures Inc.",
}

RELEASE = "Northern.Lights.Protocol.2026.1080p.BluRay.x264-G{n}"

# URL -> what the test expects of it
CONTACT_PARENT = "https://files.cyberlock.example/f/abc1"  # parent domain cyberlock.example
CONTACT_PARENT_2 = "https://cyberlock.example/f/xyz2?dl=1"  # exact domain, same recipient
CONTACT_EXACT = "https://stream.test/embed/nlp"  # exact domain stream.test
CONTACT_IP = "http://203.0.113.10/files/nlp.mkv"  # exact IP (a host row)
CONTACT_CIDR = "http://198.51.100.20/nlp.mkv"  # network 198.51.100.0/24 (a host row)
CONTACT_ASN = "http://81.2.69.77:8080/nlp.mkv"  # host row with ASN 20712 -> AS20712
NO_CONTACT = "https://nocontact.example/dl/1"  # nobody: needs a contact
SEEDBOX = "http://192.0.2.60/nlp.mkv"  # infrastructure in the swarm: accepted, no contact
DOWNLOADER = "http://192.0.2.50/nlp.mkv"  # only an ordinary peer: refused
WITHHELD_DOWNLOADER = "http://[address withheld]/nlp.mkv"  # ... and shown so
NEVER_SEEN = "192.0.2.99"  # in no host row, no swarm: refused exactly like the peer
PRIVATE = "http://10.0.0.5/nlp.mkv"
BAD = "htp:/broken url"
MAGNET = "magnet:?xt=urn:btih:" + "c" * 40

URLS = [
    CONTACT_PARENT,
    CONTACT_PARENT_2,
    CONTACT_EXACT,
    CONTACT_IP,
    CONTACT_CIDR,
    CONTACT_ASN,
    NO_CONTACT,
    SEEDBOX,
    DOWNLOADER,
    PRIVATE,
    BAD,
    MAGNET,
]

CONTACTS = (
    "host_or_domain,name,email,country,form\n"
    "cyberlock.example,CyberLock Abuse,abuse@cyberlock.example,NL,\n"
    "stream.test,Stream Test Legal,legal@stream.test,FR,\n"
    "203.0.113.10,Exact Host Ltd,abuse@exacthost.example,DE,\n"
    "198.51.100.0/24,Net Provider,noc@netprovider.example,IT,\n"
    "AS20712,AS Provider,abuse@asprovider.example,GB,\n"
)

HOSTS = (
    "ip_or_domain,role,first_seen,last_seen,source,country\n"
    "81.2.69.77,server,2026-05-01,2026-05-09,analyst,GB\n"
    "nocontact.example,site,2026-05-01,2026-05-09,analyst,SE\n"
    "203.0.113.10,server,2026-05-01,2026-05-09,analyst,\n"
    "198.51.100.20,cyberlocker,2026-05-01,2026-05-09,analyst,\n"
)
"""The IP-literal locations noticed are known servers (hosts rows, or the seedbox of
the swarm): any other IP address may be a downloader's and is refused."""


def feed_rows() -> list[dict[str, Any]]:
    """One leak per URL (each its own release and alert), plus a second sighting of the
    first URL's release elsewhere (the same URL twice is one location)."""
    rows = [
        {"name": RELEASE.format(n=f"{i:02d}"), "time": f"2026-05-{1 + i % 9:02d}T08:00:00Z",
         "url": url, "site": f"site{i}"}
        for i, url in enumerate(URLS)
    ]  # fmt: skip
    rows.append(
        {"name": RELEASE.format(n="00"), "time": "2026-05-02T09:00:00Z", "url": CONTACT_PARENT,
         "site": "mirror"}
    )  # fmt: skip
    return rows


def settings_for(db: str, **notices: Any) -> Any:
    values: dict[str, Any] = {"sender": dict(SENDER)}
    values.update(notices)
    return load_settings(db=db, notices=values, swarm_key=SWARM_KEY)


def build_world(ctx: AppContext, folder: Path) -> None:
    """Everything of the module doc, through the services, on ``ctx``'s database."""
    operator = local_operator()
    for code, country, kind in (
        ("MPA", "US", "industry"),
        ("FAPAV", "IT", "industry"),
        ("NL-POL", "NL", "police"),
    ):
        identity.add_agency(ctx, operator, code=code, name=code, country=country, kind=kind)
    import_catalog(ctx, operator, FIXTURES / "catalog.csv")
    folder.mkdir(parents=True, exist_ok=True)
    feed = folder / "leaks.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in feed_rows()))
    report = ingest_files(ctx, operator, [feed])
    assert report.new_alerts == len(URLS), report
    hosts = folder / "hosts.csv"
    hosts.write_text(HOSTS)
    import_host_file(ctx, operator, hosts)
    asn = write_mmdb(folder / "asn.mmdb", {"81.2.69.0/24": {"autonomous_system_number": 20712}})
    enrich_host_locations(ctx, operator, asn_db=asn, bundled=False)
    swarm = folder / "swarm.csv"
    swarm.write_text(
        "time,infohash,ip,port,client,seeder,completed,tag\n"
        f"2026-05-03T10:00:00Z,{'d' * 40},192.0.2.50,51413,,0,0,\n"
        f"2026-05-03T10:05:00Z,{'d' * 40},192.0.2.50,51413,,1,1,\n"
        f"2026-05-03T10:00:00Z,{'d' * 40},192.0.2.60,6881,,1,1,seedbox\n"
    )
    with open_lookup(bundled=False) as geo:
        imported = import_swarm(ctx, operator, [swarm], SWARM_KEY.encode(), geo)
    assert imported.added == 3, imported
    contacts = folder / "contacts.csv"
    contacts.write_text(CONTACTS)
    import_contacts(ctx, operator, contacts)


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-notices-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "world.db"
    with build_context(settings_for(str(path))) as ctx:
        build_world(ctx, folder / "files")
    return path


def world_copy(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "notices.db"
    shutil.copyfile(_template(), target)
    return str(target)


def world_ctx(folder: Path, **notices: Any) -> Iterator[AppContext]:
    """A context over a fresh copy of the world (for a fixture)."""
    with build_context(settings_for(world_copy(folder), **notices)) as ctx:
        yield ctx


def industry(ctx: AppContext, code: str = "MPA", role: str = "analyst") -> Actor:
    return agency_actor(ctx, code, role)


def leak_of(ctx: AppContext, url: str) -> int:
    """The id of the leak (alert) whose sighting has ``url``."""
    from sqlalchemy import select

    from leaktrace.store.schema import ALERTS, SIGHTINGS

    with ctx.database.reading() as conn:
        found = conn.execute(
            select(ALERTS.c.id)
            .select_from(ALERTS.join(SIGHTINGS, SIGHTINGS.c.release_id == ALERTS.c.release_id))
            .where(SIGHTINGS.c.url == url)
        ).first()
    assert found is not None, url
    return int(found[0])
