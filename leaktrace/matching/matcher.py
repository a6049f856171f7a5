"""Match a parsed release to at most one protected work, with a score and a reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from leaktrace.catalog.model import Work, WorkKind
from leaktrace.matching.index import CatalogIndex, IndexEntry
from leaktrace.matching.normalize import normalize_title, number_tokens
from leaktrace.releases.model import ParsedRelease

__all__ = ["Match", "Matcher"]

MIN_FUZZY_LENGTH = 6
YEAR_OFF_BY_ONE_PENALTY = 4.0
NO_YEAR_PENALTY = 6.0
CACHE_LIMIT = 200_000
_AMBIGUOUS = "ambiguous between "
_COUNTRY_WORDS = {"us": "US", "uk": "GB", "gb": "GB", "au": "AU", "nz": "NZ", "ca": "CA"}


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching one release: a work (or none), a 0-100 score, a reason."""

    work: Work | None
    score: float
    reason: str

    @property
    def work_id(self) -> str | None:
        return self.work.id if self.work is not None else None


@dataclass(frozen=True, slots=True)
class _Candidate:
    entry: IndexEntry
    title_score: float
    score: float
    notes: tuple[str, ...]


class Matcher:
    """Matches releases against a catalogue through a :class:`CatalogIndex`.

    Rules, in order: the release's kind decides the kind of work (an ``S04E01`` or an
    ``S04`` pack matches season 4 of a series, never a film of the same name); the title
    must equal a title or alias after normalisation, or come within ``threshold`` by
    rapidfuzz's ratio (titles of at least 6 characters, same numbers in both); a year
    must be within one of the work's; a country tag must equal the work's country (and a
    work with a country needs the tag); when two works remain equally good the release
    is ambiguous and matches none.
    """

    def __init__(self, works: Iterable[Work] | CatalogIndex, threshold: float = 88.0) -> None:
        self.index = works if isinstance(works, CatalogIndex) else CatalogIndex(works)
        self.threshold = threshold
        self._tmdb: dict[int, Work] = {
            w.tmdb_id: w for w in self.index.works.values() if w.tmdb_id and w.kind == "movie"
        }
        self._imdb: dict[str, Work] = {
            w.imdb_id: w for w in self.index.works.values() if w.imdb_id and w.kind == "movie"
        }
        self._cache: dict[tuple[object, ...], Match] = {}
        self._keys: dict[str, str] = {}  # normalised titles

    def match(
        self, parsed: ParsedRelease, imdb_id: str | None = None, tmdb_id: int | None = None
    ) -> Match:
        """The work ``parsed`` is a release of, or none with the reason why.

        The title the parser chose is tried first, then each other title the name gives
        (``parsed.aliases``, in name order), under the same rules. An alias is only tried
        when the title matched nothing (an alias never replaces a match of the title) and
        never when the title was ambiguous; aliases that match different works, or an
        ambiguous alias, leave the release unmatched."""
        key = self._key(parsed.title or "")
        cache_key = (
            tmdb_id,
            key,
            parsed.aliases,
            parsed.year,
            parsed.kind,
            parsed.seasons,
            parsed.country,
            imdb_id,
            parsed.air_date is not None,
        )
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        result = self._match(parsed, key, imdb_id, tmdb_id)
        if parsed.aliases and result.work is None and not result.reason.startswith(_AMBIGUOUS):
            result = self._aliases(parsed, key, imdb_id, result)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _key(self, title: str) -> str:
        """``title`` normalised (remembered: the same titles come again and again)."""
        key = self._keys.get(title)
        if key is None:
            if len(self._keys) >= CACHE_LIMIT:
                self._keys.clear()
            key = self._keys[title] = normalize_title(title)
        return key

    def _aliases(
        self, parsed: ParsedRelease, key: str, imdb_id: str | None, title_result: Match
    ) -> Match:
        """Try the other titles of the name after the title matched nothing."""
        tried = {key}
        found: list[tuple[str, Match]] = []
        notes: list[str] = []
        for alias in parsed.aliases:
            alias_key = self._key(alias)
            if not alias_key or alias_key in tried:
                continue
            tried.add(alias_key)
            said = f"title in the name {alias!r} (an alias in the name)"
            result = self._match(parsed, alias_key, imdb_id, said=said)
            if result.reason.startswith(_AMBIGUOUS):
                return Match(None, 0.0, f"{result.reason} (by the alias {alias!r} in the name)")
            if result.work is not None:
                found.append((alias, result))
            else:
                notes.append(f"alias {alias!r}: {result.reason}")
        works = {m.work_id for _, m in found}
        if len(works) > 1:
            labels = [f"{m.work.label} (alias {a!r})" for a, m in found if m.work is not None]
            return Match(None, 0.0, _AMBIGUOUS + ", ".join(dict.fromkeys(labels[:4])))
        if found:
            return found[0][1]
        if not notes:
            return title_result
        return replace(title_result, reason="; ".join([title_result.reason, *notes]))

    def _match(
        self,
        parsed: ParsedRelease,
        key: str,
        imdb_id: str | None,
        tmdb_id: int | None = None,
        *,
        said: str | None = None,
    ) -> Match:
        """Match one title of the name (``key``, normalised); ``said`` names it in the
        reason when it is not the parsed title."""
        wanted: WorkKind = "movie" if parsed.kind == "movie" else "season"
        if tmdb_id and wanted == "movie" and tmdb_id in self._tmdb:
            work = self._tmdb[tmdb_id]
            return Match(work, 100.0, f"TMDB id {tmdb_id} given by the source is {work.label}")
        if imdb_id and wanted == "movie" and imdb_id in self._imdb:
            work = self._imdb[imdb_id]
            return Match(work, 100.0, f"IMDb id {imdb_id} given by the source is {work.label}")
        if not key:
            return Match(None, 0.0, "no title in the release name")
        if wanted == "season" and not parsed.seasons:
            return Match(
                None,
                0.0,
                "episode without a season number (daily or absolute "
                "numbering): not matched to a season",
            )
        entries = [(e, 100.0) for e in self.index.exact(key)]
        if not entries and parsed.country is None:
            retried = self._country_suffix(parsed, key, imdb_id, said)
            if retried is not None:
                return retried
        if not entries and len(key) >= MIN_FUZZY_LENGTH:
            entries = self._fuzzy(key)
        if not entries:
            return Match(None, 0.0, f"no catalogue title like '{key}'")
        kept: list[_Candidate] = []
        rejections: list[str] = []
        for entry, title_score in entries:
            verdict = self._check(parsed, wanted, entry, title_score, said)
            if isinstance(verdict, str):
                rejections.append(f"{entry.work.label}: {verdict}")
            else:
                kept.append(verdict)
        if not kept:
            return Match(None, 0.0, "rejected " + "; ".join(dict.fromkeys(rejections[:3])))
        kept.sort(key=lambda c: c.score, reverse=True)
        best = kept[0]
        rivals = {c.entry.work.id for c in kept if c.score == best.score}
        if len(rivals) > 1:
            labels = sorted(self.index.works[w].label for w in rivals)
            return Match(None, 0.0, _AMBIGUOUS + ", ".join(labels[:4]))
        if best.score < self.threshold:
            return Match(
                None,
                best.score,
                f"best candidate {best.entry.work.label} scored "
                f"{best.score:.0f} < {self.threshold:.0f}",
            )
        return Match(best.entry.work, best.score, "; ".join(best.notes))

    def _country_suffix(
        self, parsed: ParsedRelease, key: str, imdb_id: str | None, said: str | None = None
    ) -> Match | None:
        """Lower-case names hide the country tag in the title (``the.office.us.s04e01``):
        the parser keeps it there (``This.Is.Us`` is a title), the catalogue decides."""
        head, _, tail = key.rpartition(" ")
        code = _COUNTRY_WORDS.get(tail)
        if not head or code is None:
            return None
        result = self._match(replace(parsed, title=head, country=code), head, imdb_id, said=said)
        if result.work is None:
            return None
        return Match(
            result.work,
            result.score,
            f"{result.reason}; last word '{tail}' read as the country {code}",
        )

    def _fuzzy(self, key: str) -> list[tuple[IndexEntry, float]]:
        keys = self.index.candidates(key)
        if not keys:
            return []
        numbers = number_tokens(key)
        found = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=8)
        out: list[tuple[IndexEntry, float]] = []
        for candidate, score, _ in found:
            if number_tokens(candidate) != numbers:
                continue
            out.extend((entry, float(score)) for entry in self.index.exact(candidate))
        return out

    def _check(
        self,
        parsed: ParsedRelease,
        wanted: WorkKind,
        entry: IndexEntry,
        title_score: float,
        said: str | None = None,
    ) -> _Candidate | str:
        work = entry.work
        if work.kind != wanted:
            return f"a {work.kind}, the release is {'a film' if wanted == 'movie' else 'TV'}"
        notes: list[str] = []
        subject = said or f"title '{entry.key}'"
        if title_score == 100.0:
            notes.append(
                f"{subject} equals the {'alias' if entry.via_alias else 'title'}"
                f" {entry.via_alias or work.title!r}"
            )
        else:
            notes.append(f"{subject} is {title_score:.0f}% like {entry.via_alias or work.title!r}")
        score = title_score
        if wanted == "season":
            if work.season not in parsed.seasons:
                return f"season {work.season}, the release has season(s) " + ",".join(
                    str(s) for s in parsed.seasons
                )
            notes.append(f"season {work.season}")
        if parsed.country != work.country:
            if work.country is None:
                return f"release is tagged {parsed.country}, the work has no country"
            if parsed.country is None:
                return f"the work is the {work.country} one, the release names no country"
            return f"country {work.country}, the release is tagged {parsed.country}"
        if work.country:
            notes.append(f"country {work.country}")
        if parsed.year is not None and work.year is not None:
            gap = abs(parsed.year - work.year)
            if gap > 1:
                return f"year {work.year}, the release says {parsed.year}"
            if gap == 1:
                score -= YEAR_OFF_BY_ONE_PENALTY
                notes.append(f"year {parsed.year} is one off {work.year}")
            else:
                notes.append(f"year {work.year}")
        elif wanted == "movie":
            score -= NO_YEAR_PENALTY
            notes.append("no year in the release name")
        return _Candidate(entry, title_score, score, tuple(notes))
