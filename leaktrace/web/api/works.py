"""`/api/v1` routes: works."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["works"])
