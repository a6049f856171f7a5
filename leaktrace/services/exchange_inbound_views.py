"""What ``exchange pull``, ``exchange push`` and ``exchange import`` report (one JSON form for
``--format json``)."""

from __future__ import annotations

from typing import Literal

from leaktrace.services.views import View

__all__ = ["ImportView", "PullView", "PushView", "Refused"]


class Refused(View):
    """One object not stored or not sent, and why."""

    where: str
    """``page 2, objects[5]``, ``objects[3]`` or the object's id."""
    stix_id: str | None = None
    reason: str


class PullView(View):
    """One ``exchange pull`` run (or one poll of a ``taxii`` watch source)."""

    kind: Literal["pull"] = "pull"
    url: str
    """The peer's API root."""
    collection: str
    """The peer collection's id."""
    into: str
    """The local collection (its title)."""
    agency: str | None
    """The receiving agency's code (owner of what was stored); None: owned by nobody."""
    added_after_from: str | None
    """The checkpoint the run started from (None: from the beginning)."""
    checkpoint: str | None
    """The last ``X-TAXII-Date-Added-Last`` committed (where the next run starts)."""
    pages: int
    received: int
    stored: int
    already_present: int
    refused: int
    refusals: list[Refused]
    """The first refused objects (at most 50), with where and why."""
    hidden_without_agency: int = 0
    """Stored TLP:RED / AMBER+STRICT objects nobody can see (pulled without ``--agency``)."""
    warnings: list[str]


class PushView(View):
    """One ``exchange push`` run."""

    kind: Literal["push"] = "push"
    url: str
    collection: str
    """The peer collection's id."""
    source: str
    """The local collection (its title)."""
    agency: str
    """Whose eyes chose the objects (codes: the pushing agency)."""
    envelopes: int
    candidates: int
    """Rows of the local collection the agency may see."""
    sent: int
    accepted: int
    """Objects the peer's status resources count as successes."""
    failed: int
    """Objects the peer's status resources count as failures."""
    pending: int
    skipped: int
    """Objects not sent (RED / AMBER+STRICT, refused by a re-publication rule, too big)."""
    skips: list[Refused]
    """The first skipped objects (at most 50), with why."""
    skipped_by_rule: dict[str, int] = {}
    """How many were skipped by each rule: ``red``, ``amber+strict``, ``restricted``,
    ``tlp`` (received under a stricter level), ``h2``, ``support`` (needed only by skipped
    objects), ``too-large``."""
    status_ids: list[str]
    warnings: list[str]


class ImportView(View):
    """One ``exchange import`` of a STIX bundle file."""

    kind: Literal["import"] = "import"
    file: str
    into: str
    agency: str | None
    bundle_id: str | None
    received: int
    stored: int
    already_present: int
    hidden_without_agency: int = 0
    warnings: list[str]
