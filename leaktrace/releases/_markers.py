"""Season and episode markers: S01E02, S01-S03, 1x05, E05, Season 1-3, Cap.102 ..."""

from __future__ import annotations

import re
from typing import Final

from ._common import YEAR_MAX, YEAR_MIN, Out, add_int, extend
from .vocab import (
    RESOLUTION_HEIGHTS,
    ROMAN,
    SEASON_WORDS,
)

__all__ = ["E_RE", "NUMV_RE", "marker_token", "marker_words", "spaced_dash_episode"]

_SE_RE: Final = re.compile(
    r"s(\d{1,4})(?:x?e(\d{1,4})((?:[-+]?e\d{1,4}|\+\d{1,4})*))?(?:v\d)?(?:d(\d{1,2}))?$"
)
_SE_MORE_RE: Final = re.compile(r"([-+]?)e?(\d{1,4})")
_SE_EP_RE: Final = re.compile(r"\d+")
_X_RE: Final = re.compile(r"(\d{1,2})x(\d{1,3})((?:x\d{1,3})*)$")
E_RE: Final = re.compile(r"(?:e|ep|episode)(\d{1,4})(?:v\d)?$")
_WH_RE: Final = re.compile(r"(\d{3,4})x(\d{3,4})[pi]?$")
NUMV_RE: Final = re.compile(r"(\d{1,4})(?:v\d)?$")
_SEASONWORD_RE: Final = re.compile(
    r"(?:season|saison|temporada|temp|tem|stagione|staffel|series)(\d{1,2})$"
)


#: words between the ends of a range: "Seasons 1 to 3", "Temporadas 1 a 3", "Saisons 1 à 8"
_RANGE_WORDS: Final = frozenset({"to", "a", "à", "al", "bis", "do", "до", "по", "ila", "-"})


def _gap_kind(gap: str) -> str:
    """'-' for a range separator, '&' for a list separator, '.' for a plain separator."""
    core = gap.strip(" ._")
    if core in ("-", "&", ",", "+"):
        return "&" if core in ("&", ",", "+") else "-"
    return "." if not core else "?"


def spaced_dash_episode(
    gaps: list[str], lows: list[str], brs: list[int], j: int, n: int, out: Out
) -> bool:
    """After a season: `` - 03`` (a dash with spaces, then a number that is no year or
    resolution) is the episode ("Spy x Family Season 2 - 03", "2nd Season - 05")."""
    if j >= n or brs[j] != 0 or out.episodes:
        return False
    gap = gaps[j]
    low = lows[j]
    if len(gap) < 2 or gap.strip(" _") != "-" or not low.isdecimal() or len(low) > 4:
        return False
    if len(low) == 4 and YEAR_MIN <= int(low) <= YEAR_MAX or low in RESOLUTION_HEIGHTS:
        return False
    add_int(out.episodes, int(low))
    return True


