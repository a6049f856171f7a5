"""Dependencies every route may use: the application context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from leaktrace.services.context import AppContext

__all__ = ["Context", "get_context"]


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]
