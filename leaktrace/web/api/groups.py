"""`/api/v1` routes: groups."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["groups"])
