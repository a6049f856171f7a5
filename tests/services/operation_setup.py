"""An action day for the operation service tests: a case of the coordinating agency EJ,
an operation with participating police agencies in NL and DE (and a second, judicial
agency in DE), an observer in FR and an agency that does not take part (US-FBI).

Made through the services by EJ's analyst (the creator, who joins as coordinator).
Targets: a server in NL (NL-POL), a server in DE (DE-BKA, police before judicial), a
person in DE with a real name (DE-BKA), premises with no country (nobody's yet).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from leaktrace.config import load_settings
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import cases, identity, operations
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operations import NewTarget
from leaktrace.store.database import Database
from leaktrace.store.schema import ALERT_EVENTS
from leaktrace.store.schema_access import AUDIT_LOG
from leaktrace.store.schema_cases import EVIDENCE_ENTRIES
from tests.services.test_leaks import agency_actor

__all__ = [
    "AGENCIES",
    "OpWorld",
    "counts",
    "ensure_agencies",
    "op_world",
    "postgres_copy",
    "sqlite_copy",
    "sqlite_ctx",
]

AGENCIES = {
    "EJ": ("NL", "eurojust"),
    "NL-POL": ("NL", "police"),
    "DE-BKA": ("DE", "police"),
    "DE-JUS": ("DE", "judicial"),
    "FR-OBS": ("FR", "police"),
    "US-FBI": ("US", "police"),
}
NL_SERVER = "203.0.113.5"
DE_SERVER = "198.51.100.7"
DE_PERSON = "h4x"
REAL_NAME = "Hans Muster"
PREMISES = "Keizersgracht 1, back room"


def ensure_agencies(ctx: AppContext) -> None:
    operator = local_operator()
    known = {a.code for a in identity.list_agencies(ctx, operator)}
    for code, (country, kind) in AGENCIES.items():
        if code not in known:
            identity.add_agency(
                ctx, operator, code=code, name=f"Test {code}", country=country, kind=kind
            )


@functools.cache
def _sqlite_template(agencies: bool) -> Path:
    """A migrated SQLite database (with the agencies of :data:`AGENCIES`, or none), made
    once per test run: migrating a new file costs far more than copying one."""
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-ops-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    with build_context(load_settings(db=str(path))) as context:
        if agencies:
            ensure_agencies(context)
    return path


def sqlite_copy(folder: Path, *, agencies: bool = False) -> str:
    """A fresh copy of the template in ``folder`` (its path)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "ops.db"
    shutil.copyfile(_sqlite_template(agencies), target)
    return str(target)


def sqlite_ctx(folder: Path) -> Iterator[AppContext]:
    """An application context over a fresh copy of the template with the agencies (for a
    fixture: ``yield from sqlite_ctx(tmp_path)``)."""
    with build_context(load_settings(db=sqlite_copy(folder, agencies=True))) as context:
        yield context


def _admin(url: str) -> str:
    return url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"


@functools.cache
def _postgres_template(url: str) -> str:
    import psycopg

    name = f"lt_ops_tpl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    Database(url.rsplit("/", 1)[0] + "/" + name).close()  # migrated
    return name


def postgres_copy(postgres_url: str) -> Iterator[str]:
    """A new database copied from a migrated template on the session's PostgreSQL (its
    URL), dropped afterwards (for a fixture: ``yield from postgres_copy(postgres_url)``)."""
    import psycopg

    template = _postgres_template(postgres_url)
    name = f"lt_ops_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin(postgres_url), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(_admin(postgres_url), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class OpWorld:
    ctx: AppContext
    case_id: int
    operation_id: int
    targets: dict[str, int]
    """Label → target id."""
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, code: str, role: str = "analyst") -> Actor:
        key = f"{code}/{role}"
        if key not in self.actors:
            self.actors[key] = agency_actor(self.ctx, code, role)
        return self.actors[key]

    @property
    def coordinator(self) -> Actor:
        return self.actor("EJ")

    @property
    def nl(self) -> Actor:
        return self.actor("NL-POL")

    @property
    def de(self) -> Actor:
        return self.actor("DE-BKA")

    @property
    def observer(self) -> Actor:
        return self.actor("FR-OBS")

    @property
    def outsider(self) -> Actor:
        return self.actor("US-FBI")


def op_world(ctx: AppContext, name: str = "Action day Lantern", **extra: Any) -> OpWorld:
    ensure_agencies(ctx)
    creator = agency_actor(ctx, "EJ")
    case = cases.open_case(ctx, creator, f"Case of {name}")
    summary = operations.create_operation(
        ctx,
        creator,
        case_id=case.id,
        name=name,
        day="2026-12-07",
        h_hour="05:00",
        agencies=["NL-POL", "DE-JUS", "DE-BKA", "FR-OBS:observer"],
        handling="H2",
        targets=[
            NewTarget(kind=TargetKind.server, label=NL_SERVER, country="NL"),
            NewTarget(kind=TargetKind.server, label=DE_SERVER, country="DE"),
            NewTarget(kind=TargetKind.person, label=DE_PERSON, country="DE", real_name=REAL_NAME),
            NewTarget(kind=TargetKind.premises, label=PREMISES),
        ],
        **extra,
    )
    from leaktrace.services.operation_board import operation_board

    view = operation_board(ctx, creator, summary.id)
    world = OpWorld(
        ctx=ctx,
        case_id=case.id,
        operation_id=summary.id,
        targets={t.label: t.id for t in view.targets},
    )
    world.actors["EJ/analyst"] = creator
    return world


def counts(ctx: AppContext, case_id: int) -> tuple[int, int, int]:
    """(evidence-log entries of the case, outbox events, audit entries)."""
    with ctx.database.reading() as conn:
        log = conn.execute(
            select(func.count())
            .select_from(EVIDENCE_ENTRIES)
            .where(EVIDENCE_ENTRIES.c.case_id == case_id)
        ).scalar_one()
        outbox = conn.execute(select(func.count()).select_from(ALERT_EVENTS)).scalar_one()
        audit = conn.execute(select(func.count()).select_from(AUDIT_LOG)).scalar_one()
    return int(log), int(outbox), int(audit)
