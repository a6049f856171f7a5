"""A polling source over a watched folder of .torrent, magnet and NFO files.

Each poll lists the files matching ``patterns`` (case-insensitive ``fnmatch`` on the file
name; hidden files and folders, whose names start with ``.``, are skipped; folder symlinks
are not followed) and reads those that are new or changed since the checkpoint:

* ``*.torrent``: one :class:`FeedItem` (origin ``torrent``) per file;
* ``*.magnet`` and ``*.txt``: one item (origin ``magnet``) per ``magnet:?`` URI found on a
  line; in a ``.magnet`` file any other non-blank line (not starting with ``#``) is
  quarantined, in a ``.txt`` file other lines are ignored;
* ``*.nfo``: one item (origin ``nfo``) named after the release name the NFO contains;
* files matched by other patterns are sniffed: bencoded dict, magnet lines, else NFO.

Bad input never stops a poll: files larger than ``max_file_bytes`` (not read at all), bad
bencode, unusable torrents, magnets without ``dn``, lines that are not UTF-8, NFOs without
a release name and names that are empty, too long or hold control characters each become a
:class:`Quarantined` entry.

The checkpoint is ``{"files": {relative/path: [size, mtime_ns]}}`` for the matching files
present at the last poll (so it only holds files that still exist). A file whose size or
mtime changed is read again (and its items reported again). A file that could not be read
(an OS error) is quarantined and left out of the checkpoint, so it is retried next poll.

:func:`read_file` imports one file outside any polling.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from leaktrace.feeds.item import FeedItem
from leaktrace.formats.errors import MagnetError, TorrentError
from leaktrace.formats.magnet import parse_magnet
from leaktrace.formats.nfo import read_nfo
from leaktrace.formats.torrent import TorrentMeta, read_torrent
from leaktrace.sources.base import (
    Checkpoint,
    PollResult,
    Quarantined,
    SourceConfig,
    SourceError,
    SourcePlugin,
)

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_PATTERNS",
    "PLUGIN",
    "FileResult",
    "FolderSource",
    "FolderSourceConfig",
    "read_file",
]

DEFAULT_PATTERNS: tuple[str, ...] = ("*.torrent", "*.magnet", "*.txt", "*.nfo")
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_NAME = 512
_SAMPLE_CHARS = 2000
_MAGNET = re.compile(r"magnet:\?\S+", re.IGNORECASE)
_MAX_LINE_CHARS = 65536


class FolderSourceConfig(SourceConfig):
    """A watched folder (``kind = "folder"``)."""

    kind: Literal["folder"] = "folder"
    path: Path
    patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_PATTERNS), min_length=1)
    recursive: bool = False
    max_file_bytes: int = Field(default=DEFAULT_MAX_FILE_BYTES, ge=1)
    """Larger files are quarantined without being read."""
    max_name_length: int = Field(default=DEFAULT_MAX_NAME, ge=16, le=65536)


@dataclass(slots=True)
class FileResult:
    """What one file gave."""

    items: list[FeedItem] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    readable: bool = True
    """False when the file could not be read at all (an OS error): retry it later."""


class FolderSource:
    """Polls one folder; see the module documentation."""

    def __init__(self, config: FolderSourceConfig) -> None:
        self.config = config
        self.name = config.name

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        root = self.config.path
        if not root.is_dir():
            raise SourceError(
                f"folder {root} does not exist or is not a folder", source=self.name, transient=True
            )
        previous = _previous_files(checkpoint)
        seen: dict[str, list[int]] = {}
        result = PollResult()
        for entry in self._walk(root, result):
            path, rel, st = entry
            stamp = [st.st_size, st.st_mtime_ns]
            if previous.get(rel) == stamp:
                seen[rel] = stamp
                continue
            got = read_file(
                path,
                max_file_bytes=self.config.max_file_bytes,
                max_name_length=self.config.max_name_length,
                source=self.name,
                stat_result=st,
            )
            result.items += got.items
            result.quarantined += got.quarantined
            if got.readable:
                seen[rel] = stamp
        result.checkpoint = {"files": seen}
        return result

    def close(self) -> None:
        """Nothing to release."""

    def _walk(self, root: Path, result: PollResult) -> Iterator[tuple[Path, str, os.stat_result]]:
        patterns = [p.lower() for p in self.config.patterns]
        todo: list[tuple[Path, str]] = [(root, "")]
        while todo:
            folder, prefix = todo.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                if folder == root:
                    raise SourceError(
                        f"cannot list folder {root}: {exc.strerror or exc}",
                        source=self.name,
                        transient=True,
                    ) from exc
                result.quarantined.append(
                    Quarantined(f"cannot list folder: {exc.strerror or exc}", location=str(folder))
                )
                continue
            subfolders: list[tuple[Path, str]] = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                rel = prefix + entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if self.config.recursive:
                            subfolders.append((Path(entry.path), rel + "/"))
                        continue
                    if not any(fnmatch.fnmatchcase(entry.name.lower(), p) for p in patterns):
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # vanished or a dangling link: nothing to read
                if stat.S_ISREG(st.st_mode):
                    yield Path(entry.path), rel, st
            todo.extend(reversed(subfolders))


def read_file(
    path: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_name_length: int = DEFAULT_MAX_NAME,
    source: str | None = None,
    stat_result: os.stat_result | None = None,
) -> FileResult:
    """Turn one .torrent, magnet list or NFO file into items and quarantined entries."""
    location = str(path)
    out = FileResult()
    try:
        st = stat_result if stat_result is not None else path.stat()
        if st.st_size > max_file_bytes:
            out.quarantined.append(
                Quarantined(
                    f"file is {st.st_size} bytes, more than the {max_file_bytes} allowed "
                    "(not read)",
                    location=location,
                )
            )
            return out
        with path.open("rb") as handle:
            data = handle.read(max_file_bytes + 1)
    except FileNotFoundError:
        return out  # gone between listing and reading
    except OSError as exc:
        out.readable = False
        out.quarantined.append(
            Quarantined(f"cannot read file: {exc.strerror or exc}", location=location)
        )
        return out
    if len(data) > max_file_bytes:
        out.quarantined.append(
            Quarantined(
                f"file grew beyond the {max_file_bytes} bytes allowed (not read)", location=location
            )
        )
        return out
    ctx = _Context(location, _mtime(st), source, max_name_length, out)
    suffix = path.suffix.lower()
    if suffix == ".torrent" or (
        suffix not in (".magnet", ".txt", ".nfo") and data.startswith(b"d")
    ):
        ctx.torrent(data)
    elif suffix in (".magnet", ".txt") or (suffix != ".nfo" and b"magnet:?" in data.lower()):
        ctx.magnets(data, strict=suffix == ".magnet")
    else:
        ctx.nfo(data)
    return out


@dataclass(slots=True)
class _Context:
    location: str
    mtime: datetime
    source: str | None
    max_name: int
    out: FileResult

    def quarantine(self, reason: str, sample: str | None = None, line: int | None = None) -> None:
        where = self.location if line is None else f"{self.location}:{line}"
        self.out.quarantined.append(
            Quarantined(
                reason, location=where, sample=None if sample is None else sample[:_SAMPLE_CHARS]
            )
        )

    def bad_name(self, name: str) -> str | None:
        if not name:
            return "empty release name"
        if len(name) > self.max_name:
            return f"name is {len(name)} characters long (at most {self.max_name})"
        if not name.isprintable():
            return "name contains control characters"
        return None

    def torrent(self, data: bytes) -> None:
        try:
            meta = read_torrent(data, filename=self.location)
        except TorrentError as exc:
            self.quarantine(exc.reason, _sample(data))
            return
        name = meta.name.strip()
        problem = self.bad_name(name)
        if problem is not None:
            self.quarantine(f"torrent {problem}", _sample(data))
            return
        extra: dict[str, object] = {
            "time_from": "creation_date" if meta.creation_date else "file_mtime",
            "files": len(meta.files),
            "private": meta.private,
            "piece_length": meta.piece_length,
            "meta_version": meta.meta_version,
        }
        for key, value in (
            ("created_by", meta.created_by),
            ("comment", meta.comment),
            ("source_tag", meta.source),
        ):
            if value:
                extra[key] = value
        if meta.warnings:
            extra["warnings"] = list(meta.warnings)
        self.out.items.append(
            FeedItem(
                name=name,
                time=meta.creation_date or self.mtime,
                origin="torrent",
                size_bytes=meta.total_size,
                url=meta.web_seeds[0] if meta.web_seeds else None,
                site=_first_host(meta.trackers),
                extra=extra,
                file=self.location,
                source=self.source,
                infohash=meta.infohash,
                infohash_v2=meta.infohash_v2,
                attrs=_url_attrs(meta),
            )
        )

    def magnets(self, data: bytes, *, strict: bool) -> None:
        found = 0
        for lineno, raw in enumerate(data.splitlines(), start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                self.quarantine(f"line {lineno} is not valid UTF-8", _sample(raw), lineno)
                continue
            if not line:
                continue
            uris = _MAGNET.findall(line) if len(line) <= _MAX_LINE_CHARS else []
            if not uris:
                if len(line) > _MAX_LINE_CHARS:
                    self.quarantine(
                        f"line {lineno} is longer than {_MAX_LINE_CHARS} characters", line, lineno
                    )
                elif strict and not line.startswith("#"):
                    self.quarantine("not a magnet URI", line, lineno)
                continue
            for uri in uris:
                found += 1
                self.magnet(uri, lineno)
        if strict and not found and not self.out.quarantined:
            self.quarantine("no magnet URI in the file", _sample(data))

    def magnet(self, uri: str, lineno: int) -> None:
        try:
            magnet = parse_magnet(uri)
        except MagnetError as exc:
            self.quarantine(exc.reason, uri, lineno)
            return
        if magnet.name is None:
            self.quarantine("magnet without a display name (dn)", uri, lineno)
            return
        name = magnet.name.strip()
        problem = self.bad_name(name)
        if problem is not None:
            self.quarantine(f"magnet {problem}", uri, lineno)
            return
        attrs = {"magneturl": uri}
        if magnet.trackers:
            attrs["trackers"] = " ".join(magnet.trackers)
        if magnet.web_seeds:
            attrs["web_seeds"] = " ".join(magnet.web_seeds)
        extra: dict[str, object] = {"time_from": "file_mtime"}
        if magnet.warnings:
            extra["warnings"] = list(magnet.warnings)
        self.out.items.append(
            FeedItem(
                name=name,
                time=self.mtime,
                origin="magnet",
                size_bytes=magnet.size,
                url=magnet.web_seeds[0] if magnet.web_seeds else None,
                site=_first_host(magnet.trackers),
                extra=extra,
                file=self.location,
                line=lineno,
                source=self.source,
                infohash=magnet.infohash,
                infohash_v2=magnet.infohash_v2,
                attrs=attrs,
            )
        )

    def nfo(self, data: bytes) -> None:
        info = read_nfo(data)
        if info.release_name is None:
            self.quarantine("no release name in NFO", info.text)
            return
        problem = self.bad_name(info.release_name)
        if problem is not None:
            self.quarantine(f"NFO {problem}", info.text)
            return
        extra: dict[str, object] = {
            "time_from": "file_mtime",
            "urls": list(info.urls),
            "encoding": info.encoding,
        }
        if len(info.groups) > 1:
            extra["groups"] = list(info.groups)
        if len(info.imdb_ids) > 1:
            extra["imdb_ids"] = list(info.imdb_ids)
        self.out.items.append(
            FeedItem(
                name=info.release_name,
                time=self.mtime,
                origin="nfo",
                group=info.group,
                imdb_id=info.imdb_id,
                extra=extra,
                file=self.location,
                source=self.source,
                nfo_text=info.text,
            )
        )


def _previous_files(checkpoint: Checkpoint | None) -> dict[str, list[int]]:
    """The checkpoint's file stamps; malformed entries are ignored (the file is re-read)."""
    files: Any = checkpoint.get("files") if isinstance(checkpoint, Mapping) else None
    if not isinstance(files, Mapping):
        return {}
    out: dict[str, list[int]] = {}
    for rel, stamp in files.items():
        if (
            isinstance(rel, str)
            and isinstance(stamp, list | tuple)
            and len(stamp) == 2
            and all(type(v) is int for v in stamp)
        ):
            out[rel] = [stamp[0], stamp[1]]
    return out


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime_ns / 1e9, UTC)


def _first_host(urls: tuple[str, ...]) -> str | None:
    for url in urls[:1]:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        return host or None
    return None


def _url_attrs(meta: TorrentMeta) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if meta.trackers:
        attrs["trackers"] = " ".join(meta.trackers)
    if meta.web_seeds:
        attrs["web_seeds"] = " ".join(meta.web_seeds)
    return attrs


def _sample(data: bytes) -> str:
    """The start of some bytes as readable text (undecodable bytes as ``\\xNN``)."""
    text = data[:_SAMPLE_CHARS].decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() or c in "\n\t" else _escape(c) for c in text)[
        :_SAMPLE_CHARS
    ]


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


PLUGIN = SourcePlugin("folder", FolderSourceConfig, FolderSource)
