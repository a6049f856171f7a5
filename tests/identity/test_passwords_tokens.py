"""Password hashes and the secrets handed to people."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.identity import tokens
from leaktrace.identity.passwords import check_password, hash_password, needs_rehash


def test_argon2_hash_checks_the_password() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert check_password(stored, "correct horse battery")
    assert not check_password(stored, "correct horse batterY")
    assert not needs_rehash(stored)


def test_no_hash_never_matches() -> None:
    assert not check_password(None, "anything at all")
    assert not check_password("not a hash", "anything at all")


def test_short_and_huge_passwords_are_refused() -> None:
    with pytest.raises(InputError) as short:
        hash_password("short")
    assert short.value.field == "password"
    with pytest.raises(InputError):
        hash_password("x" * 5000)
    assert not check_password(hash_password("long enough pw"), "x" * 5000)


def test_tokens_are_prefixed_random_and_hashed() -> None:
    made = {tokens.new_token() for _ in range(50)}
    assert len(made) == 50
    for token in made:
        assert token.startswith("lt_") and len(token) == 46
        assert tokens.looks_like_token(token)
        assert len(tokens.digest(token)) == 64 and token not in tokens.digest(token)
    assert not tokens.looks_like_token("abc")
    assert tokens.session_secret() != tokens.session_secret()
    assert tokens.same_secret("abc", "abc") and not tokens.same_secret("abc", "abd")


@given(st.text(max_size=300))
def test_any_presented_secret_is_handled(value: str) -> None:
    tokens.looks_like_token(value)
    assert len(tokens.digest(value)) == 64
    assert tokens.same_secret(value, value)
