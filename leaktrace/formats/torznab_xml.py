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

This module is the public entry point; the work is done in
:mod:`~leaktrace.formats.safe_xml` (safe parsing), :mod:`~leaktrace.formats.torznab_attrs`
(namespaces and attribute values), :mod:`~leaktrace.formats.torznab_item` (one item),
:mod:`~leaktrace.formats.torznab_feed` (the feed), :mod:`~leaktrace.formats.torznab_caps`
(``t=caps``) and :mod:`~leaktrace.formats.torznab_errors` (``<error>`` replies).
"""

from __future__ import annotations

from leaktrace.formats.safe_xml import MAX_DOCUMENT, parse_xml
from leaktrace.formats.torznab_attrs import NEWZNAB_NS, TORZNAB_NS, normalise_imdb
from leaktrace.formats.torznab_caps import Caps, CapsCategory, SearchMode, parse_caps
from leaktrace.formats.torznab_errors import TorznabApiError, parse_error
from leaktrace.formats.torznab_feed import MAX_SAMPLE, TorznabFeed, parse_torznab
from leaktrace.formats.torznab_item import item_key

__all__ = [
    "MAX_DOCUMENT",
    "MAX_SAMPLE",
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
