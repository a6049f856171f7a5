"""Read the metadata of a .torrent file (BEP 3 v1, BEP 52 v2 and hybrid torrents).

Only metadata is read; nothing is ever fetched. :func:`read_torrent` needs the whole file
in memory (the caller bounds its size) and raises :class:`TorrentError` for anything that
is not a usable torrent, including bytes that are not bencode (the
:class:`~leaktrace.formats.errors.BencodeError` is kept as ``__cause__``).

Choices:

* **Required**: a dict with an ``info`` dict that has a ``name``, a positive integer
  ``piece length`` and files (``length``, ``files`` or a v2 ``file tree``). Anything else
  being missing or of the wrong type is tolerated: the field is left empty and a line is
  added to :attr:`TorrentMeta.warnings`.
* **Text** (names, paths, comment ...) prefers the ``.utf-8`` variant of a key, then the
  plain key as UTF-8, then the torrent's declared ``encoding`` (old clients wrote GBK,
  Shift-JIS, cp1251 ...), then UTF-8 with U+FFFD replacement characters; a lossy name is
  flagged in the warnings.
* **Infohashes** are computed over the exact bytes of the ``info`` dict as found in the
  file, so torrents with unsorted keys hash correctly. ``infohash`` (SHA-1, v1) is None
  for a pure v2 torrent (``meta version`` 2 and no ``pieces``); ``infohash_v2`` (SHA-256)
  is set when ``meta version`` is 2 (pure v2 and hybrid).
* **Files** of a v2 or hybrid torrent come from the ``file tree``; otherwise from v1.
  BEP 47 padding files (``attr`` containing ``p``, or under ``.pad/``) are left out of the
  list and the total size. Paths are relative to the torrent's root folder (the name).
* **Creation date** outside 2001-01-01 .. now + 2 days (e.g. milliseconds) becomes None.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leaktrace.formats.bencode import decode_document
from leaktrace.formats.errors import BencodeError, TorrentError

__all__ = ["TorrentError", "TorrentFile", "TorrentMeta", "read_torrent"]

_EARLIEST = datetime(2001, 1, 1, tzinfo=UTC)
_MAX_URL = 2048
_MAX_URLS = 200


@dataclass(frozen=True, slots=True)
class TorrentFile:
    """One file of a torrent: ``/``-separated path below the torrent's root, and size."""

    path: str
    length: int


@dataclass(frozen=True, slots=True)
class TorrentMeta:
    """What a .torrent says about its content (never the content itself)."""

    name: str
    files: tuple[TorrentFile, ...]
    total_size: int
    piece_length: int
    trackers: tuple[str, ...] = ()
    web_seeds: tuple[str, ...] = ()
    creation_date: datetime | None = None
    created_by: str | None = None
    comment: str | None = None
    private: bool = False
    source: str | None = None
    """The ``info.source`` tag private trackers stamp (it changes the infohash)."""
    infohash: str | None = None
    """SHA-1 of the info dict, 40 lower-case hex digits (None for pure v2 torrents)."""
    infohash_v2: str | None = None
    """SHA-256 of the info dict, 64 lower-case hex digits (v2 and hybrid torrents)."""
    meta_version: int = 1
    multi_file: bool = False
    filename: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def is_hybrid(self) -> bool:
        return self.infohash is not None and self.infohash_v2 is not None


def read_torrent(data: bytes, *, filename: str | None = None) -> TorrentMeta:
    """Parse a whole .torrent file. Raises :class:`TorrentError` if it is not usable."""
    try:
        doc = decode_document(data)
    except BencodeError as exc:
        raise TorrentError(
            f"not bencode: {exc.reason} at byte {exc.offset}", file=filename, field=exc.field
        ) from exc
    return _Reader(bytes(data), doc.value, doc.info_span, filename).read()


