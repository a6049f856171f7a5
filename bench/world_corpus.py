"""The multilingual release-name corpus of issue 14: loading, checking and scoring.

One place for what ``bench/parser_accuracy.py --world`` prints and what
``tests/releases/test_world_names.py`` asserts, so both score the same way.

Corpus: JSON Lines files (UTF-8, one case per line) in ``tests/releases/world_names/``
(split "dev": the parser may be tuned on it) and ``tests/releases/world_names_holdout/``
(split "holdout": the parser's developer never reads it). Each file is a region (its stem
names it). Required keys: ``name`` (str), ``title`` (str), ``kind`` (movie|episode|season),
``seasons`` (list[int]), ``episodes`` (list[int]; anime absolute numbers too, with
``"absolute": true``), ``year`` (int|null), ``source`` (str|null, the vocabulary in
``SOURCES``). Optional: ``aliases``, ``pack``, ``year_range``, ``website``, ``resolution``,
``group``, ``absolute``, ``note``.

Scoring (the issue's contract), each field over its own cases:

* title: over every case; the answer's title and the expected ``title``, both NFKC-normalised
  (so a composed and a decomposed accented letter are one letter), case-folded and reduced to
  letters and digits of any script (``str.isalnum``: case, punctuation, spacing and combining
  marks never count), are equal;
* title_or_alias (informational, only for an answer that reports aliases): the title or one
  of the aliases is equal to the expected title in that sense;
* season: over cases with non-empty expected ``seasons``: equal sets;
* episode: over cases with non-empty expected ``episodes``: equal sets, the answer's episode
  numbers being its episodes or, when it has none, its absolute episode numbers;
* kind: over every case: equal;
* source: over cases with a non-null expected ``source``: equal;
* year: over cases with a non-null expected ``year``: equal.

A parser that raises on a name misses every field of that case.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS_ROOT = REPO / "tests" / "releases"
SPLIT_DIRS = {"dev": "world_names", "holdout": "world_names_holdout"}
SPLITS = ("dev", "holdout")

FIELDS = ("title", "season", "episode", "kind", "source", "year")
INFO_FIELDS = ("title_or_alias",)
KINDS = frozenset({"movie", "episode", "season"})
SOURCES = frozenset(
    {
        "cam",
        "telesync",
        "telecine",
        "workprint",
        "screener",
        "r5",
        "ppv",
        "hdtv",
        "web-dl",
        "webrip",
        "hdrip",
        "vhs",
        "dvd",
        "dvdrip",
        "hddvd",
        "bdrip",
        "bluray",
        "remux",
        "uhd-bluray",
    }
)
REQUIRED = ("name", "title", "kind", "seasons", "episodes", "year", "source")
OPTIONAL = (
    "aliases",
    "pack",
    "year_range",
    "website",
    "resolution",
    "group",
    "absolute",
    "note",
)

Tally = dict[str, tuple[int, int]]


# ------------------------------------------------------------------ the corpus
@dataclass(frozen=True)
class Case:
    """One corpus line: where it is and what is expected."""

    split: str
    region: str  # the file's stem
    line: int
    name: str
    title: str
    kind: str
    seasons: frozenset[int]
    episodes: frozenset[int]
    year: int | None
    source: str | None
    aliases: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def where(self) -> str:
        return f"{SPLIT_DIRS[self.split]}/{self.region}.jsonl:{self.line}"


def corpus_files(split: str = "all", root: Path = CORPUS_ROOT) -> list[tuple[str, Path]]:
    """(split, file) pairs of the corpus, dev first, files in name order."""
    splits = SPLITS if split == "all" else (split,)
    if any(s not in SPLIT_DIRS for s in splits):
        raise ValueError(f"unknown split {split!r} (dev, holdout or all)")
    return [(s, p) for s in splits for p in sorted((root / SPLIT_DIRS[s]).glob("*.jsonl"))]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_list_problem(key: str, value: Any) -> str | None:
    if not isinstance(value, list) or not all(_is_int(v) and v >= 0 for v in value):
        return f"{key} must be a list of non-negative integers, not {value!r}"
    if len(set(value)) != len(value):
        return f"{key} has repeated numbers: {value!r}"
    return None


def line_problems(obj: Any) -> list[str]:
    """What is wrong with one decoded corpus line (empty when it is valid)."""
    if not isinstance(obj, dict):
        return [f"a line must be a JSON object, not {type(obj).__name__}"]
    problems = [f"missing required key {k!r}" for k in REQUIRED if k not in obj]
    unknown = sorted(set(obj) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        problems.append(f"unknown keys {unknown} (contract keys: {REQUIRED + OPTIONAL})")
    for key in ("name", "title"):
        if key in obj and (not isinstance(obj[key], str) or not obj[key].strip()):
            problems.append(f"{key} must be a non-empty string, not {obj[key]!r}")
    if "kind" in obj and obj["kind"] not in KINDS:
        problems.append(f"kind must be one of {sorted(KINDS)}, not {obj['kind']!r}")
    for key in ("seasons", "episodes"):
        if key in obj and (problem := _int_list_problem(key, obj[key])):
            problems.append(problem)
    if "year" in obj and obj["year"] is not None:
        if not _is_int(obj["year"]) or not 1870 <= obj["year"] <= 2100:
            problems.append(f"year must be null or an integer 1870-2100, not {obj['year']!r}")
    if "source" in obj and obj["source"] is not None and obj["source"] not in SOURCES:
        problems.append(f"source must be null or one of {sorted(SOURCES)}, not {obj['source']!r}")
    if problems:
        return problems
    seasons, episodes, kind = obj["seasons"], obj["episodes"], obj["kind"]
    if kind == "movie" and (seasons or episodes):
        problems.append("kind movie with seasons or episodes")
    if kind == "episode" and not episodes:
        problems.append("kind episode without episodes")
    if kind == "season" and (not seasons or episodes):
        problems.append("kind season needs seasons and no episodes")
    # optional keys
    if "aliases" in obj and (
        not isinstance(obj["aliases"], list)
        or not all(isinstance(a, str) and a.strip() for a in obj["aliases"])
    ):
        problems.append(f"aliases must be a list of non-empty strings, not {obj['aliases']!r}")
    for key in ("pack", "absolute"):
        if key in obj and not isinstance(obj[key], bool):
            problems.append(f"{key} must be true or false, not {obj[key]!r}")
    if obj.get("absolute") is True and kind != "episode":
        problems.append("absolute: true on a case whose kind is not episode")
    if "year_range" in obj:
        yr = obj["year_range"]
        if not (
            isinstance(yr, list) and len(yr) == 2 and all(_is_int(y) for y in yr) and yr[0] < yr[1]
        ):
            problems.append(f"year_range must be [first, last] with first < last, not {yr!r}")
        elif obj["year"] is not None:
            problems.append("year must be null when year_range is given")
    for key in ("website", "resolution", "group", "note"):
        if key in obj and (not isinstance(obj[key], str) or not obj[key].strip()):
            problems.append(f"{key} must be a non-empty string, not {obj[key]!r}")
    if isinstance(obj.get("website"), str) and obj["website"] != obj["website"].lower():
        problems.append(f"website must be lower-case, not {obj['website']!r}")
    return problems


def read_file(split: str, path: Path) -> tuple[list[Case], list[str]]:
    """The valid cases of one corpus file and a message for each invalid line."""
    cases: list[Case] = []
    problems: list[str] = []
    where = f"{SPLIT_DIRS[split]}/{path.name}"
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}:{number}: not JSON ({exc.msg})")
            continue
        found = line_problems(obj)
        if found:
            problems.extend(f"{where}:{number}: {p}" for p in found)
            continue
        cases.append(case_of(obj, split=split, region=path.stem, line=number))
    return cases, problems


def case_of(obj: Mapping[str, Any], *, split: str, region: str, line: int) -> Case:
    """The case of one valid corpus line (see :func:`line_problems`)."""
    return Case(
        split=split,
        region=region,
        line=line,
        name=obj["name"],
        title=obj["title"],
        kind=obj["kind"],
        seasons=frozenset(obj["seasons"]),
        episodes=frozenset(obj["episodes"]),
        year=obj["year"],
        source=obj["source"],
        aliases=tuple(obj.get("aliases", ())),
        raw=obj,
    )


def load(split: str = "all", root: Path = CORPUS_ROOT) -> tuple[list[Case], list[str]]:
    """Every valid case of the split(s) and the problems found (invalid lines, and any name
    that appears more than once across all files read)."""
    cases: list[Case] = []
    problems: list[str] = []
    for s, path in corpus_files(split, root):
        got, bad = read_file(s, path)
        cases.extend(got)
        problems.extend(bad)
    return cases, problems + duplicates(cases)


def duplicates(cases: Iterable[Case]) -> list[str]:
    """A message for each case whose name an earlier case already has."""
    first: dict[str, Case] = {}
    found: list[str] = []
    for case in cases:
        if case.name in first:
            found.append(f"{case.where}: duplicate name, first at {first[case.name].where}")
        else:
            first[case.name] = case
    return found


# ------------------------------------------------------------------ answers and scoring
@dataclass(frozen=True)
class Answer:
    """A parser's reading of a name in the corpus vocabulary. ``aliases`` is None for a
    parser that does not report other titles."""

    title: str | None = None
    seasons: frozenset[int] = frozenset()
    episodes: frozenset[int] = frozenset()
    kind: str | None = None
    source: str | None = None
    year: int | None = None
    aliases: tuple[str, ...] | None = None


NO_ANSWER = Answer()


def norm_title(text: str | None) -> str:
    """NFKC, case-folded, letters and digits of any script only."""
    if not text:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def from_leaktrace(p: Any) -> Answer:
    """A ``leaktrace.releases.ParsedRelease`` -> Answer (episodes, or absolute numbers when
    there are no episodes)."""
    return Answer(
        title=p.title,
        seasons=frozenset(p.seasons),
        episodes=frozenset(p.episodes or p.absolute_episodes),
        kind=p.kind,
        source=p.source,
        year=p.year,
        aliases=tuple(getattr(p, "aliases", ())),
    )


def outcomes(case: Case, got: Answer) -> dict[str, bool]:
    """{field: agrees} for each field scored on this case."""
    expected_title = norm_title(case.title)
    out = {"title": norm_title(got.title) == expected_title, "kind": got.kind == case.kind}
    if got.aliases is not None:
        out["title_or_alias"] = out["title"] or any(
            norm_title(a) == expected_title for a in got.aliases
        )
    if case.seasons:
        out["season"] = got.seasons == case.seasons
    if case.episodes:
        out["episode"] = got.episodes == case.episodes
    if case.source is not None:
        out["source"] = got.source == case.source
    if case.year is not None:
        out["year"] = got.year == case.year
    return out


def expected_value(case: Case, name: str) -> Any:
    """The expectation of one field, in the form compared."""
    return {
        "title": case.title,
        "title_or_alias": case.title,
        "season": sorted(case.seasons),
        "episode": sorted(case.episodes),
        "kind": case.kind,
        "source": case.source,
        "year": case.year,
    }[name]


def answer_value(got: Answer, name: str) -> Any:
    """The answer's value for one field, in the form compared."""
    return {
        "title": got.title,
        "title_or_alias": [got.title, *(got.aliases or ())],
        "season": sorted(got.seasons),
        "episode": sorted(got.episodes),
        "kind": got.kind,
        "source": got.source,
        "year": got.year,
    }[name]


