"""``leaktrace watch``: poll and stream sources, ingest, alert — crash-safe.

Threads: one per source (polling on its schedule, or holding a push connection), one
writer (the caller's thread) that commits each batch together with the source's
checkpoint and the alert events it raised, and one dispatcher that delivers those events
to the sinks. A source waits for its batch to be committed before polling again, so the
checkpoint it polls from is always the committed one: after ``kill -9`` at any moment a
restart resumes from the last commit; items seen again are recognised (releases by name,
sightings by fingerprint, events by dedupe key), so nothing is lost and nothing doubled.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.alerts.base import Sink, SinkConfig
from leaktrace.config import Settings
from leaktrace.errors import LeakTraceError, StoreError
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.ingest import BatchWriter, IngestReport
from leaktrace.sources.base import (
    Backlog,
    PollingSource,
    PollResult,
    SourceConfig,
    SourceError,
    StixBatch,
    StreamingSource,
)
from leaktrace.store.database import Database
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_receiving import receiving_target
from leaktrace.store.source_state import load_checkpoint, record_failure, record_success
from leaktrace.store.works import catalog_version, load_works
from leaktrace.watch.config import WatchConfig
from leaktrace.watch.dispatcher import Dispatcher
from leaktrace.watch.registry import sink_plugins, source_plugins

__all__ = ["SourceRun", "WatchSummary", "Watcher", "build_sinks", "build_sources"]

log = logging.getLogger("leaktrace.watch")


@dataclass(slots=True)
class SourceRun:
    """A configured source and what the watcher knows of it."""

    config: SourceConfig
    impl: PollingSource | StreamingSource
    checkpoint: dict[str, Any] | None = None
    failures: int = 0


@dataclass(slots=True)
class WatchSummary:
    polls: int = 0
    failures: int = 0
    items: int = 0
    stix_objects: int = 0
    """STIX objects stored by ``taxii`` sources (new versions only)."""
    quarantined: int = 0
    report: IngestReport = field(default_factory=lambda: IngestReport(files=[]))
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    backlog: list[tuple[str, Backlog]] = field(default_factory=list)
    """(source, what it left unread) after each source's latest committed poll."""


def build_sources(config: WatchConfig) -> list[SourceRun]:
    plugins = source_plugins()
    runs = []
    for source in config.sources:
        if source.enabled:
            runs.append(SourceRun(source, plugins[source.kind].create(source)))
    return runs


def build_sinks(config: WatchConfig) -> list[tuple[SinkConfig, Sink]]:
    plugins = sink_plugins()
    return [(sink, plugins[sink.kind].create(sink)) for sink in config.sinks if sink.enabled]


_Job = tuple[SourceRun, PollResult | SourceError, threading.Event]


def _stix_target(conn: Connection, stix: StixBatch) -> tuple[str, int | None] | str:
    """(local collection id, receiving agency id) of a STIX batch, or why there is none
    (the rule is :func:`~leaktrace.store.exchange_receiving.receiving_target`)."""
    try:
        return receiving_target(conn, stix.agency, stix.collection)
    except LeakTraceError as exc:
        return exc.reason


