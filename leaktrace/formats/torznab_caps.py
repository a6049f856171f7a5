"""An indexer's ``t=caps`` document: server, limits, search modes and categories.

:func:`parse_caps` reads the reply safely (see :mod:`leaktrace.formats.safe_xml`) into a
typed :class:`Caps`; an ``<error>`` reply raises
:class:`~leaktrace.formats.torznab_errors.TorznabApiError`.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from dataclasses import dataclass, field

from leaktrace.formats.safe_xml import local_name, parse_xml
from leaktrace.formats.source_errors import SourceError
from leaktrace.formats.torznab_attrs import to_int
from leaktrace.formats.torznab_errors import parse_error

__all__ = ["Caps", "CapsCategory", "SearchMode", "parse_caps"]


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
    if local_name(root.tag) != "caps":
        raise SourceError(
            f"not a caps document (root <{local_name(root.tag)[:40]}>)",
            source=source,
            transient=False,
        )
    server: dict[str, str] = {}
    limit_max = limit_default = retention = None
    registration: dict[str, str] = {}
    searching: dict[str, SearchMode] = {}
    categories: list[CapsCategory] = []
    for child in root:
        name = local_name(child.tag)
        if name == "server":
            server = {str(k): str(v) for k, v in child.attrib.items()}
        elif name == "limits":
            limit_max = to_int(child.get("max"))
            limit_default = to_int(child.get("default"))
        elif name == "retention":
            retention = to_int(child.get("days"))
        elif name == "registration":
            registration = {str(k): str(v) for k, v in child.attrib.items()}
        elif name == "searching":
            for mode in child:
                mode_name = local_name(mode.tag)
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
    if local_name(element.tag) not in ("category", "subcat"):
        return None
    cat_id = to_int(element.get("id"))
    if cat_id is None:
        return None
    subcats = tuple(c for c in (_caps_category(s) for s in element) if c is not None)
    return CapsCategory(
        cat_id,
        (element.get("name") or "").strip(),
        (element.get("description") or "").strip() or None,
        subcats,
    )
