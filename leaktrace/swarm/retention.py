"""Retention: observations older than N days are deleted (personal data is not kept for
longer than needed), and so are Parquet exports holding them. The default period is
:data:`DEFAULT_RETENTION_DAYS` or the ``LEAKTRACE_SWARM_RETENTION_DAYS`` environment
variable.

Expired Parquet exports are removed by :mod:`leaktrace.services.swarm_exports` (it reads
the analytics export manifests; this module sits below analytics).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import ConfigError
from leaktrace.store.swarm import count_older, delete_older

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "RETENTION_ENV",
    "RetentionReport",
    "apply_retention",
    "retention_days",
]

DEFAULT_RETENTION_DAYS = 180
RETENTION_ENV = "LEAKTRACE_SWARM_RETENTION_DAYS"
MAX_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class RetentionReport:
    days: int
    cutoff: datetime
    matched: int
    deleted: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "cutoff": self.cutoff.isoformat(),
            "older_than_cutoff": self.matched,
            "deleted": self.deleted,
            "dry_run": self.dry_run,
        }


def retention_days(
    days: int | None = None,
    configured: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """``days`` if given, else the configured value, else the environment, else 180."""
    env = os.environ if environ is None else environ
    if days is None:
        days = configured
    if days is None and env.get(RETENTION_ENV, "").strip():
        text = env[RETENTION_ENV].strip()
        if not text.isdigit():
            raise ConfigError(f"{RETENTION_ENV} must be a whole number of days, not {text!r}")
        days = int(text)
    if days is None:
        days = DEFAULT_RETENTION_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"retention must be 1-{MAX_DAYS} days, not {days}")
    return days


def apply_retention(
    conn: Connection, days: int, *, dry_run: bool = False, now: datetime | None = None
) -> RetentionReport:
    """Delete (or with ``dry_run`` only count) observations older than ``days`` days, in
    the caller's transaction."""
    moment = now or datetime.now(UTC)
    cutoff = moment - timedelta(days=days)
    matched = count_older(conn, cutoff)
    deleted = 0 if dry_run or not matched else delete_older(conn, cutoff)
    return RetentionReport(days, cutoff, matched, deleted, dry_run)
