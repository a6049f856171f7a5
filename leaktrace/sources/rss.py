"""Plain RSS / Atom release feeds (kind ``rss``), read with feedparser.

The feed is fetched with the hardened :class:`~leaktrace.sources.http.HttpFetcher`
(never feedparser's own network code). The bytes are first parsed once with defusedxml
(entity declarations and external references refused; a DOCTYPE without them, such as
RSS 0.91's, is allowed), and only then handed to ``feedparser.parse(bytes)``, so
feedparser never sees an entity trick.

Each entry's title is an item (origin ``rss``): time from ``published``, else
``updated``, else the fetch time with ``extra["time_from"] = "fetch"``; ``url`` the
entry's link (secrets redacted); ``site`` the feed's host. A feed feedparser could not
read (``bozo``) and that has no entries raises :class:`SourceError`; a bozo feed with
entries is used, with a note in the log.

Checkpoint: ``{"seen": [up to 500 entry ids, newest first], "newest": ISO time | None,
"etag": str | None, "last_modified": str | None}``; the first poll returns every entry,
later polls only entries whose id (``id``/``guid``, else link, else title) is new.
"""

from __future__ import annotations

import calendar
import logging
import time
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped, unused-ignore]

from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.jsonl import DEFAULT_MAX_NAME
from leaktrace.feeds.timeparse import EARLIEST, LATEST
from leaktrace.formats.torznab_xml import parse_xml
from leaktrace.sources.base import (
    Checkpoint,
    PollResult,
    Quarantined,
    SourceError,
    SourcePlugin,
)
from leaktrace.sources.http import (
    HttpFetcher,
    HttpSourceConfig,
    about_reply,
    check_content_type,
    raise_for_status,
    redact_text,
    redact_url,
)

__all__ = ["MAX_SEEN", "PLUGIN", "RssConfig", "RssSource", "parse_feed"]

MAX_SEEN = 500
_log = logging.getLogger(__name__)


class RssConfig(HttpSourceConfig):
    kind: Literal["rss"] = "rss"
    site: str | None = None
    """What to put in each item's ``site`` (default: the feed URL's host)."""


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: no feedparser fallback magic (and no deprecation warning)
        parsed = dict.get(entry, key)
        if parsed is None:
            continue
        try:
            moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
        if EARLIEST <= moment < LATEST:
            return moment
    return None


def _entry_key(entry: Any, title: str) -> str:
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return redact_url(value.strip())[:500]
    return title[:500]


def parse_feed(
    data: bytes,
    *,
    site: str | None,
    source: str | None,
    fetched_at: datetime | None = None,
    location: str | None = None,
    max_name: int = DEFAULT_MAX_NAME,
) -> tuple[list[tuple[str, FeedItem]], list[Quarantined]]:
    """``(key, item)`` for each usable entry (feed order) and the quarantined entries.

    Raises :class:`SourceError` for unsafe XML and for feeds feedparser cannot read.
    """
    try:
        parse_xml(data, source=source, forbid_dtd=False, what="feed")  # safety check only
    except SourceError as exc:
        # Not well-formed: feedparser's lenient parser may still read it, provided there
        # is nothing that could declare an entity (no DOCTYPE, no ENTITY, not UTF-16/32).
        lowered = data.lower()
        if (
            exc.reason.startswith("unsafe XML")
            or b"\x00" in data
            or b"<!doctype" in lowered
            or b"<!entity" in lowered
        ):
            raise
    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser's failure modes are not documented
        raise SourceError(f"feed could not be read: {type(exc).__name__}", source=source) from None
    entries = list(parsed.get("entries") or [])
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else "not RSS or Atom"
        raise SourceError(
            f"not a readable RSS/Atom feed: {str(problem)[:200] or 'unknown'}", source=source
        )
    fetched = fetched_at or datetime.now(UTC)
    where = location or "feed"
    out: list[tuple[str, FeedItem]] = []
    quarantined: list[Quarantined] = []
    for index, entry in enumerate(entries, start=1):
        raw_title = entry.get("title")
        title = " ".join(raw_title.split()) if isinstance(raw_title, str) else ""
        sample = redact_text(
            str({k: dict.get(entry, k) for k in ("title", "id", "link", "published", "updated")})
        )[:2000]
        if not title:
            quarantined.append(Quarantined("entry has no title", f"{where} entry {index}", sample))
            continue
        if len(title) > max_name or not title.isprintable():
            quarantined.append(
                Quarantined(
                    "entry title too long or has control characters",
                    f"{where} entry {index}",
                    sample,
                )
            )
            continue
        extra: dict[str, object] = {}
        moment = _entry_time(entry)
        if moment is None:
            moment = fetched
            extra["time_from"] = "fetch"
        key = _entry_key(entry, title)
        extra["guid"] = key
        link = entry.get("link")
        url = redact_url(link.strip())[:2048] if isinstance(link, str) and link.strip() else None
        out.append(
            (
                key,
                FeedItem(
                    name=title,
                    time=moment,
                    origin="rss",
                    url=url,
                    site=site,
                    extra=extra,
                    source=source,
                ),
            )
        )
    if parsed.get("bozo"):
        _log.info(
            "%s: feed is not well-formed but has %d entries; using them", source, len(entries)
        )
    return out, quarantined


