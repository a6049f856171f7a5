"""services.case_text: the one check of free text kept in a case. Whatever text comes in
(any code point, lone surrogates from undecodable command-line bytes included) is either
kept and reads back exactly as kept, or refused with InputError naming the field - never
another exception, never a character that hides or reorders what is shown."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.config import load_settings
from leaktrace.errors import InputError
from leaktrace.services import case_items, cases
from leaktrace.services.case_text import BIDI_CONTROLS, clean_text
from leaktrace.services.context import AppContext, build_context
from tests.services.test_case_access import CaseWorld, world

ANY_TEXT = st.text(
    alphabet=st.characters(exclude_categories=()),  # surrogates too
    max_size=40,
)
"""Any string Python can hold: control characters, bidi controls, lone surrogates."""
HOSTILE = st.sampled_from(
    ["\u202e", "\u2066", "\u200f", "\u061c", "\udcff", "\ud800", "\x00", "\x1b", "\x7f"]
    + ["\u2028", "\r", "\n", "\t", "\x85", " ", "é", "\U0001f600"]
)


def _kept_text_is_clean(text: str, *, multiline: bool) -> None:
    assert text == text.strip()
    text.encode("utf-8")  # no lone surrogate
    for char in text:
        assert char not in BIDI_CONTROLS
        assert unicodedata.category(char) != "Cs"
        if unicodedata.category(char) == "Cc":
            assert multiline and char in "\n\t"


@given(value=ANY_TEXT | st.lists(HOSTILE | ANY_TEXT, max_size=6).map("".join))
@settings(max_examples=400)
def test_any_text_is_kept_clean_or_refused_naming_the_field(value: str) -> None:
    for multiline in (False, True):
        try:
            kept = clean_text(value, "note", 30, multiline=multiline)
        except InputError as refused:
            assert refused.field == "note"
            continue
        _kept_text_is_clean(kept, multiline=multiline)
        assert len(kept) <= 30
        assert clean_text(kept, "note", 30, multiline=multiline) == kept  # stable


@pytest.mark.parametrize(
    "value",
    [
        "invoice\u202egpj.exe",
        "a\u2067b",
        "lone \udcff byte",
        "\ud800",
        "nul\x00",
        "esc\x1b[31mred",
        "del\x7f",
        "next\x85line",
        "para\u2029graph",
    ],
)
def test_hostile_characters_are_refused_everywhere(value: str) -> None:
    for multiline in (False, True):
        with pytest.raises(InputError) as refused:
            clean_text(value, "title", 300, multiline=multiline)
        assert refused.value.field == "title"


def test_line_breaks_only_in_multiline_text() -> None:
    assert clean_text("  a\r\nb\rc\td  ", "text", 100, multiline=True) == "a\nb\nc\td"
    for value in ("a\nb", "a\tb", "a\rb"):
        with pytest.raises(InputError):
            clean_text(value, "title", 100)
    with pytest.raises(InputError, match="must not be empty"):
        clean_text(" \n ", "text", 100, required=True, multiline=True)
    assert clean_text(None, "reference", 10) == ""
    with pytest.raises(InputError, match="at most 3"):
        clean_text("abcd", "reference", 3)


@pytest.fixture(scope="module")
def case_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseWorld]:
    folder: Path = tmp_path_factory.mktemp("case-text")
    with build_context(load_settings(db=str(folder / "text.db"))) as context:
        yield world(context)


@given(text=ANY_TEXT | st.lists(HOSTILE | ANY_TEXT, max_size=5).map("".join))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_case_services_keep_text_exactly_or_refuse_it(case_world: CaseWorld, text: str) -> None:
    """Through the services and the database: a note, a subject, a task, a reason and a
    file name either read back exactly as checked or are refused (InputError, with the
    field) and write nothing."""
    ctx: AppContext = case_world.ctx
    w = case_world
    before = cases.show_case(ctx, w.lead, w.case_id).tree_size
    written = 0
    try:
        note = cases.add_note(ctx, w.lead, w.case_id, text)
        written += 1
        assert note.text == clean_text(text, "text", 10_000, multiline=True)
    except InputError as refused:
        assert refused.field == "text"
    try:
        task = cases.add_task(ctx, w.lead, w.case_id, text)
        written += 1
        assert task.title == clean_text(text, "title", 300)
    except InputError as refused:
        assert refused.field == "title"
    try:
        item = case_items.add_file(
            ctx, w.lead, w.case_id, name=text or "x", content=io.BytesIO(b"evidence"), reason=text
        )
        written += 1
        assert item.original_name is not None and item.reason == clean_text(
            text, "reason", 2000, multiline=True
        )
    except InputError as refused:
        assert refused.field in ("name", "reason")
    detail = cases.show_case(ctx, w.lead, w.case_id)
    assert detail.tree_size == before + written
    for shown in [n.text for n in detail.notes] + [t.title for t in detail.tasks]:
        shown.encode("utf-8")
