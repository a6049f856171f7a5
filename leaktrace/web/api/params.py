"""Query and path parameters shared by the ``/api/v1`` routes (one declaration each, so a
bound or a description is the same wherever the parameter appears)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from leaktrace.services.paging import MAX_PAGE_SIZE

__all__ = ["MAX_ID", "Cursor", "GroupName", "Limit", "MinStrength", "Since", "Until", "WorkId"]

MAX_ID = 2**63 - 1
"""The largest stored id (64-bit): a larger one cannot exist (422, not a database error)."""

Since = Annotated[
    str | None,
    Query(max_length=64, description="From this date (YYYY-MM-DD, UTC) or ISO time on."),
]
Until = Annotated[str | None, Query(max_length=64, description="Before this date or time.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=2048, description="The previous page's next_cursor.")
]
WorkId = Annotated[str | None, Query(max_length=64, description="Work id.")]
GroupName = Annotated[str | None, Query(max_length=128, description="Release group.")]
MinStrength = Annotated[float, Query(ge=0.0, le=1.0)]
