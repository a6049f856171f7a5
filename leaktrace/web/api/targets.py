"""`/api/v1` routes: targets."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["targets"])
