"""Deliver outbox events to sinks, apart from ingest, with retries and dead letters."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leaktrace.alerts.base import DeliveryError, Sink, SinkConfig
from leaktrace.errors import LeakTraceError
from leaktrace.store.database import Database
from leaktrace.store.outbox import (
    Delivery,
    due_deliveries,
    mark_delivered,
    mark_retry,
    move_to_dead_letters,
    next_due,
    plan_deliveries,
    sink_cursor,
)

__all__ = ["DUE_PAGE", "DispatchSummary", "Dispatcher"]

log = logging.getLogger("leaktrace.watch")

DUE_PAGE = 200
"""The most deliveries :meth:`Dispatcher.deliver_due` attempts in one call."""


@dataclass(slots=True)
class DispatchSummary:
    delivered: int = 0
    retried: int = 0
    dead: int = 0


class Dispatcher:
    """Plans deliveries for each sink from the outbox and delivers those that are due.

    At least once: a delivery is marked delivered only after the sink accepted it, so a
    crash in between sends it again with the same dedupe key.
    """

    def __init__(
        self,
        db: Database,
        sinks: Sequence[tuple[SinkConfig, Sink]],
        *,
        retry_base: float = 2.0,
        retry_cap: float = 600.0,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.sinks = {config.name: (config, sink) for config, sink in sinks}
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.rng = rng or random.Random()
        self.wake = threading.Event()
        self.summary = DispatchSummary()

    def register(self) -> None:
        """Give each new sink its place in the outbox (its end, unless ``backfill``), so
        events raised from now on reach it and older ones are not replayed."""
        with self.db.transaction() as conn:
            for name, (config, _) in self.sinks.items():
                sink_cursor(conn, name, backfill=config.backfill)

    def plan(self) -> int:
        """Plan every sink's deliveries up to the end of the outbox (a page of events at a
        time, until the sink's cursor stops moving: a page its filter drops entirely
        creates nothing but is not the end). Returns how many were created."""
        created = 0
        with self.db.transaction() as conn:
            for name, (config, _) in self.sinks.items():
                cursor = sink_cursor(conn, name, backfill=config.backfill)
                while True:
                    created += plan_deliveries(conn, name, config.accepts, backfill=config.backfill)
                    moved = sink_cursor(conn, name, backfill=config.backfill)
                    if moved == cursor:
                        break
                    cursor = moved
        return created

    def deliver_all_due(self) -> int:
        """:meth:`deliver_due` until nothing is due now (``watch --once``), not only its
        first page: a failed delivery is rescheduled to a later time or dead-lettered, so
        each round leaves fewer due. Returns how many attempts were made."""
        attempted = 0
        while True:
            made = self.deliver_due()
            attempted += made
            if made < DUE_PAGE:
                return attempted

    def _due(self) -> list[Delivery]:
        """The deliveries to attempt now (a subclass may narrow them)."""
        with self.db.reading() as conn:
            return due_deliveries(conn, list(self.sinks), datetime.now(UTC), limit=DUE_PAGE)

    def _claim(self, delivery: Delivery) -> bool:
        """Whether to attempt ``delivery`` now: always, for the one ``leaktrace watch``
        daemon; a subclass run by several processes at once claims it first."""
        return True

    def deliver_due(self, stop: threading.Event | None = None) -> int:
        """Attempt the deliveries due now, at most :data:`DUE_PAGE` of them; returns how
        many were attempted."""
        due = self._due()
        for delivery in due:
            if stop is not None and stop.is_set():
                break
            if not self._claim(delivery):
                continue
            config, sink = self.sinks[delivery.sink]
            attempts = delivery.attempts + 1
            try:
                sink.deliver(delivery.event)
            except DeliveryError as exc:
                self._failed(
                    delivery.id, config, attempts, exc.reason, exc.transient, exc.retry_after
                )
            except LeakTraceError as exc:
                self._failed(delivery.id, config, attempts, exc.reason, True, None)
            except Exception as exc:  # a faulty sink must not stop the others
                self._failed(
                    delivery.id,
                    config,
                    attempts,
                    f"internal error in sink: {type(exc).__name__}",
                    True,
                    None,
                )
            else:
                with self.db.transaction() as conn:
                    mark_delivered(conn, delivery.id, attempts)
                self.summary.delivered += 1
        return len(due)

    def _failed(
        self,
        delivery_id: int,
        config: SinkConfig,
        attempts: int,
        reason: str,
        transient: bool,
        retry_after: float | None,
    ) -> None:
        with self.db.transaction() as conn:
            if not transient or attempts >= config.max_attempts:
                move_to_dead_letters(conn, delivery_id, attempts, reason)
                self.summary.dead += 1
                log.warning(
                    "sink %s: delivery %d failed for good after %d attempt(s): %s",
                    config.name,
                    delivery_id,
                    attempts,
                    reason,
                )
                return
            delay = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
            delay = self.rng.uniform(delay / 2, delay)
            if retry_after is not None:
                delay = max(delay, min(retry_after, self.retry_cap))
            mark_retry(
                conn, delivery_id, attempts, reason, datetime.now(UTC) + timedelta(seconds=delay)
            )
            self.summary.retried += 1
            log.info(
                "sink %s: delivery %d failed (attempt %d), retry in %.1fs: %s",
                config.name,
                delivery_id,
                attempts,
                delay,
                reason,
            )

    def seconds_to_next(self) -> float | None:
        with self.db.reading() as conn:
            due = next_due(conn, list(self.sinks))
        if due is None:
            return None
        return max(0.0, (due - datetime.now(UTC)).total_seconds())

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Loop until ``stop``: plan, deliver, then sleep until woken or the next retry."""
        while not stop.is_set():
            self.wake.clear()
            try:
                self.plan()
                self.deliver_due(stop)
                wait = self.seconds_to_next()
            except LeakTraceError as exc:
                log.error("dispatcher: %s", exc)
                wait = idle
            self.wake.wait(idle if wait is None else min(idle, wait))

    def close(self) -> None:
        for _, sink in self.sinks.values():
            try:
                sink.close()
            except Exception:  # noqa: BLE001 - closing must not raise
                log.debug("sink close failed", exc_info=True)
