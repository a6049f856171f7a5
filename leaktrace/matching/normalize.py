"""Title normalisation shared by the catalogue index and the matcher."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_title", "number_tokens"]

_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_WORD_ANY = re.compile(r"[\W_]+")
_ROMAN = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "ð": "d",
        "ı": "i",
    }
)


def normalize_title(text: str) -> str:
    """Lower-case words separated by single spaces.

    Accents are stripped (``Amélie`` → ``amelie``), ``&`` and ``+`` read ``and``,
    apostrophes vanish (``Schindler's`` → ``schindlers``), every other punctuation mark
    separates words. Letters of other scripts are kept, without their marks
    (``Мастер и Маргарита`` → ``мастер и маргарита``), so that a Russian or Chinese
    title in a name can equal a catalogue alias written the same way; an ASCII text
    gives ASCII words.
    """
    lowered = text.lower().translate(_SPECIAL)
    if not lowered.isascii():
        lowered = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(ch for ch in lowered if unicodedata.category(ch) != "Mn")
    lowered = lowered.replace("&", " and ").replace("+", " and ")
    lowered = _APOSTROPHES.sub("", lowered)
    if lowered.isascii():
        return " ".join(_NON_WORD.sub(" ", lowered).split())
    # letters of another script remain: keep them (lower-cased once more, since the
    # compatibility forms may hold capitals, e.g. ™ -> TM)
    lowered = lowered.lower().translate(_SPECIAL)
    return " ".join(_NON_WORD_ANY.sub(" ", lowered).split())


def number_tokens(normalized: str) -> frozenset[str]:
    """The numbers a normalised title contains (roman numerals as digits).

    Two titles whose numbers differ are different works (Toy Story 3 / Toy Story 4,
    Rocky II / Rocky III), however close their letters are.
    """
    found: set[str] = set()
    for word in normalized.split():
        if word.isdecimal():
            found.add(str(int(word)))
        elif word in _ROMAN and word not in ("i", "v", "x"):
            found.add(_ROMAN[word])
    return frozenset(found)
