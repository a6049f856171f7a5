"""`/api/v1/operations/{id}/events`: an action day's live events, as server-sent events
(skeleton: route being written)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["operations"])
