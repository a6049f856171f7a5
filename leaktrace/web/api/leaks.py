"""`/api/v1` routes: leaks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["leaks"])
