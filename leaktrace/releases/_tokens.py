"""The tokenizer: one regex split into tokens and the separator runs ("gaps") between them.

``tokenize(text)`` gives parallel lists: ``toks`` (the tokens as written), ``lows`` (lower-
cased), ``brs`` (the bracket group of each token: 0 outside brackets, else a number that is
the same for every token of one top-level bracket) and ``gaps`` (``n + 1`` entries:
``gaps[k]`` is the separator text before token ``k``, ``gaps[n]`` what follows the last
token). Every later step reads a gap as
``gaps[k]`` instead of slicing the text again (the text of tokens ``a..e`` is ``toks[a]``
followed by ``gaps[k] + toks[k]`` for each later ``k``).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["BRACKET_CLOSE", "BRACKET_OPEN", "Tokens", "tokenize"]

#: separators: whitespace, . - _ brackets (ASCII, full-width and CJK) and punctuation
_SEPARATORS: Final = r"\s.\-_\[\](){}/\\,;|~*\"<>=:【】「」『』《》〔〕（）［］：，、·"
_SPLIT_RE: Final = re.compile(f"([{_SEPARATORS}]+)")
#: a token holding both an ASCII letter and a CJK (U+2E80 on) character (or a few more)
_MIXED_TOKEN_RE: Final = re.compile(
    f"[A-Za-z][^{_SEPARATORS}]*[\u2e80-\U0010ffff]|[\u2e80-\U0010ffff][^{_SEPARATORS}]*[A-Za-z]"
)
#: a CJK (U+2E80 on) character that is not a separator
_CJK_RE: Final = re.compile(f"[^{_SEPARATORS}\u0000-\u2e7f]")
BRACKET_OPEN: Final = frozenset("[({【「『《〔（［")
BRACKET_CLOSE: Final = frozenset("])}】」』》〕）］")
_BRACKETS: Final = BRACKET_OPEN | BRACKET_CLOSE
_OPEN_RE: Final = re.compile("[" + re.escape("".join(sorted(BRACKET_OPEN))) + "]")


#: the separator runs that hold no bracket (the common case: no per-character scan)
_PLAIN: dict[str, bool] = {}


def _plain(gap: str) -> bool:
    got = _PLAIN.get(gap)
    if got is None:
        got = not any(c in _BRACKETS for c in gap)
        if len(gap) <= 8 and len(_PLAIN) < 4096:
            _PLAIN[gap] = got
    return got


Tokens = tuple[list[str], list[str], list[int], list[str]]


_MIXED_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9]*|[^A-Za-z]+")


def _split_mixed(tok: str) -> list[str] | None:
    """A token that glues CJK and Latin words ("流浪地球HD1080P国语中字") split at the change."""
    has_cjk = has_latin = False
    for c in tok:
        if c >= "\u2e80":
            has_cjk = True
        elif "A" <= c <= "z" and c.isalpha():
            has_latin = True
    if has_cjk and has_latin:
        return _MIXED_RE.findall(tok)
    return None


def tokenize(text: str) -> Tokens:
    # the split alternates tokens and maximal separator runs: [t0, s0, t1, s1, ..., tm];
    # only t0 and tm can be empty (a leading / trailing separator run)
    parts = _SPLIT_RE.split(text)
    toks = parts[0::2]
    gaps = parts[1::2]
    gaps.insert(0, "")
    gaps.append("")
    if not toks[-1]:
        del toks[-1], gaps[-1]
    if toks and not toks[0]:
        del toks[0], gaps[0]
    if (
        ("[" in text or "(" in text or "{" in text)
        if text.isascii()
        else _OPEN_RE.search(text) is not None
    ):
        # the bracket group of each token: the groups opened and closed by the gaps before it
        brs: list[int] = []
        depth = 0
        brid = 0
        cur = 0
        for g in gaps:
            plain = _PLAIN.get(g)
            if plain is None:
                plain = _plain(g)
            if not plain:
                for c in g:
                    if c in BRACKET_OPEN:
                        if depth == 0:
                            brid += 1
                            cur = brid
                        depth += 1
                    elif c in BRACKET_CLOSE and depth > 0:
                        depth -= 1
                        if depth == 0:
                            cur = 0
            brs.append(cur)
        del brs[-1]
    else:
        brs = [0] * len(toks)
    if (
        not text.isascii()
        and _CJK_RE.search(text) is not None
        and _MIXED_TOKEN_RE.search(text) is not None
    ):
        k = 0
        while k < len(toks):
            tok = toks[k]
            pieces = None if tok.isascii() else _split_mixed(tok)
            if pieces is not None and len(pieces) > 1:
                m = len(pieces)
                toks[k : k + 1] = pieces
                brs[k : k + 1] = [brs[k]] * m
                gaps[k + 1 : k + 1] = [""] * (m - 1)
                k += m
            else:
                k += 1
    return toks, [t.lower() for t in toks], brs, gaps
