"""Read models: what services return, serialised one way for ``--format json``, the API
and (from issue 12) STIX.

Every read model is a frozen pydantic model deriving from :class:`View`; its JSON is
``view.to_json()`` (the API returns the same models, so the shapes are the same).
Area-specific views live next to their services (``leaktrace.services.<area>``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Page", "View"]


class View(BaseModel):
    """Base of every read model."""

    model_config = ConfigDict(frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The one JSON form of this view."""
        return self.model_dump(mode="json")


T = TypeVar("T", bound=View)


class Page(View, Generic[T]):
    """One page of a listing: the items, the cursor of the next page (None at the end)
    and, when asked for, how many items match in all."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None
