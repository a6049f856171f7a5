"""`/api/v1` routes: swarm."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["swarm"])
