"""Where a host is: each source's answer kept apart, the country chosen by precedence,
existing databases migrated, long evidence lists cut to fit a spreadsheet cell."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, inspect, select, text, update

from leaktrace.config import Settings
from leaktrace.feeds.item import FeedItem
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.evidence_text import EXPIRED_BARE, describe_evidence
from leaktrace.infra.model import (
    SOURCE_PRECEDENCE,
    HostView,
    LocationAnswer,
    choose_location,
    disagreement,
)
from leaktrace.infra.target_files import CSV_CELL_LIMIT, targets_csv
from leaktrace.infra.targets import TargetSheet
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.store.database import MIGRATIONS, Database
from leaktrace.store.infra import EvidenceDetail, load_evidence_details, load_hosts
from leaktrace.store.schema import HOST_EVIDENCE, HOST_LOCATIONS, SWARM_OBSERVATIONS

T0 = datetime(2024, 1, 1, tzinfo=UTC)

answers = st.builds(
    LocationAnswer,
    kind=st.sampled_from(SOURCE_PRECEDENCE),
    name=st.sampled_from(["a.csv", "b.csv", "country.mmdb", "sha256:ab…"]),
    country=st.one_of(st.none(), st.sampled_from(["FR", "NL", "DE"])),
    observed_at=st.integers(0, 1000).map(lambda d: T0 + timedelta(days=d)),
    position=st.integers(0, 3),
)


@given(st.lists(answers, max_size=8))
def test_the_chosen_country_follows_the_stated_precedence(found: list[LocationAnswer]) -> None:
    chosen = choose_location(found)
    located = [a for a in found if a.country]
    if not located:
        assert chosen is None
        return
    assert chosen is not None and chosen.country
    best_kind = min(SOURCE_PRECEDENCE.index(a.kind) for a in located)
    assert chosen.kind == SOURCE_PRECEDENCE[best_kind]  # an analyst's answer always first
    peers = [a for a in located if a.kind == chosen.kind]
    if chosen.kind in ("analyst", "certificate"):
        assert chosen.observed_at == max(a.observed_at for a in peers)  # the latest
    else:
        assert chosen.position == min(a.position for a in peers)  # the first file given
    countries = {a.country for a in located}
    shown = disagreement(found)
    if len(countries) == 1:
        assert shown is None
    else:
        assert shown is not None
        assert all(f": {code}" in shown for code in countries if code)  # each answer shown


def _at_0006(path: Path) -> Database:
    db = Database(str(path), migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    return db


def test_existing_countries_move_into_their_sources(tmp_path: Path) -> None:
    db = _at_0006(tmp_path / "old.db")
    dbip = "dbip-country-lite.mmdb.bz (DBIP-Country-Lite, built 2026-09-01)"
    with db.transaction() as conn:
        conn.execute(
            text(
                "INSERT INTO hosts (id, kind, value, role, country, asn, information_source, "
                "enriched_at, enrichment_source, last_seen) VALUES "
                "(1, 'ip', '81.2.69.142', 'server', 'GB', 20712, 'sightings', "
                f"'2024-07-01 00:00:00.000000', '{dbip}', NULL),"
                "(2, 'domain', 'x.example', 'site', 'FR', NULL, 'police', NULL, NULL, "
                "'2024-02-01 00:00:00.000000'),"
                "(3, 'domain', 'y.example', 'site', 'NL', NULL, 'sightings', "
                f"'2024-07-01 00:00:00.000000', 'DNS y.example → 93.184.216.34; {dbip}', NULL),"
                "(4, 'ip', '10.0.0.7', 'seedbox', NULL, NULL, 'swarm', "
                "'2024-07-01 00:00:00.000000', 'not looked up: private or reserved address', "
                "NULL),"
                # wiped by an old enrich, then imported again: the analyst's, not GeoIP's
                "(5, 'ip', '192.0.2.5', 'server', 'FR', NULL, 'police', "
                "'2024-07-01 00:00:00.000000', 'not looked up: private or reserved address', "
                "NULL),"
                "(6, 'domain', 'z.example', 'site', 'DE', NULL, 'police', "
                "'2024-07-01 00:00:00.000000', 'DNS: z.example did not resolve', NULL)"
            )
        )
    db.migrate()
    with db.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
        rows = conn.execute(select(HOST_LOCATIONS).order_by(HOST_LOCATIONS.c.host_id)).all()
    assert [(r.host_id, r.source_kind, r.country) for r in rows] == [
        (1, "geoip", "GB"),
        (2, "analyst", "FR"),
        (3, "dns", "NL"),
        (5, "analyst", "FR"),
        (6, "analyst", "DE"),
    ]
    geoip = hosts["81.2.69.142"]
    assert geoip.country == "GB" and geoip.country_source == f"GeoIP ({dbip})"
    assert geoip.locations[0].asn == 20712
    assert geoip.locations[0].observed_at == datetime(2024, 7, 1, tzinfo=UTC)
    analyst = hosts["x.example"]
    assert analyst.country_source == "analyst (police)"
    assert analyst.locations[0].observed_at == datetime(2024, 2, 1, tzinfo=UTC)
    dns = hosts["y.example"].locations[0]
    assert (dns.name, dns.detail) == (dbip, "DNS y.example → 93.184.216.34")
    assert hosts["10.0.0.7"].locations == ()
    config = Config()  # and back: 0007 can be undone and done again
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
        assert "host_locations" not in inspect(connection).get_table_names()
        command.upgrade(config, "head")
    with db.reading() as conn:
        countries = conn.execute(select(HOST_LOCATIONS.c.country)).scalars().all()
        assert countries == ["GB", "FR", "NL", "FR", "DE"]
    db.close()


def _host(evidence_lines: int) -> tuple[HostView, tuple[str, ...]]:
    host = HostView(1, "domain", "tracker.example", "tracker", None, None, None, None, None,
                    None, None, None, None)  # fmt: skip
    lines = tuple(
        f"sighting:{n} — 2024-01-01 00:00 UTC: torrent sighting on site.example: "
        f"Film.{n}.2024.1080p.WEB-DL-GRP, info-hash {n:040x}"
        for n in range(evidence_lines)
    )
    return host, lines


def test_a_long_evidence_list_is_cut_to_fit_a_spreadsheet_cell() -> None:
    host, lines = _host(2000)
    sheet = TargetSheet("unknown", (host,), (), {}, T0, evidence={1: lines})
    text_ = targets_csv(sheet)
    (row,) = list(csv.DictReader(io.StringIO(text_)))
    cell = row["evidence"]
    assert len(cell) <= CSV_CELL_LIMIT
    kept = cell.split(" | ")
    assert kept[-1] == f"… and {2000 - len(kept) + 1} more (all of them in targets-unknown.json)"
    assert kept[:-1] == list(lines[: len(kept) - 1])  # whole lines, in order
    assert len(sheet.as_dict()["hosts"][0]["evidence"]) == 2000  # the JSON keeps them all
    short, few = _host(3)
    (row,) = list(
        csv.DictReader(
            io.StringIO(
                targets_csv(TargetSheet("unknown", (short,), (), {}, T0, evidence={1: few}))
            )
        )
    )
    assert row["evidence"] == " | ".join(few)


def test_only_expired_records_count_as_deleted_by_retention() -> None:
    """The sheet's note counts references whose record retention deleted, not every line
    that happens to hold the word (a release called 'the.retention.2025…')."""
    host, _ = _host(0)
    named = ("sighting:1 — 2024-01-01 00:00 UTC: torrent sighting on x.example: "
             "the.retention.2025.1080p.web-dl-grp, info-hash " + "a" * 40,)  # fmt: skip
    sheet = TargetSheet("unknown", (host,), (), {}, T0, evidence={1: named})
    assert not any("retention deleted" in note for note in sheet.notes())
    gone = describe_evidence(
        ["swarm:7"],
        {"swarm:7": EvidenceDetail("seedbox", "swarm:7", "swarm observation: seedbox", T0, True)},
    )
    sheet = TargetSheet("unknown", (host,), (), {}, T0, evidence={1: tuple(gone)})
    assert any(note.startswith("1 evidence reference(s) point to") for note in sheet.notes())


def test_collect_describes_evidence_stored_before_descriptions(loaded: Database) -> None:
    with loaded.transaction() as conn:
        collect_hosts(conn)
        conn.execute(update(HOST_EVIDENCE).values(detail=None))  # as stored before 0007
    with loaded.reading() as conn:
        hosts = {h.value: h.id for h in load_hosts(conn)}
    seeder, private = hosts["81.2.69.160"], hosts["10.0.0.7"]
    with loaded.transaction() as conn:  # retention deletes 10.0.0.7's observation first
        conn.execute(delete(SWARM_OBSERVATIONS).where(SWARM_OBSERVATIONS.c.peer_ip == "10.0.0.7"))
        report = collect_hosts(conn)
        assert report.new_evidence == 0
        details = load_evidence_details(conn, [seeder, private])
    (described,) = details[seeder]
    assert (described.detail or "").startswith("swarm observation: initial-seeder (seeding)")
    (bare,) = details[private]  # its record is gone: nothing to describe it from
    assert bare.detail is None and bare.expired
    line = describe_evidence([bare.reference], {bare.reference: bare})
    assert line == [f"{bare.reference} [{EXPIRED_BARE}]"]


def test_a_sightings_description_keeps_no_api_key(db: Database, settings: Settings) -> None:
    url = "https://indexer.example/api?t=get&id=5&apikey=S3CRETKEY123"
    item = FeedItem(name="Film.2024.1080p.WEB-DL.x264-GRP", time=T0, origin="torznab", url=url)
    ingest_items(db, [item], settings)
    with db.transaction() as conn:
        collect_hosts(conn)
        (host,) = load_hosts(conn)
        (detail,) = load_evidence_details(conn, [host.id])[host.id]
    assert detail.detail == (
        "torznab sighting: Film.2024.1080p.WEB-DL.x264-GRP, "
        "URL https://indexer.example/api?t=get&id=5&apikey=***"
    )