class RssSource:
    def __init__(self, config: RssConfig, fetcher: HttpFetcher | None = None) -> None:
        self.config = config
        self.name = config.name
        self.site = config.site or (urlsplit(config.url).hostname or None)
        self._fetcher = fetcher or config.fetcher()

    def __repr__(self) -> str:
        return f"RssSource(name={self.name!r}, url={redact_url(self.config.url)!r})"

    def close(self) -> None:
        self._fetcher.close()

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        checkpoint = checkpoint or {}
        raw_seen = checkpoint.get("seen")
        seen_list = (
            [s for s in raw_seen if isinstance(s, str)] if isinstance(raw_seen, list) else []
        )
        seen = set(seen_list)
        etag = checkpoint.get("etag")
        last_modified = checkpoint.get("last_modified")
        result = self._fetcher.fetch(
            self.config.url,
            etag=etag if isinstance(etag, str) else None,
            last_modified=last_modified if isinstance(last_modified, str) else None,
            accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, "
            "text/xml;q=0.8",
        )
        with about_reply(result):
            raise_for_status(result, source=self.name)
            if result.not_modified:
                return PollResult(not_modified=True)
            check_content_type(result, "xml", source=self.name)
            started = time.monotonic()
            entries, quarantined = parse_feed(
                result.content, site=self.site, source=self.name, location=result.url
            )
        _log.debug(
            "%s: parsed %d entries in %.3f s", self.name, len(entries), time.monotonic() - started
        )
        keys: list[str] = []
        fresh: list[FeedItem] = []
        for key, item in entries:
            if key in keys:
                continue
            keys.append(key)
            if key not in seen:
                fresh.append(item)
        fresh.reverse()
        fresh.sort(key=lambda i: i.time)
        new_seen = keys + [k for k in seen_list if k not in set(keys)]
        newest = max((i.time for i in fresh), default=None)
        newest_iso = newest.isoformat() if newest is not None else None
        old_newest = checkpoint.get("newest")
        if isinstance(old_newest, str) and (newest_iso is None or old_newest > newest_iso):
            newest_iso = old_newest
        return PollResult(
            items=fresh,
            quarantined=quarantined,
            checkpoint={
                "seen": new_seen[:MAX_SEEN],
                "newest": newest_iso,
                "etag": result.etag,
                "last_modified": result.last_modified,
            },
        )


def _create(config: Any) -> RssSource:
    return RssSource(config)


PLUGIN = SourcePlugin("rss", RssConfig, _create)
