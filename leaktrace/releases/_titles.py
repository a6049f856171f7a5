"""Titles: joining tokens back into a title, names with several titles, pack words.

A multi-title name separates its titles with `` / `` (read as the separator ``\\x1f`` by
the parser: ``Русское / Original / Сезон: 1 / ...``). Each segment gives one title (its
tokens up to a bracket, a technical token, a season/episode marker or a final year); the
titles stop at the first segment that starts with something else (``/ 2024 /``,
``/ Сезон: 1 /``). The title is the last one not written in another script (the
original title as catalogues list it: ``Wiedźmin / The Witcher``, ``24 часа / 24``), else the
first one; the others are ``aliases``, in name order. A
trailing pack word (``Trilogy``, ``Коллекция``, ``Complete`` ...) is cut from a title and
makes the name a pack.
"""

from __future__ import annotations

import re

from ._common import Out, is_year
from .vocab import PACK_TITLE_WORDS

__all__ = [
    "ARTICLES",
    "SEP",
    "is_latin",
    "join_title",
    "multi_title",
    "norm",
    "script_titles",
    "trim_pack",
]

#: what `` / `` between titles becomes before tokenizing (a whitespace character)
SEP = "\x1f"

#: words before a pack word that make it part of the title ("The Collection")
ARTICLES = frozenset(
    {"the", "a", "an", "la", "el", "le", "les", "los", "las", "die", "der", "das", "il"}
)

Cls = list[tuple[tuple[str, str], ...] | None]

#: a character that may be a Latin letter / a letter of another script (supersets of
#: ``isalpha()`` below / from U+0250: a title without one of them is in one script)
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00aa-\u024f]")
_OTHER_LETTER_RE = re.compile(r"[^\W\d_\x00-\u024f]")


def join_title(gaps: list[str], toks: list[str], a: int, b: int) -> str | None:
    """Rebuild a title from tokens a..b-1: separators become spaces, ``S.H.I.E.L.D`` and
    ``Spider-Man`` survive, ``Title: Subtitle`` keeps its colon."""
    if a >= b:
        return None
    parts = [toks[a]]
    acronym = False
    prev = toks[a]
    for k in range(a + 1, b):
        gap = gaps[k]
        tok = toks[k]
        if gap == ".":
            if len(tok) == 1 and len(prev) == 1 and tok.isalpha() and prev.isalpha():
                parts.append(".")
                acronym = True
            else:
                parts.append(" ")
                acronym = False
        elif gap == " ":
            parts.append(" ")
            acronym = False
        elif gap == "-":
            parts.append("-")
        elif "-" in gap and (" " in gap or "_" in gap or "." in gap):
            parts.append(" - ")
        elif gap[:1] == ":":
            parts.append(": ")
        else:
            parts.append(" ")
            acronym = False
        parts.append(tok)
        prev = tok
    if acronym and gaps[b][:1] == ".":
        parts.append(".")
    title = "".join(parts).strip(" -:&+#")
    return title or None


def is_latin(text: str) -> bool:
    """Most letters of text are Latin (ASCII or Latin accented letters)."""
    if _OTHER_LETTER_RE.search(text) is None:  # no letter of another script
        return _LATIN_LETTER_RE.search(text) is not None and any(c.isalpha() for c in text)
    if _LATIN_LETTER_RE.search(text) is None:  # no Latin letter
        return False
    latin = other = 0
    for c in text:
        if c.isalpha():
            if c < "\u0250":
                latin += 1
            else:
                other += 1
    return latin > other


_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def norm(text: str) -> str:
    """text case-folded, its letters and digits only (``\\w`` is ``isalnum()`` plus ``_``)."""
    return _NOT_ALNUM_RE.sub("", text.casefold())


def trim_pack(lows: list[str], a: int, b: int, out: Out) -> int:
    """Cut trailing pack words from tokens a..b-1 (keeping at least one): the new end."""
    while b - 1 > a and lows[b - 1] in PACK_TITLE_WORDS:
        out.pack = True
        b -= 1
    return b


def multi_title(
    gaps: list[str],
    toks: list[str],
    lows: list[str],
    brs: list[int],
    strong: list[bool],
    marker: list[bool],
    cls: Cls,
    ts: int,
    n: int,
    out: Out,
) -> int:
    """Titles of a name with `` / `` separators; sets title, aliases, year (or year range)
    and returns the end of the title tokens."""
    segs: list[tuple[int, int]] = []
    k = ts
    end = ts
    while k < n:
        e = k + 1
        while e < n and not (brs[e] == 0 and SEP in gaps[e]):
            e += 1
        if brs[k] != 0 or strong[k] or marker[k] or (segs and is_year(lows[k])):
            break
        b = k + 1
        while b < e and brs[b] == brs[k] and not strong[b] and not marker[b]:
            if is_year(lows[b]) and (b + 1 == e or brs[b + 1] != brs[k] or strong[b + 1]):
                break
            b += 1
        b = trim_pack(lows, k, b, out)
        segs.append((k, b))
        end = b
        k = e
    titles: list[str] = []
    for a, b in segs:
        t = join_title(gaps, toks, a, b)
        if t is not None:
            titles.append(t)
        for x in range(a, b):
            cls[x] = ()
    if not titles:
        return end
    # "Local / Original": the last title that is not in another script
    pick = 0
    for x, t in enumerate(titles):
        if is_latin(t) or not any(c.isalpha() for c in t):
            pick = x
    out.title = titles[pick]
    seen = {norm(titles[pick])}
    aliases: list[str] = []
    for x, t in enumerate(titles):
        key = norm(t)
        if x != pick and key not in seen:
            seen.add(key)
            aliases.append(t)
    out.aliases = aliases
    # the year: the first year-like token outside the titles ("[2024, ...]", "/ 2024 /")
    inside: set[int] = set()
    for a, b in segs:
        inside.update(range(a, b))
    for x in range(ts, n):
        if x not in inside and not marker[x] and is_year(lows[x]) and cls[x] is None:
            nx = x + 1
            if nx < n and gaps[nx] == "-" and is_year(lows[nx]) and lows[nx] > lows[x]:
                out.year_range = (int(lows[x]), int(lows[nx]))
                out.pack = True
                cls[nx] = ()
            else:
                out.year = int(lows[x])
            cls[x] = ()
            break
    return end


