"""Serving and ingesting STIX objects over TAXII 2.1: LeakTrace's server beside OASIS
medallion (memory back end), on the same machine and the same data; and the cost of the
need-to-know filter.

1. Ingest: ``--objects`` STIX indicators (80 % TLP:GREEN, 10 % AMBER, 5 % RED, 5 %
   AMBER+STRICT, each with an H0 or H1 handling marking) POSTed in envelopes of ``--batch``
   objects, to ``leaktrace serve`` (one worker, a real process, SQLite file or
   ``--postgres``) as an analyst of the owning agency, and to medallion (a real process,
   tests/medallion_server.py). Objects/s over the whole ingest.
2. Serve: every object read back by paginated GETs of ``--page`` objects (``limit`` and
   ``next``), by the owner and by another agency's reader (who sees 90 %: the filter
   hides RED and AMBER+STRICT), and from medallion. Objects/s and ms per page.
3. The filter's cost without HTTP: the same paging through the service
   (``services.taxii.get_objects``) as the local operator (no filter: ``Viewer(None)``)
   and as the reader (the need-to-know rule), ms per page.

    python bench/taxii_serving.py --objects 10000
    python bench/taxii_serving.py --objects 100000
    python bench/taxii_serving.py --objects 100000 --postgres   # a server under /tmp
    python bench/taxii_serving.py --objects 100000 --postgres --analyze
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.config import load_settings  # noqa: E402
from leaktrace.exchange.markings import TLP_MARKING_IDS, handling_marking, tlp_marking  # noqa: E402
from leaktrace.identity.actor import Actor, local_operator, user_actor  # noqa: E402
from leaktrace.identity.roles import Role  # noqa: E402
from leaktrace.services import identity, taxii  # noqa: E402
from leaktrace.services.context import AppContext, build_context  # noqa: E402
from leaktrace.services.exchange_collections import add_collection  # noqa: E402
from leaktrace.services.exchange_rules import agency_identity_id  # noqa: E402
from leaktrace.services.taxii_paging import TaxiiFilters  # noqa: E402
from leaktrace.store.schema_access import AGENCIES  # noqa: E402
from tests.medallion_server import start_medallion  # noqa: E402
from tests.web.conftest import start_serve  # noqa: E402

TAXII = "application/taxii+json;version=2.1"
OWNER, READER = "NL-POL", "DE-BKA"
NAMESPACE = uuid.UUID("0d6c2f4e-6a0b-4b8e-8f4e-7b1d0c3a9e55")


def objects(count: int) -> list[dict[str, Any]]:
    """The data set: the markings, then ``count`` indicators (deterministic)."""
    creator = agency_identity_id(OWNER)
    h0 = handling_marking("H0", created_by_ref=creator)
    h1 = handling_marking("H1", created_by_ref=creator)
    head: list[dict[str, Any]] = [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": creator,
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "name": OWNER,
            "identity_class": "organization",
        },
        h0,
        h1,
        *(tlp_marking(level) for level in TLP_MARKING_IDS),
    ]
    found: list[dict[str, Any]] = []
    for i in range(count):
        share = i % 20
        level = (
            "green"
            if share < 16
            else "amber"
            if share < 18
            else "red"
            if share < 19
            else "amber+strict"
        )
        found.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(NAMESPACE, str(i))}",
                "created": "2026-01-01T00:00:00.000Z",
                "modified": f"2026-01-01T00:00:{i % 60:02d}.{i:06d}Z"[:30],
                "created_by_ref": creator,
                "name": f"leak server {i}",
                "pattern": f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
                "object_marking_refs": [TLP_MARKING_IDS[level], (h0 if i % 2 else h1)["id"]],  # type: ignore[index]
            }
        )
    return head + found


def post_all(
    client: httpx.Client, url: str, data: list[dict[str, Any]], batch: int
) -> tuple[float, int]:
    """POST ``data`` in envelopes of ``batch``: (seconds, objects stored)."""
    stored = 0
    started = time.perf_counter()
    for start in range(0, len(data), batch):
        envelope = json.dumps({"objects": data[start : start + batch]})
        reply = client.post(url, content=envelope, headers={"Accept": TAXII, "Content-Type": TAXII})
        if reply.status_code != 202:
            raise SystemExit(f"POST to {url} answered {reply.status_code}: {reply.text[:500]}")
        status = reply.json()
        if status.get("failure_count"):
            raise SystemExit(f"POST failures at {url}: {json.dumps(status['failures'][:3])}")
        stored += int(status.get("success_count", 0))
    return time.perf_counter() - started, stored


def page_all(
    fetch: Callable[[str | None], tuple[int, str | None]],
) -> tuple[float, int, list[float]]:
    """Follow ``next`` to the end: (seconds, objects, seconds per page)."""
    pages: list[float] = []
    total = 0
    token: str | None = None
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        count, token = fetch(token)
        pages.append(time.perf_counter() - began)
        total += count
        if token is None:
            break
    return time.perf_counter() - started, total, pages


def http_pager(
    client: httpx.Client, url: str, page: int
) -> Callable[[str | None], tuple[int, str | None]]:
    def fetch(token: str | None) -> tuple[int, str | None]:
        params: dict[str, Any] = {"limit": page}
        if token:
            params["next"] = token
        reply = client.get(url, params=params, headers={"Accept": TAXII})
        if reply.status_code != 200:
            raise SystemExit(f"GET {url} answered {reply.status_code}: {reply.text[:300]}")
        envelope = reply.json()
        following = envelope.get("next") if envelope.get("more") else None
        return len(envelope.get("objects", [])), following

    return fetch


def service_pager(
    ctx: AppContext, actor: Actor, collection: str, page: int
) -> Callable[[str | None], tuple[int, str | None]]:
    def fetch(token: str | None) -> tuple[int, str | None]:
        envelope = taxii.get_objects(
            ctx, actor, collection, TaxiiFilters(limit=str(page), next=token)
        )
        return len(envelope.objects), envelope.next if envelope.more else None

    return fetch


def report(label: str, seconds: float, count: int, pages: list[float] | None = None) -> None:
    line = f"| {label} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} |"
    if pages is not None:
        ms = sorted(1000 * p for p in pages)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        line += f" {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} |"
    else:
        line += " | | | |"
    print(line, flush=True)


def reader_actor(ctx: AppContext, email: str) -> Actor:
    user = next(u for u in identity.list_users(ctx, local_operator()) if u.email == email)
    with ctx.database.reading() as conn:
        agency = conn.execute(select(AGENCIES.c.id).where(AGENCIES.c.code == READER)).scalar_one()
    return user_actor(
        email=email,
        role=Role.analyst,
        user_id=int(user.id),
        agency_id=int(agency),
        agency_code=READER,
        address="127.0.0.1",
        via="token",
    )


@contextmanager
def database(postgres: bool, folder: Path) -> Iterator[tuple[str, str]]:
    """(database target, label)."""
    if not postgres:
        yield str(folder / "taxii.db"), "LeakTrace, SQLite"
        return
    import psycopg
    from api_harness import postgres as pg_server

    with pg_server() as (admin, version):
        plain = admin.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "taxii_bench" WITH (FORCE)')
            conn.execute('CREATE DATABASE "taxii_bench"')
        yield f"{admin}/taxii_bench", f"LeakTrace, PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000, help="objects per POST")
    parser.add_argument("--page", type=int, default=1000, help="objects per GET (limit)")
    parser.add_argument("--postgres", action="store_true", help="LeakTrace on PostgreSQL")
    parser.add_argument("--no-medallion", action="store_true")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="(VACUUM) ANALYZE the database between POSTs and GETs",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the four pagings")
    parser.add_argument(
        "--medallion-objects",
        type=int,
        default=None,
        help="medallion's share of the data (default: all of it; its memory back end "
        "filters the whole collection on every first page, in time growing as the square)",
    )
    args = parser.parse_args()
    data = objects(args.objects)
    size = sum(len(json.dumps(o)) for o in data) / len(data)
    print(f"machine: {describe()}")
    print(
        f"{len(data):,} objects ({size:.0f} bytes of JSON each on average), POSTs of "
        f"{args.batch}, pages of {args.page}\n"
    )
    print("| server, what | objects | s | objects/s | pages | median ms/page | p95 | max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="taxii-bench-") as tmp:
        folder = Path(tmp)
        with database(args.postgres, folder) as (target, label):
            with build_context(load_settings(db=target)) as ctx:
                operator = local_operator()
                tokens: dict[str, tuple[str, str]] = {}
                for code, name in ((OWNER, "Politie"), (READER, "BKA")):
                    identity.add_agency(
                        ctx, operator, code=code, name=name, country=code[:2], kind="police"
                    )
                    email = f"analyst@{code.lower()}.example"
                    identity.add_user(ctx, operator, email=email, agency=code, role="analyst")
                    tokens[code] = (email, identity.create_token(ctx, operator, email))
                collection = add_collection(
                    ctx, operator, "bench", read=[OWNER, READER], write=[OWNER]
                ).id
                served = start_serve(target, folder / "serve.log")
                try:
                    url = f"{served.url}/taxii2/leaktrace/collections/{collection}/objects/"
                    owner = httpx.Client(
                        headers={"Authorization": f"Bearer {tokens[OWNER][1]}"}, timeout=600
                    )
                    reader = httpx.Client(
                        headers={"Authorization": f"Bearer {tokens[READER][1]}"}, timeout=600
                    )
                    seconds, stored = post_all(owner, url, data, args.batch)
                    report(f"{label}: POST (owner)", seconds, stored)
                    if args.analyze:
                        engine = ctx.database.engine.execution_options(isolation_level="AUTOCOMMIT")
                        with engine.connect() as conn:
                            conn.execute(text("VACUUM ANALYZE" if args.postgres else "ANALYZE"))
                        print(f"| {label}: VACUUM ANALYZE after the ingest | | | | | | | |")
                    # the filter's cost without HTTP: the same service call, two viewers
                    reader_as = reader_actor(ctx, tokens[READER][0])
                    for round_ in range(1, args.repeat + 1):  # alternated: the load moves
                        for who, client in (("owner", owner), ("other agency's reader", reader)):
                            seconds, count, pages = page_all(http_pager(client, url, args.page))
                            report(
                                f"{label}: GET pages ({who}), run {round_}", seconds, count, pages
                            )
                        for who, actor in (
                            ("local operator, no filter", operator),
                            ("reader, filter", reader_as),
                        ):
                            pager = service_pager(ctx, actor, collection, args.page)
                            seconds, count, pages = page_all(pager)
                            report(
                                f"{label}: service pages ({who}), run {round_}",
                                seconds,
                                count,
                                pages,
                            )
                    owner.close()
                    reader.close()
                finally:
                    served.stop()
    if args.no_medallion:
        return
    if args.medallion_objects is not None:
        data = objects(args.medallion_objects)
        print(f"\nmedallion: the first {len(data):,} objects of the same data")
    with start_medallion(
        collections=("bench",),
        max_content_length=64 << 20,
        max_page_size=args.page,
    ) as medallion:
        url = f"{medallion.api_root}collections/{medallion.collection_ids['bench']}/objects/"
        with httpx.Client(auth=medallion.auth(), timeout=600) as client:
            seconds, stored = post_all(client, url, data, args.batch)
            report("medallion 3 (memory): POST", seconds, stored)
            seconds, count, pages = page_all(http_pager(client, url, args.page))
            report("medallion 3 (memory): GET pages", seconds, count, pages)


if __name__ == "__main__":
    main()
