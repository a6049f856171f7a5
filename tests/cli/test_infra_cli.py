"""``leaktrace hosts …`` and ``leaktrace targets`` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.cli import infra_cmds
from leaktrace.cli.app import app
from leaktrace.config import Settings
from leaktrace.geo import open_lookup
from leaktrace.pipeline.ingest import ingest_items
from leaktrace.store.database import Database
from tests.cli.conftest import Run
from tests.infra.conftest import items
from tests.swarm.mmdb import write_mmdb


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    """Register the commands the way the lead does in leaktrace/cli/app.py (if not yet)."""
    groups, commands = list(app.registered_groups), list(app.registered_commands)
    if not any(g.name == "hosts" for g in app.registered_groups):
        app.add_typer(infra_cmds.app, name="hosts")
    if not any(c.callback is infra_cmds.targets for c in app.registered_commands):
        app.command()(infra_cmds.targets)
    yield
    app.registered_groups[:], app.registered_commands[:] = groups, commands


@pytest.fixture
def dbfile(db: Database, settings: Settings, db_path: Path) -> str:
    ingest_items(db, items(), settings)
    return str(db_path)


def test_collect_import_enrich_list_targets(run: Run, dbfile: str, tmp_path: Path) -> None:
    result = run("hosts", "collect", "--db", dbfile)
    assert result.code == 0, result.err
    assert "hosts in 4 sightings" in result.out
    again = run("hosts", "collect", "--db", dbfile, "--format", "json")
    assert json.loads(again.out)["new_evidence"] == 0

    hosts_csv = tmp_path / "hosts.csv"
    hosts_csv.write_text(
        "ip_or_domain,role,first_seen,last_seen,source\n81.2.69.200,server,2020-03-01,,police\n"
    )
    result = run("hosts", "import", str(hosts_csv), "--db", dbfile)
    assert result.code == 0, result.err
    assert "1 new" in result.out

    result = run("hosts", "enrich", "--db", dbfile)
    assert result.code == 0, result.err
    with open_lookup() as geo:  # whatever data ships, its name and attribution are printed
        assert geo.country_file is not None
        label, attribution = geo.country_file.name, geo.sources()[-1]
    assert label in result.out and attribution in result.out
    assert "2 with an ASN" in result.out and "ASN: not available" not in result.out

    listed = run("hosts", "list", "--db", dbfile, "--country", "GB", "--format", "json")
    assert {h["server"] for h in json.loads(listed.out)} == {"81.2.69.142", "81.2.69.200"}
    table = run("hosts", "list", "--db", dbfile, "--role", "tracker")
    assert "tracker.sparks-private.org" in table.out

    result = run("targets", "--country", "GB", "--db", dbfile)
    assert result.code == 0, result.err
    assert "81.2.69.142" in result.out and "Servers in United Kingdom" in result.out
    as_json = json.loads(run("targets", "--country", "gb", "--db", dbfile, "-f", "json").out)
    assert as_json["servers"] == 2
    as_csv = run("targets", "--country", "GB", "--db", dbfile, "-f", "csv").out
    assert as_csv.splitlines()[0].startswith("cluster,server,kind,role,provider,asn")

    out = tmp_path / "out"
    result = run("targets", "--country", "GB", "--out", str(out), "--db", dbfile)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "targets-GB.csv",
        "targets-GB.html",
        "targets-GB.json",
    ]
    result = run("targets", "--all", "--out", str(tmp_path / "all"), "--db", dbfile)
    assert result.code == 0, result.err
    assert (tmp_path / "all" / "targets-GB.html").exists()

    clusters = run("hosts", "clusters", "--db", dbfile)
    assert clusters.code == 0 and "C1" in clusters.out


def test_errors_are_one_clear_line(run: Run, dbfile: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ip_or_domain,role,first_seen,last_seen,source\n81.2.69.1,boss,,,x\n")
    result = run("hosts", "import", str(bad), "--db", dbfile)
    assert result.code == 65
    assert f"{bad}:2, field 'role'" in result.err
    assert run("targets", "--db", dbfile).code == 65
    assert "--all" in run("targets", "--all", "--db", dbfile).err
    assert run("targets", "--country", "Germany", "--db", dbfile).code == 65
    missing = run("hosts", "enrich", "--db", dbfile, "--asn-db", str(tmp_path / "nope.mmdb"))
    assert missing.code == 65 and "no such file" in missing.err


def test_certs_command(run: Run, dbfile: str, tmp_path: Path) -> None:
    from tests.infra.test_certificates import TlsServer, make_certificate

    pem, _ = make_certificate(tmp_path)
    server = TlsServer(pem)
    try:
        hosts_csv = tmp_path / "servers.csv"
        hosts_csv.write_text(
            "ip_or_domain,role,first_seen,last_seen,source\n"
            "127.0.0.1,server,2020-03-01,,test\n127.0.0.2,server,2020-03-01,,test\n"
        )
        assert run("hosts", "import", str(hosts_csv), "--db", dbfile).code == 0
        base = ("hosts", "certs", "--db", dbfile, "--port", str(server.port), "--role", "server")
        skipped = run(*base)
        assert skipped.code == 0, skipped.err
        assert "0 servers contacted" in skipped.out and "2 private/reserved" in skipped.out
        result = run(*base, "--include-reserved", "--timeout", "5")
        assert result.code == 0, result.err
        assert "2 certificates, 2 new" in result.out
        assert "shared" in result.out and "127.0.0.1, 127.0.0.2" in result.out
        data = json.loads(run(*base, "--include-reserved", "-f", "json").out)
        assert data["new_evidence"] == 0 and len(data["shared"]) == 1
        clusters = run("hosts", "clusters", "--db", dbfile, "-f", "json")
        assert clusters.code == 0 and "TLS certificate" in clusters.out
    finally:
        server.close()
    assert run("hosts", "certs", "--db", dbfile, "--country", "Germany").code != 0
    assert run("hosts", "certs", "--db", dbfile, "--role", "nosuchrole").code == 2


def test_analyst_country_several_geoip_files_and_the_unknown_sheet(
    run: Run, dbfile: str, tmp_path: Path
) -> None:
    assert run("hosts", "collect", "--db", dbfile).code == 0
    servers = tmp_path / "provider.csv"
    servers.write_text(
        "ip_or_domain,role,first_seen,last_seen,source,country\n"
        "81.2.69.142,web-seed,,,provider's answer,FR\n192.0.2.7,server,,,seizure,LV\n"
    )
    assert run("hosts", "import", str(servers), "--db", dbfile).code == 0
    germany = write_mmdb(tmp_path / "de.mmdb", {"81.2.69.0/24": {"country_code": "DE"}})
    holland = write_mmdb(tmp_path / "nl.mmdb", {"81.2.69.0/24": {"country_code": "NL"}})
    result = run(
        "hosts", "enrich", "--db", dbfile, "--geoip", str(germany), "--geoip", str(holland)
    )
    assert result.code == 0, result.err
    assert "1 host(s): the sources name different countries" in result.out
    assert "de.mmdb" in result.out and "nl.mmdb" in result.out

    sheet = json.loads(run("targets", "--country", "FR", "--db", dbfile, "-f", "json").out)
    (row,) = [h for h in sheet["hosts"] if h["server"] == "81.2.69.142"]
    assert row["country_source"] == "analyst (provider.csv)"
    assert row["disagreement"] == "analyst: FR, GeoIP de.mmdb: DE, GeoIP nl.mmdb: NL"
    assert row["evidence"][0].startswith("import:provider.csv:2 — import of provider.csv")
    table = run("targets", "--country", "FR", "--db", dbfile)
    assert table.code == 0 and "located by" in table.out and "analyst" in table.out
    # a documentation address is never looked up and keeps the analyst's country
    latvia = json.loads(run("targets", "--country", "lv", "--db", dbfile, "-f", "json").out)
    assert [h["server"] for h in latvia["hosts"]] == ["192.0.2.7"]

    unknown = run("targets", "--country", "unknown", "--db", dbfile, "-f", "json")
    assert unknown.code == 0, unknown.err
    data = json.loads(unknown.out)
    assert data["country"] == "unknown" and data["servers"] > 0
    assert "tracker.sparks-private.org" in {h["server"] for h in data["hosts"]}
    listed = run("hosts", "list", "--db", dbfile, "--country", "unknown", "-f", "json")
    assert {h["server"] for h in json.loads(listed.out)} == {h["server"] for h in data["hosts"]}
    out = tmp_path / "all"
    assert run("targets", "--all", "--out", str(out), "--db", dbfile).code == 0
    names = {p.name for p in out.iterdir()}
    assert {"targets-FR.csv", "targets-LV.html", "targets-unknown.json"} <= names
    as_csv = run("hosts", "list", "--db", dbfile, "--country", "FR", "-f", "csv").out
    assert "analyst (provider.csv): FR | GeoIP (de.mmdb" in as_csv
