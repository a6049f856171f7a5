"""A whole Torznab/Newznab feed: the RSS channel, its paging and its items.

:func:`parse_torznab` reads the reply safely, raises the indexer's ``<error>`` reply as
:class:`~leaktrace.formats.torznab_errors.TorznabApiError`, and reads each ``<item>`` with
:func:`~leaktrace.formats.torznab_item.read_item`: good items go to
:attr:`TorznabFeed.items`, the others to :attr:`TorznabFeed.quarantined` with a redacted
sample of at most :data:`MAX_SAMPLE` characters.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.jsonl import DEFAULT_MAX_NAME
from leaktrace.formats.redaction import redact_text
from leaktrace.formats.safe_xml import element_text, local_name, parse_xml
from leaktrace.formats.source_errors import Quarantined, SourceError
from leaktrace.formats.torznab_attrs import to_int
from leaktrace.formats.torznab_errors import parse_error
from leaktrace.formats.torznab_item import read_item

__all__ = ["MAX_SAMPLE", "TorznabFeed", "parse_torznab"]

MAX_SAMPLE = 2000


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
    """The items of a Torznab/Newznab feed (see :mod:`leaktrace.formats.torznab_xml` for
    every mapping)."""
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
    if local_name(root.tag) != "rss":
        raise SourceError(
            f"not an RSS/Torznab feed (root <{local_name(root.tag)[:40]}>)",
            source=source,
            transient=False,
        )
    channel = next((c for c in root if local_name(c.tag) == "channel"), None)
    if channel is None:
        raise SourceError("feed has no <channel>", source=source, transient=False)
    feed = TorznabFeed(recovered_encoding=repaired)
    feed.title = element_text(next((c for c in channel if local_name(c.tag) == "title"), None))
    for child in channel:
        if local_name(child.tag) == "response":
            feed.offset = to_int(child.get("offset"))
            feed.total = to_int(child.get("total"))
    fetched = fetched_at or datetime.now(UTC)
    where = location or "feed"
    for index, element in enumerate((c for c in channel if local_name(c.tag) == "item"), start=1):
        feed.item_count += 1
        try:
            result = read_item(
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
        text = element_text(element) or ""
    return redact_text(text[: MAX_SAMPLE * 2], secrets)[:MAX_SAMPLE]
