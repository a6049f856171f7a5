"""notices.explanations: why a location is unlawful, in the notice's language, from an
alert's facts or for a location given by hand; the words of every shipped language;
outside values cleaned; a user's broken format named."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import NoticeTemplateError
from leaktrace.notices.explanations import (
    EXPLANATION_KEYS,
    LeakFacts,
    hand_explanation,
    leak_explanation,
)
from leaktrace.notices.model import LANGUAGES
from leaktrace.notices.templates import _DROPPED as DROPPED
from leaktrace.notices.templates import _read_statements, _shipped_dir

FACTS = LeakFacts(
    work="Northern Lights Protocol (2026)",
    window="digital",
    window_date=date(2026, 4, 14),
    lead_days=3.25,
    source="web",
    release="Northern.Lights.Protocol.2026.1080p.WEB-DL-GRP",
    released_at=datetime(2026, 4, 10, 18, 0, tzinfo=UTC),
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_has_every_word(language: str) -> None:
    table = _read_statements(_shipped_dir() / f"statements.{language}.toml")["explanation"]
    assert set(EXPLANATION_KEYS) <= set(table)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "3.2 days before its digital release on 14 April 2026"),
        ("it", "3,2 giorni prima della sua uscita in digitale del 14 aprile 2026"),
        ("fr", "3,2 jours avant sa sortie numérique du 14 avril 2026"),
    ],
)
def test_a_leak_in_each_language(language: str, expected: str) -> None:
    text = leak_explanation(FACTS, language)
    assert expected in text
    assert FACTS.work in text and FACTS.release in text and "2026-04-10 18:00 UTC" in text  # type: ignore[operator]


def test_by_hand_and_unknowns() -> None:
    assert "Example Studios" in hand_explanation("It (2017)", "Example Studios", "en")
    assert "un'opera protetta" in hand_explanation(None, "Example Studios", "it")
    assert "celui qui en détient les droits" in hand_explanation("X", None, "fr")
    # a language without words of its own speaks English
    assert "whose distribution" in hand_explanation("X", "Y", "de")
    # a window without words of its own is named as stored
    odd = LeakFacts(**{**_fields(FACTS), "window": "festival"})  # type: ignore[arg-type]
    assert "days before its festival on" in leak_explanation(odd, "en")


def test_a_users_broken_words_are_named(tmp_path: Path) -> None:
    shipped = (_shipped_dir() / "statements.it.toml").read_text()
    (tmp_path / "statements.it.toml").write_text(shipped.replace("{days}", "{giorni}"))
    with pytest.raises(NoticeTemplateError) as error:
        leak_explanation(FACTS, "it", templates_dir=tmp_path)
    assert error.value.file == str(tmp_path / "statements.it.toml") and "leak" in str(error.value)
    lacking = shipped.replace('hand = "', 'mano = "')
    (tmp_path / "statements.it.toml").write_text(lacking)
    with pytest.raises(NoticeTemplateError, match="lacks hand"):
        hand_explanation("X", "Y", "it", templates_dir=tmp_path)


@given(st.text(max_size=80), st.text(max_size=80), st.sampled_from(LANGUAGES))
def test_outside_values_are_cleaned(work: str, release: str, language: str) -> None:
    """Titles and release names from outside: no control character and no line break
    reaches the text, and braces in them are not format fields."""
    facts = LeakFacts(**{**_fields(FACTS), "work": work, "release": release})  # type: ignore[arg-type]
    for text in (leak_explanation(facts, language), hand_explanation(work, release, language)):
        assert "\n" not in text and "\r" not in text
        assert not [c for c in text if unicodedata.category(c) in DROPPED]


def _fields(facts: LeakFacts) -> dict[str, object]:
    return {name: getattr(facts, name) for name in LeakFacts.__slots__}  # type: ignore[attr-defined]
