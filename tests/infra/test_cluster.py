"""Ties between servers, with their evidence in words, and the clusters they make."""

from __future__ import annotations

from pathlib import Path

from leaktrace.infra.cluster import ClusterSettings, cluster_hosts
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.importer import import_hosts
from leaktrace.store.database import Database


def test_clusters_join_the_groups_servers_with_evidence(loaded: Database, tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,group,certificate\n"
        "www.sparkscdn.net,site,2020-03-01,2020-03-05,OSINT,sparks,\n"
        "81.2.70.1,server,2020-03-01,2020-03-05,hoster,," + "cd" * 32 + "\n"
        "93.184.216.34,server,2020-03-01,2020-03-05,hoster,," + "cd" * 32 + "\n"
    )
    import_hosts(loaded, path)
    with loaded.transaction() as conn:
        collect_hosts(conn)
    with loaded.reading() as conn:
        clusters = cluster_hosts(conn)
    by_host = {h: c for c in clusters for h in c.hosts}
    sparks = by_host["tracker.sparks-private.org"]
    # the private tracker, both web seeds and the CDN's other name belong together
    for member in ("seed1.sparkscdn.net", "81.2.69.142", "www.sparkscdn.net"):
        assert by_host[member] is sparks
    assert sparks.groups[0] == "sparks"
    kinds = {t.kind for t in sparks.ties}
    assert {"releases", "domain", "tracker"} <= kinds
    domain_tie = next(t for t in sparks.ties if t.kind == "domain")
    assert "registered domain sparkscdn.net" in domain_tie.evidence
    release_tie = next(t for t in sparks.ties if t.kind == "releases")
    assert "both served" in release_tie.evidence and "Film." in release_tie.evidence
    # the public tracker serves two groups here but ties to them only by releases: it is
    # with OTHER's streaming host, not a bridge between the groups' own servers
    assert "streamtape.com" not in sparks.hosts
    # the shared certificate ties two otherwise unrelated servers
    cert = by_host["81.2.70.1"]
    assert by_host["93.184.216.34"] is cert
    assert any("TLS certificate" in t.evidence for t in cert.ties)
    assert sparks.first_seen is not None and sparks.id.startswith("C")


def test_min_strength_and_shared_infrastructure(loaded: Database) -> None:
    with loaded.transaction() as conn:
        collect_hosts(conn)
    with loaded.reading() as conn:
        strict = cluster_hosts(conn, settings=ClusterSettings(min_strength=0.99))
        common = cluster_hosts(conn, settings=ClusterSettings(max_groups=1), group_links=False)
    assert all(len(c.hosts) >= 2 for c in strict)
    assert sum(len(c.hosts) for c in strict) < 8
    # with one group allowed per host the public tracker ties nothing
    for c in common:
        for tie in c.ties:
            if tie.kind in ("releases", "tracker"):
                assert "tracker.opentrackr.org" not in (tie.a, tie.b)


def test_a_certificate_many_servers_present_ties_no_one(db: Database, tmp_path: Path) -> None:
    wildcard, own = "ab" * 32, "ef" * 32
    rows = [f"81.2.{70 + i}.9,seedbox,2020-03-01,2020-03-05,hoster,,{wildcard}" for i in range(6)]
    rows += [f"93.184.{i}.34,server,2020-03-01,2020-03-05,hoster,,{own}" for i in (1, 2)]
    path = tmp_path / "certs.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,group,certificate\n" + "\n".join(rows)
    )
    import_hosts(db, path)
    with db.reading() as conn:
        clusters = cluster_hosts(conn, group_links=False)
        loose = cluster_hosts(
            conn, settings=ClusterSettings(max_certificate_holders=10), group_links=False
        )
    cert_ties = [t for c in clusters for t in c.ties if t.kind == "certificate"]
    # six customers of one seedbox host share its default certificate: no tie between them
    assert cert_ties and all(t.a.startswith("93.184.") for t in cert_ties)
    assert any(len(c.hosts) == 6 for c in loose)  # the cap is what kept them apart
