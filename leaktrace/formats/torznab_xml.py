"""Torznab / Newznab replies: feeds, caps documents and ``<error>`` replies.

Parsing uses :mod:`defusedxml.ElementTree` only, with DTDs, entity declarations and
external references forbidden: such a document raises :class:`SourceError`
("unsafe XML ...") and nothing in it is ever expanded or fetched.

A **feed** is RSS 2.0 whose items carry ``torznab:attr`` (``http://torznab.com/schemas/2015/feed``)
or ``newznab:attr`` (``http://www.newznab.com/DTD/2010/feeds/attributes/``) elements; any
element named ``attr`` with ``name``/``value`` inside an item is taken, whatever its
namespace. Each item becomes a :class:`FeedItem` (origin ``torznab``):

* every attr is kept in ``attrs`` (repeated names, e.g. ``category``, joined with ``,``);
* ``infohash`` (40 hex or 32 base32 characters, stored as lower-case hex; else taken from
  ``magneturl`` or a magnet link/enclosure; ``urn:btmh:`` gives ``infohash_v2``),
  ``seeders``, ``leechers`` (``peers - seeders`` when only ``peers`` is given), ``grabs``,
  ``imdb``/``imdbid`` (normalised to ``tt`` + at least 7 digits), ``tmdbid``, ``tvdbid``;
* ``size`` from ``<size>``, else the ``size`` attr, else the enclosure's length (which
  for torrents is often the .torrent file's size: only a last resort);
* ``category``: the most specific standard Newznab id (e.g. ``"2040"``), all ids in
  ``extra["categories"]``, the ``<category>`` texts in ``extra["category_names"]``;
* ``url`` = ``<link>``, else a URL-like ``<guid>``; all URLs have secret query values
  (``apikey``, ``passkey`` ...) replaced by ``***``; ``extra`` holds ``guid``,
  ``comments``, ``enclosure``, ``peers``, ``files``.

An item without a title, or whose ``pubDate`` cannot be read, is quarantined with a
sample; the others go on. An item without a ``pubDate`` gets the fetch time and
``extra["time_from"] = "fetch"``. Bytes that are not valid UTF-8 (when the document says
it is UTF-8) are read with replacement characters, and items whose title was damaged are
quarantined.

An ``<error code=".." description=".."/>`` reply raises :class:`TorznabApiError`: codes
below 500 (100-102 are credentials/account/privileges, 2xx/3xx bad requests) are
permanent, 500 and above (request/download limits, server trouble) transient.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as StdET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs

import defusedxml  # type: ignore[import-untyped, unused-ignore]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped, unused-ignore]

from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.jsonl import DEFAULT_MAX_NAME
from leaktrace.feeds.timeparse import EARLIEST, LATEST, parse_time
from leaktrace.sources.base import Quarantined, SourceError
from leaktrace.sources.http import redact_text

__all__ = [
    "NEWZNAB_NS",
    "TORZNAB_NS",
    "Caps",
    "CapsCategory",
    "SearchMode",
    "TorznabApiError",
    "TorznabFeed",
    "item_key",
    "normalise_imdb",
    "parse_caps",
    "parse_error",
    "parse_torznab",
    "parse_xml",
]

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
NEWZNAB_NS = "http://www.newznab.com/DTD/2010/feeds/attributes/"
MAX_SAMPLE = 2000
MAX_DOCUMENT = 64 * 1024 * 1024

_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_HEX_BTMH = re.compile(r"^1220([0-9a-fA-F]{64})$")
_IMDB = re.compile(r"^(?:tt)?0*(\d{1,10})$", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UNSAFE = (defusedxml.DefusedXmlException,)


class TorznabApiError(SourceError):
    """The indexer answered ``<error code=.. description=../>``."""

    def __init__(
        self,
        code: int | None,
        description: str,
        *,
        source: str | None = None,
        status: int | None = None,
    ) -> None:
        transient = code is None or code >= 500
        retry = 60.0 if code in (500, 501) else None
        super().__init__(
            f"indexer error {code if code is not None else '?'}: {description or 'no description'}",
            source=source,
            transient=transient,
            status=status,
            retry_after=retry,
        )
        self.code = code
        self.description = description


@dataclass(frozen=True, slots=True)
class CapsCategory:
    id: int
    name: str
    description: str | None = None
    subcats: tuple[CapsCategory, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchMode:
    name: str
    """``search``, ``tv-search``, ``movie-search``, ``audio-search``, ``book-search`` ..."""
    available: bool
    supported_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Caps:
    """An indexer's ``t=caps`` document."""

    server: dict[str, str] = field(default_factory=dict)
    limit_max: int | None = None
    limit_default: int | None = None
    retention_days: int | None = None
    registration: dict[str, str] = field(default_factory=dict)
    searching: dict[str, SearchMode] = field(default_factory=dict)
    categories: tuple[CapsCategory, ...] = ()

    def supports(self, mode: str, param: str | None = None) -> bool:
        """Whether search ``mode`` (``search``, ``tv-search``, ``tvsearch`` ...) is available
        and, if ``param`` is given, lists it in ``supportedParams`` (no list means only
        ``q``)."""
        key = {
            "tvsearch": "tv-search",
            "movie": "movie-search",
            "music": "audio-search",
            "book": "book-search",
        }.get(mode, mode)
        found = self.searching.get(key)
        if found is None or not found.available:
            return False
        if param is None:
            return True
        params = found.supported_params or ("q",)
        return param in params

    def category_ids(self) -> set[int]:
        ids: set[int] = set()
        for cat in self.categories:
            ids.add(cat.id)
            ids.update(sub.id for sub in cat.subcats)
        return ids


