"""Keyset paging and LIKE patterns shared by the store's listings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.engine import Connection, RowMapping

__all__ = ["keyset_after", "keyset_page", "like_escape"]


def like_escape(text: str) -> str:
    """``text`` for a LIKE pattern with ``\\`` as escape: ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def keyset_after(
    columns: list[ColumnElement[Any]], values: list[Any], *, descending: bool = True
) -> ColumnElement[bool]:
    """Rows after ``values`` in the order of ``columns`` (all descending, or all ascending):
    a keyset condition; the redundant bound on the first column lets the database
    range-scan an index on it."""
    clauses = [
        and_(
            *(c == v for c, v in zip(columns[:i], values[:i], strict=True)),
            columns[i] < values[i] if descending else columns[i] > values[i],
        )
        for i in range(len(columns))
    ]
    first = columns[0] <= values[0] if descending else columns[0] >= values[0]
    return and_(first, or_(*clauses))


def keyset_page(
    conn: Connection,
    query: Select[Any],
    keys: list[ColumnElement[Any]],
    after: list[Any] | None,
    limit: int,
    *,
    descending: bool = True,
) -> list[tuple[RowMapping, list[Any]]]:
    """Up to ``limit`` rows of ``query`` in the order of ``keys``, after the keyset
    ``after`` (the key values of the last row shown): each row with its key values."""
    query = query.add_columns(*(k.label(f"_k{i}") for i, k in enumerate(keys)))
    if after is not None:
        query = query.where(keyset_after(keys, after, descending=descending))
    order = [k.desc() if descending else k for k in keys]
    rows = conn.execute(query.order_by(*order).limit(limit)).mappings()
    return [(r, [r[f"_k{i}"] for i in range(len(keys))]) for r in rows]
