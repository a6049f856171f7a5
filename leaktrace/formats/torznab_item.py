"""One Torznab/Newznab ``<item>`` read into a :class:`FeedItem`, or the reason it is refused.

The mapping of every field (attrs, infohashes, size, peers, IMDb/TMDB/TVDB ids, categories,
URLs with secrets masked) is described in :mod:`leaktrace.formats.torznab_xml`.
:func:`read_item` returns a reason string instead of an item when the item must be
quarantined: no title, a title damaged by UTF-8 repair, too long or holding control
characters, or an unreadable ``pubDate``.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from datetime import datetime
from typing import Any

from leaktrace.feeds.item import FeedItem
from leaktrace.formats.redaction import redact_text
from leaktrace.formats.safe_xml import element_text, local_name
from leaktrace.formats.torznab_attrs import (
    infohash_hex,
    is_url_like,
    magnet_infohashes,
    normalise_imdb,
    parse_pub_date,
    standard_category,
    to_int,
)

__all__ = ["item_key", "read_item"]


def item_key(item: FeedItem) -> str:
    """A stable identity for checkpoints: the guid, else the URL, else name and time."""
    guid = item.extra.get("guid")
    if isinstance(guid, str) and guid:
        return guid[:500]
    if item.url:
        return item.url[:500]
    return f"{item.name}|{item.time.isoformat()}"[:500]


def read_item(
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
        name = local_name(child.tag)
        if name == "attr":
            key = (child.get("name") or "").strip().lower()
            if key:
                attr_values.setdefault(key, []).append((child.get("value") or "").strip())
        elif name == "category":
            text = element_text(child)
            if text:
                category_names.append(text)
        elif name == "enclosure" and enclosure is None:
            enclosure = {
                "url": redact_text(child.get("url") or "", secrets) or None,
                "length": to_int(child.get("length")),
                "type": (child.get("type") or "").strip() or None,
            }
        elif name and name not in children:
            children[name] = child
    title = element_text(children.get("title"))
    if title is None:
        return "item has no title"
    if repaired and "\ufffd" in title:
        return "title is not valid UTF-8"
    if len(title) > max_name:
        return f"title is {len(title)} characters long (at most {max_name})"
    if not title.isprintable():
        return "title contains control characters"
    extra: dict[str, object] = {}
    date_text = element_text(children.get("pubDate")) or element_text(children.get("pubdate"))
    if date_text is None:
        moment = fetched
        extra["time_from"] = "fetch"
    else:
        try:
            moment = parse_pub_date(date_text)
        except ValueError as exc:
            return f"unreadable pubDate: {str(exc)[:120]}"
    attrs = {k: ",".join(redact_text(v, secrets) for v in vs) for k, vs in attr_values.items()}

    def first(name: str) -> str | None:
        values = attr_values.get(name)
        return next((v for v in values if v), None) if values else None

    guid = element_text(children.get("guid"))
    link = element_text(children.get("link"))
    comments = element_text(children.get("comments"))
    if guid:
        extra["guid"] = redact_text(guid, secrets)
    if comments:
        extra["comments"] = redact_text(comments, secrets)
    if enclosure is not None:
        extra["enclosure"] = enclosure
    url = link if link else guid if is_url_like(guid) else None
    size = to_int(element_text(children.get("size")))
    if size is None:
        size = to_int(first("size"))
    if size is None and enclosure is not None:
        size = enclosure["length"] or None
    if size is not None and size > 10**15:
        size = None
    infohash = infohash_hex(first("infohash"))
    magnet_v1, infohash_v2 = None, None
    for candidate in (first("magneturl"), link, enclosure["url"] if enclosure else None):
        v1, v2 = magnet_infohashes(candidate)
        magnet_v1 = magnet_v1 or v1
        infohash_v2 = infohash_v2 or v2
    infohash = infohash or magnet_v1
    seeders = to_int(first("seeders"))
    leechers = to_int(first("leechers"))
    peers = to_int(first("peers"))
    if leechers is None and peers is not None and seeders is not None:
        leechers = max(0, peers - seeders)
    if peers is not None:
        extra["peers"] = peers
    grabs = to_int(first("grabs"))
    if grabs is None:
        grabs = to_int(element_text(children.get("grabs")))
    files = to_int(first("files"))
    if files is None:
        files = to_int(element_text(children.get("files")))
    if files is not None:
        extra["files"] = files
    imdb = normalise_imdb(first("imdbid")) or normalise_imdb(first("imdb"))
    category_ids = [
        c for c in (to_int(v) for v in attr_values.get("category", [])) if c is not None
    ]
    category_ids += [c for c in (to_int(n) for n in category_names) if c is not None]
    if category_ids:
        extra["categories"] = list(dict.fromkeys(category_ids))
    if category_names:
        extra["category_names"] = category_names
    chosen = standard_category(category_ids)
    category = (
        str(chosen) if chosen is not None else (category_names[0] if category_names else None)
    )
    tmdb = to_int(first("tmdbid"))
    tvdb = to_int(first("tvdbid"))
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
