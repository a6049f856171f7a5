"""Every later feature on a real PostgreSQL server too: the demo scenario's catalogue,
feeds, shipments, servers and swarms through the same library calls as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from leaktrace.attribution.dossier import build_dossier
from leaktrace.config import load_settings
from leaktrace.demo.infra import DEMO_SWARM_KEY
from leaktrace.demo.scenario import SUPPLY_CHAIN_GROUP, generate
from leaktrace.demo.supply import LEAKING_ACCOUNT
from leaktrace.geo import open_lookup
from leaktrace.impact.report import impact_report
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.importer import import_hosts
from leaktrace.infra.targets import build_all_targets
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database
from leaktrace.supply.importer import import_shipments
from leaktrace.supply.ranking import rank_accounts
from leaktrace.swarm.importer import import_swarm_files

TABLES = (
    "deliveries",
    "dead_letters",
    "alert_events",
    "sink_state",
    "nukes",
    "nfos",
    "host_evidence",
    "hosts",
    "swarm_observations",
    "shipments",
    "supply_accounts",
    "quarantine",
    "source_state",
    "alerts",
    "sightings",
    "releases",
    "ingest_runs",
    "work_aliases",
    "works",
)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    with database.transaction() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    yield database
    database.close()


def test_demo_scenario_on_postgres(pg: Database, postgres_url: str, tmp_path: Path) -> None:
    settings = load_settings(db=postgres_url)
    scenario = generate(tmp_path)
    assert scenario.supply is not None and scenario.infra is not None
    import_catalog(pg, scenario.catalog, settings)
    report = ingest_files(pg, list(scenario.feeds), settings)
    assert report.new_releases == scenario.releases
    import_shipments(pg, scenario.supply.path)
    import_hosts(pg, scenario.infra.hosts)
    with open_lookup() as geo:
        swarm = import_swarm_files(
            pg, [scenario.infra.swarm], DEMO_SWARM_KEY.encode(), geo, demo=True
        )
    assert swarm.added == scenario.infra.observations
    with pg.transaction() as conn:
        collect_hosts(conn)
    with pg.reading() as conn:
        ranking = rank_accounts(conn)
        dossier = build_dossier(conn, SUPPLY_CHAIN_GROUP)
    sheets = build_all_targets(pg)  # the analytics engine over an export of PostgreSQL
    assert ranking.scores[0].account == LEAKING_ACCOUNT
    assert any(link.kind == "follower" for link in dossier.links)
    located = [code for code in sheets if code != "unknown"]  # the swarm's seeders: unknown
    assert len(located) == scenario.infra.countries
    assert sum(len(sheets[code].hosts) for code in located) >= scenario.infra.servers
    impact = impact_report(pg).as_dict()["total"]
    assert impact["downloads"]["central"] > 0
