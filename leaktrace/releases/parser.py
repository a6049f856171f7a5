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
from datetime import date
from typing import Final

from .model import Kind, ParsedRelease
from .vocab import (
    AMBIGUOUS_SERVICES,
    CONTAINERS,
    COUNTRIES,
    EPISODE_WORDS,
    EXTENSIONS,
    GENERIC_FOLDERS,
    GROUP_SITES,
    LANG_WORDS_SUB_PREFIX,
    PHRASES,
    POST_SUFFIXES,
    PREFIX2,
    PREFIX3,
    RESOLUTION_HEIGHTS,
    ROMAN,
    SEASON_WORDS,
    SOURCE_PRIORITY,
    STRONG_KEYS,
    TITLE_TRIM_KEYS,
    WEBSITES,
)

__all__ = ["MAX_LENGTH", "parse"]

#: longer names are truncated to this many characters before parsing
MAX_LENGTH: Final = 1024

_TOKEN_RE: Final = re.compile(r"[\[\](){}]|[^\s.\-_\[\](){}/\\,;|~*\"<>=]+")
_PATH_SPLIT_RE: Final = re.compile(r"[/\\]")
_SE_RE: Final = re.compile(
    r"s(\d{1,4})(?:x?e(\d{1,4})((?:[-+]?e\d{1,4}|\+\d{1,4})*))?(?:v\d)?(?:d(\d{1,2}))?$"
)
_SE_MORE_RE: Final = re.compile(r"([-+]?)e?(\d{1,4})")
_SE_EP_RE: Final = re.compile(r"\d+")
_X_RE: Final = re.compile(r"(\d{1,2})x(\d{1,3})((?:x\d{1,3})*)$")
_E_RE: Final = re.compile(r"(?:e|ep|episode)(\d{1,4})(?:v\d)?$")
_WH_RE: Final = re.compile(r"(\d{3,4})x(\d{3,4})[pi]?$")
_NUMV_RE: Final = re.compile(r"(\d{1,4})(?:v\d)?$")
_SEASONWORD_RE: Final = re.compile(
    r"(?:season|saison|temporada|temp|tem|stagione|staffel|series)(\d{1,2})$"
)
_CRC_RE: Final = re.compile(r"[0-9a-f]{8}$")
_CTRL: Final = {c: " " for c in [*range(32), 127]}

_UNITS: Final = ("kbps", "kbits", "kbit", "mbps", "mbit", "gb", "mb", "fps", "hz", "bit", "ch")
_OPEN: Final = frozenset("[({")
_CLOSE: Final = frozenset("])}")
_YEAR_MIN: Final = 1900
_YEAR_MAX: Final = 2039
_TLDS: Final = frozenset(
    {"com", "org", "net", "to", "ru", "cd", "me", "info", "tv", "io", "cc", "xyz", "mx", "ag",
     "se", "eu", "biz", "ws", "lt", "pw", "in", "nl", "it", "fr", "de", "ch", "re", "la", "am",
     "lol", "club", "site", "top", "st", "is", "uk", "cz", "pl", "es", "co", "us", "tk", "ms"}
)


class _Out:
    """Mutable parse result of one path component."""

    __slots__ = (
        "title", "year", "seasons", "episodes", "absolute", "air_date", "episode_title",
        "resolution", "sources", "uhd", "codec", "audio", "languages", "subtitles", "tags",
        "editions", "service", "country", "container", "group", "website", "extras",
    )

    def __init__(self) -> None:
        self.title: str | None = None
        self.year: int | None = None
        self.seasons: list[int] = []
        self.episodes: list[int] = []
        self.absolute: list[int] = []
        self.air_date: date | None = None
        self.episode_title: str | None = None
        self.resolution: str | None = None
        self.sources: list[str] = []
        self.uhd = False
        self.codec: str | None = None
        self.audio: list[str] = []
        self.languages: list[str] = []
        self.subtitles: list[str] = []
        self.tags: list[str] = []
        self.editions: list[str] = []
        self.service: str | None = None
        self.country: str | None = None
        self.container: str | None = None
        self.group: str | None = None
        self.website: str | None = None
        self.extras: dict[str, str] = {}


