"""Run the synthetic demo end to end: generate, import, ingest, write the HTML report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace.attribution.links import find_links
from leaktrace.config import Settings
from leaktrace.demo.infra import DEMO_SWARM_KEY
from leaktrace.demo.scenario import DEFAULT_SEED, FICTIONAL_NOTICE, ScenarioFiles, generate
from leaktrace.errors import StoreError
from leaktrace.geo import open_lookup
from leaktrace.impact.report import ImpactReport, impact_report
from leaktrace.infra.cluster import ClusterSettings
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.enrich import enrich_hosts
from leaktrace.infra.importer import import_hosts
from leaktrace.infra.model import ImportReport
from leaktrace.infra.target_files import write_targets
from leaktrace.infra.targets import build_all_targets
from leaktrace.pipeline.catalog import CatalogImportReport, import_catalog
from leaktrace.pipeline.ingest import IngestReport, ingest_files
from leaktrace.private_files import make_private_folder
from leaktrace.report.html import write_report
from leaktrace.store.database import Database
from leaktrace.supply.importer import SupplyImportReport, import_shipments
from leaktrace.swarm.importer import SwarmImportReport, import_swarm_files

__all__ = ["DEMO_DB", "DEMO_REPORT", "DemoResult", "run_demo"]

DEMO_DB = "demo.db"
DEMO_REPORT = "report.html"
DEMO_TITLE = "LeakTrace demo: a disc supply-chain leak ring (synthetic)"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What ``run_demo`` made: the scenario files, the database, the reports."""

    directory: Path
    database: Path
    html: Path
    scenario: ScenarioFiles
    catalog: CatalogImportReport
    ingest: IngestReport
    supply: SupplyImportReport | None = None
    infra: DemoInfrastructure | None = None
    synthetic: bool = True

    @property
    def report(self) -> Path:
        """The HTML report (same as ``html``)."""
        return self.html

    def as_dict(self) -> dict[str, Any]:
        return {
            "synthetic": self.synthetic,
            "notice": FICTIONAL_NOTICE,
            "directory": str(self.directory),
            "database": str(self.database),
            "html": str(self.html),
            "scenario": self.scenario.as_dict(),
            "catalog": self.catalog.as_dict(),
            "ingest": self.ingest.as_dict(),
        }


def _fresh(path: Path) -> None:
    """Delete an old demo database and its SQLite side files."""
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            candidate.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot remove the old demo database {candidate}: {exc.strerror or exc}"
            ) from None


def run_demo(
    directory: Path,
    settings: Settings,
    *,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Build the synthetic scenario in ``directory`` and run LeakTrace over it.

    ``directory/demo.db`` is created afresh (``settings.db`` is not used: the demo never
    touches the user's database); the catalogue is imported, every feed ingested
    non-strictly (the malformed lines are skipped and counted) and the report written to
    ``directory/report.html``.
    """
    directory = Path(directory).expanduser()
    make_private_folder(directory)  # its swarm, server and shipment files look like real ones
    scenario = generate(directory, seed)
    db_path = directory / DEMO_DB
    _fresh(db_path)
    db = Database(str(db_path))
    try:
        catalog = import_catalog(db, scenario.catalog, settings)
        ingest = ingest_files(db, list(scenario.feeds), settings, strict=False, progress=progress)
        supply = None
        if scenario.supply is not None:
            supply = import_shipments(db, scenario.supply.path)
        infra = _infrastructure(db, scenario, directory) if scenario.infra is not None else None
        html = write_report(db, directory / DEMO_REPORT, DEMO_TITLE, note=FICTIONAL_NOTICE)
    finally:
        db.close()
    return DemoResult(directory, db_path, html, scenario, catalog, ingest, supply, infra)


@dataclass(frozen=True, slots=True)
class DemoInfrastructure:
    """Servers, swarms, target lists and the impact estimate the demo produced."""

    hosts: ImportReport
    swarm: SwarmImportReport
    impact: ImpactReport
    targets: dict[str, list[Path]]


def _infrastructure(db: Database, scenario: ScenarioFiles, directory: Path) -> DemoInfrastructure:
    assert scenario.infra is not None
    hosts = import_hosts(db, scenario.infra.hosts)
    with open_lookup() as geo:
        swarm = import_swarm_files(
            db, [scenario.infra.swarm], DEMO_SWARM_KEY.encode(), geo, demo=True
        )
    with db.transaction() as conn:
        collect_hosts(conn)
    enrich_hosts(db)
    # clusters quote the links between release groups (attribution's), as `leaktrace targets`
    linked = ClusterSettings(find_links=lambda conn, services: find_links(conn, services=services))
    sheets = build_all_targets(db, settings=linked)
    out = directory / "targets"
    targets = {country: write_targets(sheet, out) for country, sheet in sheets.items()}
    impact = impact_report(db)
    return DemoInfrastructure(hosts, swarm, impact, targets)
