"""Downloads of case evidence, for the API and the pages alike: safe file names for an
item and a case's bundle, and the headers that make any bytes a download (never shown
inline, never sniffed, sandboxed if a browser renders them anyway)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import Response

from leaktrace.services.case_views import CaseItemView, ExportView

__all__ = ["attachment_headers", "bundle_name", "bundle_response", "download_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120
"""The longest download name kept from an item's original name."""


def download_name(item: CaseItemView) -> str:
    """A safe file name for an item's download: the original name's last path part in
    plain ASCII letters, digits, ``.``, ``_``, ``-`` (never a path, never hidden), or
    ``<kind>-<id>.json`` for a snapshot."""
    if item.original_name:
        last = re.split(r"[\\/]", item.original_name)[-1]
        ascii_name = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
        safe = _UNSAFE.sub("_", ascii_name).strip("._")[:MAX_NAME]
        if safe:
            return safe
        return f"item-{item.id}"
    return f"{_UNSAFE.sub('_', item.kind)}-{item.id}.json"


def bundle_name(case_id: int, tree_size: int) -> str:
    """``case-<id>-<tree size>.zip``: which case, and as of which entry."""
    return f"case-{case_id}-{tree_size}.zip"


def attachment_headers(name: str) -> dict[str, str]:
    """Headers that make any content a download: attachment, no sniffing, a sandbox."""
    return {
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }


def bundle_response(view: ExportView, content: bytes) -> Response:
    """An exported bundle as a zip download named after its case and tree size."""
    return Response(
        content,
        media_type="application/zip",
        headers=attachment_headers(bundle_name(view.case_id, view.tree_size)),
    )
