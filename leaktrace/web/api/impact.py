"""`/api/v1` routes: impact."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["impact"])