def marker_words(
    gaps: list[str],
    lows: list[str],
    brs: list[int],
    i: int,
    n: int,
    out: Out,
) -> int:
    """'Season 1', 'Seasons 1-3', 'Season 1 & 2', 'Episode 5', 'Cap.102' -> tokens consumed."""
    low = lows[i]
    j = i + 1
    if j >= n or "-" in gaps[j]:
        return 0
    b = brs[i]
    if brs[j] != b:
        # "EP (01-08)", "Episode [5]": the number in a bracket right after the word
        if gaps[j].strip(" ") not in ("(", "[") or not (lows[j].isdecimal() and len(lows[j]) <= 3):
            return 0  # "Bölümler (2021)": a year, not an episode
        b = brs[j]
    nxt = lows[j]
    is_season = low in SEASON_WORDS
    m = NUMV_RE.match(nxt)
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
        add_int(out.seasons, val // 100)
        add_int(out.episodes, val % 100)
        j += 1
        if j < n and brs[j] == b and lows[j].isdecimal() and len(lows[j]) >= 3:
            extend(out.episodes, int(lows[j]) % 100, True)
            j += 1
        return j - i
    target = out.seasons if is_season else out.episodes
    add_int(target, val)
    j += 1
    if is_season and spaced_dash_episode(gaps, lows, brs, j, n, out):
        return j + 1 - i  # "Season 2 - 03": episode 3 of season 2
    while j < n and brs[j] == b:
        lj = lows[j]
        kind = _gap_kind(gaps[j])
        if lj in _RANGE_WORDS and j + 1 < n and lows[j + 1].isdecimal() and len(lows[j + 1]) <= 2:
            extend(target, int(lows[j + 1]), True)
            j += 2
            continue
        if (
            lj in ("&", "and", "+", "et", "y", "und")
            and j + 1 < n
            and lows[j + 1].isdecimal()
            and len(lows[j + 1]) <= 2
        ):
            add_int(target, int(lows[j + 1]))
            j += 2
            continue
        if not (lj.isdecimal() and len(lj) <= 2) or kind == "?":
            break
        if kind == "." and not is_season:
            break
        extend(target, int(lj), kind == "-")
        j += 1
    return j - i


def marker_token(
    gaps: list[str],
    lows: list[str],
    brs: list[int],
    i: int,
    n: int,
    out: Out,
) -> int:
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
            add_int(seasons, int(m2.group(1)))
            return 1
        s = int(m.group(1))
        e_txt = m.group(2)
        if m.group(4):
            out.extras["disc"] = str(int(m.group(4)))
        if e_txt is None:
            add_int(seasons, s)
            # S01-S03 / S01-03: season range; S01.E02 / S01 E02: season + episode
            ep_here = False  # an episode read after this season marker
            while j < n and brs[j] == brs[i]:
                gap = gaps[j]
                lj = lows[j]
                m2 = _SE_RE.match(lj)
                if gap == "-" and ep_here:
                    # "S01 EP01-08", "S02 E01-E05": the range continues the episodes
                    em = E_RE.match(lj)
                    if em is not None:
                        extend(episodes, int(em.group(1)), True)
                    elif lj.isdecimal() and len(lj) <= 3:
                        extend(episodes, int(lj), True)
                    else:
                        break
                elif gap == "-" and m2 is not None and m2.group(2) is None:
                    extend(seasons, int(m2.group(1)), True)
                elif gap == "-" and lj.isdecimal() and len(lj) <= 2:
                    extend(seasons, int(lj), True)
                elif len(gap) == 1 and (em := E_RE.match(lj)) is not None:
                    add_int(episodes, int(em.group(1)))
                    ep_here = True
                elif (
                    len(gap) > 1
                    and gap.strip(" ._") == "-"
                    and lj.isdecimal()
                    and len(lj) <= 4
                    and not episodes
                ):
                    # "[ASW] Show - S2 - 01 [1080p]"
                    add_int(episodes, int(lj))
                else:
                    break
                j += 1
            return j - i
        add_int(seasons, s)
        add_int(episodes, int(e_txt))
        more = m.group(3)
        if more:
            for part in _SE_MORE_RE.finditer(more):
                extend(episodes, int(part.group(2)), part.group(1) == "-")
        while j < n and brs[j] == brs[i]:
            gap = gaps[j]
            lj = lows[j]
            if gap == "-" or (gap in (".", " ") and lj[0] == "e"):
                em = E_RE.match(lj)
                if em is not None:
                    v = int(em.group(1))
                elif gap == "-" and lj.isdecimal() and len(lj) <= 3:
                    v = int(lj)
                else:
                    m2 = _SE_RE.match(lj)
                    if m2 is not None and m2.group(2) is not None and int(m2.group(1)) == s:
                        v = int(m2.group(2))
                    else:
                        break
                extend(episodes, v, gap == "-")
                j += 1
            elif gap in (".", " ", "_"):
                # S01E02.S01E03
                m2 = _SE_RE.match(lj)
                if m2 is None or m2.group(2) is None or int(m2.group(1)) != s:
                    break
                extend(episodes, int(m2.group(2)), False)
                j += 1
            else:
                break
        return j - i
    if c0 == "e":
        m = E_RE.match(low)
        if m is None:
            return 0
        add_int(episodes, int(m.group(1)))
        while j < n and brs[j] == brs[i] and gaps[j] == "-":
            em = E_RE.match(lows[j])
            if em is None and not (lows[j].isdecimal() and len(lows[j]) <= 3):
                break
            extend(episodes, int(em.group(1) if em else lows[j]), True)
            j += 1
        return j - i
    if c0.isdecimal():
        m = _X_RE.match(low)
        if m is None:
            m = _WH_RE.match(low)
            if m is not None and m.group(2) in RESOLUTION_HEIGHTS:
                return -1
            return 0
        add_int(seasons, int(m.group(1)))
        add_int(episodes, int(m.group(2)))
        if m.group(3):
            for x in _SE_EP_RE.findall(m.group(3)):
                extend(episodes, int(x), False)
        while j < n and brs[j] == brs[i]:
            gap = gaps[j]
            m2 = _X_RE.match(lows[j])
            if m2 is not None and gap in ("-", ".", " ", "_"):
                extend(episodes, int(m2.group(2)), gap == "-")
            elif gap == "-" and lows[j].isdecimal() and len(lows[j]) <= 3:
                extend(episodes, int(lows[j]), True)
            else:
                break
            j += 1
        return j - i
    if c0 != "t":  # the season words left ("temporada1", "temp2") start with t
        return 0
    m2 = _SEASONWORD_RE.match(low)
    if m2 is not None:
        add_int(seasons, int(m2.group(1)))
        return 1
    return 0
