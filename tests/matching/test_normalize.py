from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.matching.normalize import normalize_title, number_tokens


def test_case_accents_punctuation() -> None:
    assert normalize_title("Amélie") == "amelie"
    assert normalize_title("  Dune:   Part Two ") == "dune part two"
    assert normalize_title("Fast & Furious 6") == "fast and furious 6"
    assert normalize_title("Schindler's List") == "schindlers list"
    assert normalize_title("Schindler’s List") == "schindlers list"
    assert normalize_title("Straße") == "strasse"
    assert normalize_title("WALL·E") == "wall e"


def test_numbers() -> None:
    assert number_tokens("toy story 3") == {"3"}
    assert number_tokens("rocky ii") == {"2"}
    assert number_tokens("blade runner 2049") == {"2049"}
    assert number_tokens("it") == frozenset()


@given(st.text(max_size=200))
def test_normalize_is_idempotent_and_ascii(text: str) -> None:
    once = normalize_title(text)
    assert once == normalize_title(once)
    assert once.isascii()
    assert "  " not in once
