"""The one check of free text that goes into a case: titles, legal bases, references,
subjects, notes, reasons, task titles, finding references.

Such text ends up in the evidence log (hashed, signed, shown to a court in
``index.html``), in terminals and in web pages. So it must be text that shows as what it
is: no control characters (a terminal escape, a NUL that PostgreSQL refuses), no lone
surrogates (what Python makes of bytes that are not UTF-8 on the command line; they
cannot be stored or hashed as UTF-8), no characters that reverse how the text around them
is shown (``U+202E``: ``invoice\\u202egpj.exe``), and a bounded length. Multi-line text
(notes, legal bases, reasons) may hold line breaks and tabs; ``\\r\\n`` and ``\\r`` become
``\\n`` (what a browser's text area sends). OWNER: cases helper (F1).
"""

from __future__ import annotations

import unicodedata

from leaktrace.errors import InputError

__all__ = [
    "BIDI_CONTROLS",
    "MAX_LEGAL_BASIS",
    "MAX_NOTE",
    "MAX_REASON",
    "MAX_REFERENCE",
    "MAX_SUBJECT",
    "MAX_TITLE",
    "clean_text",
    "refused_character",
]

MAX_TITLE = 300
"""A case's or a task's title."""
MAX_LEGAL_BASIS = 10_000
MAX_REFERENCE = 200
"""A case's own reference (the file number at the agency)."""
MAX_SUBJECT = 300
MAX_NOTE = 10_000
MAX_REASON = 2_000
"""Why an item was added or a status changed."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that change the direction text is shown in (Unicode's explicit
directional formatting characters and marks)."""

_LINE_SEPARATORS = frozenset("\u2028\u2029\x85")
"""Line breaks other than ``\\n``: refused everywhere (multi-line text uses ``\\n``)."""


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be kept (its first refused character, in words), or None."""
    allowed = "\n\t" if multiline else ""
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cs":
            return f"is not valid Unicode text (a lone surrogate at position {position})"
        if char in BIDI_CONTROLS:
            return (
                f"must not contain direction-changing characters "
                f"(U+{ord(char):04X} at position {position})"
            )
        if char in _LINE_SEPARATORS or (category == "Cc" and char not in allowed):
            kind = "control characters" if multiline else "control characters or line breaks"
            return f"must not contain {kind} (U+{ord(char):04X} at position {position})"
    return None


def clean_text(
    value: str | None,
    field: str,
    limit: int,
    *,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """``value`` (None: empty) with surrounding white space removed, checked: at most
    ``limit`` characters, not empty when ``required``, nothing :func:`refused_character`
    refuses. InputError naming ``field`` otherwise (never any other exception)."""
    text = value or ""
    if not isinstance(text, str):
        raise InputError("must be text", field=field)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if required and not text:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"at most {limit} characters", field=field)
    problem = refused_character(text, multiline=multiline)
    if problem is not None:
        raise InputError(problem, field=field)
    return text
