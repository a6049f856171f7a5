"""`/api/v1/health`: the one route open to everyone."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.services.views import View
from leaktrace.web.policy import public

router = APIRouter(tags=["health"])


class Health(View):
    status: str


@router.get("/health", response_model=Health, dependencies=[public()])
def health() -> Health:
    """``{"status": "ok"}`` while the server answers (no authentication)."""
    return Health(status="ok")