@dataclass(frozen=True)
class Scored:
    case: Case
    got: Answer
    agrees: dict[str, bool]


def run(cases: Iterable[Case], parse: Callable[[str], Answer]) -> list[Scored]:
    """Parse every case's name once and score it (an exception misses every field)."""
    scored: list[Scored] = []
    for case in cases:
        try:
            got = parse(case.name)
        except Exception:
            got = NO_ANSWER
        scored.append(Scored(case, got, outcomes(case, got)))
    return scored


def tally(scored: Iterable[Scored]) -> Tally:
    """{field: (agreeing, cases scored)} for every field of FIELDS and INFO_FIELDS seen."""
    counts: dict[str, list[int]] = {f: [0, 0] for f in FIELDS}
    for s in scored:
        for name, ok in s.agrees.items():
            c = counts.setdefault(name, [0, 0])
            c[0] += ok
            c[1] += 1
    return {f: (c[0], c[1]) for f, c in counts.items()}


def accuracy(t: Tally, name: str) -> float | None:
    ok, total = t.get(name, (0, 0))
    return ok / total if total else None


def leaktrace_parse() -> Callable[[str], Answer]:
    """LeakTrace's parser giving Answers (imported here so the module loads without it)."""
    from leaktrace.releases import parse

    return lambda name: from_leaktrace(parse(name))
