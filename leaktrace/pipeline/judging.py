"""What the pipeline concludes about a release name, as plain values, and a second process
that concludes it for a large file ingest while the first one stores.

A large file ingest spends about a third of its CPU time parsing, matching and detecting
and most of the rest storing. :class:`ParallelJudge` runs the first part in a child
process over the same files, batch by batch as the ingest meets them, and hands back one
:data:`Judged` per release name: plain tuples, cheap to pass between processes (the parsed
objects themselves cost more to unpickle than to compute). The ingest checks each against
the item it stores and judges anything missing or different itself, so the child only
ever saves time: if it fails, falls behind a file that changed, or cannot start, the
ingest's result is the same.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from threading import Event, Thread
from typing import IO, Any

from leaktrace.catalog.model import Work
from leaktrace.detect.detector import Alert
from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.assess import Assessor

__all__ = [
    "JUDGED_COLUMNS",
    "PARALLEL_MIN_LINES",
    "Judged",
    "ParallelJudge",
    "basis",
    "can_judge_apart",
    "earliest_items",
    "judge",
    "judge_batches",
    "write_frame",
]

JUDGED_COLUMNS = (
    "title",
    "year",
    "kind",
    "season",
    "episode",
    "resolution",
    "source",
    "codec",
    "languages",
    "tags",
    "parsed_group",
    "service",
    "website",
    "work_id",
    "match_score",
    "match_reason",
    "status",
)
"""The order of a :data:`Judged`'s values (``parsed_group``: the group the name carries)."""

Basis = tuple[float, str | None, int | None]
"""What a conclusion rests on besides the name: the item's time (POSIX seconds: cheaper
to pass than a datetime), IMDb and TMDB ids (:func:`basis`)."""
Judged = tuple[tuple[Any, ...], Alert | None, Basis]
"""A release name's judged columns (:data:`JUDGED_COLUMNS`), its alert, and its basis."""

PARALLEL_MIN_LINES = 50_000
"""The least number of feed lines (estimated from the files' sizes) for which a second
process pays for its start (about half a second)."""


def can_judge_apart(paths: Sequence[Path]) -> bool:
    """Whether another process can read ``paths`` as this one does: regular files, none of
    them a device or a process's own file (``/dev/stdin`` is another stream there)."""
    for path in paths:
        text = str(path.absolute())
        if text.startswith(("/dev/", "/proc/")) or not path.is_file():
            return False
    return True


_HEAD = struct.Struct("<Q")


def judge(assessor: Assessor, name: str, item: FeedItem) -> Judged:
    """Parse, match and detect ``name``, first seen as ``item``."""
    outcome = assessor.outcome(name, item.time, item.imdb_id, item.tmdb_id)
    parsed, match = outcome.parsed, outcome.match
    values = (
        parsed.title[:512] if parsed.title else None,
        parsed.year,
        parsed.kind,
        parsed.season,
        parsed.episodes[0] if parsed.episodes else None,
        parsed.resolution,
        parsed.source,
        parsed.codec,
        ",".join(parsed.languages)[:64] or None,
        ",".join(parsed.tags)[:256] or None,
        parsed.group,
        parsed.service,
        parsed.website[:128] if parsed.website else None,
        match.work_id,
        round(match.score, 2),
        match.reason[:512],
        outcome.status,
    )
    alert = outcome.verdict.alert if outcome.verdict is not None else None
    return values, alert, basis(item)


def basis(item: FeedItem) -> Basis:
    """What a conclusion about ``item``'s name rests on besides the name."""
    return item.time.timestamp(), item.imdb_id, item.tmdb_id


def earliest_items(batch: Sequence[FeedItem]) -> dict[str, FeedItem]:
    """Each name's earliest item in a batch (the first of equal times), as the ingest
    picks it."""
    earliest: dict[str, FeedItem] = {}
    for item in batch:
        first = earliest.get(item.name)
        if first is None or item.time < first.time:
            earliest[item.name] = item
    return earliest


