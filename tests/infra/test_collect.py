"""Hosts collected from ingested sightings and infrastructure swarm rows."""

from __future__ import annotations

from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.hosts import (
    normalise_host,
    registered_domain,
    sighting_hosts,
)
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts


def test_normalise_host() -> None:
    assert normalise_host("Tracker.Example.ORG.") == ("domain", "tracker.example.org")
    assert normalise_host("[2001:DB8::1]") == ("ip", "2001:db8::1")
    assert normalise_host("::ffff:81.2.69.1") == ("ip", "81.2.69.1")
    assert normalise_host("bücher.de") == ("domain", "xn--bcher-kva.de")
    for bad in ("", "localhost", "-a.example.org", "a..b", "1.2.3"):
        try:
            normalise_host(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_registered_domain() -> None:
    assert registered_domain("a.b.example.org") == "example.org"
    assert registered_domain("x.example.co.uk") == "example.co.uk"
    assert registered_domain("cdn.a.b.c.tokyo.jp") == "c.tokyo.jp"  # beyond a short list
    assert registered_domain("one.github.io") == "one.github.io"  # tenants stay apart
    assert registered_domain("co.uk") == "co.uk"


def test_sighting_hosts_reads_trackers_seeds_magnets_and_urls() -> None:
    extra = (
        '{"attrs": {"trackers": "udp://t.example.org:80/announce", '
        '"magneturl": "magnet:?xt=urn:btih:' + "a" * 40 + "&tr=http%3A%2F%2F81.2.69.1%2Fa"
        '&ws=https%3A%2F%2Fcdn.example.net%2Ff"}}'
    )
    found = sighting_hosts("https://streamtape.com/e/abc", "not a host", extra)
    assert ("domain", "t.example.org", "tracker") in found
    assert ("ip", "81.2.69.1", "tracker") in found
    assert ("domain", "cdn.example.net", "web-seed") in found
    assert ("domain", "streamtape.com", "streaming") in found
    assert sighting_hosts("magnet:?xt=urn:btih:" + "a" * 40, None, None) == []
    assert sighting_hosts(None, None, "not json") == []


def test_collect_from_ingested_sightings_and_swarm(loaded: Database) -> None:
    with loaded.transaction() as conn:
        report = collect_hosts(conn)
    assert report.sightings == 4
    assert report.swarm_rows == 3
    with loaded.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
    assert hosts["tracker.sparks-private.org"].role == "tracker"
    assert hosts["tracker.opentrackr.org"].role == "tracker"
    assert hosts["seed1.sparkscdn.net"].role == "web-seed"
    assert hosts["81.2.69.142"].kind == "ip"
    assert hosts["81.2.69.142"].role == "web-seed"
    assert hosts["rapidgator.net"].role == "cyberlocker"
    assert hosts["streamtape.com"].role == "streaming"
    # the initial seeder was seeding minutes after the swarm was first seen; the other later
    assert hosts["81.2.69.160"].role == "initial-seeder"
    assert hosts["81.2.69.161"].role == "seedbox"
    assert hosts["10.0.0.7"].reserved
    sparks = hosts["tracker.sparks-private.org"]
    assert sparks.groups == ("sparks",)
    assert len(sparks.releases) == 2
    assert all(r.startswith("sighting:") for r in sparks.references)
    assert sparks.first_seen is not None and sparks.last_seen is not None
    assert (sparks.last_seen - sparks.first_seen).days == 3
    assert set(hosts["tracker.opentrackr.org"].groups) == {"sparks", "other"}
    assert hosts["81.2.69.160"].references[0].startswith("swarm:")
    assert hosts["81.2.69.160"].leak_ids  # Film.One is marked a leak
    assert hosts["81.2.69.160"].information_source == "swarm observations"


def test_collect_is_idempotent(loaded: Database) -> None:
    with loaded.transaction() as conn:
        first = collect_hosts(conn)
    with loaded.reading() as conn:
        before = [h.as_dict() for h in load_hosts(conn)]
    with loaded.transaction() as conn:
        again = collect_hosts(conn)
    with loaded.reading() as conn:
        after = [h.as_dict() for h in load_hosts(conn)]
    assert first.new_hosts > 0 and first.new_evidence > 0
    assert again.new_hosts == 0 and again.new_evidence == 0
    assert before == after
