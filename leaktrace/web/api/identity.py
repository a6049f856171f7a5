"""`/api/v1` routes: identity."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["identity"])
