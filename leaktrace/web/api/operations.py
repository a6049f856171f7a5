"""`/api/v1/operations`: action days (skeleton: routes being written)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["operations"])
