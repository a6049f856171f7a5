"""Walk a cursor-paged ``/api/v1`` listing to its end."""

from __future__ import annotations

from typing import Any

import httpx


def walk(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of the listing at ``path``, page after page (each page must be a 200)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        reply = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