class _Reader:
    def __init__(
        self, data: bytes, root: object, span: tuple[int, int] | None, filename: str | None
    ) -> None:
        self.data = data
        self.root = root
        self.span = span
        self.filename = filename
        self.warnings: list[str] = []
        self.encoding: str | None = None

    def fail(self, reason: str, field: str | None = None) -> TorrentError:
        return TorrentError(reason, file=self.filename, field=field)

    def warn(self, message: str) -> None:
        if len(self.warnings) < 50:
            self.warnings.append(message)

    def read(self) -> TorrentMeta:
        root = self.root
        if not isinstance(root, dict):
            raise self.fail(f"a torrent is a bencoded dict, not {_kind(root)}")
        info = root.get(b"info")
        if info is None:
            raise self.fail("no info dict", "info")
        if not isinstance(info, dict) or self.span is None:
            raise self.fail(f"info must be a dict, not {_kind(info)}", "info")
        enc = root.get(b"encoding")
        if isinstance(enc, bytes):
            try:
                self.encoding = codecs.lookup(enc.decode("ascii").strip()).name
            except (LookupError, UnicodeDecodeError, ValueError):
                self.warn("unknown encoding declared")

        name = self.text(info, b"name", "info.name")
        if name is None or not name.strip():
            raise self.fail("no name", "info.name")
        piece_length = info.get(b"piece length")
        if not isinstance(piece_length, int) or piece_length <= 0:
            raise self.fail("piece length must be a positive integer", "info.piece length")

        meta_version = info.get(b"meta version", 1)
        if not isinstance(meta_version, int):
            raise self.fail("meta version must be an integer", "info.meta version")
        has_v1 = b"pieces" in info
        is_v2 = meta_version == 2
        if meta_version not in (1, 2):
            self.warn(f"unknown meta version {meta_version}")

        tree = info.get(b"file tree")
        if is_v2 and tree is None:
            raise self.fail("meta version 2 without a file tree", "info.file tree")
        if is_v2 and tree is not None:
            files = self.file_tree(tree)
            multi = not (len(files) == 1 and files[0].path == name)
        else:
            files, multi = self.v1_files(info, name)

        raw_info = self.data[self.span[0] : self.span[1]]
        infohash = hashlib.sha1(raw_info).hexdigest() if has_v1 or not is_v2 else None
        infohash_v2 = hashlib.sha256(raw_info).hexdigest() if is_v2 else None

        private = info.get(b"private", 0)
        if not isinstance(private, int):
            self.warn("private flag is not an integer")
            private = 0

        return TorrentMeta(
            name=name,
            files=tuple(files),
            total_size=sum(f.length for f in files),
            piece_length=piece_length,
            trackers=self.trackers(root),
            web_seeds=self.web_seeds(root),
            creation_date=self.creation_date(root.get(b"creation date")),
            created_by=self.text(root, b"created by", "created by"),
            comment=self.text(root, b"comment", "comment"),
            private=private == 1,
            source=self.text(info, b"source", "info.source"),
            infohash=infohash,
            infohash_v2=infohash_v2,
            meta_version=meta_version,
            multi_file=multi,
            filename=self.filename,
            warnings=tuple(self.warnings),
        )

    # -- text ---------------------------------------------------------------------------

    def text(self, d: dict[bytes, object], key: bytes, field: str) -> str | None:
        utf8 = d.get(key + b".utf-8")
        if isinstance(utf8, bytes):
            try:
                return utf8.decode("utf-8")
            except UnicodeDecodeError:
                pass
        raw = d.get(key)
        if raw is None:
            return None
        if not isinstance(raw, bytes):
            self.warn(f"{field} is {_kind(raw)}, not text")
            return None
        return self.decode_text(raw, field)

    def decode_text(self, raw: bytes, field: str) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if self.encoding is not None and self.encoding != "utf-8":
            try:
                return raw.decode(self.encoding)
            except (UnicodeDecodeError, LookupError):
                pass
        self.warn(f"{field} is not valid UTF-8 (undecodable bytes replaced)")
        return raw.decode("utf-8", errors="replace")

    def path(self, entry: dict[bytes, object], field: str) -> str | None:
        parts = entry.get(b"path.utf-8")
        if not _is_path(parts):
            parts = entry.get(b"path")
        if not _is_path(parts):
            return None
        assert isinstance(parts, list)
        return "/".join(self.decode_text(p, field) for p in parts if isinstance(p, bytes))

    # -- files --------------------------------------------------------------------------

    def v1_files(self, info: dict[bytes, object], name: str) -> tuple[list[TorrentFile], bool]:
        length = info.get(b"length")
        listing = info.get(b"files")
        if length is not None and listing is not None:
            raise self.fail("both length and files", "info")
        if length is not None:
            if not isinstance(length, int) or length < 0:
                raise self.fail("length must be a non-negative integer", "info.length")
            return [TorrentFile(name, length)], False
        if listing is None:
            raise self.fail("no length, files or file tree", "info")
        if not isinstance(listing, list):
            raise self.fail(f"files must be a list, not {_kind(listing)}", "info.files")
        files: list[TorrentFile] = []
        for index, entry in enumerate(listing):
            field = f"info.files[{index}]"
            if not isinstance(entry, dict):
                raise self.fail(f"a file entry must be a dict, not {_kind(entry)}", field)
            size = entry.get(b"length")
            if not isinstance(size, int) or size < 0:
                raise self.fail("length must be a non-negative integer", field + ".length")
            path = self.path(entry, field + ".path")
            if path is None:
                raise self.fail("path must be a non-empty list of strings", field + ".path")
            attr = entry.get(b"attr")
            if (isinstance(attr, bytes) and b"p" in attr) or path.startswith(".pad/"):
                continue
            files.append(TorrentFile(path, size))
        return files, True

    def file_tree(self, tree: object) -> list[TorrentFile]:
        if not isinstance(tree, dict) or not tree:
            raise self.fail("file tree must be a non-empty dict", "info.file tree")
        files: list[TorrentFile] = []
        todo: list[tuple[tuple[str, ...], dict[bytes, object]]] = [((), tree)]
        while todo:
            prefix, node = todo.pop()
            for key in sorted(node, reverse=True):
                child = node[key]
                if not isinstance(child, dict):
                    raise self.fail("file tree entries must be dicts", "info.file tree")
                if key == b"":
                    if not prefix:
                        raise self.fail("file tree has a file without a name", "info.file tree")
                    size = child.get(b"length")
                    if not isinstance(size, int) or size < 0:
                        raise self.fail("length must be a non-negative integer", "info.file tree")
                    files.append(TorrentFile("/".join(prefix), size))
                else:
                    part = self.decode_text(key, "info.file tree")
                    todo.append(((*prefix, part), child))
        files.sort(key=lambda f: f.path)
        return files

    # -- urls and dates -----------------------------------------------------------------

    def urls(self, values: Iterable[object], field: str) -> list[str]:
        out: list[str] = []
        for value in values:
            if not isinstance(value, bytes):
                self.warn(f"{field}: {_kind(value)} where a URL was expected")
                continue
            try:
                url = value.decode("utf-8").strip()
            except UnicodeDecodeError:
                self.warn(f"{field}: URL is not valid UTF-8")
                continue
            if url and len(url) <= _MAX_URL and url.isprintable():
                out.append(url)
            elif url:
                self.warn(f"{field}: URL too long or with control characters")
        return out

    def trackers(self, root: dict[bytes, object]) -> tuple[str, ...]:
        found: list[str] = []
        announce = root.get(b"announce")
        if announce is not None:
            found += self.urls([announce], "announce")
        tiers = root.get(b"announce-list")
        if tiers is not None:
            if not isinstance(tiers, list):
                self.warn("announce-list is not a list")
            else:
                for tier in tiers:
                    # A flat list of strings is a common mistake; accept it too.
                    found += self.urls(tier if isinstance(tier, list) else [tier], "announce-list")
        return _dedupe(found)

    def web_seeds(self, root: dict[bytes, object]) -> tuple[str, ...]:
        found: list[str] = []
        for key in (b"url-list", b"httpseeds"):
            value = root.get(key)
            if value is None:
                continue
            field = key.decode()
            if isinstance(value, bytes):
                if value:
                    found += self.urls([value], field)
            elif isinstance(value, list):
                found += self.urls(value, field)
            else:
                self.warn(f"{field} is {_kind(value)}")
        return _dedupe(found)

    def creation_date(self, value: object) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, int):
            self.warn("creation date is not an integer")
            return None
        latest = datetime.now(UTC) + timedelta(days=2)
        if not _EARLIEST.timestamp() <= value <= latest.timestamp():
            self.warn(f"creation date {value} is out of range")
            return None
        return datetime.fromtimestamp(value, UTC)


def _is_path(parts: object) -> bool:
    return (
        isinstance(parts, list)
        and bool(parts)
        and all(isinstance(p, bytes) for p in parts)
        and any(parts)
    )


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))[:_MAX_URLS]


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, bytes):
        return "a string"
    return type(value).__name__
