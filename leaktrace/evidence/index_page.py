"""The bundle's ``index.html``: a printable, self-contained page for a judge.

It lists the case (status, legal basis and reference, members, subjects, tasks), every
evidence item with its SHA-256 in full and its size (items that name people marked as
personal data; shared intelligence marked with its handling restriction, H1 "not for use
in judicial proceedings without the provider's permission", H2 "not to be passed on
without permission", listed again above the items), the timeline with every entry's leaf
hash in full, the signed checkpoint and the RFC 3161 time-stamps the bundle carries
(member, size, SHA-256). It has no external resources (inline CSS, a Content-Security-
Policy that forbids loading anything) and a print stylesheet; every text from the case
is escaped (Jinja autoescape). The page is for people: the bundle's verifier never reads
it, so it proves nothing by itself; ``verify.py`` checks what it shows against the
signed log.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

from leaktrace.evidence.checkpoint import SignedTreeHead
from leaktrace.templating import html_environment

__all__ = ["render"]


@functools.cache
def _environment() -> Environment:
    return html_environment("leaktrace.evidence", filters={"when": _when, "size": _size})


def _when(value: Any) -> str:
    """An ISO 8601 / RFC 3339 text as ``2026-12-05 19:40:00 UTC`` (as given otherwise)."""
    text = "" if value is None else str(value)
    if len(text) >= 19 and text[10] == "T":
        zone = " UTC" if text.endswith(("Z", "+00:00")) else ""
        return text[:10] + " " + text[11:19] + zone
    return text


def _size(value: Any) -> str:
    """``1,234 bytes`` (exact), with a rounded figure for large files."""
    n = int(value)
    exact = f"{n:,} bytes"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{exact} ({n / scale:.1f} {unit})"
    return exact


def render(
    case: Mapping[str, Any],
    checkpoint: SignedTreeHead,
    *,
    exported_at: str,
    exported_by: str,
    exported_agency: str | None,
    key_name: str,
    consistency_from: list[int],
    timestamps: Mapping[int, bytes] | None = None,
) -> str:
    """The page. ``case`` is the JSON form of the case's detail view (``CaseDetail``:
    members, subjects, tasks, notes, evidence, timeline), taken in the export's
    transaction, so its timeline ends with the export's own entry. ``timestamps``: the
    RFC 3161 replies the bundle carries (tree size -> DER), listed with their member
    name, size and SHA-256."""
    stamps = [
        {
            "tree_size": size,
            "member": f"timestamps/{size}.tsr",
            "bytes": len(token),
            "sha256": hashlib.sha256(token).hexdigest(),
        }
        for size, token in sorted((timestamps or {}).items())
    ]
    restricted = [
        item
        for item in case.get("evidence") or []
        if isinstance(item, Mapping) and item.get("restriction")
    ]
    template = _environment().get_template("index.html.j2")
    return template.render(
        case=case,
        restricted=restricted,
        head=checkpoint,
        checkpoint_text=checkpoint.checkpoint_text(),
        exported_at=exported_at,
        exported_by=exported_by,
        exported_agency=exported_agency,
        key_name=key_name,
        consistency_from=consistency_from,
        timestamps=stamps,
    )
