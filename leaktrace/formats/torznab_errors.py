"""Torznab / Newznab ``<error code=".." description=".."/>`` replies.

Codes below 500 (100-102 are credentials/account/privileges, 2xx/3xx bad requests) are
permanent, 500 and above (request/download limits, server trouble) transient.
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET

from leaktrace.formats.safe_xml import local_name
from leaktrace.formats.source_errors import SourceError

__all__ = ["TorznabApiError", "parse_error"]


class TorznabApiError(SourceError):
    """The indexer answered ``<error code=.. description=../>``."""

    def __init__(
        self,
        code: int | None,
        description: str,
        *,
        source: str | None = None,
        status: int | None = None,
    ) -> None:
        transient = code is None or code >= 500
        retry = 60.0 if code in (500, 501) else None
        super().__init__(
            f"indexer error {code if code is not None else '?'}: {description or 'no description'}",
            source=source,
            transient=transient,
            status=status,
            retry_after=retry,
        )
        self.code = code
        self.description = description


def parse_error(
    root: StdET.Element, *, source: str | None = None, status: int | None = None
) -> TorznabApiError | None:
    """The :class:`TorznabApiError` of an ``<error>`` document, else None."""
    if local_name(root.tag) != "error":
        return None
    raw = (root.get("code") or "").strip()
    code = int(raw) if raw.isdigit() and len(raw) < 6 else None
    description = " ".join((root.get("description") or root.text or "").split())[:300]
    return TorznabApiError(code, description, source=source, status=status)