@dataclass(slots=True)
class TorznabFeed:
    items: list[FeedItem] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    title: str | None = None
    offset: int | None = None
    total: int | None = None
    """From ``<newznab:response offset= total=/>`` when the indexer gives it."""
    item_count: int = 0
    """Items in the document, good or bad (for paging)."""
    recovered_encoding: bool = False
    """The bytes were not valid UTF-8 and were read with replacement characters."""


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag.split(":")[-1]


def parse_xml(
    data: bytes, *, source: str | None = None, forbid_dtd: bool = True, what: str = "reply"
) -> tuple[StdET.Element, bool]:
    """The root element of ``data`` parsed safely, and whether UTF-8 had to be repaired.

    Raises :class:`SourceError` for unsafe XML (DTD, entities, external references) and
    for bytes that are not XML.
    """
    if not isinstance(data, bytes | bytearray):
        raise SourceError(f"{what} must be bytes", source=source, transient=False)
    if len(data) > MAX_DOCUMENT:
        raise SourceError(
            f"{what} is larger than {MAX_DOCUMENT} bytes", source=source, transient=False
        )
    try:
        return _parse(bytes(data), forbid_dtd), False
    except _UNSAFE as exc:
        raise SourceError(
            f"unsafe XML refused in {what}: {type(exc).__name__}", source=source, transient=False
        ) from None
    except (
        StdET.ParseError,
        ValueError,
        LookupError,
        UnicodeError,
        RecursionError,
        TypeError,
        OverflowError,
    ) as first:
        repaired = _repair_utf8(bytes(data))
        if repaired is not None:
            try:
                return _parse(repaired, forbid_dtd), True
            except _UNSAFE as exc:
                raise SourceError(
                    f"unsafe XML refused in {what}: {type(exc).__name__}",
                    source=source,
                    transient=False,
                ) from None
            except (
                StdET.ParseError,
                ValueError,
                LookupError,
                UnicodeError,
                RecursionError,
                TypeError,
                OverflowError,
            ):
                pass
        raise SourceError(
            f"{what} is not well-formed XML: {_reason(first)}", source=source
        ) from None


def _parse(data: bytes, forbid_dtd: bool) -> StdET.Element:
    root = SafeET.fromstring(
        data, forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True
    )
    if not isinstance(root, StdET.Element):
        raise ValueError("no root element")
    return root


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


def _repair_utf8(data: bytes) -> bytes | None:
    """``data`` with invalid UTF-8 replaced, if it claims (or defaults to) UTF-8."""
    match = _XML_DECL.match(data[:200])
    if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    return data.decode("utf-8", "replace").encode("utf-8")