class Watcher:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        config: WatchConfig,
        *,
        sources: list[SourceRun] | None = None,
        sinks: list[tuple[SinkConfig, Sink]] | None = None,
        rng: random.Random | None = None,
        on_batch: Callable[[str, int], None] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.config = config
        self.sources = sources if sources is not None else build_sources(config)
        self.rng = rng or random.Random()
        options = config.options
        self.dispatcher = Dispatcher(
            db,
            sinks if sinks is not None else build_sinks(config),
            retry_base=options.retry_base,
            retry_cap=options.retry_cap,
            rng=self.rng,
        )
        self.dispatcher.register()
        self.summary = WatchSummary()
        self.on_batch = on_batch
        self._catalog_mark: tuple[int, object] | None = None
        self._catalog_checked = 0.0
        self._writer = self._new_writer()
        with db.reading() as conn:
            for run in self.sources:
                run.checkpoint = load_checkpoint(conn, run.config.name)

    # ------------------------------------------------------------------ writing
    def _catalog_version(self) -> tuple[int, object]:
        with self.db.reading() as conn:
            return catalog_version(conn)

    def _new_writer(self) -> BatchWriter:
        with self.db.reading() as conn:
            works = load_works(conn)
        self._catalog_mark = self._catalog_version()
        self._catalog_checked = time.monotonic()
        return BatchWriter(Assessor(Matcher(works, self.settings.match_threshold)))

    def _refresh_catalog(self) -> None:
        if time.monotonic() - self._catalog_checked < self.config.options.catalog_refresh:
            return
        self._catalog_checked = time.monotonic()
        if self._catalog_version() != self._catalog_mark:
            log.info("catalogue changed: reloading it")
            self._writer = self._new_writer()

    def commit(self, run: SourceRun, outcome: PollResult | SourceError) -> None:
        """Write one poll's outcome; data, checkpoint and events in one transaction."""
        name, kind = run.config.name, run.config.kind
        self.summary.polls += 1
        if isinstance(outcome, SourceError):
            run.failures += 1
            self.summary.failures += 1
            with self.db.transaction() as conn:
                record_failure(
                    conn, name, kind, outcome.reason, location=outcome.url, sample=outcome.sample
                )
            return
        stix = outcome.stix
        if stix is not None:
            with self.db.reading() as conn:
                problem = _stix_target(conn, stix)
            if isinstance(problem, str):
                self.commit(run, SourceError(problem, source=name, transient=False))
                return
        self._refresh_catalog()
        report = self.summary.report
        items = outcome.items
        size = self.config.options.batch_size
        stored_stix = 0
        with self.db.transaction() as conn:
            for start in range(0, len(items), size):
                self._writer.write(conn, items[start : start + size], report)
            self._writer.nukes(conn, outcome.nukes, report)
            if stix is not None and stix.objects:
                # the STIX objects and the checkpoint: one transaction (nothing lost or doubled)
                target = _stix_target(conn, stix)
                if isinstance(target, str):  # removed between the two reads: poll again
                    raise StoreError(target)
                collection_id, owner = target
                outcomes = store_batch(
                    conn, collection_id, stix.objects, owner_agency_id=owner, origin=stix.origin
                )
                stored_stix = sum(1 for o in outcomes if o.added)
            newest = max((i.time for i in items), default=None)
            record_success(
                conn,
                name,
                kind,
                checkpoint=outcome.checkpoint,
                items=len(items) + (len(stix.objects) if stix is not None else 0),
                quarantined=outcome.quarantined,
                newest=newest,
            )
        if outcome.checkpoint is not None:
            run.checkpoint = outcome.checkpoint
        run.failures = 0
        self.summary.backlog = [b for b in self.summary.backlog if b[0] != name]
        self.summary.backlog += [(name, left) for left in outcome.backlog]
        self.summary.items += len(items)
        self.summary.stix_objects += stored_stix
        self.summary.quarantined += len(outcome.quarantined)
        self.dispatcher.wake.set()
        if self.on_batch is not None:
            self.on_batch(name, len(items))

    # ------------------------------------------------------------------ polling
    def _poll(self, run: SourceRun) -> PollResult | SourceError:
        impl = run.impl
        assert isinstance(impl, PollingSource)
        try:
            return impl.poll(run.checkpoint)
        except SourceError as exc:
            return exc
        except LeakTraceError as exc:
            return SourceError(exc.reason, source=run.config.name)
        except Exception as exc:  # a faulty source must not stop the watcher
            log.exception("source %s failed unexpectedly", run.config.name)
            return SourceError(
                f"internal error in source: {type(exc).__name__}", source=run.config.name
            )

    def _delay(self, run: SourceRun, outcome: PollResult | SourceError) -> float:
        cfg = run.config
        if isinstance(outcome, SourceError):
            options = self.config.options
            ceiling = min(options.retry_cap, options.retry_base * 2 ** min(run.failures, 20))
            delay = self.rng.uniform(0, ceiling)
            if outcome.retry_after is not None:
                delay = max(delay, min(outcome.retry_after, options.retry_cap))
            if not outcome.transient:
                delay = max(delay, cfg.interval)
            return max(delay, min(cfg.interval, options.retry_base))
        return cfg.interval * (1.0 - cfg.jitter * self.rng.random())

    def run_once(self) -> WatchSummary:
        """Poll every polling source once, commit, deliver what is due, and return."""
        for run in self.sources:
            if isinstance(run.impl, PollingSource):
                self.commit(run, self._poll(run))
            else:
                log.info("source %s streams: skipped in --once", run.config.name)
        self.dispatcher.plan()
        self.dispatcher.deliver_all_due()
        self._collect_dispatch()
        return self.summary

    def run(self, stop: threading.Event) -> WatchSummary:
        """Run until ``stop`` is set, then finish the batch in hand and return."""
        jobs: queue.Queue[_Job] = queue.Queue(maxsize=max(4, 2 * len(self.sources)))
        threads = [
            threading.Thread(
                target=self._source_loop,
                args=(run, jobs, stop),
                name=f"source-{run.config.name}",
                daemon=True,
            )
            for run in self.sources
        ]
        dispatcher = threading.Thread(
            target=self.dispatcher.run, args=(stop,), name="dispatcher", daemon=True
        )
        for thread in threads:
            thread.start()
        dispatcher.start()
        try:
            while not stop.is_set() or not jobs.empty():
                try:
                    run, outcome, done = jobs.get(timeout=0.25)
                except queue.Empty:
                    continue
                try:
                    self.commit(run, outcome)
                except StoreError as exc:
                    log.error(
                        "could not store a batch from %s (it will be polled again): %s",
                        run.config.name,
                        exc,
                    )
                finally:
                    done.set()
        finally:
            stop.set()
            self.dispatcher.wake.set()
            dispatcher.join(timeout=30)
            for thread in threads:
                thread.join(timeout=5)
            self._close()
        self._collect_dispatch()
        return self.summary

    def _source_loop(self, run: SourceRun, jobs: queue.Queue[_Job], stop: threading.Event) -> None:
        def hand_over(outcome: PollResult | SourceError) -> bool:
            done = threading.Event()
            while not stop.is_set():
                try:
                    jobs.put((run, outcome, done), timeout=0.25)
                    break
                except queue.Full:
                    continue
            else:
                return False
            while not done.wait(0.25):
                if stop.is_set() and jobs.empty():
                    return False
            return True

        impl = run.impl
        if isinstance(impl, StreamingSource):
            while not stop.is_set():
                try:
                    for result in impl.stream(run.checkpoint, stop):
                        if not hand_over(result):
                            return
                except SourceError as exc:
                    hand_over(exc)
                    stop.wait(self._delay(run, exc))
                except Exception as exc:  # noqa: BLE001
                    log.exception("stream %s failed unexpectedly", run.config.name)
                    error = SourceError(f"internal error in source: {type(exc).__name__}")
                    hand_over(error)
                    stop.wait(self._delay(run, error))
            return
        while not stop.is_set():
            outcome = self._poll(run)
            if not hand_over(outcome):
                return
            stop.wait(self._delay(run, outcome))

    def _collect_dispatch(self) -> None:
        self.summary.delivered = self.dispatcher.summary.delivered
        self.summary.retried = self.dispatcher.summary.retried
        self.summary.dead = self.dispatcher.summary.dead

    def _close(self) -> None:
        for run in self.sources:
            try:
                run.impl.close()
            except Exception:  # noqa: BLE001
                log.debug("closing %s failed", run.config.name, exc_info=True)
        self.dispatcher.close()
