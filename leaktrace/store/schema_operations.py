"""Tables of action days (issue 13): an operation of a case, the agencies taking part
(with their role and time zone), its targets and the issues raised on them.

Migration 0015 creates them. The live events of an operation are not a table of their own:
they are rows of the alert outbox (``alert_events``, ``kind = 'operation'``, ``topic =
'operation:<id>'``) written in the same transaction as the change they announce.

Who may see an operation is decided in :mod:`leaktrace.services.operation_access`: only
its participating agencies (any role), and to anyone else it does not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from leaktrace.store.schema import Base, UTCDateTime

__all__ = [
    "OPERATIONS",
    "OPERATION_AGENCIES",
    "OPERATION_ISSUES",
    "OPERATION_TARGETS",
    "OperationAgencyRow",
    "OperationIssueRow",
    "OperationRow",
    "OperationTargetRow",
]


class OperationRow(Base):
    """An action day of a case: its name, date and H-hour (UTC) and handling code."""

    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    h_hour: Mapped[str] = mapped_column(String(5))
    """``HH:MM``, UTC."""
    handling: Mapped[str] = mapped_column(String(2))
    """SIENA handling code (H0–H3) of everything the operation shows and exports."""
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """Touched by every change: the row's write lock orders an operation's events."""


class OperationAgencyRow(Base):
    """An agency taking part: ``coordinator``, ``participant`` or ``observer``."""

    __tablename__ = "operation_agencies"

    operation_id: Mapped[int] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    """IANA zone in which the agency is shown the H-hour."""


class OperationTargetRow(Base):
    """A server, supply account, person or premises to act on, assigned to one agency.

    ``label`` is what every participant sees (a server's address, an account's or a
    person's pseudonymous handle, a premises' description); ``real_name`` (persons only,
    optional) is shown only to the agency of ``country`` and to coordinators.
    ``checklist`` and ``outcome`` are JSON objects.
    """

    __tablename__ = "operation_targets"
    __table_args__ = (
        UniqueConstraint("operation_id", "kind", "label"),
        Index("ix_operation_targets_operation_status", "operation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    group_name: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(300))
    """Where the target came from: a host key, a supply account's key, a sheet."""
    real_name: Mapped[str | None] = mapped_column(String(300))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16))
    checklist: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(320))


class OperationIssueRow(Base):
    """A problem raised on a target ("server moved", "warrant missing"), open until
    resolved."""

    __tablename__ = "operation_issues"
    __table_args__ = (Index("ix_operation_issues_operation_open", "operation_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("operation_targets.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(320))
    raised_agency: Mapped[str | None] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(320))
    resolution: Mapped[str | None] = mapped_column(Text)


OPERATIONS = cast(Table, OperationRow.__table__)
OPERATION_AGENCIES = cast(Table, OperationAgencyRow.__table__)
OPERATION_TARGETS = cast(Table, OperationTargetRow.__table__)
OPERATION_ISSUES = cast(Table, OperationIssueRow.__table__)
