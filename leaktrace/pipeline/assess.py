"""Parse, match and detect: what LeakTrace concludes about one release name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leaktrace.detect.detector import Verdict, assess
from leaktrace.matching.matcher import Match, Matcher
from leaktrace.releases import ParsedRelease, parse

__all__ = ["Assessor", "Outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
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
        return Outcome(parsed, match, assess(parsed.source, match.work, released_at))

    def redetect(self, source: str | None, work_id: str, released_at: datetime) -> Verdict:
        """Detection again for a release already matched (its time moved earlier)."""
        work = self.matcher.index.works[work_id]
        return assess(source, work, released_at)
