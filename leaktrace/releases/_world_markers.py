"""Season and episode markers of names from outside the scene: numbers before the word
(``3 сезон``, ``2ª Temporada``, ``2nd Season``, ``1.Sezon 5.Bölüm``, ``1-8 серии из 10``),
totals (``Серии: 1-8 из 10`` -> episodes 1..8, ``extras["episodes_total"] = "10"``), CJK and
Korean numbering (``第2季``, ``第05集``, ``第1-10集``, ``第3話``, ``2期``, ``시즌2``, ``1화``,
``全10集``) and ``T02E05``.
"""

from __future__ import annotations

import re
from typing import Final

from ._common import Out, add_int, extend
from ._markers import marker_words, spaced_dash_episode
from .vocab import EPISODE_WORDS, ORDINAL_WORDS, SEASON_WORDS, TOTAL_WORDS

__all__ = ["cjk_marker", "t_marker", "word_marker"]

_ORD_RE: Final = re.compile(r"(\d{1,3})(?:st|nd|rd|th|ª|º|°|er|e|ème|eme|a|o|η)?$")
_T_RE: Final = re.compile(r"t(\d{1,2})e(\d{1,3})(?:-?e?(\d{1,3}))?$")
_T_SEASON_RE: Final = re.compile(r"t(\d\d)$")
_CJK_RE: Final = re.compile(
    r"(?:第|全)?([0-9０-９]{1,4})(?:[-~～到至]([0-9０-９]{1,4}))?"
    r"(季|期|集|话|話|화|회)(?:全)?$"
)
_CJK_PREFIX_RE: Final = re.compile(r"(?:시즌|season)([0-9]{1,2})$")
_SEASON_CJK: Final = frozenset("季期")


def _claimed(lows: list[str], gaps: list[str], brs: list[int], j: int, n: int) -> bool:
    """Is the number at j the before-number of a later marker word ("1 сезон 5 серия")?"""
    b = brs[j]
    j += 1
    if j < n and gaps[j] == "-" and lows[j].isdecimal() and brs[j] == b:
        j += 1
    return j < n and brs[j] == b and (lows[j] in SEASON_WORDS or lows[j] in EPISODE_WORDS)


def word_marker(
    gaps: list[str],
    lows: list[str],
    brs: list[int],
    cls: list[tuple[tuple[str, str], ...] | None],
    marker: list[bool],
    i: int,
    n: int,
    out: Out,
) -> tuple[int, int]:
    """A season/episode word at i: (first marker token, tokens consumed from i on).

    A number before the word must be unclassified (``cls[k] is None``, not a marker)."""
    low = lows[i]
    is_season = low in SEASON_WORDS
    start = i
    nums: list[int] = []
    ordinal = False
    k = i - 1
    if (
        k >= 0
        and (cls[k] is None and not marker[k])
        and lows[k] in ORDINAL_WORDS
        and "-" in gaps[k]
        and k > 0
    ):
        k -= 1  # "2-й сезон"
        ordinal = True
    if (
        k >= 0
        and (cls[k] is None and not marker[k])
        and brs[k] == brs[i]
        and "\x1f" not in gaps[k + 1]
    ):
        m = _ORD_RE.match(lows[k])
        if m is not None:
            ordinal = ordinal or not lows[k].isdecimal() or "." in gaps[k + 1]
            nums.append(int(m.group(1)))
            start = k
            # "1-8 серии": a range before the word
            if (
                k >= 1
                and gaps[k] == "-"
                and (cls[k - 1] is None and not marker[k - 1])
                and lows[k - 1].isdecimal()
                and len(lows[k - 1]) <= 3
                and brs[k - 1] == brs[k]
                and int(lows[k - 1]) < nums[0]
            ):
                nums.insert(0, int(lows[k - 1]))
                start = k - 1
    if nums:
        j = i + 1
        after = (
            j < n
            and brs[j] == brs[i]
            and lows[j].isdecimal()
            and "-" not in gaps[j]
            and not _claimed(lows, gaps, brs, j, n)
        )
        if after and not (ordinal or not low.isascii()):
            nums = []
            start = i
    if not nums:
        return i, marker_words(gaps, lows, brs, i, n, out)
    target = out.seasons if is_season else out.episodes
    add_int(target, nums[0])
    if len(nums) > 1:
        extend(target, nums[1], True)
    j = i + 1
    if (
        j + 1 < n
        and lows[j] in TOTAL_WORDS
        and lows[j + 1].isdecimal()
        and brs[j + 1] == brs[i]
        and not is_season
    ):
        out.extras["episodes_total"] = str(int(lows[j + 1]))
        j += 2
    if is_season and spaced_dash_episode(gaps, lows, brs, j, n, out):
        j += 1  # "2nd Season - 05"
    return start, j - i


def t_marker(gaps: list[str], lows: list[str], brs: list[int], i: int, n: int, out: Out) -> int:
    """``T02E05`` (Spanish/Portuguese temporada + episodio), ``T2E05-E06``; a season alone
    written with two digits, not first: ``T01``, ``T01-T03`` -> tokens consumed."""
    low = lows[i]
    m = _T_RE.match(low)
    if m is None:
        m2 = _T_SEASON_RE.match(low)
        if m2 is None or i == 0:
            return 0
        add_int(out.seasons, int(m2.group(1)))
        j = i + 1
        if j < n and gaps[j] == "-" and brs[j] == brs[i]:
            m3 = _T_SEASON_RE.match(lows[j])
            if m3 is not None:
                extend(out.seasons, int(m3.group(1)), True)
                j += 1
        return j - i
    add_int(out.seasons, int(m.group(1)))
    add_int(out.episodes, int(m.group(2)))
    if m.group(3):
        extend(out.episodes, int(m.group(3)), True)
    return 1


def cjk_marker(low: str, out: Out) -> bool:
    """One CJK or Korean numbering token: ``第2季`` ``第05集`` ``第1-10集`` ``全10集`` ``시즌2``."""
    m = _CJK_RE.search(low)
    if m is None:
        m2 = _CJK_PREFIX_RE.search(low)
        if m2 is None:
            return False
        add_int(out.seasons, int(m2.group(1)))
        return True
    unit = m.group(3)
    a = int(m.group(1))
    b = m.group(2)
    if unit in _SEASON_CJK:
        add_int(out.seasons, a)
        if b is not None:
            extend(out.seasons, int(b), True)
        return True
    if low.startswith("全") or m.group(0).startswith("全"):
        # "全10集": all ten episodes (a complete season)
        out.extras["episodes_total"] = str(a)
        return True
    add_int(out.episodes, a)
    if b is not None:
        extend(out.episodes, int(b), True)
    return True