def _script(tok: str) -> bool | None:
    """True for a Latin word, False for another script, None without letters."""
    if tok.isascii():
        # an ASCII letter changes with case
        return True if tok.lower() != tok.upper() else None
    if tok.isalpha():  # letters only: all below U+0250 (Latin) or all above
        if max(tok) < "\u0250":
            return True
        if min(tok) >= "\u0250":
            return False
    latin = other = 0
    for c in tok:
        if c.isalpha():
            if c < "\u0250":
                latin += 1
            else:
                other += 1
    if latin == other == 0:
        return None
    return latin > other


def script_titles(gaps: list[str], toks: list[str], a: int, b: int, out: Out) -> None:
    """A title span that changes script ("流浪地球.The.Wandering.Earth"): the Latin run is the
    title, the runs in other scripts are aliases."""
    title = join_title(gaps, toks, a, b)
    if (
        title is None
        or _LATIN_LETTER_RE.search(title) is None
        or _OTHER_LETTER_RE.search(title) is None
    ):
        out.title = title  # one script only (the common case)
        return
    runs: list[tuple[bool, int, int]] = []
    cur: bool | None = None
    start = a
    for k in range(a, b):
        lat = _script(toks[k])
        if lat is None:
            continue
        if cur is None:
            cur = lat
        elif lat != cur:
            runs.append((cur, start, k))
            start = k
            cur = lat
    if cur is None or not runs:
        out.title = join_title(gaps, toks, a, b)
        return
    runs.append((cur, start, b))
    pick = 0
    for x, (lat, _, _) in enumerate(runs):
        if lat:
            pick = x
            break
    out.title = join_title(gaps, toks, runs[pick][1], runs[pick][2])
    for x, (_, ra, rb) in enumerate(runs):
        if x != pick:
            t = join_title(gaps, toks, ra, rb)
            if t is not None and t not in out.aliases:
                out.aliases.append(t)


#: function words of the languages whose releases write "Local - Original (Year)"; a title
#: holding more of them (or accented letters) than the other is the local one
LOCAL_WORDS: dict[str, frozenset[str]] = {
    "it": frozenset(
        "il lo la i gli le un una uno di del della dello dei degli delle da dal dalla e ed "
        "al alla ai in nel nella con per tra fra non mi ti si ci che chi come".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas de del y e al en con por para sin que mi tu su".split()
    ),
    "fr": frozenset(
        "le la les l un une des de du d et au aux en dans sur sous pour par avec sans qui".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einer eines und im zur zum von vom mit auf aus "
        "nach bei für über unter".split()
    ),
    "pt": frozenset("o a os as um uma de do da dos das e em no na com por para".split()),
    "tr": frozenset("ve ile bir bu şu o da de ki için gibi mi".split()),
}
#: English function words (those that are no local function word of the name's language)
ENGLISH_WORDS: frozenset[str] = frozenset(
    "the of a an and to in on for with from at by my your his her its our their out over "
    "into up who what is are".split()
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_ACCENTED_RE = re.compile(r"[\u0080-\u024f]")


def _evidence(text: str, local: frozenset[str]) -> tuple[int, int]:
    """(local evidence, English evidence) of a title: local function words and accented
    Latin letters; English function words that are no local word."""
    words = _WORD_RE.findall(text.lower())
    loc = sum(1 for w in words if w in local)
    loc += sum(1 for c in _ACCENTED_RE.findall(text) if c.isalpha())
    eng = sum(1 for w in words if w in ENGLISH_WORDS and w not in local)
    return loc, eng


def local_first(local_text: str, other_text: str, languages: set[str]) -> bool:
    """Is ``local_text`` the local title and ``other_text`` the original, for a name tagged
    with ``languages``? Only for a language in :data:`LOCAL_WORDS`; the local side must show
    more of that language than the other, and the other at least as much English."""
    for lang in languages:
        local = LOCAL_WORDS.get(lang)
        if local is None:
            continue
        loc_a, eng_a = _evidence(local_text, local)
        loc_b, eng_b = _evidence(other_text, local)
        if loc_a > loc_b and eng_b >= eng_a:
            return True
    return False
