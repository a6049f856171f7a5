"""Import a catalogue and bring every stored release up to date with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.catalog.csv_import import CatalogFormat, read_catalog
from leaktrace.catalog.model import Work
from leaktrace.config import Settings
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.events import leak_event, stored_leaks
from leaktrace.releases import parse
from leaktrace.store.database import Database
from leaktrace.store.outbox import enqueue_events
from leaktrace.store.releases import delete_alerts, iter_releases, update_releases, upsert_alerts
from leaktrace.store.works import UpsertSummary, load_works, upsert_works

__all__ = [
    "CatalogImportReport",
    "ReassessReport",
    "import_catalog",
    "import_works",
    "reassess",
    "reassess_stored",
]


@dataclass(frozen=True, slots=True)
class ReassessReport:
    releases: int
    changed: int
    new_alerts: int
    cleared_alerts: int


@dataclass(frozen=True, slots=True)
class CatalogImportReport:
    file: str
    works: int
    summary: UpsertSummary
    reassessed: ReassessReport | None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "works": self.works,
            "added": self.summary.added,
            "updated": self.summary.updated,
            "unchanged": self.summary.unchanged,
        }
        if self.reassessed is not None:
            out["reassessed"] = {
                "releases": self.reassessed.releases,
                "changed": self.reassessed.changed,
                "new_alerts": self.reassessed.new_alerts,
                "cleared_alerts": self.reassessed.cleared_alerts,
            }
        return out


def import_catalog(
    db: Database,
    path: Path,
    settings: Settings,
    *,
    fmt: CatalogFormat = "auto",
    reassess_releases: bool = True,
) -> CatalogImportReport:
    """Validate the whole file, then upsert its works and reassess stored releases, all in
    one transaction: a bad row leaves the database as it was."""
    works = read_catalog(path, fmt)
    with db.transaction() as conn:
        return import_works(conn, works, str(path), settings, reassess_releases=reassess_releases)


def import_works(
    conn: Connection,
    works: Sequence[Work],
    source: str,
    settings: Settings,
    *,
    reassess_releases: bool = True,
) -> CatalogImportReport:
    """Upsert checked works and reassess stored releases, in the caller's transaction."""
    summary = upsert_works(conn, works, source)
    again = None
    if reassess_releases and (summary.added or summary.updated):
        again = reassess_stored(conn, settings)
    return CatalogImportReport(source, len(works), summary, again)


def reassess(db: Database, settings: Settings) -> ReassessReport:
    """Match and detect every stored release again against the current catalogue."""
    with db.transaction() as conn:
        return reassess_stored(conn, settings)


def reassess_stored(conn: Connection, settings: Settings, chunk: int = 2000) -> ReassessReport:
    """Match and detect every stored release again, in the caller's transaction."""
    assessor = Assessor(Matcher(load_works(conn), settings.match_threshold))
    seen = changed = new_alerts = cleared = 0
    for rows in iter_releases(conn, chunk):
        updates: list[dict[str, Any]] = []
        alerts = []
        clear: list[int] = []
        for row in rows:
            seen += 1
            outcome = assessor.judge(parse(row.name), row.released_at, row.imdb_id)
            alert = outcome.verdict.alert if outcome.verdict is not None else None
            values = {
                "rid": row.id,
                "released_at": row.released_at,
                "work_id": outcome.match.work_id,
                "match_score": round(outcome.match.score, 2),
                "match_reason": outcome.match.reason[:512],
                "status": outcome.status,
            }
            if (row.work_id, row.match_score, row.match_reason, row.status) != (
                values["work_id"],
                values["match_score"],
                values["match_reason"],
                values["status"],
            ):
                updates.append(values)
            if alert is not None:
                alerts.append((row.id, alert))
            elif row.status == "leak":
                clear.append(row.id)
        update_releases(conn, updates)
        changed += len(updates)
        delete_alerts(conn, clear)
        cleared += len(clear)
        fresh = set(upsert_alerts(conn, alerts))
        new_alerts += len(fresh)
        by_id = {row.id: row for row in rows}
        works = assessor.matcher.index.works
        raised = [(rid, alert) for rid, alert in alerts if rid in fresh]
        stored = stored_leaks(conn, [rid for rid, _ in raised]) if raised else {}
        events = [
            (rid, leak_event(stored[by_id[rid].name], alert, works[alert.work_id]))
            for rid, alert in raised
            if by_id[rid].name in stored
        ]
        if events:
            enqueue_events(conn, [e for _, e in events], [rid for rid, _ in events])
    return ReassessReport(seen, changed, new_alerts, cleared)
