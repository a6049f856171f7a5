"""The tokenizer: one regex split into tokens and the separator runs ("gaps") between them.

``tokenize(text)`` gives parallel lists: ``toks`` (the tokens as written), ``lows`` (lower-
cased), ``brs`` (the bracket group of each token: 0 outside brackets, else a number that is
the same for every token of one top-level bracket), ``starts`` (offset of each token in
``text``) and ``gaps`` (``n + 1`` entries: ``gaps[k]`` is the separator text before token
``k``, ``gaps[n]`` what follows the last token). Every later step reads a gap as
``gaps[k]`` instead of slicing the text again.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["BRACKET_CLOSE", "BRACKET_OPEN", "Tokens", "tokenize"]

#: separators: whitespace, . - _ brackets (ASCII, full-width and CJK) and punctuation
_SPLIT_RE: Final = re.compile(
    r"([\s.\-_\[\](){}/\\,;|~*\"<>=:【】「」『』《》〔〕（）［］：，、·]+)"
)
BRACKET_OPEN: Final = frozenset("[({【「『《〔（［")
BRACKET_CLOSE: Final = frozenset("])}】」』》〕）］")
_BRACKETS: Final = BRACKET_OPEN | BRACKET_CLOSE
#: the separator runs that hold no bracket (the common case: no per-character scan)
_PLAIN: dict[str, bool] = {}

Tokens = tuple[list[str], list[str], list[int], list[int], list[str]]


def _plain(gap: str) -> bool:
    got = _PLAIN.get(gap)
    if got is None:
        got = not any(c in _BRACKETS for c in gap)
        if len(gap) <= 3 and len(_PLAIN) < 4096:
            _PLAIN[gap] = got
    return got


def tokenize(text: str) -> Tokens:
    parts = _SPLIT_RE.split(text)
    toks: list[str] = []
    brs: list[int] = []
    starts: list[int] = []
    gaps: list[str] = []
    depth = 0
    brid = 0
    cur = 0
    pos = 0
    gap = ""
    last = len(parts) - 1
    for idx in range(0, last + 1, 2):
        tok = parts[idx]
        if tok:
            toks.append(tok)
            brs.append(cur)
            starts.append(pos)
            gaps.append(gap)
            pos += len(tok)
            gap = ""
        if idx < last:
            g = parts[idx + 1]
            pos += len(g)
            gap = gap + g if gap else g
            if not _plain(g):
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
    gaps.append(gap)
    return toks, [t.lower() for t in toks], brs, starts, gaps
