"""Why a location is unlawful, in the notice's language: the substantiated explanation of
DSA Article 16(2)(a) (and the description of each location in a DMCA notice).

The words are format strings in the ``[explanation]`` table of
``statements.<language>.toml`` (shipped; a user's file of the same name in
``notices.templates_dir`` may carry its own ``[explanation]``, else the shipped one is
used):

``leak``
    a pre-release leak, from the alert's facts: ``{work}``, ``{release}``, ``{source}``,
    ``{released}`` (``YYYY-MM-DD HH:MM UTC``), ``{days}`` (days early, one decimal in the
    language's writing), ``{window}`` (the words of ``window_<name>``) and
    ``{window_date}`` (the date in words);
``hand``
    a location given by hand: ``{work}`` and ``{holder}`` (the rights holder);
``window_theatrical``, ``window_digital``, ``window_physical``, ``window_broadcast``
    the release windows;
``unknown_work``, ``rights_holder``
    the words used when the work or the rights holder is not known.

Values from outside (titles, release names) go through
:func:`leaktrace.notices.templates.clean_text`. A format string naming an unknown field
or with an unbalanced brace is a :class:`~leaktrace.errors.NoticeTemplateError` naming
the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from leaktrace.errors import NoticeTemplateError
from leaktrace.notices.templates import (
    _day,
    _moment,
    _read_statements,
    _shipped_dir,
    _statements_file,
    clean_text,
)

__all__ = ["EXPLANATION_KEYS", "LeakFacts", "hand_explanation", "leak_explanation"]

SECTION = "explanation"
EXPLANATION_KEYS = (
    "leak",
    "hand",
    "window_theatrical",
    "window_digital",
    "window_physical",
    "window_broadcast",
    "unknown_work",
    "rights_holder",
)
_COMMA_DECIMALS = ("it", "fr", "de", "es", "pt", "nl")


@dataclass(frozen=True, slots=True)
class LeakFacts:
    """What an alert says of a leak: the copy, and the window it came before."""

    work: str
    """The work's title and year."""
    window: str
    """``theatrical``, ``digital``, ``physical`` or ``broadcast``."""
    window_date: date
    lead_days: float
    source: str | None
    release: str | None
    released_at: datetime


def _words(language: str, templates_dir: Path | None) -> tuple[dict[str, str], Path]:
    """The ``[explanation]`` table of the language (the user's file when it has one,
    else the shipped file of the language, else the shipped English) and its file."""
    for path in (
        _statements_file(language, templates_dir),
        _shipped_dir() / f"statements.{language}.toml",
        _shipped_dir() / "statements.en.toml",
    ):
        if not path.is_file():
            continue
        table = _read_statements(path).get(SECTION)
        if table:
            lacking = [key for key in EXPLANATION_KEYS if key not in table]
            if lacking:
                raise NoticeTemplateError(
                    f"[{SECTION}] in {path.name} lacks " + ", ".join(lacking), file=str(path)
                )
            return table, path
    raise NoticeTemplateError(
        f"no [{SECTION}] words for language {language!r}", file=f"statements.{language}.toml"
    )


def _fill(text: str, key: str, path: Path, **values: str) -> str:
    try:
        return clean_text(text.format(**values))
    except (KeyError, IndexError, ValueError) as exc:
        raise NoticeTemplateError(
            f"[{SECTION}] {key}: the text names a field it may not use or has an unbalanced "
            f"brace ({exc})",
            file=str(path),
        ) from None


def _days(value: float, language: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if language.split("-")[0] in _COMMA_DECIMALS else text


def leak_explanation(facts: LeakFacts, language: str, *, templates_dir: Path | None = None) -> str:
    """Why a copy seen before its window is unlawful, in ``language``."""
    words, path = _words(language, templates_dir)
    window = words.get(f"window_{facts.window}", facts.window)
    return _fill(
        words["leak"],
        "leak",
        path,
        work=clean_text(facts.work),
        release=clean_text(facts.release or ""),
        source=clean_text(facts.source or ""),
        released=_moment(facts.released_at),
        days=_days(facts.lead_days, language),
        window=window,
        window_date=_day(facts.window_date, language),
    )


def hand_explanation(
    work: str | None,
    holder: str | None,
    language: str,
    *,
    templates_dir: Path | None = None,
) -> str:
    """Why a location given by hand is unlawful, in ``language``."""
    words, path = _words(language, templates_dir)
    return _fill(
        words["hand"],
        "hand",
        path,
        work=clean_text(work) if work else words["unknown_work"],
        holder=clean_text(holder) if holder else words["rights_holder"],
    )
