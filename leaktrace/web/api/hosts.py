"""`/api/v1` routes: hosts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["hosts"])
