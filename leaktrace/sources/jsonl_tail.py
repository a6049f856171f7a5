"""A source that follows JSON Lines feed files as they grow (kind ``jsonl``).

Reads from the byte offset in its checkpoint, at most ``max_items`` lines per poll (all
the source's files together, in the order of ``paths``; blank lines not counted), so a
large file is taken in batches, each committed with its offset. What a poll leaves is
reported in :attr:`PollResult.backlog` (``watch --once`` prints it, counted with
:func:`count_lines`) and read by the next poll. A file that shrank or was replaced
(another inode) is read again from the start. Bad lines are quarantined.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import Field

from leaktrace.errors import FeedError
from leaktrace.feeds.jsonl import DEFAULT_MAX_NAME, MAX_LINE_BYTES, parse_line
from leaktrace.sources.base import (
    Backlog,
    Checkpoint,
    PollResult,
    Quarantined,
    SourceConfig,
    SourceError,
    SourcePlugin,
)

__all__ = ["JsonlSource", "JsonlSourceConfig", "PLUGIN", "count_lines"]

_CHUNK = 1024 * 1024


def count_lines(path: Path, offset: int) -> int:
    """Complete lines (ending in a newline) in ``path`` after byte ``offset``; 0 if the
    file cannot be read. Reads in 1 MB chunks, so memory stays small for any file."""
    lines = 0
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            while chunk := handle.read(_CHUNK):
                lines += chunk.count(b"\n")
    except OSError:
        return 0
    return lines


class JsonlSourceConfig(SourceConfig):
    kind: Literal["jsonl"] = "jsonl"
    paths: list[Path]
    max_items: int = Field(default=5000, ge=1)
    """The most lines one poll reads, over all ``paths``; the rest waits for the next poll."""
    max_name_length: int = DEFAULT_MAX_NAME


class JsonlSource:
    def __init__(self, config: JsonlSourceConfig) -> None:
        self.config = config
        self.name = config.name

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        offsets: dict[str, list[int]] = {k: list(v) for k, v in (checkpoint or {}).items()}
        result = PollResult()
        budget = self.config.max_items
        for path in self.config.paths:
            key = str(path)
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SourceError(f"cannot read {path}: {exc.strerror}", source=self.name) from None
            offset, inode = offsets.get(key, [0, stat.st_ino])
            if inode != stat.st_ino or stat.st_size < offset:
                offset = 0
            if offset >= stat.st_size or budget <= 0:
                offsets[key] = [offset, stat.st_ino]
                if offset < stat.st_size:
                    result.backlog.append(Backlog(key, 0, offset, self.config.max_items))
                continue
            before = budget
            offset, budget = self._read(path, offset, budget, result)
            offsets[key] = [offset, stat.st_ino]
            if budget <= 0 and offset < stat.st_size:
                result.backlog.append(Backlog(key, before - budget, offset, self.config.max_items))
        result.checkpoint = offsets
        return result

    def _read(self, path: Path, offset: int, budget: int, result: PollResult) -> tuple[int, int]:
        name = str(path)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror}", source=self.name) from None
        with handle:
            handle.seek(offset)
            line_no = 0
            while budget > 0:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    break
                if not raw.endswith(b"\n"):
                    if len(raw) <= MAX_LINE_BYTES:
                        break  # a line still being written: read it next time
                    rest = handle.readline(_CHUNK)  # skipped in pieces: never whole
                    while rest and not rest.endswith(b"\n"):
                        rest = handle.readline(_CHUNK)
                    offset = handle.tell()
                    result.quarantined.append(
                        Quarantined(
                            f"line longer than {MAX_LINE_BYTES} bytes",
                            f"{name}@{offset}",
                            raw[:200].decode("utf-8", "replace"),
                        )
                    )
                    continue
                offset += len(raw)
                line_no += 1
                if not raw.strip():
                    continue
                parsed = parse_line(raw, name, None, self.config.max_name_length)
                if isinstance(parsed, FeedError):
                    result.quarantined.append(
                        Quarantined(
                            str(parsed),
                            f"{name}@{offset - len(raw)}",
                            raw[:2000].decode("utf-8", "replace"),
                        )
                    )
                else:
                    result.items.append(replace(parsed, source=self.name))
                budget -= 1
        return offset, budget

    def close(self) -> None:
        return None


PLUGIN = SourcePlugin("jsonl", JsonlSourceConfig, JsonlSource)
