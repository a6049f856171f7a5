"""A fast, table-driven parser for scene and P2P release names.

One precompiled tokenizer splits a name into tokens (separators ``space . _ -`` and brackets);
tokens are classified by dict lookups on their lower-cased text (single tokens and phrases of
two or three tokens, tables in :mod:`leaktrace.releases.vocab`); a handful of precompiled
regexes recognise season/episode markers, dates and ``WxH`` resolutions. The title is what
comes before the first token that can only be technical (or before the year / episode
marker), see ``docs/parser.md`` for the grammar.

``parse`` never raises: any input string gives a :class:`ParsedRelease` (names longer than
:data:`MAX_LENGTH` characters are parsed on their first :data:`MAX_LENGTH` characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from ._common import YEAR_MAX, YEAR_MIN, Out, add_unique
from ._component import parse_component
from ._titles import SEP
from .model import _FIELD_NAMES, Kind, ParsedRelease
from .vocab import (
    CONTAINERS,
    EXTENSIONS,
    GENERIC_FOLDERS,
    SOURCE_PRIORITY,
)

__all__ = ["MAX_LENGTH", "parse"]

#: longer names are truncated to this many characters before parsing
MAX_LENGTH: Final = 1024

_PATH_SPLIT_RE: Final = re.compile(r"[/\\]")
#: what is not a letter or digit (``\\w`` is ``str.isalnum()`` plus ``_``)
_NOT_ALNUM_RE: Final = re.compile(r"[\W_]+")
_CTRL: Final = {c: " " for c in [*range(32), 127]}


def _pick_source(out: Out) -> str | None:
    srcs = out.sources
    if not srcs:
        return None
    if len(srcs) == 1:
        src = srcs[0]
        if src == "bluray" and (out.uhd or out.resolution == "2160p"):
            return "uhd-bluray"
        return src
    if "remux" in srcs:
        return "remux"
    if (out.uhd or out.resolution == "2160p") and "bluray" in srcs and "bdrip" not in srcs:
        best = "uhd-bluray"
        for s in SOURCE_PRIORITY[: SOURCE_PRIORITY.index("uhd-bluray")]:
            if s in srcs:
                return s
        return best
    for s in SOURCE_PRIORITY:
        if s in srcs:
            return s
    return srcs[0]


def _strip_extension(part: str) -> tuple[str, str | None]:
    dot = part.rfind(".")
    if dot <= 0 or len(part) - dot > 8:
        return part, None
    ext = part[dot + 1 :].lower()
    if ext not in EXTENSIONS:
        return part, None
    if ext == "ts" and "-" not in part:
        return part, None
    return part[:dot], ext


def _kind(out: Out) -> Kind:
    if out.episodes or out.absolute or out.air_date is not None:
        return "episode"
    if out.seasons:
        return "season"
    return "movie"


def _has_episode_info(out: Out) -> bool:
    return bool(out.episodes or out.absolute or out.air_date is not None)


def _merge(main: Out, other: Out) -> None:
    """Fill what the file name lacks from a folder name."""
    if main.title is None or (
        other.title is not None
        and main.year is None
        and not _has_episode_info(main)
        and (other.year is not None or other.seasons or _has_episode_info(other))
    ):
        # the file name is not a release name ("dmd-aw.avi", "c48db7d2....mkv"): the folder is
        main.title = other.title
        if not _has_episode_info(main):
            main.episodes = other.episodes
            main.absolute = other.absolute
            main.air_date = other.air_date
            main.episode_title = main.episode_title or other.episode_title
    if (
        main.year is None
        and other.year is not None
        and (other.title is None or main.title is None or _norm(other.title) == _norm(main.title))
    ):
        main.year = other.year
    if not main.seasons and other.seasons and (main.episodes or not other.episodes):
        main.seasons = other.seasons
    for attr in ("resolution", "codec", "group", "service", "country", "website"):
        if getattr(main, attr) is None and getattr(other, attr) is not None:
            setattr(main, attr, getattr(other, attr))
    if not main.sources:
        main.sources = other.sources
        main.uhd = other.uhd
    for attr in ("languages", "subtitles", "tags", "editions", "audio"):
        target: list[str] = getattr(main, attr)
        for v in getattr(other, attr):
            add_unique(target, v)


def _norm(s: str) -> str:
    return _NOT_ALNUM_RE.sub("", s.lower())


def _parse(name: str) -> ParsedRelease:
    text = name[:MAX_LENGTH]
    if not text.isprintable():
        text = text.translate(_CTRL)
    if "/" in text or "\\" in text:
        if " / " in text:
            # "Русское / Original / Сезон: 1 / ...": a title separator, not a path
            text = text.replace(" / ", " " + SEP + " ")
        parts = [p.strip() for p in _PATH_SPLIT_RE.split(text)]
        parts = [p for p in parts if p]
    else:
        parts = [text.strip()]
    if not parts or not parts[0]:
        return ParsedRelease(name=name)
    main_text, ext = _strip_extension(parts[-1])
    out = Out()
    parse_component(main_text, out)
    if ext is not None:
        if ext in CONTAINERS:
            out.container = ext
        else:
            out.extras["extension"] = ext
    if len(parts) > 1:
        used = 0
        for part in parts[-2::-1]:  # (mypyc cannot compile reversed() of a slice)
            if used >= 2:
                break
            if (
                out.title is not None
                and (out.year is not None or out.seasons)
                and (out.seasons or not out.episodes)
                and out.group is not None
                and out.sources
            ):
                break
            low = part.lower()
            if low in GENERIC_FOLDERS:
                continue
            other = Out()
            parse_component(part, other)
            if (
                other.title is not None
                and other.title.lower() in GENERIC_FOLDERS
                and other.year is None
                and not other.seasons
            ):
                continue
            used += 1
            _merge(out, other)
    if out.year is None and out.seasons and YEAR_MIN <= out.seasons[0] <= YEAR_MAX:
        out.year = out.seasons[0]  # "Pawn.Stars.S2014E18"
    if out.group is not None:
        out.group = out.group.strip(" -.")
        if not out.group:
            out.group = None
    editions = out.editions
    return _build(
        name,
        out.title,
        tuple(out.aliases),
        out.year,
        out.year_range,
        "episode"
        if out.episodes or out.absolute or out.air_date is not None
        else "season"
        if out.seasons
        else "movie",
        tuple(out.seasons),
        tuple(out.episodes),
        tuple(out.absolute),
        out.air_date,
        out.episode_title,
        out.resolution,
        _pick_source(out),
        out.codec,
        tuple(out.audio),
        tuple(out.languages),
        tuple(out.subtitles),
        tuple(out.tags),
        " ".join(editions) if editions else None,
        out.service,
        out.country,
        out.container,
        out.group,
        out.website,
        out.pack or len(out.seasons) > 1 or "COMPLETE" in out.tags,
        out.extras,
    )


#: the fields in the order :func:`_build` receives them (checked against the dataclass)
_ORDER: Final = (
    "name",
    "title",
    "aliases",
    "year",
    "year_range",
    "kind",
    "seasons",
    "episodes",
    "absolute_episodes",
    "air_date",
    "episode_title",
    "resolution",
    "source",
    "codec",
    "audio",
    "languages",
    "subtitles",
    "tags",
    "edition",
    "service",
    "country",
    "container",
    "group",
    "website",
    "pack",
    "extras",
)

if set(_ORDER) != set(_FIELD_NAMES) or len(_ORDER) != len(_FIELD_NAMES):  # pragma: no cover
    raise ImportError("parser._ORDER does not match ParsedRelease's fields")


def _make_build() -> Callable[..., ParsedRelease]:
    """``_build(*values in _ORDER)``: a ParsedRelease without the frozen dataclass's
    ``__init__`` (which sets each of its 26 slots through ``object.__setattr__`` with
    keyword parsing, a tenth of the parse time): a draft class with the same slots is
    filled by plain attribute stores, then becomes a ParsedRelease by assigning
    ``__class__`` (five times faster). The draft class and the function are made by
    ``exec`` so that they stay plain Python classes when this module is compiled."""
    args = ", ".join(_ORDER)
    body = "".join(f"    o.{f} = {f}\n" for f in _ORDER)
    src = (
        "class _Draft:\n    __slots__ = _Release.__slots__\n\n"
        f"def _build({args}):\n    o = _new(_Draft)\n{body}"
        "    o.__class__ = _Release\n    return o\n"
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_Release": ParsedRelease}
    exec(src, namespace)  # noqa: S102 - generated from the field names only, like dataclasses
    build: Callable[..., ParsedRelease] = namespace["_build"]
    return build


#: ``_build(*values in _ORDER)`` -> ParsedRelease
_build: Final = _make_build()


def parse(name: str) -> ParsedRelease:
    """Parse a release name (or a path to a release file) into its parts.

    Never raises: an unparseable name yields a ``ParsedRelease`` with only ``name`` set.
    """
    try:
        return _parse(name)
    except Exception:  # pragma: no cover - a safety net; the tests call _parse directly
        return ParsedRelease(name=name if isinstance(name, str) else str(name))