def parse_error(
    root: StdET.Element, *, source: str | None = None, status: int | None = None
) -> TorznabApiError | None:
    """The :class:`TorznabApiError` of an ``<error>`` document, else None."""
    if _local(root.tag) != "error":
        return None
    raw = (root.get("code") or "").strip()
    code = int(raw) if raw.isdigit() and len(raw) < 6 else None
    description = " ".join((root.get("description") or root.text or "").split())[:300]
    return TorznabApiError(code, description, source=source, status=status)


def parse_caps(data: bytes, *, source: str | None = None) -> Caps:
    """A typed :class:`Caps` from a ``t=caps`` reply."""
    root, _ = parse_xml(data, source=source, what="caps reply")
    try:
        return _caps(root, source)
    except RecursionError:
        raise SourceError(
            "caps document is nested too deeply", source=source, transient=False
        ) from None


def _caps(root: StdET.Element, source: str | None) -> Caps:
    error = parse_error(root, source=source)
    if error is not None:
        raise error
    if _local(root.tag) != "caps":
        raise SourceError(
            f"not a caps document (root <{_local(root.tag)[:40]}>)", source=source, transient=False
        )
    server: dict[str, str] = {}
    limit_max = limit_default = retention = None
    registration: dict[str, str] = {}
    searching: dict[str, SearchMode] = {}
    categories: list[CapsCategory] = []
    for child in root:
        name = _local(child.tag)
        if name == "server":
            server = {str(k): str(v) for k, v in child.attrib.items()}
        elif name == "limits":
            limit_max = _int(child.get("max"))
            limit_default = _int(child.get("default"))
        elif name == "retention":
            retention = _int(child.get("days"))
        elif name == "registration":
            registration = {str(k): str(v) for k, v in child.attrib.items()}
        elif name == "searching":
            for mode in child:
                mode_name = _local(mode.tag)
                if not mode_name:
                    continue
                params = tuple(
                    p.strip() for p in (mode.get("supportedParams") or "").split(",") if p.strip()
                )
                searching[mode_name] = SearchMode(
                    mode_name, (mode.get("available") or "").strip().lower() == "yes", params
                )
        elif name == "categories":
            for cat in child:
                parsed = _caps_category(cat)
                if parsed is not None:
                    categories.append(parsed)
    return Caps(
        server, limit_max, limit_default, retention, registration, searching, tuple(categories)
    )


def _caps_category(element: StdET.Element) -> CapsCategory | None:
    if _local(element.tag) not in ("category", "subcat"):
        return None
    cat_id = _int(element.get("id"))
    if cat_id is None:
        return None
    subcats = tuple(c for c in (_caps_category(s) for s in element) if c is not None)
    return CapsCategory(
        cat_id,
        (element.get("name") or "").strip(),
        (element.get("description") or "").strip() or None,
        subcats,
    )


def _int(value: object) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("-"):
        return None
    if not text.isdigit() or len(text) > 18:
        try:
            number = float(text)
        except ValueError:
            return None
        if not number.is_integer() or not 0 <= number < 1e18:
            return None
        return int(number)
    return int(text)