def judge_batches(
    items: Iterable[object], batch_size: int, assessor: Assessor
) -> Iterator[dict[str, Judged]]:
    """Every batch of feed items (errors skipped, as the ingest batches them) judged."""
    batch: list[FeedItem] = []
    for entry in items:
        if not isinstance(entry, FeedItem):
            continue
        batch.append(entry)
        if len(batch) >= batch_size:
            yield {n: judge(assessor, n, i) for n, i in earliest_items(batch).items()}
            batch = []
    if batch:
        yield {n: judge(assessor, n, i) for n, i in earliest_items(batch).items()}


def _read_frames(stream: IO[bytes], frames: queue.Queue[bytes | None], stop: Event) -> None:
    """Move the child's frames into ``frames`` (a thread: reading a pipe lets go of the
    GIL, so the child can run ahead while the ingest writes)."""
    try:
        while not stop.is_set():
            head = stream.read(_HEAD.size)
            if len(head) < _HEAD.size:
                break
            (size,) = _HEAD.unpack(head)
            body = stream.read(size)
            if len(body) < size:
                break
            while not stop.is_set():
                try:
                    frames.put(body, timeout=0.2)
                    break
                except queue.Full:
                    continue
    except (OSError, ValueError):  # the pipe was closed under it
        pass
    finally:
        while not stop.is_set():
            try:
                frames.put(None, timeout=0.2)
                break
            except queue.Full:
                continue


class ParallelJudge:
    """A child process judging the batches of ``paths`` ahead of the ingest.

    Use as a context manager; :meth:`next_batch` gives the next batch's conclusions, or an
    empty dict once the child has stopped for any reason (the ingest then judges itself).
    The child is ``python -m leaktrace.pipeline.judge_child``, a fresh interpreter: nothing
    of the caller's process (its open database, its ``__main__``) is copied into it.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        max_name: int,
        batch_size: int,
        works: list[Work],
        threshold: float,
        ahead: int = 4,
        patience: float = 120.0,
    ) -> None:
        self._job = ([str(p) for p in paths], max_name, batch_size, works, threshold)
        self._frames: queue.Queue[bytes | None] = queue.Queue(maxsize=ahead)
        self._stop = Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: Thread | None = None
        self.patience = patience
        """Seconds to wait for a batch before going on without the child."""
        self.stopped = False
        self.stop_reason: str | None = None
        """Why the child stopped before the last batch (an error's text), if it did."""

    def __enter__(self) -> ParallelJudge:
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, path])))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "leaktrace.pipeline.judge_child"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(pickle.dumps(self._job, protocol=pickle.HIGHEST_PROTOCOL))
            self._process.stdin.close()
        except (OSError, ValueError) as exc:
            self.stopped = True
            self.stop_reason = f"not started: {exc}"
            return self
        self._reader = Thread(
            target=_read_frames,
            args=(self._process.stdout, self._frames, self._stop),
            name="leaktrace-judge-reader",
            daemon=True,
        )
        self._reader.start()
        return self

    def next_batch(self) -> dict[str, Judged]:
        if self.stopped:
            return {}
        try:
            body = self._frames.get(timeout=self.patience)
        except queue.Empty:  # stuck (a file that blocks?): the ingest goes on alone
            self.stopped = True
            self.stop_reason = f"no batch in {self.patience:g} s"
            return {}
        got = pickle.loads(body) if body is not None else "exited"
        if isinstance(got, dict):
            return got
        self.stopped = True
        if got is not None:  # None: it has judged every batch
            self.stop_reason = str(got)
        return {}

    def __exit__(self, *exc: object) -> None:
        self.stopped = True
        self._stop.set()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
        if self._reader is not None:
            self._reader.join()


def write_frame(stream: IO[bytes], value: object) -> None:
    """One frame of the child's output: its length, then the pickled value."""
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEAD.pack(len(body)))
    stream.write(body)
