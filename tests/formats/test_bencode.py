"""The bencode decoder: values, strictness, bounds, the info span; and the encoder."""

from __future__ import annotations

import time

import pytest

from leaktrace.errors import InputError
from leaktrace.formats.bencode import BencodeError, decode, decode_document, encode


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b"i0e", 0),
        (b"i-42e", -42),
        (b"i9223372036854775808e", 9223372036854775808),
        (b"0:", b""),
        (b"4:spam", b"spam"),
        (b"le", []),
        (b"l4:spami3ee", [b"spam", 3]),
        (b"de", {}),
        (b"d3:bar4:spam3:fooi42ee", {b"bar": b"spam", b"foo": 42}),
        (b"d1:ald1:bleeee", {b"a": [{b"b": []}]}),
    ],
)
def test_decodes(data: bytes, value: object) -> None:
    assert decode(data) == value


@pytest.mark.parametrize(
    ("data", "reason", "offset"),
    [
        (b"", "empty", 0),
        (b"i", "truncated integer", 0),
        (b"i12", "truncated integer", 0),
        (b"ie", "empty integer", 0),
        (b"i01e", "bad integer", 0),
        (b"i-0e", "'-0'", 0),
        (b"i-e", "bad integer", 0),
        (b"i+1e", "bad integer", 0),
        (b"i 1e", "bad integer", 0),
        (b"i1_0e", "bad integer", 0),
        (b"i1.5e", "bad integer", 0),
        (b"i" + b"9" * 70 + b"e", "longer than", 0),
        (b"li" + b"9" * 5000, "longer than", 1),
        (b"01:a", "bad string length", 0),
        (b"5:abc", "only 3 bytes left", 0),
        (b"99999999999999999999999:a", "longer than", 0),
        (b"12", "truncated string length", 0),
        (b"3x:abc", "bad string length", 0),
        (b"l", "truncated", 1),
        (b"l4:spam", "truncated", 7),
        (b"d", "truncated", 1),
        (b"d1:a", "truncated", 4),
        (b"d1:ae", "key without a value", 4),
        (b"di1ei2ee", "key must be a byte string", 1),
        (b"dlei1ee", "key must be a byte string", 1),
        (b"d1:ai1e1:ai2ee", "duplicate dict key", 7),
        (b"d1:bi1e1:ai2e1:bi3ee", "duplicate dict key", 13),
        (b"i1ei2e", "trailing garbage", 3),
        (b"4:spam\n", "trailing garbage", 6),
        (b"e", "unexpected 'e'", 0),
        (b"x", "unexpected 'x'", 0),
        (b"l\xffe", "byte 0xff", 1),
    ],
)
def test_rejects(data: bytes, reason: str, offset: int) -> None:
    with pytest.raises(BencodeError) as caught:
        decode(data)
    assert reason in caught.value.reason
    assert caught.value.offset == offset
    assert caught.value.field == f"byte {offset}"
    assert isinstance(caught.value, InputError)


def test_unsorted_keys_are_accepted_and_reported_unless_strict() -> None:
    data = b"d1:bi1e1:ai2ee"
    doc = decode_document(data)
    assert doc.value == {b"b": 1, b"a": 2}
    assert doc.unsorted_at == (0,)
    assert decode_document(b"d1:ai1e1:bi2ee").unsorted_at == ()
    with pytest.raises(BencodeError, match="not sorted"):
        decode(data, strict_order=True)


def test_deep_nesting_is_a_quick_typed_error() -> None:
    started = time.perf_counter()
    for bomb in (b"l" * 100_000, b"d1:a" * 100_000, b"l" * 100_000 + b"e" * 100_000):
        with pytest.raises(BencodeError, match="nested deeper than 64"):
            decode(bomb)
    assert time.perf_counter() - started < 1.0
    assert decode(b"l" * 64 + b"e" * 64) is not None
    with pytest.raises(BencodeError):
        decode(b"l" * 65 + b"e" * 65)
    with pytest.raises(BencodeError):
        decode(b"l" * 5 + b"e" * 5, max_depth=4)


def test_item_bomb_is_refused() -> None:
    data = b"l" + b"le" * 11 + b"e"
    assert len(decode(data, max_items=12)) == 11  # type: ignore[arg-type]
    with pytest.raises(BencodeError, match="more than 11 values"):
        decode(data, max_items=11)
    with pytest.raises(BencodeError, match="more than"):
        decode(b"d" + b"".join(b"4:k%03di0e" % i for i in range(600)) + b"e", max_items=1000)


def test_info_span_is_the_exact_top_level_info_value() -> None:
    info = {"name": "x", "nested": {"info": "not me"}}
    data = encode({"announce": "a", "info": info, "zzz": {"info": 1}})
    doc = decode_document(data)
    assert doc.info_span is not None
    start, end = doc.info_span
    assert data[start:end] == encode(info)
    assert decode_document(encode({"x": {"info": {}}})).info_span is None
    assert decode_document(b"le").info_span is None
    # The raw bytes are kept even when the info dict's keys are not sorted.
    raw_info = encode({"b": 1, "a": 2}, sort_keys=False)
    data = b"d4:info" + raw_info + b"e"
    doc = decode_document(data)
    assert doc.info_span is not None
    assert data[doc.info_span[0] : doc.info_span[1]] == raw_info != encode({"a": 2, "b": 1})


def test_accepts_bytearray_and_memoryview_rejects_text() -> None:
    assert decode(bytearray(b"i1e")) == 1
    assert decode(memoryview(b"1:a")) == b"a"
    with pytest.raises(TypeError):
        decode("i1e")  # type: ignore[arg-type]


def test_encode() -> None:
    assert encode({"b": [1, "x", b"\xff"], "a": {}}) == b"d1:ade1:bli1e1:x1:\xffee"
    assert encode({"b": 1, "a": 2}, sort_keys=False) == b"d1:bi1e1:ai2ee"
    assert encode((1, -2)) == b"li1ei-2ee"
    assert encode("é") == b"2:\xc3\xa9"
    for bad in (True, 1.5, None, {1: 2}):
        with pytest.raises(TypeError):
            encode(bad)
    with pytest.raises(ValueError):
        encode({"a": 1, b"a": 2})
    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    assert encode(deep) == b"l" * 10_001 + b"e" * 10_001
