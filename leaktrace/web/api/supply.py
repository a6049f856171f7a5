"""`/api/v1` routes: supply."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["supply"])
