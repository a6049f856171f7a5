"""Parse, match and detect: what LeakTrace concludes about one release name."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from leaktrace.catalog.model import Work
from leaktrace.detect.detector import Opening, Verdict, judge_time, opening_for
from leaktrace.matching.matcher import Match, Matcher
from leaktrace.releases import ParsedRelease, parse

__all__ = ["OPENINGS_KEPT", "Assessor", "Outcome"]

OPENINGS_KEPT = 100_000
"""The most windows (per source and work) an assessor keeps before starting afresh."""


class Outcome(NamedTuple):
    """A name parsed, matched and detected (a named tuple: an ingest builds one per new
    name, and a frozen dataclass takes about four times as long to build)."""

    parsed: ParsedRelease
    match: Match
    verdict: Verdict | None

    @property
    def status(self) -> str:
        """``unmatched``, ``leak``, ``in-window`` or ``unknown`` (no window to compare)."""
        if self.match.work is None or self.verdict is None:
            return "unmatched"
        return self.verdict.status


class Assessor:
    """The release pipeline's brain, with no storage: name in, outcome out."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._openings: dict[str | None, dict[str, Opening]] = {}
        self._kept = 0

    def _opening(self, source: str | None, work: Work) -> Opening:
        """The window ``source`` breaks for ``work`` (kept: the catalogue does not change
        under an assessor, and an ingest meets the same work and source again and again)."""
        of_source = self._openings.get(source)
        if of_source is None:
            of_source = self._openings[source] = {}
        opening = of_source.get(work.id)
        if opening is None or opening.work is not work:
            if self._kept >= OPENINGS_KEPT:
                self._openings.clear()
                self._kept = 0
                of_source = self._openings[source] = {}
            opening = of_source[work.id] = opening_for(source, work)
            self._kept += 1
        return opening

    def outcome(
        self,
        name: str,
        released_at: datetime,
        imdb_id: str | None = None,
        tmdb_id: int | None = None,
    ) -> Outcome:
        parsed = parse(name)
        return self.judge(parsed, released_at, imdb_id, tmdb_id)

    def judge(
        self,
        parsed: ParsedRelease,
        released_at: datetime,
        imdb_id: str | None = None,
        tmdb_id: int | None = None,
    ) -> Outcome:
        match = self.matcher.match(parsed, imdb_id, tmdb_id)
        if match.work is None:
            return Outcome(parsed, match, None)
        opening = self._opening(parsed.source, match.work)
        return Outcome(parsed, match, judge_time(opening, released_at))

    def redetect(self, source: str | None, work_id: str, released_at: datetime) -> Verdict:
        """Detection again for a release already matched (its time moved earlier)."""
        work = self.matcher.index.works[work_id]
        return judge_time(self._opening(source, work), released_at)
