"""A second process that reads, parses, matches and detects a large file ingest's feed
items, batch by batch, while the first one stores them.

A large file ingest spends about half of its CPU time reading the feed and judging the
names, and the rest storing. :class:`ParallelJudge` runs the first part in a child
process (``python -m leaktrace.pipeline.judge_child``) and hands back each batch ready
for the store (:class:`~leaktrace.pipeline.prepare.PreparedBatch`: rows of plain values,
built by the same functions as in one process), with the lines it read and the errors it
found. If the child cannot start or stops early, the ingest reads the rest itself, from
the first entry the child did not deliver: the result is the same.
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
from typing import IO, cast

from leaktrace.catalog.model import Work
from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.prepare import PreparedBatch, feed_batches, prepare_batch
from leaktrace.store.releases import RowTimes

__all__ = [
    "PARALLEL_MIN_LINES",
    "Frame",
    "ParallelJudge",
    "can_judge_apart",
    "prepared_frames",
    "write_frame",
]

ErrorTuple = tuple[str, str | None, int | None, str | None]
"""A feed error as reason, file, line and field."""
Frame = tuple[int, list[ErrorTuple], PreparedBatch | None]
"""What the child sends per batch: the feed entries it read (items and errors), the
errors among them, and the batch prepared (``None`` when it held no item)."""

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


def prepared_frames(
    entries: Iterable[FeedItem | FeedError],
    batch_size: int,
    assessor: Assessor,
    run_id: int | None,
    times: RowTimes,
) -> Iterator[Frame]:
    """The frames of a feed, batched by :func:`~leaktrace.pipeline.prepare.feed_batches`,
    rows holding times as ``times`` gives them."""
    for lines, errors, batch in feed_batches(entries, batch_size):
        yield (
            lines,
            [(e.reason, e.file, e.line, e.field) for e in errors],
            prepare_batch(batch, assessor, run_id, times=times) if batch else None,
        )


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
            _put(frames, body, stop)
    except (OSError, ValueError):  # the pipe was closed under it
        pass
    finally:
        _put(frames, None, stop)


def _put(frames: queue.Queue[bytes | None], frame: bytes | None, stop: Event) -> None:
    """Put ``frame`` in ``frames`` once there is room, unless ``stop`` is set first."""
    while not stop.is_set():
        try:
            frames.put(frame, timeout=0.2)
            return
        except queue.Full:
            continue


class ParallelJudge:
    """A child process judging the batches of ``paths`` ahead of the ingest.

    Use as a context manager; :meth:`next_frame` gives the next batch, or ``None`` once
    the child has stopped for any reason.
    The child is ``python -m leaktrace.pipeline.judge_child``, a fresh interpreter: nothing
    of the caller's process (its open database, its ``__main__``) is copied into it.
    ``times`` names how the rows hold times (a key of
    :data:`~leaktrace.store.releases.ROW_TIMES`, as the caller's store takes them).
    """

    def __init__(
        self,
        paths: Sequence[Path],
        max_name: int,
        batch_size: int,
        works: list[Work],
        threshold: float,
        run_id: int | None,
        times: str,
        ahead: int = 4,
        patience: float = 120.0,
    ) -> None:
        self._job = (
            [str(p) for p in paths],
            max_name,
            batch_size,
            works,
            threshold,
            run_id,
            times,
        )
        self._frames: queue.Queue[bytes | None] = queue.Queue(maxsize=ahead)
        self._stop = Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: Thread | None = None
        self.patience = patience
        """Seconds to wait for a batch before going on without the child."""
        self.stopped = False
        self.finished = False
        """Whether the child delivered every batch (then it has stopped too)."""
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

    def next_frame(self) -> Frame | None:
        """The next batch, or ``None`` once the child has delivered all of them or stopped
        (:attr:`finished` tells which)."""
        if self.stopped:
            return None
        try:
            body = self._frames.get(timeout=self.patience)
        except queue.Empty:  # stuck (a file that blocks?): the ingest goes on alone
            self.stopped = True
            self.stop_reason = f"no batch in {self.patience:g} s"
            return None
        got = pickle.loads(body) if body is not None else "exited"
        if isinstance(got, tuple):
            return cast(Frame, got)
        self.stopped = True
        if got is None:  # its end mark: every batch delivered
            self.finished = True
        else:
            self.stop_reason = str(got)
        return None

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
