"""Parsing one path component: tokenize, classify, find title, year, numbers, group."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from ._common import YEAR_MAX, YEAR_MIN, Out, extend, valid_date
from ._common import is_year as _is_year
from ._markers import NUMV_RE, marker_token
from ._titles import (
    ARTICLES,
    SEP,
    join_title,
    local_first,
    multi_title,
    script_titles,
    trim_pack,
)
from ._tokens import tokenize
from ._world_markers import cjk_marker, t_marker, word_marker
from .sites import SITE_LABELS, SITES, known_site
from .vocab import (
    AMBIGUOUS_SERVICES,
    COUNTRIES,
    GROUP_SITES,
    LANG_WORDS_SUB_PREFIX,
    MARKER_WORD_FLAG,
    ORDINAL_WORDS,
    PACK_TITLE_WORDS,
    PHRASE2_FLAG,
    PHRASE3_FLAG,
    PHRASES,
    POST_SUFFIXES,
    RESOLUTION_HEIGHTS,
    ROMAN,
    STRONG_KEYS,
    TITLE_TRIM_KEYS,
    TOKEN_INFO,
    WEBSITES,
)

_INFO: Final = TOKEN_INFO.get

__all__ = ["parse_component"]

_CRC_RE: Final = re.compile(r"[0-9a-f]{8}$")
#: the years as written in ASCII (``is_year`` for ASCII names, one set lookup)
_YEARS: Final = frozenset(str(y) for y in range(YEAR_MIN, YEAR_MAX + 1))
_WIDE_DIGIT_RE: Final = re.compile(r"[^\x00-\x7f\D]")  # a non-ASCII decimal digit
_ASCII_LETTER_RE: Final = re.compile(r"[A-Za-z]")
_UNITS: Final = ("kbps", "kbits", "kbit", "mbps", "mbit", "gb", "mb", "fps", "hz", "bit", "ch")
#: bare numbers after a title that are resolutions, not episode numbers ("Title.2013.720.x264")
_BARE_RES: Final = frozenset({"480", "576", "720", "1080", "2160"})
#: weak categories a release group may collide with ("-ETRG", "-AMZN" ...)
_GROUPISH: Final = frozenset({"site", "service", "container", "res", "src", "codec", "audio"})
_TLDS: Final = frozenset(
    {
        "com",
        "org",
        "net",
        "to",
        "ru",
        "cd",
        "me",
        "info",
        "tv",
        "io",
        "cc",
        "xyz",
        "mx",
        "ag",
        "se",
        "eu",
        "biz",
        "ws",
        "lt",
        "pw",
        "in",
        "nl",
        "it",
        "fr",
        "de",
        "ch",
        "re",
        "la",
        "am",
        "lol",
        "club",
        "site",
        "top",
        "st",
        "is",
        "uk",
        "cz",
        "pl",
        "es",
        "co",
        "us",
        "tk",
        "ms",
        "example",
        "one",
        "plus",
        "app",
        "cx",
        "vip",
        "fun",
        "live",
    }
)


def parse_component(text: str, out: Out) -> None:  # noqa: C901 - one pass, kept flat for speed
    toks, lows, brs, gaps = tokenize(text)
    n = len(toks)
    if n == 0:
        return
    ascii_text = text.isascii()
    # a set lookup unless the name holds non-ASCII digits ("２０１９")
    slow_years = not ascii_text and _WIDE_DIGIT_RE.search(text) is not None
    is_year = _is_year if slow_years else _YEARS.__contains__

    # ------------------------------------------------------------ classification
    cls: list[tuple[tuple[str, str], ...] | None] = [None] * n
    strong = [False] * n
    key_at: list[str] = [""] * n
    marker = [False] * n  # season/episode/date markers
    first_marker = -1
    last_marker = -1
    seasons = out.seasons
    episodes = out.episodes

    skip_to = 0  # the tokens before it belong to a phrase or marker already read
    for i, low in enumerate(lows):
        if i < skip_to:
            continue
        info = _INFO(low)
        if info is None:
            # the common case: a title word or a plain number (neither can be a marker)
            if low.isalpha() or (low.isdecimal() and low.isascii()):
                continue
        else:
            flags = info[0]
            if (
                flags & PHRASE3_FLAG
                and i + 2 < n
                and lows[i + 1] in info[4]
                and len(gaps[i + 1]) == 1
                and len(gaps[i + 2]) == 1
                and brs[i] == brs[i + 1] == brs[i + 2]
            ):
                key = low + "." + lows[i + 1] + "." + lows[i + 2]
                entry = PHRASES.get(key)
                if entry is not None:
                    is_strong = key in STRONG_KEYS
                    for k in range(i, i + 3):
                        cls[k] = ()
                        strong[k] = is_strong
                        key_at[k] = key
                    cls[i] = entry
                    skip_to = i + 3
                    continue
            if (
                flags & PHRASE2_FLAG
                and i + 1 < n
                and lows[i + 1] in info[3]
                and len(gaps[i + 1]) == 1
                and brs[i] == brs[i + 1]
            ):
                key = low + "." + lows[i + 1]
                entry = PHRASES.get(key)
                if entry is not None:
                    is_strong = key in STRONG_KEYS
                    cls[i] = entry
                    cls[i + 1] = ()
                    strong[i] = strong[i + 1] = is_strong
                    key_at[i] = key_at[i + 1] = key
                    skip_to = i + 2
                    continue
            entry = info[1]
            if entry is not None:
                cls[i] = entry
                strong[i] = info[2]
                key_at[i] = low
                continue
            if flags & MARKER_WORD_FLAG:
                # a number (or ordinal word) before it, or a number / roman numeral after it
                prev = lows[i - 1] if i else ""
                nxt = lows[i + 1] if i + 1 < n else ""
                if (prev and (prev[0].isdecimal() or prev in ORDINAL_WORDS)) or (
                    nxt and (nxt[0].isdecimal() or nxt in ROMAN)
                ):
                    start, consumed = word_marker(gaps, lows, brs, cls, marker, i, n, out)
                    if start < i:
                        for k in range(start, i):
                            marker[k] = True
                            cls[k] = ()
                        if first_marker < 0 or start < first_marker:
                            first_marker = start
                    if consumed:
                        for k in range(i, i + consumed):
                            marker[k] = True
                            cls[k] = ()
                        if first_marker < 0:
                            first_marker = i
                        last_marker = i + consumed - 1
                        skip_to = i + consumed
                        continue
                continue
        if low.isalpha():
            consumed = 0
        elif low.endswith(_UNITS) and low[0].isdecimal():
            cls[i] = (("other", ""),)
            consumed = 0
        elif low.isascii():
            if low[0] == "t" and (consumed := t_marker(gaps, lows, brs, i, n, out)):
                pass
            elif (
                low[0] == "s"
                and i > 0
                and gaps[i] == "-"
                and key_at[i - 1]
                and PHRASES[key_at[i - 1]][0][0] == "audio"
            ):
                consumed = 0  # "E-AC3-S78": not a season
            elif (
                "x" in low
                and low[0].isdecimal()
                and i > 0
                and gaps[i] == "."
                and lows[i - 1][-1].isdecimal()
                and (len(lows[i - 1]) == 1 or "+" in lows[i - 1])
            ):
                cls[i] = (("other", ""),)  # "5.1+2.0x3", "2.0x2": audio tracks, not 0x3
                consumed = 0
            else:
                consumed = marker_token(gaps, lows, brs, i, n, out)
                if consumed < 0:
                    cls[i] = (("res", RESOLUTION_HEIGHTS[low.partition("x")[2].rstrip("pi")]),)
                    strong[i] = True
                    consumed = 0
        elif (
            i + 1 < n
            and gaps[i + 1] == "-"
            and low[-1].isdecimal()
            and cjk_marker(low + "-" + lows[i + 1], out)
        ):
            consumed = 2  # "第1-5季" (two tokens)
        else:
            consumed = 1 if cjk_marker(low, out) else 0
        if consumed:
            for k in range(i, i + consumed):
                marker[k] = True
                cls[k] = ()
            if first_marker < 0:
                first_marker = i
            last_marker = i + consumed - 1
            skip_to = i + consumed

    # ------------------------------------------------------------ daily dates
    for i in range(n - 2):
        ya = lows[i]
        if not ya.isdecimal() or marker[i]:
            continue
        yb = lows[i + 1]
        yc = lows[i + 2]
        if not (
            yb.isdecimal()
            and yc.isdecimal()
            and len(gaps[i + 1]) == 1
            and len(gaps[i + 2]) == 1
            and brs[i] == brs[i + 1] == brs[i + 2]
        ):
            continue
        d: date | None = None
        if len(ya) == 4 and len(yb) <= 2 and len(yc) <= 2:
            d = valid_date(int(ya), int(yb), int(yc))
        elif len(yc) == 4 and len(ya) <= 2 and len(yb) <= 2:
            d = valid_date(int(yc), int(yb), int(ya)) or valid_date(int(yc), int(ya), int(yb))
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
    if brs[0] != 0 and gaps[0].lstrip()[:1] in ("[", "【"):
        # a bracket group's tokens are contiguous and its number is used once
        k = brs.count(brs[0])
        content = _span(toks, gaps, 0, k - 1)
        if lows[0] == "www" or _is_site(lows, 0, k) or known_site(content):
            out.website = content.lower()
            ts = k
        elif None not in cls[:k] and True in strong[:k]:
            ts = k
        elif k < n:
            out.group = content
            anime = True
            ts = k
        # further leading brackets that are all technical: "[Grp] [BD][1080p] Title 08"
        while ts < n and brs[ts] != 0:
            k = ts + brs.count(brs[ts])
            if k >= n or None in cls[ts:k]:
                break
            ts = k
    # "site.net - Title ...": a web address before the first " - "
    if (
        ts < n
        and lows[ts] != "www"
        and "-" in "".join(gaps[ts + 2 : ts + 7])
        # a domain ending among the next tokens, or a known site's first label
        and (
            gaps[ts + 1] != "."
            or lows[ts] in SITE_LABELS
            or not _TLDS.isdisjoint(lows[ts + 1 : ts + 6])
        )
    ):
        k = ts + 1
        while k < n and k < ts + 6 and brs[k] == brs[ts] and gaps[k] in ".-":
            k += 1
        if (
            ts + 1 < k < n
            and "-" in gaps[k]
            and gaps[k - 1] == "."
            and (lows[k - 1] in _TLDS or known_site(_span(toks, gaps, ts, k - 1)))
        ):
            out.website = _span(toks, gaps, ts, k - 1).lower()
            ts = k
    if ts < n and lows[ts] == "www":
        k = ts + 1
        while k < n and brs[k] == brs[ts] and (gaps[k] == "." or gaps[k] == "-"):
            k += 1
        while k - ts > 3 and lows[k - 1] not in _TLDS:
            k -= 1  # "www.ekino-tv.pl-Title": the address ends at its domain ending
        if k - ts >= 3:
            out.website = _span(toks, gaps, ts, k - 1).lower()
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
    multi = False
    if SEP in text:
        for k in range(ts + 1, n):
            if SEP in gaps[k] and brs[k] == 0:
                multi = True
                break
    if multi:
        title_end = multi_title(gaps, toks, lows, brs, strong, marker, cls, ts, n, out)
        episodic = first_marker >= 0
    else:
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
        # the last year before limit (no marker there)
        year_idx = -1
        for k in range(ts + 1, limit):
            if is_year(lows[k]):
                year_idx = k
        if (
            year_idx >= 0
            and first_marker == limit
            and limit - year_idx > 2
            and brs[year_idx] == base_br
            and all(cls[x] is None and lows[x].isalpha() for x in range(year_idx + 1, limit))
        ):
            # "Scam 1992 The Harshad Mehta Story S01": words between the year and the episode
            # marker: the year belongs to the title
            year_idx = -1
        if year_idx < 0:
            # "Sin City (BluRay) (2005)", "Show.S01E01.2008.BluRay": a year after the title
            for k in range(limit, n):
                if (
                    is_year(lows[k])
                    and cls[k] is None
                    and (k + 1 < n or brs[k])
                    and (first_marker < 0 or brs[k] or k + 1 < n and strong[k + 1])
                ):
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
            # "1993-2004": a year range (a pack), never one wrong year
            k = year_idx - 1
            if k > ts and gaps[year_idx] == "-" and is_year(lows[k]) and lows[k] < lows[year_idx]:
                out.year_range = (int(lows[k]), out.year)
                cls[k] = ()
                title_end = min(k, title_end)
            else:
                k = year_idx + 1
                if (
                    k < n
                    and gaps[k] == "-"
                    and is_year(lows[k])
                    and lows[k] > lows[year_idx]
                    and brs[k] == brs[year_idx]
                ):
                    out.year_range = (out.year, int(lows[k]))
                    cls[k] = ()
                    marker[k] = True
            if out.year_range is not None:
                out.year = None
                out.pack = True
            # "the.flash.2014.208.hdtv": a 3-digit episode number right after the year
            k = year_idx + 1
            if (
                first_marker < 0
                and k < n
                and len(lows[k]) == 3
                and lows[k].isdecimal()
                and lows[k] not in _BARE_RES
                and lows[k][0] != "0"
                and (k + 1 >= n or cls[k + 1] is not None or brs[k + 1] != brs[k] or k + 2 < n)
                and not ("-" in gaps[k] and len(gaps[k]) > 1)  # "Title (2011) - 148": anime
            ):
                v = int(lows[k])
                seasons.append(v // 100)
                episodes.append(v % 100)
                marker[k] = True
                cls[k] = ()
                first_marker = last_marker = k
                episodic = True
            elif (
                first_marker < 0
                and k < n
                and brs[k] == 0
                and len(gaps[k]) > 1
                and "-" in gaps[k]
                and lows[k].isdecimal()
                and len(lows[k]) <= 4
                and not is_year(lows[k])
                and lows[k] not in _BARE_RES
            ):
                # "Title (2020) - 35 [1080p]": an anime absolute number after the year
                out.absolute.append(int(lows[k]))
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
                if not lk[0].isdecimal() or cls[k] is not None:
                    continue
                m = NUMV_RE.match(lk)
                if m is None or is_year(lk):
                    continue
                gap = gaps[k]
                digits = m.group(1)
                if anime:
                    if num_idx < 0:
                        num_idx = k
                    if (
                        dash_idx < 0
                        and "-" in gap
                        and not (gap == "-" and lows[k - 1].isdecimal())  # "(01-28)": a range
                    ):
                        dash_idx = k
                elif (
                    ("-" in gap and len(gap) > 1)
                    or (len(digits) == 2 and digits[0] == "0")
                    or (
                        len(digits) in (3, 4)
                        and lk.isdecimal()
                        and lk not in _BARE_RES
                        and lk[-2:] != "00"  # "Mob.Psycho.100", "UFC.300": a title number
                    )
                    or (
                        k + 2 < n
                        and gaps[k + 1] == "-"
                        and lows[k + 1].isdecimal()
                        and int(lows[k + 1]) > int(digits)  # "9-1-1" is no range
                    )
                ):
                    num_idx = k
                    break
            if dash_idx >= 0:
                num_idx = dash_idx
            if num_idx >= 0:
                lk = lows[num_idx]
                m = NUMV_RE.match(lk)
                assert m is not None
                v = int(m.group(1))
                j = num_idx + 1
                gap = gaps[num_idx]
                if (
                    not anime
                    and len(m.group(1)) in (3, 4)
                    and lk.isdecimal()
                    and v % 100 <= 60
                    and not ("-" in gap and len(gap) > 1)
                    and not (j < n and gaps[j] == "-" and lows[j].isdecimal())
                ):
                    seasons.append(v // 100)
                    episodes.append(v % 100)
                else:
                    nums = [v]
                    while (
                        j < n
                        and brs[j] == brs[num_idx]
                        and (gaps[j] == "-" or gaps[j].strip() == "~")  # "01-28", "01 ~ 12"
                        and lows[j].isdecimal()
                        and len(lows[j]) <= 4
                    ):
                        extend(nums, int(lows[j]), True)
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
            elif (
                anime
                and ts + 1 < n
                and brs[ts] == 0
                and lows[ts].isdecimal()
                and len(lows[ts]) <= 3
                and (lows[ts][0] == "0" or "-" in gaps[ts + 1])
            ):
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
            if (
                trim_any
                or (tok != tok.capitalize() and not tok.islower())
                or "." in key_at[k]
                or (key_at[k] in TITLE_TRIM_KEYS and lows[k - 1] not in ("the", "a", "an"))
            ):
                title_end -= 1
            else:
                break
        # "Local - Original (2024)", "Local (Original) 2024" in a name tagged with the local
        # language: the original is the title, the local one an alias
        if (title_end == cut and title_end < n and brs[title_end]) or "-" in "".join(
            gaps[ts + 1 : title_end]
        ):
            ts, title_end = _local_original(gaps, toks, lows, brs, cls, ts, title_end, cut, n, out)
        # "Show - Subtitle - 07": the title of an episodic name stops at its first " - "
        if episodic:
            for k in range(ts + 1, title_end):
                gap = gaps[k]
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
        if (
            not episodic
            and title_end - 1 > ts
            and lows[title_end - 1] in PACK_TITLE_WORDS
            and lows[title_end - 2] not in ARTICLES
        ):
            title_end = trim_pack(lows, ts, title_end, out)
        if ascii_text:
            out.title = join_title(gaps, toks, ts, title_end)
        else:
            script_titles(gaps, toks, ts, title_end, out)

    # ------------------------------------------------------------ release group
    skip: set[int] = set()
    floor = max(title_end, last_marker + 1, ts + 1)
    k = n - 1
    bracket_group = -1
    bracket_end = -1
    while k >= 0 and brs[k] != 0:
        e = k
        a = brs.index(brs[k])  # a bracket group's tokens are contiguous
        k = a - 1
        if (
            _is_site(lows, a, e + 1)
            or lows[a] == "www"
            or (lows[a] in SITES if a == e else known_site(_span(toks, gaps, a, e)))
        ):
            if out.website is None:
                out.website = _span(toks, gaps, a, e).lower()
            skip.update(range(a, e + 1))
        elif a == e and _CRC_RE.match(lows[a]) is not None and not lows[a].isdecimal():
            out.extras["crc32"] = toks[a].upper()
            skip.add(a)
        elif a >= floor and cls[a : e + 1].count(None) == e + 1 - a:
            if bracket_group < 0:
                bracket_group = a
                bracket_end = e
            if a > 0 and "-" in gaps[a]:
                break
        elif a < floor:
            break
        elif (
            e > a
            and cls[e] is None
            and cls[e - 1] is not None
            and not marker[e]
            and bracket_group < 0
        ):
            # "(1080p Bluray x265 HEVC 10bit AAC 7.1 Japanese Tigole)"
            bracket_group = bracket_end = e
    group_a = group_b = -1
    while (
        k > floor
        and brs[k] == 0
        and lows[k] in POST_SUFFIXES
        and "-" in gaps[k]
        and cls[k - 1] is None
    ):
        skip.add(k)
        k -= 1
    # words after the group that say nothing: "-AFG.HebSubs", "-2hd.eng", "-Belex.-.Dual.Audio"
    k2 = k
    while (
        k2 > floor
        and brs[k2] == 0
        and cls[k2] is not None
        and not strong[k2]
        and not marker[k2]
        and "-" not in gaps[k2].strip(" .")
    ):
        k2 -= 1
    if (
        k2 != k
        and k2 >= floor
        and brs[k2] == 0
        and cls[k2] is None
        and not marker[k2]
        and "-" in gaps[k2]
    ):
        k = k2
    last_cls = cls[k] if k >= 0 else None
    if (
        k >= floor
        and brs[k] == 0
        and not marker[k]
        and (last_cls is None or not strong[k] and last_cls and last_cls[0][0] in _GROUPISH)
    ):
        gap = gaps[k]
        if "-" in gap:
            group_a = k
            # "D-Z0N3", "Hive-CM8", "AlFleNi-TeaM": hyphen-joined words before the last one
            while (
                group_a - 2 >= floor
                and gaps[group_a] == "-"
                and cls[group_a - 1] is None
                and not marker[group_a - 1]
                and brs[group_a - 1] == 0
                and cls[group_a - 2] is not None
            ):
                group_a -= 1
            group_b = k
        elif k - 1 >= 0 and lows[k - 1] == "by" and cls[k] is None:
            # "DLMux by UBi"
            group_a = group_b = k
        elif (
            cls[k] is None
            and k - 1 >= 0
            and cls[k - 1] is not None
            and not marker[k - 1]
            and lows[k - 1] != "by"
            and k - 1 >= floor
            and bracket_group < 0
            and any(strong[x] for x in range(floor, k))
        ):
            # "...x264.dxva EuReKA", "720p.YIFY"
            group_a = group_b = k
    if (
        group_a < 0
        and bracket_group >= 0
        and (not anime or out.group is None or gaps[bracket_group].endswith(("-", "-[", "- [")))
    ):
        out.group = _span(toks, gaps, bracket_group, bracket_end)
        skip.update(range(bracket_group, bracket_end + 1))
    elif group_a >= 0:
        out.group = _span(toks, gaps, group_a, group_b)
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
            if is_year(lows[b]) and (b + 1 >= n or strong[b + 1]):
                break
            b += 1
        if b > a and (a == 0 or brs[a - 1] == 0 or brs[a] == 0):
            et = join_title(gaps, toks, a, b)
            if et is not None and (
                _ASCII_LETTER_RE.search(et) is not None
                if et.isascii()
                else any(c.isalpha() for c in et)
            ):
                out.episode_title = et
                for x in range(a, b):
                    cls[x] = ()
    _apply(text, toks, lows, cls, key_at, brs, ts, title_end, skip, out, n)


def _span(toks: list[str], gaps: list[str], a: int, e: int) -> str:
    """The text of tokens a..e (both included) with what lies between them."""
    if a == e:
        return toks[a]
    parts = [toks[a]]
    for k in range(a + 1, e + 1):
        parts.append(gaps[k])
        parts.append(toks[k])
    return "".join(parts)


def _is_site(lows: list[str], a: int, b: int) -> bool:
    if b - a == 1:
        return lows[a] in WEBSITES
    if b - a >= 2 and lows[b - 1] in _TLDS and lows[a] not in GROUP_SITES:
        return ".".join(lows[a:b]) in WEBSITES or lows[a] == "www" or b - a == 2
    return False


def _apply(
    text: str,
    toks: list[str],
    lows: list[str],
    cls: list[tuple[tuple[str, str], ...] | None],
    key_at: list[str],
    brs: list[int],
    ts: int,
    title_end: int,
    skip: set[int],
    out: Out,
    n: int,
) -> None:
    """Report the classified tokens outside the title."""
    sub_mode = False
    for i in range(n):
        if ts <= i < title_end:
            continue
        entry = cls[i]
        if entry == () or i in skip:  # part of a phrase or marker already read, or skipped
            continue
        if entry is None:
            low = lows[i]
            if low in LANG_WORDS_SUB_PREFIX:
                sub_mode = True
                continue
            if (
                out.resolution is None
                and low in RESOLUTION_HEIGHTS
                and i >= title_end
                and title_end > 0
            ):
                out.resolution = RESOLUTION_HEIGHTS[low]
            sub_mode = False
            continue
        key = key_at[i]
        cat0 = entry[0][0]
        for cat, val in entry:
            if cat == "res":
                if out.resolution is None:
                    out.resolution = val
            elif cat == "src":
                out.sources.append(val)
            elif cat == "codec":
                if out.codec is None:
                    out.codec = val
            elif cat == "container":
                if out.container is None:
                    out.container = val
            elif cat == "uhd":
                out.uhd = True
            elif cat == "audio":
                if val not in out.audio:
                    out.audio.append(val)
            elif cat == "lang":
                target = out.subtitles if sub_mode else out.languages
                if val not in target:
                    target.append(val)
            elif cat == "sub":
                if val not in out.subtitles:
                    out.subtitles.append(val)
            elif cat == "tag":
                if val not in out.tags:
                    out.tags.append(val)
            elif cat == "edition":
                if val not in out.editions:
                    out.editions.append(val)
            elif cat == "service":
                if key in AMBIGUOUS_SERVICES:
                    nxt = i + 1
                    while nxt < n and key_at[nxt] == key:
                        nxt += 1
                    if nxt >= n or not key_at[nxt].startswith("web"):
                        continue
                if out.service is None:
                    out.service = val
            elif cat == "site":
                if out.website is None:
                    out.website = val
        if cat0 == "lang":
            if key in LANG_WORDS_SUB_PREFIX:
                sub_mode = True
        elif cat0 == "sub" and key in LANG_WORDS_SUB_PREFIX:
            sub_mode = True
        else:
            sub_mode = False


def _languages(cls: list[tuple[tuple[str, str], ...] | None], a: int, n: int) -> set[str]:
    langs: set[str] = set()
    for x in range(a, n):
        entry = cls[x]
        if entry:
            for cat, val in entry:
                if cat == "lang":
                    langs.add(val)
    return langs


def _local_original(
    gaps: list[str],
    toks: list[str],
    lows: list[str],
    brs: list[int],
    cls: list[tuple[tuple[str, str], ...] | None],
    ts: int,
    end: int,
    cut: int,
    n: int,
    out: Out,
) -> tuple[int, int]:
    """The title span ts..end: ``Local - Original`` (one spaced dash, or the first two parts
    of an episodic name) or ``Local`` followed by ``(Original)``. When the local side is in
    the language of the name's tags (:func:`local_first`), the original becomes the title
    span and the local title an alias. Returns the (new) title span."""
    dash = -1
    nxt = end
    for k in range(ts + 1, end):
        gap = gaps[k]
        if "-" in gap and len(gap) > 1 and brs[k] == brs[ts]:
            if dash < 0:
                dash = k
            else:
                nxt = k
                break
    if dash > ts and nxt > dash:
        langs = _languages(cls, end, n)
        if langs and local_first(
            join_title(gaps, toks, ts, dash) or "", join_title(gaps, toks, dash, nxt) or "", langs
        ):
            alias = join_title(gaps, toks, ts, dash)
            if alias is not None:
                out.aliases.append(alias)
            return dash, nxt if nxt < end else end
        return ts, end
    # "Local (Original) 2024": a bracket of plain words right after the title
    if end == cut and ts < end < n and brs[end] != 0 and brs[end] != brs[ts]:
        b = brs[end]
        e = end
        while e < n and brs[e] == b:
            if cls[e] is not None or lows[e].isdecimal() and len(lows[e]) == 4:
                return ts, end
            e += 1
        if e - end >= 1 and any(c.isalpha() for c in lows[end]):
            langs = _languages(cls, e, n)
            local = join_title(gaps, toks, ts, end) or ""
            if langs and local_first(local, join_title(gaps, toks, end, e) or "", langs):
                out.aliases.append(local)
                for x in range(end, e):
                    cls[x] = ()
                return end, e
    return ts, end