def _add_unique(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _num_range(a: int, b: int) -> list[int]:
    if a < b <= a + 60:
        return list(range(a, b + 1))
    return [a, b] if a != b else [a]


def _is_year(low: str) -> bool:
    return len(low) == 4 and low.isdigit() and _YEAR_MIN <= int(low) <= _YEAR_MAX


def _valid_date(y: int, m: int, d: int) -> date | None:
    if 1 <= m <= 12 and 1 <= d <= 31 and _YEAR_MIN <= y <= _YEAR_MAX:
        try:
            return date(y, m, d)
        except ValueError:
            return None
    return None


def _join_title(text: str, toks: list[str], starts: list[int], ends: list[int],
                a: int, b: int) -> str | None:
    """Rebuild a title from tokens a..b-1: separators become spaces, ``S.H.I.E.L.D`` and
    ``Spider-Man`` survive."""
    if a >= b:
        return None
    parts = [toks[a]]
    acronym = False
    for k in range(a + 1, b):
        gap = text[ends[k - 1]:starts[k]]
        tok = toks[k]
        if gap == "." and len(tok) == 1 and len(toks[k - 1]) == 1 and tok.isalpha() \
                and toks[k - 1].isalpha():
            parts.append(".")
            acronym = True
        elif gap == "-":
            parts.append("-")
        elif "-" in gap and (" " in gap or "_" in gap or "." in gap):
            parts.append(" - ")
        elif gap == "'":
            parts.append("'")
        else:
            parts.append(" ")
            acronym = False
        parts.append(tok)
    if acronym and text[ends[b - 1]:ends[b - 1] + 1] == ".":
        parts.append(".")
    title = "".join(parts).strip(" -:&+#")
    return title or None


def _parse_component(text: str, out: _Out) -> None:  # noqa: C901 - one pass, kept flat for speed
    toks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    brs: list[int] = []
    depth = 0
    brid = 0
    cur = 0
    for tm in _TOKEN_RE.finditer(text):
        tok = tm.group()
        if len(tok) == 1 and tok in _OPEN:
            if depth == 0:
                brid += 1
                cur = brid
            depth += 1
            continue
        if len(tok) == 1 and tok in _CLOSE:
            if depth > 0:
                depth -= 1
                if depth == 0:
                    cur = 0
            continue
        toks.append(tok)
        starts.append(tm.start())
        ends.append(tm.end())
        brs.append(cur)
    n = len(toks)
    if n == 0:
        return
    lows = [t.lower() for t in toks]

    # ------------------------------------------------------------ classification
    cls: list[tuple[tuple[str, str], ...] | None] = [None] * n
    strong = [False] * n
    key_at: list[str] = [""] * n
    marker = [False] * n          # season/episode/date markers
    first_marker = -1
    last_marker = -1
    seasons = out.seasons
    episodes = out.episodes

    def adj(k: int) -> bool:
        return starts[k + 1] - ends[k] == 1 and brs[k] == brs[k + 1]

    i = 0
    while i < n:
        low = lows[i]
        if low in PREFIX3 and i + 2 < n and adj(i) and adj(i + 1):
            key = low + "." + lows[i + 1] + "." + lows[i + 2]
            entry = PHRASES.get(key)
            if entry is not None:
                is_strong = key in STRONG_KEYS
                for k in range(i, i + 3):
                    cls[k] = ()
                    strong[k] = is_strong
                    key_at[k] = key
                cls[i] = entry
                i += 3
                continue
        if low in PREFIX2 and i + 1 < n and adj(i):
            key = low + "." + lows[i + 1]
            entry = PHRASES.get(key)
            if entry is not None:
                is_strong = key in STRONG_KEYS
                cls[i] = entry
                cls[i + 1] = ()
                strong[i] = strong[i + 1] = is_strong
                key_at[i] = key_at[i + 1] = key
                i += 2
                continue
        entry = PHRASES.get(low)
        if entry is not None:
            cls[i] = entry
            strong[i] = low in STRONG_KEYS
            key_at[i] = low
            i += 1
            continue
        if low.isalpha():
            if low in SEASON_WORDS or low in EPISODE_WORDS:
                consumed = _marker_words(text, lows, starts, ends, brs, i, n, out)
            else:
                consumed = 0
        elif low.endswith(_UNITS) and low[0].isdigit():
            cls[i] = (("other", ""),)
            consumed = 0
        else:
            consumed = _marker_token(text, lows, starts, ends, brs, i, n, out)
            if consumed < 0:
                cls[i] = (("res", RESOLUTION_HEIGHTS[lows[i].partition("x")[2].rstrip("pi")]),)
                strong[i] = True
                consumed = 0
        if consumed:
            for k in range(i, i + consumed):
                marker[k] = True
                cls[k] = ()
            if first_marker < 0:
                first_marker = i
            last_marker = i + consumed - 1
            i += consumed
        else:
            i += 1

    # ------------------------------------------------------------ daily dates
    for i in range(n - 2):
        ya = lows[i]
        if not ya.isdigit() or marker[i]:
            continue
        yb = lows[i + 1]
        yc = lows[i + 2]
        if not (yb.isdigit() and yc.isdigit() and adj(i) and adj(i + 1)):
            continue
        d: date | None = None
        if len(ya) == 4 and len(yb) <= 2 and len(yc) <= 2:
            d = _valid_date(int(ya), int(yb), int(yc))
        elif len(yc) == 4 and len(ya) <= 2 and len(yb) <= 2:
            d = _valid_date(int(yc), int(yb), int(ya)) or _valid_date(int(yc), int(ya), int(yb))
        if d is not None:
            out.air_date = d
            for k in range(i, i + 3):
                marker[k] = True
                cls[k] = ()
            if first_marker < 0 or i < first_marker:
                first_marker = i
            last_marker = max(last_marker, i + 2)
            break

    # ------------------------------------------------------------ leading group / website
    ts = 0
    anime = False
    if brs[0] != 0 and text.lstrip()[:1] == "[":
        k = 0
        while k < n and brs[k] == brs[0]:
            k += 1
        content = text[starts[0]:ends[k - 1]]
        if lows[0] == "www" or _is_site(lows, 0, k):
            out.website = content.lower()
            ts = k
        elif all(cls[x] is not None for x in range(k)) and any(strong[x] for x in range(k)):
            ts = k
        elif k < n:
            out.group = content
            anime = True
            ts = k
        # further leading brackets that are all technical: "[Grp] [BD][1080p] Title 08"
        while ts < n and brs[ts] != 0:
            k = ts
            while k < n and brs[k] == brs[ts]:
                k += 1
            if k >= n or not all(cls[x] is not None for x in range(ts, k)):
                break
            ts = k
    # "site.net - Title ...": a web address before the first " - "
    if ts < n and lows[ts] != "www":
        k = ts + 1
        while k < n and k < ts + 6 and brs[k] == brs[ts] and text[ends[k - 1]:starts[k]] in ".-":
            k += 1
        if ts + 1 < k < n and lows[k - 1] in _TLDS and "-" in text[ends[k - 1]:starts[k]] \
                and text[ends[k - 2]:starts[k - 1]] == ".":
            out.website = text[starts[ts]:ends[k - 1]].lower()
            ts = k
    if ts < n and lows[ts] == "www":
        k = ts + 1
        while k < n and brs[k] == brs[ts] and text[ends[k - 1]:starts[k]] == ".":
            k += 1
        if k - ts >= 3:
            out.website = ".".join(lows[ts:k])
            ts = k
    # leading technical tokens: "h265 - HEVC Riddick Unrated 1080p"
    k = ts
    while k < n and strong[k] and not marker[k]:
        k += 1
    if k < n and k > ts and cls[k] is None:
        ts = k
    if ts >= n:
        _apply(text, toks, lows, cls, key_at, brs, 0, 0, set(), out, n)
        return

    # ------------------------------------------------------------ title boundaries
    limit = n
    for k in range(ts, n):
        if strong[k] or marker[k]:
            limit = k
            break
    base_br = brs[ts]
    cut = limit
    for k in range(ts + 1, limit):
        if brs[k] != base_br:
            cut = k
            break
    year_idx = -1
    for k in range(ts + 1, limit):
        if _is_year(lows[k]) and not marker[k]:
            year_idx = k
    if year_idx < 0:
        # "Sin City (BluRay) (2005)", "Show.S01E01.2008.BluRay": a year after the title
        for k in range(limit, n):
            if _is_year(lows[k]) and cls[k] is None and (k + 1 < n or brs[k]) and (
                    first_marker < 0 or brs[k] or k + 1 < n and strong[k + 1]):
                year_idx = k
                break
    title_end = -1
    trim_any = False
    episodic = first_marker >= 0
    if year_idx >= 0:
        out.year = int(lows[year_idx])
        cls[year_idx] = ()
        title_end = min(year_idx, cut, limit)
        trim_any = False
        # "the.flash.2014.208.hdtv": a 3-digit episode number right after the year
        k = year_idx + 1
        if first_marker < 0 and k < n and len(lows[k]) == 3 and lows[k].isdigit() \
                and lows[k][0] != "0" and (k + 1 >= n or cls[k + 1] is not None
                                           or brs[k + 1] != brs[k] or k + 2 < n):
            v = int(lows[k])
            seasons.append(v // 100)
            episodes.append(v % 100)
            marker[k] = True
            cls[k] = ()
            first_marker = last_marker = k
            episodic = True
    elif first_marker < 0:
        # episode numbers without a season marker: anime absolute numbers, "Show.101"
        num_idx = -1
        dash_idx = -1
        hi = limit if anime else min(limit, cut + 1)
        for k in range(ts + 1, hi):
            lk = lows[k]
            if not lk[0].isdigit() or cls[k] is not None:
                continue
            m = _NUMV_RE.match(lk)
            if m is None or _is_year(lk):
                continue
            gap = text[ends[k - 1]:starts[k]]
            digits = m.group(1)
            if anime:
                if num_idx < 0:
                    num_idx = k
                if dash_idx < 0 and "-" in gap:
                    dash_idx = k
            elif ("-" in gap and len(gap) > 1) or (len(digits) == 2 and digits[0] == "0") \
                    or (len(digits) in (3, 4) and lk.isdigit()) or (
                    k + 2 < n and text[ends[k]:starts[k + 1]] == "-" and lows[k + 1].isdigit()):
                num_idx = k
                break
        if dash_idx >= 0:
            num_idx = dash_idx
        if num_idx >= 0:
            lk = lows[num_idx]
            m = _NUMV_RE.match(lk)
            assert m is not None
            v = int(m.group(1))
            j = num_idx + 1
            gap = text[ends[num_idx - 1]:starts[num_idx]]
            if not anime and len(m.group(1)) in (3, 4) and lk.isdigit() and v % 100 <= 60 \
                    and not ("-" in gap and len(gap) > 1) and not (
                    j < n and text[ends[num_idx]:starts[j]] == "-" and lows[j].isdigit()):
                seasons.append(v // 100)
                episodes.append(v % 100)
            else:
                nums = [v]
                while j < n and brs[j] == brs[num_idx] and text[ends[j - 1]:starts[j]] == "-" \
                        and lows[j].isdigit() and len(lows[j]) <= 4:
                    _extend(nums, int(lows[j]), True)
                    j += 1
                out.absolute.extend(nums)
            for k in range(num_idx, j):
                marker[k] = True
                cls[k] = ()
            first_marker = num_idx
            last_marker = j - 1
            title_end = min(num_idx, cut)
            limit = num_idx
            episodic = True
        elif anime and ts + 1 < n and brs[ts] == 0 and lows[ts].isdigit() and len(lows[ts]) <= 3 \
                and (lows[ts][0] == "0" or "-" in text[ends[ts]:starts[ts + 1]]):
            # "[Group] 12 - Title [720p]"
            out.absolute.append(int(lows[ts]))
            marker[ts] = True
            cls[ts] = ()
            first_marker = last_marker = ts
            episodic = True
            ts += 1
            base_br = brs[ts]
            limit = n
            for k in range(ts, n):
                if strong[k] or brs[k] != base_br:
                    limit = k
                    break
            cut = limit
    if title_end < 0:
        title_end = min(limit, cut)
        trim_any = not episodic or title_end != first_marker
    # trailing words that are tags: "Movie.FRENCH.DVDRip", "Alien DC (1979)"
    while title_end - 1 > ts:
        k = title_end - 1
        if cls[k] is None or key_at[k] == "web":
            break
        tok = toks[k]
        if trim_any or (tok != tok.capitalize() and not tok.islower()) or "." in key_at[k] or (
                key_at[k] in TITLE_TRIM_KEYS and lows[k - 1] not in ("the", "a", "an")):
            title_end -= 1
        else:
            break
    # "Show - Subtitle - 07": the title of an episodic name stops at its first " - "
    if episodic:
        for k in range(ts + 1, title_end):
            gap = text[ends[k - 1]:starts[k]]
            if "-" in gap and len(gap) > 1:
                title_end = k
                break
    # country suffix: "The.Office.US.S01E01", "Shameless (US) S01E01"
    if title_end - 1 > ts:
        ck = title_end - 1
        ctry = COUNTRIES.get(lows[ck])
        if ctry is not None and toks[ck].isupper() and (year_idx >= 0 or episodic):
            out.country = ctry
            cls[ck] = ()
            title_end -= 1
    if ts < title_end < n and brs[title_end] != base_br:
        ck = title_end
        ctry = COUNTRIES.get(lows[ck])
        if ctry is not None and (ck + 1 >= n or brs[ck + 1] != brs[ck]):
            out.country = ctry
            cls[ck] = ()
    out.title = _join_title(text, toks, starts, ends, ts, title_end)

    # ------------------------------------------------------------ release group
    skip: set[int] = set()
    floor = max(title_end, last_marker + 1, ts + 1)
    k = n - 1
    bracket_group = -1
    bracket_end = -1
    while k >= 0 and brs[k] != 0:
        b = brs[k]
        e = k
        while k >= 0 and brs[k] == b:
            k -= 1
        a = k + 1
        content = text[starts[a]:ends[e]]
        if _is_site(lows, a, e + 1) or lows[a] == "www":
            if out.website is None:
                out.website = content.lower()
            skip.update(range(a, e + 1))
        elif a == e and _CRC_RE.match(lows[a]) is not None and not lows[a].isdigit():
            out.extras["crc32"] = toks[a].upper()
            skip.add(a)
        elif a >= floor and all(cls[x] is None for x in range(a, e + 1)):
            if bracket_group < 0:
                bracket_group = a
                bracket_end = e
            if a > 0 and "-" in text[ends[a - 1]:starts[a]]:
                break
        elif a < floor:
            break
        elif e > a and cls[e] is None and cls[e - 1] is not None and not marker[e] \
                and bracket_group < 0:
            # "(1080p Bluray x265 HEVC 10bit AAC 7.1 Japanese Tigole)"
            bracket_group = bracket_end = e
    group_a = group_b = -1
    while k > floor and brs[k] == 0 and lows[k] in POST_SUFFIXES \
            and "-" in text[ends[k - 1]:starts[k]] and cls[k - 1] is None:
        skip.add(k)
        k -= 1
    # words after the group that say nothing: "-AFG.HebSubs", "-2hd.eng", "-Belex.-.Dual.Audio"
    k2 = k
    while k2 > floor and brs[k2] == 0 and cls[k2] is not None and not strong[k2] \
            and not marker[k2] and "-" not in text[ends[k2 - 1]:starts[k2]].strip(" ."):
        k2 -= 1
    if k2 != k and k2 >= floor and brs[k2] == 0 and cls[k2] is None and not marker[k2] \
            and "-" in text[ends[k2 - 1]:starts[k2]]:
        k = k2
    last_cls = cls[k] if k >= 0 else None
    if k >= floor and brs[k] == 0 and not marker[k] and (
            last_cls is None or not strong[k] and last_cls and last_cls[0][0] != "other"):
        gap = text[ends[k - 1]:starts[k]]
        if "-" in gap:
            group_a = k
            # "D-Z0N3", "Hive-CM8", "AlFleNi-TeaM": hyphen-joined words before the last one
            while group_a - 2 >= floor and text[ends[group_a - 1]:starts[group_a]] == "-" \
                    and cls[group_a - 1] is None and not marker[group_a - 1] \
                    and brs[group_a - 1] == 0 and cls[group_a - 2] is not None:
                group_a -= 1
            group_b = k
        elif k - 1 >= 0 and lows[k - 1] == "by" and cls[k] is None:
            # "DLMux by UBi"
            group_a = group_b = k
        elif cls[k] is None and k - 1 >= 0 and cls[k - 1] is not None and not marker[k - 1] \
                and lows[k - 1] != "by" and k - 1 >= floor and bracket_group < 0 \
                and any(strong[x] for x in range(floor, k)):
            # "...x264.dxva EuReKA", "720p.YIFY"
            group_a = group_b = k
    if group_a < 0 and bracket_group >= 0 and (
            not anime or out.group is None or
            text[ends[bracket_group - 1]:starts[bracket_group]].endswith(("-", "-[", "- ["))):
        out.group = text[starts[bracket_group]:ends[bracket_end]]
        skip.update(range(bracket_group, bracket_end + 1))
    elif group_a >= 0:
        out.group = text[starts[group_a]:ends[group_b]]
        skip.update(range(group_a, group_b + 1))

    # ------------------------------------------------------------ episode title
    if last_marker >= 0:
        a = last_marker + 1
        b = a
        while b < n and brs[b] == 0 and not strong[b] and not marker[b] and b not in skip:
            if cls[b] is not None:
                # a tag word that only technical tokens follow ends the episode title
                r = b
                while r < n and cls[r] is not None and not marker[r] and r not in skip:
                    if strong[r]:
                        break
                    r += 1
                if r >= n or strong[r] or r in skip or brs[r] != 0 or cls[r] is not None:
                    break
            if _is_year(lows[b]) and (b + 1 >= n or strong[b + 1]):
                break
            b += 1
        if b > a and (a == 0 or brs[a - 1] == 0 or brs[a] == 0):
            et = _join_title(text, toks, starts, ends, a, b)
            if et is not None and any(c.isalpha() for c in et):
                out.episode_title = et
                for x in range(a, b):
                    cls[x] = ()
    _apply(text, toks, lows, cls, key_at, brs, ts, title_end, skip, out, n)


def _extend(items: list[int], value: int, as_range: bool) -> None:
    """Append value; with as_range, first fill the numbers between the last item and it."""
    if as_range and items and items[-1] < value <= items[-1] + 60:
        for v in range(items[-1] + 1, value + 1):
            if v not in items:
                items.append(v)
    elif value not in items:
        items.append(value)


def _gap_kind(gap: str) -> str:
    """'-' for a range separator, '&' for a list separator, '.' for a plain separator."""
    core = gap.strip(" ._")
    if core in ("-", "&", ",", "+"):
        return "&" if core in ("&", ",", "+") else "-"
    return "." if not core else "?"


def _marker_words(text: str, lows: list[str], starts: list[int], ends: list[int],
                  brs: list[int], i: int, n: int, out: _Out) -> int:
    """'Season 1', 'Seasons 1-3', 'Season 1 & 2', 'Episode 5', 'Cap.102' -> tokens consumed."""
    low = lows[i]
    j = i + 1
    if j >= n or brs[j] != brs[i] or "-" in text[ends[i]:starts[j]]:
        return 0
    nxt = lows[j]
    is_season = low in SEASON_WORDS
    m = _NUMV_RE.match(nxt)
    if m is not None:
        val = int(m.group(1))
    elif is_season and low != "series":
        val = ROMAN.get(nxt, -1)
    else:
        val = -1
    if val < 0:
        return 0
    if low == "cap" and val >= 100:
        # Spanish "Cap.102": season 1 episode 2 (range "Cap.102_104")
        _add_int(out.seasons, val // 100)
        _add_int(out.episodes, val % 100)
        j += 1
        if j < n and brs[j] == brs[i] and lows[j].isdigit() and len(lows[j]) >= 3:
            _extend(out.episodes, int(lows[j]) % 100, True)
            j += 1
        return j - i
    target = out.seasons if is_season else out.episodes
    _add_int(target, val)
    j += 1
    while j < n and brs[j] == brs[i]:
        lj = lows[j]
        kind = _gap_kind(text[ends[j - 1]:starts[j]])
        if lj == "to" and j + 1 < n and lows[j + 1].isdigit() and len(lows[j + 1]) <= 2:
            _extend(target, int(lows[j + 1]), True)
            j += 2
            continue
        if not (lj.isdigit() and len(lj) <= 2) or kind == "?":
            break
        if kind == "." and not is_season:
            break
        _extend(target, int(lj), kind == "-")
        j += 1
    return j - i


def _marker_token(text: str, lows: list[str], starts: list[int], ends: list[int],
                  brs: list[int], i: int, n: int, out: _Out) -> int:
    """S01E02, S01-S03, 1x05, E05, Season1 ... -> tokens consumed; -1 for a WxH resolution."""
    low = lows[i]
    c0 = low[0]
    seasons = out.seasons
    episodes = out.episodes
    j = i + 1
    if c0 == "s":
        m = _SE_RE.match(low)
        if m is None:
            m2 = _SEASONWORD_RE.match(low)
            if m2 is None:
                return 0
            _add_int(seasons, int(m2.group(1)))
            return 1
        s = int(m.group(1))
        e_txt = m.group(2)
        if m.group(4):
            out.extras["disc"] = str(int(m.group(4)))
        if e_txt is None:
            _add_int(seasons, s)
            # S01-S03 / S01-03: season range; S01.E02 / S01 E02: season + episode
            while j < n and brs[j] == brs[i]:
                gap = text[ends[j - 1]:starts[j]]
                lj = lows[j]
                m2 = _SE_RE.match(lj)
                if gap == "-" and m2 is not None and m2.group(2) is None:
                    _extend(seasons, int(m2.group(1)), True)
                elif gap == "-" and lj.isdigit() and len(lj) <= 2:
                    _extend(seasons, int(lj), True)
                elif len(gap) == 1 and (em := _E_RE.match(lj)) is not None:
                    _add_int(episodes, int(em.group(1)))
                elif len(gap) > 1 and gap.strip(" ._") == "-" and lj.isdigit() and len(lj) <= 4 \
                        and not episodes:
                    # "[ASW] Show - S2 - 01 [1080p]"
                    _add_int(episodes, int(lj))
                else:
                    break
                j += 1
            return j - i
        _add_int(seasons, s)
        _add_int(episodes, int(e_txt))
        more = m.group(3)
        if more:
            for part in _SE_MORE_RE.finditer(more):
                _extend(episodes, int(part.group(2)), part.group(1) == "-")
        while j < n and brs[j] == brs[i]:
            gap = text[ends[j - 1]:starts[j]]
            lj = lows[j]
            if gap == "-" or (gap in (".", " ") and lj[0] == "e"):
                em = _E_RE.match(lj)
                if em is not None:
                    v = int(em.group(1))
                elif gap == "-" and lj.isdigit() and len(lj) <= 3:
                    v = int(lj)
                else:
                    m2 = _SE_RE.match(lj)
                    if m2 is not None and m2.group(2) is not None and int(m2.group(1)) == s:
                        v = int(m2.group(2))
                    else:
                        break
                _extend(episodes, v, gap == "-")
                j += 1
            elif gap in (".", " ", "_"):
                # S01E02.S01E03
                m2 = _SE_RE.match(lj)
                if m2 is None or m2.group(2) is None or int(m2.group(1)) != s:
                    break
                _extend(episodes, int(m2.group(2)), False)
                j += 1
            else:
                break
        return j - i
    if c0 == "e":
        m = _E_RE.match(low)
        if m is None:
            return 0
        _add_int(episodes, int(m.group(1)))
        while j < n and brs[j] == brs[i] and text[ends[j - 1]:starts[j]] == "-":
            em = _E_RE.match(lows[j])
            if em is None and not (lows[j].isdigit() and len(lows[j]) <= 3):
                break
            _extend(episodes, int(em.group(1) if em else lows[j]), True)
            j += 1
        return j - i
    if c0.isdigit():
        m = _X_RE.match(low)
        if m is None:
            m = _WH_RE.match(low)
            if m is not None and m.group(2) in RESOLUTION_HEIGHTS:
                return -1
            return 0
        _add_int(seasons, int(m.group(1)))
        _add_int(episodes, int(m.group(2)))
        if m.group(3):
            for x in _SE_EP_RE.findall(m.group(3)):
                _extend(episodes, int(x), False)
        while j < n and brs[j] == brs[i]:
            gap = text[ends[j - 1]:starts[j]]
            m2 = _X_RE.match(lows[j])
            if m2 is not None and gap in ("-", ".", " ", "_"):
                _extend(episodes, int(m2.group(2)), gap == "-")
            elif gap == "-" and lows[j].isdigit() and len(lows[j]) <= 3:
                _extend(episodes, int(lows[j]), True)
            else:
                break
            j += 1
        return j - i
    m2 = _SEASONWORD_RE.match(low)
    if m2 is not None:
        _add_int(seasons, int(m2.group(1)))
        return 1
    return 0


def _add_int(items: list[int], value: int) -> None:
    if value not in items:
        items.append(value)


def _is_site(lows: list[str], a: int, b: int) -> bool:
    if b - a == 1:
        return lows[a] in WEBSITES
    if b - a >= 2 and lows[b - 1] in _TLDS and lows[a] not in GROUP_SITES:
        return ".".join(lows[a:b]) in WEBSITES or lows[a] == "www" or b - a == 2
    return False


def _apply(text: str, toks: list[str], lows: list[str],
           cls: list[tuple[tuple[str, str], ...] | None], key_at: list[str], brs: list[int],
           ts: int, title_end: int, skip: set[int], out: _Out, n: int) -> None:
    """Report the classified tokens outside the title."""
    sub_mode = False
    for i in range(n):
        entry = cls[i]
        if i in skip or ts <= i < title_end:
            continue
        if entry is None:
            low = lows[i]
            if low in LANG_WORDS_SUB_PREFIX:
                sub_mode = True
                continue
            if out.resolution is None and low in RESOLUTION_HEIGHTS and i >= title_end \
                    and title_end > 0:
                out.resolution = RESOLUTION_HEIGHTS[low]
            sub_mode = False
            continue
        if not entry:
            continue
        key = key_at[i]
        for cat, val in entry:
            if cat == "res":
                if out.resolution is None:
                    out.resolution = val
            elif cat == "src":
                out.sources.append(val)
            elif cat == "uhd":
                out.uhd = True
            elif cat == "codec":
                if out.codec is None:
                    out.codec = val
            elif cat == "audio":
                _add_unique(out.audio, val)
            elif cat == "lang":
                if sub_mode:
                    _add_unique(out.subtitles, val)
                else:
                    _add_unique(out.languages, val)
            elif cat == "sub":
                _add_unique(out.subtitles, val)
            elif cat == "tag":
                _add_unique(out.tags, val)
            elif cat == "edition":
                _add_unique(out.editions, val)
            elif cat == "service":
                if key in AMBIGUOUS_SERVICES:
                    nxt = i + 1
                    while nxt < n and key_at[nxt] == key:
                        nxt += 1
                    if nxt >= n or not key_at[nxt].startswith("web"):
                        continue
                if out.service is None:
                    out.service = val
            elif cat == "container":
                if out.container is None:
                    out.container = val
            elif cat == "site":
                if out.website is None:
                    out.website = val
        if entry[0][0] in ("lang", "sub") and key in LANG_WORDS_SUB_PREFIX:
            sub_mode = True
        elif entry[0][0] != "lang":
            sub_mode = False


def _pick_source(out: _Out) -> str | None:
    srcs = out.sources
    if not srcs:
        return None
    if "remux" in srcs:
        return "remux"
    if (out.uhd or out.resolution == "2160p") and "bluray" in srcs and "bdrip" not in srcs:
        best = "uhd-bluray"
        for s in SOURCE_PRIORITY[:SOURCE_PRIORITY.index("uhd-bluray")]:
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
    ext = part[dot + 1:].lower()
    if ext not in EXTENSIONS:
        return part, None
    if ext == "ts" and "-" not in part:
        return part, None
    return part[:dot], ext


def _kind(out: _Out) -> Kind:
    if out.episodes or out.absolute or out.air_date is not None:
        return "episode"
    if out.seasons:
        return "season"
    return "movie"


def _has_episode_info(out: _Out) -> bool:
    return bool(out.episodes or out.absolute or out.air_date is not None)


def _merge(main: _Out, other: _Out) -> None:
    """Fill what the file name lacks from a folder name."""
    if main.title is None or (
            other.title is not None and main.year is None and not _has_episode_info(main)
            and (other.year is not None or other.seasons or _has_episode_info(other))):
        # the file name is not a release name ("dmd-aw.avi", "c48db7d2....mkv"): the folder is
        main.title = other.title
        if not _has_episode_info(main):
            main.episodes = other.episodes
            main.absolute = other.absolute
            main.air_date = other.air_date
            main.episode_title = main.episode_title or other.episode_title
    if main.year is None and other.year is not None and (
            other.title is None or main.title is None or
            _norm(other.title) == _norm(main.title)):
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
            _add_unique(target, v)


def _norm(s: str) -> str:
    return "".join(c for c in s.lower() if c.isalnum())


def _parse(name: str) -> ParsedRelease:
    text = name[:MAX_LENGTH]
    if not text.isprintable():
        text = text.translate(_CTRL)
    if "/" in text or "\\" in text:
        parts = [p.strip() for p in _PATH_SPLIT_RE.split(text)]
        parts = [p for p in parts if p]
    else:
        parts = [text.strip()]
    if not parts or not parts[0]:
        return ParsedRelease(name=name)
    main_text, ext = _strip_extension(parts[-1])
    out = _Out()
    _parse_component(main_text, out)
    if ext is not None:
        if ext in CONTAINERS:
            out.container = ext
        else:
            out.extras["extension"] = ext
    if len(parts) > 1:
        used = 0
        for part in reversed(parts[:-1]):
            if used >= 2:
                break
            if out.title is not None and (out.year is not None or out.seasons) and (
                    out.seasons or not out.episodes) and out.group is not None and out.sources:
                break
            low = part.lower()
            if low in GENERIC_FOLDERS:
                continue
            other = _Out()
            _parse_component(part, other)
            if other.title is not None and other.title.lower() in GENERIC_FOLDERS \
                    and not other.seasons:
                continue
            used += 1
            _merge(out, other)
    if out.year is None and out.seasons and _YEAR_MIN <= out.seasons[0] <= _YEAR_MAX:
        out.year = out.seasons[0]  # "Pawn.Stars.S2014E18"
    if out.group is not None:
        out.group = out.group.strip(" -.")
        if not out.group:
            out.group = None
    edition = " ".join(out.editions) or None
    return ParsedRelease(
        name=name,
        title=out.title,
        year=out.year,
        kind=_kind(out),
        seasons=tuple(out.seasons),
        episodes=tuple(out.episodes),
        absolute_episodes=tuple(out.absolute),
        air_date=out.air_date,
        episode_title=out.episode_title,
        resolution=out.resolution,
        source=_pick_source(out),
        codec=out.codec,
        audio=tuple(out.audio),
        languages=tuple(out.languages),
        subtitles=tuple(out.subtitles),
        tags=tuple(out.tags),
        edition=edition,
        service=out.service,
        country=out.country,
        container=out.container,
        group=out.group,
        website=out.website,
        extras=out.extras,
    )


def parse(name: str) -> ParsedRelease:
    """Parse a release name (or a path to a release file) into its parts.

    Never raises: an unparseable name yields a ``ParsedRelease`` with only ``name`` set.
    """
    try:
        return _parse(name)
    except Exception:  # pragma: no cover - a safety net; the tests call _parse directly
        return ParsedRelease(name=name if isinstance(name, str) else str(name))
