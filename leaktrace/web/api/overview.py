"""`/api/v1` routes: overview."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["overview"])
