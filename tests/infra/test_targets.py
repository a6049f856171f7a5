"""Per-country target sheets (CSV, JSON, printable HTML) and the world map."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from leaktrace.analytics.engines import Engine
from leaktrace.errors import InputError
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.enrich import enrich_hosts
from leaktrace.infra.evidence_text import EXPIRED
from leaktrace.infra.importer import import_hosts
from leaktrace.infra.target_files import render_targets_html, targets_csv, write_targets
from leaktrace.infra.targets import (
    CSV_COLUMNS,
    build_all_targets,
    build_targets,
    country_stats,
    normalise_country,
    sheet_code,
    target_rows,
)
from leaktrace.infra.worldmap import country_shapes, world_map_svg
from leaktrace.store.database import Database
from leaktrace.store.infra import load_hosts
from leaktrace.store.schema import SWARM_OBSERVATIONS
from tests.infra.conftest import T0, swarm_row


@pytest.fixture
def located(loaded: Database, asn_mmdb: Path, tmp_path: Path) -> Database:
    path = tmp_path / "dk.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,notes,country,group\n"
        'files.sparkscdn.net,server,2020-03-01,2020-03-09,police,"<b>box</b> & co",DK,sparks\n'
    )
    import_hosts(loaded, path)
    with loaded.transaction() as conn:
        collect_hosts(conn)
    enrich_hosts(loaded, asn_db=asn_mmdb)
    return loaded


def test_targets_of_one_country(located: Database, tmp_path: Path) -> None:
    sheet = build_targets(located, "gb")
    servers = [h.value for h in sheet.hosts]
    assert set(servers) == {"81.2.69.142", "81.2.69.160", "81.2.69.161"}
    # the data's licence asks for attribution: the printed sheet carries it
    assert any(n.startswith("located with:") and "IP Geolocation by DB-IP" in n
               for n in sheet.notes())  # fmt: skip
    assert servers[0] == "81.2.69.160" or sheet.cluster_of.get(servers[0])
    assert sheet.clusters and all(c.id in sheet.cluster_of.values() for c in sheet.clusters)
    written = write_targets(sheet, tmp_path / "out")
    assert [p.name for p in written] == ["targets-GB.csv", "targets-GB.json", "targets-GB.html"]
    rows = list(csv.DictReader((tmp_path / "out" / "targets-GB.csv").open()))
    assert list(rows[0]) == list(CSV_COLUMNS)
    seeder = next(r for r in rows if r["server"] == "81.2.69.160")
    assert seeder["role"] == "initial-seeder"
    assert (seeder["provider"], seeder["asn"], seeder["country"]) == (
        "Example Hosting",
        "64500",
        "GB",
    )
    assert seeder["groups"] == "sparks" and seeder["evidence"].startswith("swarm:")
    assert seeder["releases"] == "Film.One.2020.1080p.BluRay.x264-SPARKS"
    assert seeder["leaks"] == "1" and seeder["cluster"].startswith("C")
    data = json.loads((tmp_path / "out" / "targets-GB.json").read_text())
    assert data["country"] == "GB" and data["servers"] == 3
    assert data["country_name"].startswith("United Kingdom")
    assert data["clusters"][0]["ties"][0]["evidence"]
    html = (tmp_path / "out" / "targets-GB.html").read_text()
    assert (
        "@media print" in html
        and "<script" not in html
        and "http://"
        not in html.split("<svg", 1)[0].replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert "81.2.69.160" in html and "Example Hosting" in html and "swarm:" in html
    assert "located with: " in html and "IP Geolocation by DB-IP (https://db-ip.com)" in html
    assert html.count("<tr>") == 1 + 3  # header row and one per server
    assert 'data-iso="GB"' in html


def test_html_is_escaped(located: Database, tmp_path: Path) -> None:
    sheet = build_targets(located, "DK")
    assert [h.value for h in sheet.hosts] == ["files.sparkscdn.net"]
    (_, _, html_path) = write_targets(sheet, tmp_path)
    html = html_path.read_text()
    assert "<b>box</b>" not in html
    assert "ASN: not available" in html or "64500" not in html


def test_all_countries_and_stats(located: Database) -> None:
    sheets = build_all_targets(located)
    with located.reading() as conn:
        servers, leaks = country_stats(load_hosts(conn))
    assert set(sheets) == {"GB", "DK", "unknown"}
    with located.reading() as conn:
        every = load_hosts(conn)
    # every stored host is on exactly one sheet
    listed = [h.value for sheet in sheets.values() for h in sheet.hosts]
    assert sorted(listed) == sorted(h.value for h in every)
    unknown = sheets["unknown"]
    assert {h.value for h in unknown.hosts} == {h.value for h in every if not h.country}
    assert "10.0.0.7" in {h.value for h in unknown.hosts}  # private: never looked up
    assert unknown.notes()[0].startswith("no source gives these servers a country")
    assert sheets["GB"].servers_by_country == servers  # the engine's listing = the store's
    assert sheets["GB"].leaks_by_country == leaks
    assert servers == {"GB": 3, "DK": 1}
    assert leaks == {"GB": 1}  # Film.One, a leak, tied to the British web seed and seeders


def test_bad_country_code(located: Database) -> None:
    with pytest.raises(InputError, match="or 'unknown'"):
        build_targets(located, "Germany")
    assert (sheet_code(" unknown "), sheet_code("uk")) == ("unknown", "GB")
    with pytest.raises(InputError):  # a country filter elsewhere (impact) takes no sheet name
        normalise_country("unknown")


@pytest.mark.spark
def test_the_same_sheets_on_spark(located: Database, spark: Engine, tmp_path: Path) -> None:
    path = tmp_path / "provider.csv"  # an analyst's country against GeoIP's, and retention
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,country\n81.2.69.161,seedbox,,,p,FR\n"
    )
    import_hosts(located, path)
    with located.transaction() as conn:
        old = SWARM_OBSERVATIONS.c.observed_at < T0 + timedelta(minutes=2)  # 10.0.0.7's
        conn.execute(delete(SWARM_OBSERVATIONS).where(old))
    on_duckdb = {code: s.as_dict() for code, s in build_all_targets(located).items()}
    on_spark = {code: s.as_dict() for code, s in build_all_targets(located, engine=spark).items()}
    for sheets in (on_duckdb, on_spark):
        for sheet in sheets.values():
            sheet.pop("generated_at")
    assert on_spark == on_duckdb
    assert on_duckdb["FR"]["hosts"][0]["disagreement"] == "analyst: FR, GeoIP: GB"
    (private,) = [h for h in on_duckdb["unknown"]["hosts"] if h["server"] == "10.0.0.7"]
    assert private["evidence"][0].endswith(f"[{EXPIRED}]")


def test_map_has_countries_and_shades_by_value() -> None:
    names = {s.alpha2 for s in country_shapes()}
    assert {"DE", "FR", "US", "RU", "FJ", "BR", "AU", "XK"} <= names
    assert "AQ" not in names
    svg = world_map_svg({"de": 10, "FR": 1, "SG": 3}, "Servers <per> country", unit="servers")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Servers &lt;per&gt; country" in svg
    fills = {
        iso: fill for fill, iso in re.findall(r'fill="(#[0-9a-f]{6})" data-iso="([A-Z]{2})"', svg)
    }
    assert fills["DE"] != fills["FR"] != fills["US"]
    assert fills["US"] == "#e5e7eb"  # no value: grey
    assert 'data-value="10"' in svg
    assert "not on the map: SG 3" in svg  # too small for the 1:110m outlines
    # every coordinate stays inside the map's frame (antimeridian pieces cut, not wrapped)
    xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", svg)]
    assert min(xs) >= -0.5 and max(xs) <= 960.5


def test_map_with_no_values() -> None:
    svg = world_map_svg({}, "Leaks per country", unit="leaks")
    assert "no leaks located yet" in svg


def test_the_analysts_country_places_the_server_and_the_sheet_shows_the_others(
    located: Database, tmp_path: Path
) -> None:
    path = tmp_path / "provider.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,country\n"
        "81.2.69.160,seedbox,,,provider's answer to request 17,FR\n"
    )
    import_hosts(located, path)
    enrich_hosts(located)  # the GeoIP data still says GB: the analyst's FR stays
    sheets = build_all_targets(located)
    assert "81.2.69.160" not in {h.value for h in sheets["GB"].hosts}
    (row,) = [r for r in target_rows(sheets["FR"]) if r["server"] == "81.2.69.160"]
    assert row["country"] == "FR" and row["country_source"] == "analyst (provider.csv)"
    assert row["disagreement"] == "analyst: FR, GeoIP: GB"
    assert row["locations"][0] == "analyst (provider.csv): FR"
    assert row["locations"][1].startswith("GeoIP (") and row["locations"][1].endswith(": GB")
    (_, _, html) = write_targets(sheets["FR"], tmp_path / "out")
    text = html.read_text()
    assert "sources differ: analyst: FR, GeoIP: GB" in text
    assert "server(s) where the sources name different countries" in text
    # the British sheet starts with its own servers; the French one of their cluster is
    # summarised after them
    gb = sheets["GB"]
    abroad = [s for s in gb.ties_abroad() if s["elsewhere"]]
    assert abroad and abroad[0]["elsewhere"]["FR"] == ["81.2.69.160"]
    assert "unknown" in abroad[0]["elsewhere"]  # unlocated servers of the cluster too
    assert abroad[0]["ties_across"] >= 1
    gb_html = render_targets_html(gb)
    servers_at = gb_html.index("<h2>Servers</h2>")
    assert servers_at < gb_html.index("<h2>Clusters, and ties to servers in other countries")
    assert "in other countries: DK 1 (files.sparkscdn.net); FR 1 (81.2.69.160)" in gb_html
    assert gb.as_dict()["ties_to_other_countries"][0]["cluster"] == abroad[0]["cluster"]


def test_evidence_says_what_each_reference_is(located: Database, tmp_path: Path) -> None:
    sheets = build_all_targets(located)
    rows = {r["server"]: r for sheet in sheets.values() for r in target_rows(sheet)}
    (seeder,) = rows["81.2.69.160"]["evidence"]
    assert seeder.startswith("swarm:") and " — 2020-03-01 12:05 UTC: swarm observation: " in seeder
    assert "initial-seeder (seeding) in torrent info-hash " + "a" * 40 in seeder
    assert "of Film.One.2020.1080p.BluRay.x264-SPARKS, client qBittorrent 4.2" in seeder
    tracker = rows["tracker.sparks-private.org"]["evidence"]
    assert any(
        line.startswith("sighting:")
        and "torrent sighting on tracker.sparks-private.org: Film.One" in line
        and f"info-hash {'a' * 40}" in line
        and "trackers tracker.sparks-private.org, tracker.opentrackr.org" in line
        for line in tracker
    )
    (imported,) = [line for line in rows["files.sparkscdn.net"]["evidence"] if "import" in line]
    assert imported == "import:dk.csv:2 — import of dk.csv line 2: police"
    csv_text = targets_csv(sheets["GB"])
    assert "initial-seeder (seeding) in torrent info-hash" in csv_text


def test_evidence_outlives_retention_as_a_dated_summary(located: Database) -> None:
    with located.transaction() as conn:
        rid = conn.execute(select(SWARM_OBSERVATIONS.c.release_id)).scalars().first()
        conn.execute(
            SWARM_OBSERVATIONS.insert(),
            [swarm_row("81.2.69.161", T0 + timedelta(days=3), seeder=True, release_id=rid)],
        )
        collect_hosts(conn)
    before = {r["server"]: r["evidence"] for r in target_rows(build_targets(located, "GB"))}[
        "81.2.69.161"
    ]
    (summary,) = before  # two observations of one torrent in one role: one line
    assert "(2 observations) — 2020-03-03 12:00 UTC to 2020-03-04 12:00 UTC" in summary
    assert "retention" not in summary
    # retention deletes the swarm observations older than a cut-off
    with located.transaction() as conn:
        conn.execute(
            delete(SWARM_OBSERVATIONS).where(
                SWARM_OBSERVATIONS.c.observed_at < T0 + timedelta(days=2, hours=1)
            )
        )
    sheet = build_targets(located, "GB")
    rows = {r["server"]: r["evidence"] for r in target_rows(sheet)}
    (seeder,) = rows["81.2.69.160"]
    assert seeder.endswith(f"[{EXPIRED}]") and "initial-seeder (seeding)" in seeder
    (summary,) = rows["81.2.69.161"]
    assert summary.endswith("[1 of 2 records deleted by retention]")
    assert "2020-03-03 12:00 UTC to 2020-03-04 12:00 UTC" in summary  # the dates survive
    assert any("retention deleted" in n for n in sheet.notes())


def test_the_unknown_sheet_is_written_and_asked_for_by_name(
    located: Database, tmp_path: Path
) -> None:
    sheet = build_targets(located, "Unknown")
    assert sheet.country == "unknown" and sheet.title == "Servers with no known country"
    assert all(h.country is None for h in sheet.hosts) and sheet.hosts
    names = [p.name for p in write_targets(sheet, tmp_path)]
    assert names == ["targets-unknown.csv", "targets-unknown.json", "targets-unknown.html"]
    data = json.loads((tmp_path / "targets-unknown.json").read_text())
    assert data["country"] == "unknown" and data["servers"] == len(sheet.hosts)
