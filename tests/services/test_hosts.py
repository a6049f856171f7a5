"""Hosts services over the demo scenario: list, pages, one host, clusters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.hosts import (
    collect_host_evidence,
    host_clusters,
    host_detail,
    host_list,
    host_page,
    import_host_file,
)
from leaktrace.store.infra import load_hosts
from tests.services.demo_world import demo_context


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path)


def test_list_is_the_cli_json(demo: AppContext) -> None:
    with demo.database.reading() as conn:
        expected = [h.as_dict() for h in load_hosts(conn)]
    assert [h.to_json() for h in host_list(demo).hosts] == expected
    seeders = host_list(demo, role="initial-seeder").hosts
    assert seeders and all(h.role == "initial-seeder" for h in seeders)
    code = next(h["country"] for h in expected if h["country"])
    assert all(h.country == code for h in host_list(demo, country=code.lower()).hosts)
    assert all(h.country is None for h in host_list(demo, country="unknown").hosts)


def test_pages_walk_every_host_once(demo: AppContext) -> None:
    whole = [h.id for h in host_list(demo).hosts]
    seen: list[int] = []
    cursor = None
    while True:
        page = host_page(demo, limit=11, cursor=cursor)
        seen.extend(h.id for h in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole


def test_bad_filters(demo: AppContext) -> None:
    for kwargs in ({"role": "admin"}, {"country": "Narnia"}, {"cursor": "garbage"}):
        with pytest.raises(InputError):
            host_page(demo, **kwargs)  # type: ignore[arg-type]


def test_one_host_with_evidence_and_cluster(demo: AppContext) -> None:
    clusters = host_clusters(demo).clusters
    assert clusters and all(len(c.hosts) >= 2 for c in clusters)
    member = clusters[0].hosts[0]
    host = next(h for h in host_list(demo).hosts if h.server == member)
    detail = host_detail(demo, host.id)
    assert detail.server == member and detail.cluster is not None
    assert detail.cluster.id == clusters[0].id
    assert len(detail.evidence_text) >= 1
    assert any(c.linked_groups for c in clusters)  # the services quote the group links
    with pytest.raises(NotFoundError) as missing:
        host_detail(demo, 10**9)
    assert missing.value.kind == "host"


def test_collect_is_idempotent_and_audited(demo: AppContext) -> None:
    operator = local_operator()
    report = collect_host_evidence(demo, operator)
    assert report.new_hosts == 0 and report.new_evidence == 0  # the demo collected already
    entries = list_audit(demo, operator, action="hosts.collect").items
    assert len(entries) == 1 and entries[0].actor == operator.name


def test_import_writes_hosts_and_its_audit_entry_together(demo: AppContext, tmp_path: Path) -> None:
    operator = local_operator()
    good = tmp_path / "hosts.csv"
    good.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,country\n"
        "198.51.100.77,seedbox,2025-01-02,2025-02-03,partner report,SE\n",
        encoding="utf-8",
    )
    report = import_host_file(demo, operator, good)
    assert (report.rows, report.new_hosts) == (1, 1)
    assert any(h.server == "198.51.100.77" for h in host_list(demo, country="SE").hosts)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,release\n"
        "198.51.100.78,server,2025-01-02,2025-02-03,x,No.Such.Release-GRP\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError):
        import_host_file(demo, operator, bad)
    assert not any(h.server == "198.51.100.78" for h in host_list(demo).hosts)
    entries = list_audit(demo, operator, action="hosts.import").items
    assert [e.subject for e in entries] == [str(good)]
