"""RFC 8785 (JCS) canonical JSON: the exact bytes an evidence entry or a tree head is."""

from __future__ import annotations

from typing import Any

import rfc8785

from leaktrace.errors import InputError

__all__ = ["canonical_json"]


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 form of ``value`` (dicts, lists, str, int, float,
    bool, None). Values JSON cannot hold raise :class:`InputError`."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InputError(f"cannot be written as canonical JSON: {exc}") from None