def _text(element: StdET.Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def normalise_imdb(value: object) -> str | None:
    """``tt`` + at least 7 digits from ``"0118548"``, ``"118548"`` or ``"tt0118548"``."""
    if value is None:
        return None
    match = _IMDB.match(str(value).strip())
    if match is None or int(match.group(1)) == 0:
        return None
    return "tt" + match.group(1).zfill(7)


def _infohash(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if _HEX40.match(value):
        return value.lower()
    if _B32.match(value):
        try:
            return binascii.hexlify(base64.b32decode(value.upper())).decode()
        except (binascii.Error, ValueError):
            return None
    return None


def _from_magnet(uri: str | None) -> tuple[str | None, str | None]:
    """(v1 infohash, v2 infohash) from a magnet URI."""
    if not uri or not uri.lower().startswith("magnet:?"):
        return None, None
    v1 = v2 = None
    try:
        query = parse_qs(uri[8:], keep_blank_values=False)
    except ValueError:
        return None, None
    for xt in query.get("xt", []):
        low = xt.strip()
        if low.lower().startswith("urn:btih:") and v1 is None:
            v1 = _infohash(low[9:])
        elif low.lower().startswith("urn:btmh:") and v2 is None:
            match = _HEX_BTMH.match(low[9:])
            if match:
                v2 = match.group(1).lower()
    return v1, v2


def _pub_date(text: str) -> datetime:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_time(text)  # ISO 8601 with an offset, or Unix seconds
    if moment is None:
        raise ValueError(f"{text[:64]!r} is not a date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"{moment.isoformat()} is outside 1990-2099")
    return moment


def _url_like(text: str | None) -> bool:
    if not text:
        return False
    low = text.lower()
    return low.startswith(("http://", "https://", "magnet:?"))


def _standard_category(ids: Iterable[int]) -> int | None:
    ordered = list(dict.fromkeys(ids))
    standard = [c for c in ordered if 1000 <= c < 10000]
    specific = [c for c in standard if c % 1000]
    for group in (specific, standard, ordered):
        if group:
            return group[0]
    return None


def item_key(item: FeedItem) -> str:
    """A stable identity for checkpoints: the guid, else the URL, else name and time."""
    guid = item.extra.get("guid")
    if isinstance(guid, str) and guid:
        return guid[:500]
    if item.url:
        return item.url[:500]
    return f"{item.name}|{item.time.isoformat()}"[:500]


def parse_torznab(
    data: bytes,
    *,
    site: str | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    location: str | None = None,
    secrets: Iterable[str] = (),
    status: int | None = None,
    max_name: int = DEFAULT_MAX_NAME,
    origin: str = "torznab",
) -> TorznabFeed:
    """The items of a Torznab/Newznab feed (see the module docs for every mapping)."""
    root, repaired = parse_xml(data, source=source, what="feed")
    try:
        return _feed(
            root,
            repaired,
            site=site,
            source=source,
            fetched_at=fetched_at,
            location=location,
            secrets=tuple(secrets),
            status=status,
            max_name=max_name,
            origin=origin,
        )
    except RecursionError:
        raise SourceError("feed is nested too deeply", source=source, transient=False) from None


def _feed(
    root: StdET.Element,
    repaired: bool,
    *,
    site: str | None,
    source: str | None,
    fetched_at: datetime | None,
    location: str | None,
    secrets: tuple[str, ...],
    status: int | None,
    max_name: int,
    origin: str,
) -> TorznabFeed:
    error = parse_error(root, source=source, status=status)
    if error is not None:
        raise error
    if _local(root.tag) != "rss":
        raise SourceError(
            f"not an RSS/Torznab feed (root <{_local(root.tag)[:40]}>)",
            source=source,
            transient=False,
        )
    channel = next((c for c in root if _local(c.tag) == "channel"), None)
    if channel is None:
        raise SourceError("feed has no <channel>", source=source, transient=False)
    feed = TorznabFeed(recovered_encoding=repaired)
    feed.title = _text(next((c for c in channel if _local(c.tag) == "title"), None))
    for child in channel:
        if _local(child.tag) == "response":
            feed.offset = _int(child.get("offset"))
            feed.total = _int(child.get("total"))
    fetched = fetched_at or datetime.now(UTC)
    where = location or "feed"
    for index, element in enumerate((c for c in channel if _local(c.tag) == "item"), start=1):
        feed.item_count += 1
        try:
            result = _item(
                element,
                site=site,
                source=source,
                fetched=fetched,
                repaired=repaired,
                secrets=secrets,
                max_name=max_name,
                origin=origin,
            )
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            result = f"unreadable item: {type(exc).__name__}"
        if isinstance(result, FeedItem):
            feed.items.append(result)
        else:
            feed.quarantined.append(
                Quarantined(
                    redact_text(result, secrets), f"{where} item {index}", _sample(element, secrets)
                )
            )
    return feed


def _sample(element: StdET.Element, secrets: Iterable[str]) -> str:
    try:
        text = StdET.tostring(element, encoding="unicode")
    except (RecursionError, ValueError, TypeError):
        text = _text(element) or ""
    return redact_text(text[: MAX_SAMPLE * 2], secrets)[:MAX_SAMPLE]


def _item(
    element: StdET.Element,
    *,
    site: str | None,
    source: str | None,
    fetched: datetime,
    repaired: bool,
    secrets: tuple[str, ...],
    max_name: int,
    origin: str,
) -> FeedItem | str:
    """A FeedItem, or the reason the item is quarantined."""
    children: dict[str, StdET.Element] = {}
    category_names: list[str] = []
    attr_values: dict[str, list[str]] = {}
    enclosure: dict[str, Any] | None = None
    for child in element:
        name = _local(child.tag)
        if name == "attr":
            key = (child.get("name") or "").strip().lower()
            if key:
                attr_values.setdefault(key, []).append((child.get("value") or "").strip())
        elif name == "category":
            text = _text(child)
            if text:
                category_names.append(text)
        elif name == "enclosure" and enclosure is None:
            enclosure = {
                "url": redact_text(child.get("url") or "", secrets) or None,
                "length": _int(child.get("length")),
                "type": (child.get("type") or "").strip() or None,
            }
        elif name and name not in children:
            children[name] = child
    title = _text(children.get("title"))
    if title is None:
        return "item has no title"
    if repaired and "\ufffd" in title:
        return "title is not valid UTF-8"
    if len(title) > max_name:
        return f"title is {len(title)} characters long (at most {max_name})"
    if not title.isprintable():
        return "title contains control characters"
    extra: dict[str, object] = {}
    date_text = _text(children.get("pubDate")) or _text(children.get("pubdate"))
    if date_text is None:
        moment = fetched
        extra["time_from"] = "fetch"
    else:
        try:
            moment = _pub_date(date_text)
        except ValueError as exc:
            return f"unreadable pubDate: {str(exc)[:120]}"
    attrs = {k: ",".join(redact_text(v, secrets) for v in vs) for k, vs in attr_values.items()}

    def first(name: str) -> str | None:
        values = attr_values.get(name)
        return next((v for v in values if v), None) if values else None

    guid = _text(children.get("guid"))
    link = _text(children.get("link"))
    comments = _text(children.get("comments"))
    if guid:
        extra["guid"] = redact_text(guid, secrets)
    if comments:
        extra["comments"] = redact_text(comments, secrets)
    if enclosure is not None:
        extra["enclosure"] = enclosure
    url = link if link else guid if _url_like(guid) else None
    size = _int(_text(children.get("size")))
    if size is None:
        size = _int(first("size"))
    if size is None and enclosure is not None:
        size = enclosure["length"] or None
    if size is not None and size > 10**15:
        size = None
    infohash = _infohash(first("infohash"))
    magnet_v1, infohash_v2 = None, None
    for candidate in (first("magneturl"), link, enclosure["url"] if enclosure else None):
        v1, v2 = _from_magnet(candidate)
        magnet_v1 = magnet_v1 or v1
        infohash_v2 = infohash_v2 or v2
    infohash = infohash or magnet_v1
    seeders = _int(first("seeders"))
    leechers = _int(first("leechers"))
    peers = _int(first("peers"))
    if leechers is None and peers is not None and seeders is not None:
        leechers = max(0, peers - seeders)
    if peers is not None:
        extra["peers"] = peers
    grabs = _int(first("grabs"))
    if grabs is None:
        grabs = _int(_text(children.get("grabs")))
    files = _int(first("files"))
    if files is None:
        files = _int(_text(children.get("files")))
    if files is not None:
        extra["files"] = files
    imdb = normalise_imdb(first("imdbid")) or normalise_imdb(first("imdb"))
    category_ids = [c for c in (_int(v) for v in attr_values.get("category", [])) if c is not None]
    category_ids += [c for c in (_int(n) for n in category_names) if c is not None]
    if category_ids:
        extra["categories"] = list(dict.fromkeys(category_ids))
    if category_names:
        extra["category_names"] = category_names
    chosen = _standard_category(category_ids)
    category = (
        str(chosen) if chosen is not None else (category_names[0] if category_names else None)
    )
    tmdb = _int(first("tmdbid"))
    tvdb = _int(first("tvdbid"))
    return FeedItem(
        name=title,
        time=moment,
        origin=origin,
        size_bytes=size,
        url=redact_text(url, secrets)[:2048] if url else None,
        site=site,
        imdb_id=imdb,
        extra=extra,
        source=source,
        infohash=infohash,
        infohash_v2=infohash_v2,
        seeders=seeders,
        leechers=leechers,
        grabs=grabs,
        tmdb_id=tmdb or None,
        tvdb_id=tvdb or None,
        category=category,
        attrs=attrs,
    )
