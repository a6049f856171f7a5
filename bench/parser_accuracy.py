"""Field-by-field agreement of LeakTrace, guessit and parsett with guessit's own test suite.

    .venv/bin/python bench/parser_accuracy.py [--corpus DIR] [--json] [--show-misses FIELD]
        [--world] [--split dev|holdout|all]

Reads ``movies.yml`` and ``episodes.yml`` (guessit 4.4.0 YAML test format) from the corpus
directory (default ``../shared/corpora/guessit`` relative to the repository). A case is
``? name`` followed by a ``: field: value`` mapping; a case with an empty value shares the
expectations of the next case; ``__default__`` supplies defaults; keys starting with ``-``
(negative expectations) are ignored; cases with ``options:`` are skipped for every parser
(LeakTrace has no options) and counted.

Each parser's answer and guessit's expectation are mapped to one common form (see
``from_guessit`` / ``from_leaktrace`` / ``from_parsett``) and compared field by field, over
the cases whose expectation has the field:

* title: case-folded, only letters and digits kept (``"S.H.I.E.L.D."`` == ``"SHIELD"``);
* year: equal integers;
* season / episode: equal sets (guessit int or list; LeakTrace ``episodes`` or, when there
  are none, ``absolute_episodes`` since guessit reports anime numbers as ``episode``);
* resolution: guessit ``screen_size`` string == LeakTrace ``resolution``;
* source: guessit ``source`` + ``other`` mapped to the LeakTrace vocabulary (Blu-ray+Rip ->
  bdrip, Blu-ray+Remux -> remux, Ultra HD Blu-ray -> uhd-bluray, Web+Rip -> webrip, Web ->
  web-dl, DVD+Rip -> dvdrip, HDTV/TV/Satellite/Digital TV -> hdtv, Screener -> screener,
  Region 5 -> r5, Camera -> cam, Telesync -> telesync ...);
* group: guessit ``release_group`` == LeakTrace ``group``, case-insensitive, a trailing
  ``[tag]`` removed from both (guessit reports ``GRP[rarbg]``, LeakTrace ``GRP`` + website).

"scene-like" is the subset of single-component names (no ``/``) whose expectation has a
release group and a resolution or a source.

World corpus (issue 14)
-----------------------

    .venv/bin/python bench/parser_accuracy.py --world [--split dev|holdout|all]

The multilingual corpus ``tests/releases/world_names/*.jsonl`` (split "dev", the parser may be
tuned on it) and ``tests/releases/world_names_holdout/*.jsonl`` (split "holdout", never read
by the parser's developer; do not show its misses to them), one region per file. Loading and
scoring are ``bench/world_corpus.py`` (the same code ``tests/releases/test_world_names.py``
asserts with): title, season, episode, kind, source and year, each over its own cases (title
and kind: every case; season / episode / source / year: the cases whose expectation is
non-empty), plus "title or alias" for LeakTrace (informational: the title or one of the
aliases it reports is the expected title). The three parsers read the same names in the same
run; a per-region table follows for LeakTrace. Without ``--world`` both the guessit-suite
figures and the world figures are printed (the world part is left out when the corpus has no
file yet); ``--split`` chooses the world split(s) shown (default all: dev, holdout and both).

guessit's answer -> the corpus vocabulary (``world_from_guessit``):

* title: ``title``; year: ``year``; season: ``season`` (int or list);
* episode: ``episode`` (int or list), else ``absolute_episode``;
* kind: ``type`` episode with episode numbers (``episode`` or ``absolute_episode``) ->
  episode; ``type`` episode with only a season -> season; anything else -> movie;
* source: ``source`` + ``other`` as for the suite above (Camera / HD Camera -> cam,
  Telesync / HD Telesync -> telesync, Telecine / HD Telecine -> telecine, other Screener ->
  screener whatever the source, Region 5 -> r5, Web -> web-dl, Web + Rip -> webrip, DVD ->
  dvd, DVD + Rip -> dvdrip, Blu-ray -> bluray, Blu-ray + Rip -> bdrip, Blu-ray + Remux ->
  remux, Ultra HD Blu-ray -> uhd-bluray (+ Rip -> bdrip, + Remux -> remux), HDTV / TV /
  Satellite / Digital TV / Analog HDTV / Ultra HDTV -> hdtv, Video on Demand -> web-dl,
  Workprint -> workprint, Pay-per-view -> ppv, VHS -> vhs, HD-DVD -> hddvd), and in
  addition: no source with other HD + Rip (guessit's reading of ``HDRip``) -> hdrip.

parsett's answer (``PTT.parse_title(name)``, a dict) -> the corpus vocabulary
(``world_from_parsett``):

* title: ``title``; year: ``year``; season: ``seasons``; episode: ``episodes``;
* kind: ``episodes`` non-empty -> episode; else ``seasons`` non-empty -> season; else movie
  (``complete`` alone, a film collection, stays movie);
* source, from ``quality``: CAM -> cam (parsett also says CAM for S-Print), TeleSync ->
  telesync, TeleCine -> telecine, SCR -> screener (parsett also says SCR for PreDVD, PDVD
  and PRE-HDRip), R5 -> r5, WEB-DL / WEB / WEBMux -> web-dl, WEBRip / WEB-DLRip -> webrip,
  HDRip -> hdrip, BluRay -> bluray, BluRay REMUX / REMUX -> remux, BDRip / BRRip / UHDRip ->
  bdrip, DVD -> dvd, DVDRip -> dvdrip, VHS / VHSRip -> vhs, PPVRip -> ppv, HDTV / HDTVRip /
  SATRip / TVRip / PDTV -> hdtv; anything else or none -> no source.

LeakTrace: ``title``, ``aliases``, ``seasons``, ``episodes`` (or ``absolute_episodes`` when
there are none), ``kind``, ``source``, ``year`` as they are (``world_corpus.from_leaktrace``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import world_corpus as wc  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "guessit"
FIELDS = ("title", "year", "season", "episode", "resolution", "source", "group")

Fields = dict[str, Any]


# ------------------------------------------------------------------ corpus
def load_cases(
    corpus: Path, files: Iterable[str] = ("movies.yml", "episodes.yml")
) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """(name, expectation) pairs and the number of cases skipped for their options."""
    import yaml  # guessit's test format is YAML; pyyaml is in the "bench" extra

    cases: list[tuple[str, dict[str, Any]]] = []
    skipped = 0
    for fname in files:
        path = corpus / fname
        if not path.exists():
            print(f"warning: {path} not found", file=sys.stderr)
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults: dict[str, Any] = {}
        pending: list[str] = []
        for key, value in data.items():
            if key == "__default__":
                defaults = dict(value or {})
                continue
            if value is None:
                pending.append(str(key))
                continue
            for name in [*pending, str(key)]:
                expected = {**defaults, **value}
                if "options" in expected:
                    skipped += 1
                    continue
                cases.append((name, expected))
            pending = []
    return cases, skipped


def load_names(corpus_root: Path) -> list[str]:
    """All names of the guessit movies/episodes cases plus the Radarr/Sonarr fixtures."""
    cases, _ = load_cases(corpus_root / "guessit")
    names = [n for n, _ in cases]
    for jl in sorted((corpus_root / "arr").glob("*.jsonl")):
        for line in jl.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.append(str(json.loads(line)["name"]))
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------ mapping to one form
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def norm_title(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value[0] if isinstance(value, list) else value)
    return "".join(c for c in text.casefold() if c.isalnum()) or None


def norm_group(value: Any) -> str | None:
    """Lower-cased, without a trailing ``[tag]`` (guessit keeps ``GRP[rarbg]``, LeakTrace
    reports the tag as website)."""
    if not value:
        return None
    text = str(value).strip().lower()
    if text.endswith("]") and "[" in text[1:]:
        text = text[: text.rindex("[")].strip()
    return text or None


_GUESSIT_SOURCES = {
    "camera": "cam",
    "hd camera": "cam",
    "telesync": "telesync",
    "hd telesync": "telesync",
    "telecine": "telecine",
    "hd telecine": "telecine",
    "workprint": "workprint",
    "pay-per-view": "ppv",
    "vhs": "vhs",
    "hd-dvd": "hddvd",
    "hdtv": "hdtv",
    "tv": "hdtv",
    "satellite": "hdtv",
    "digital tv": "hdtv",
    "analog hdtv": "hdtv",
    "ultra hdtv": "hdtv",
    "video on demand": "web-dl",
    "web": "web-dl",
    "dvd": "dvd",
    "blu-ray": "bluray",
    "ultra hd blu-ray": "uhd-bluray",
    "laserdisc": "laserdisc",
}


def map_guessit_source(source: Any, other: Any) -> str | None:
    others = {str(o).lower() for o in _as_list(other)}
    sources = [str(s).lower() for s in _as_list(source)]
    if "screener" in others:
        return "screener"
    if not sources:
        return "r5" if "region 5" in others else None
    src = sources[0]
    if "region 5" in others and src == "dvd":
        return "r5"
    mapped = _GUESSIT_SOURCES.get(src, src)
    if mapped in ("bluray", "uhd-bluray"):
        if "remux" in others:
            return "remux"
        if "rip" in others:
            return "bdrip"
    elif mapped == "dvd" and "rip" in others:
        return "dvdrip"
    elif mapped == "web-dl" and "rip" in others:
        return "webrip"
    return mapped


def _ints(value: Any) -> frozenset[int] | None:
    items = [int(v) for v in _as_list(value) if isinstance(v, int | str) and str(v).isdigit()]
    return frozenset(items) if items else None


def from_guessit(d: dict[str, Any]) -> Fields:
    """guessit's answer or expectation -> common form (absent field: key missing)."""
    out: Fields = {}
    if "title" in d:
        out["title"] = norm_title(d["title"])
    if "year" in d:
        out["year"] = d["year"]
    if "season" in d:
        out["season"] = _ints(d["season"])
    if "episode" in d:
        out["episode"] = _ints(d["episode"])
    elif "absolute_episode" in d:
        out["episode"] = _ints(d["absolute_episode"])
    if "screen_size" in d:
        out["resolution"] = str(d["screen_size"])
    if "source" in d or "other" in d:
        src = map_guessit_source(d.get("source"), d.get("other"))
        if src is not None or "source" in d:
            out["source"] = src
    if "release_group" in d:
        out["group"] = norm_group(d["release_group"])
    return out


def from_leaktrace(p: Any) -> Fields:
    return {
        "title": norm_title(p.title),
        "year": p.year,
        "season": frozenset(p.seasons) or None,
        "episode": frozenset(p.episodes or p.absolute_episodes) or None,
        "resolution": p.resolution,
        "source": p.source,
        "group": norm_group(p.group),
    }


_PTT_SOURCES = {
    "telesync": "telesync",
    "telecine": "telecine",
    "scr": "screener",
    "bluray remux": "remux",
    "remux": "remux",
    "bluray": "bluray",
    "uhdrip": "bdrip",
    "brrip": "bdrip",
    "bdrip": "bdrip",
    "dvdrip": "dvdrip",
    "vhsrip": "vhs",
    "vhs": "vhs",
    "dvd": "dvd",
    "ppvrip": "ppv",
    "hdtvrip": "hdtv",
    "hdtv": "hdtv",
    "satrip": "hdtv",
    "tvrip": "hdtv",
    "pdtv": "hdtv",
    "r5": "r5",
    "webmux": "web-dl",
    "webrip": "webrip",
    "web-dlrip": "webrip",
    "web-dl": "web-dl",
    "web": "web-dl",
    "cam": "cam",
    "hdrip": None,
}


def from_parsett(d: dict[str, Any]) -> Fields:
    quality = d.get("quality")
    return {
        "title": norm_title(d.get("title")),
        "year": d.get("year"),
        "season": frozenset(d.get("seasons") or ()) or None,
        "episode": frozenset(d.get("episodes") or ()) or None,
        "resolution": d.get("resolution"),
        "source": _PTT_SOURCES.get(str(quality).lower()) if quality else None,
        "group": norm_group(d.get("group")),
    }


# ------------------------------------------------------------------ parsers
def parsers() -> dict[str, Callable[[str], Fields] | None]:
    """Name -> callable giving the common form, or None when not installed."""
    from leaktrace.releases import parse

    out: dict[str, Callable[[str], Fields] | None] = {
        "leaktrace": lambda name: from_leaktrace(parse(name))
    }
    try:
        from guessit import guessit as _guessit

        out["guessit"] = lambda name: from_guessit(dict(_guessit(name)))
    except ImportError:
        out["guessit"] = None
    try:
        from PTT import parse_title

        out["parsett"] = lambda name: from_parsett(parse_title(name))
    except ImportError:
        out["parsett"] = None
    return out


# ------------------------------------------------------------------ world corpus answers
def world_from_guessit(d: dict[str, Any]) -> wc.Answer:
    """guessit's answer -> the world corpus vocabulary (mapping in the module docstring)."""
    episodes = _ints(d.get("episode")) or _ints(d.get("absolute_episode")) or frozenset()
    seasons = _ints(d.get("season")) or frozenset()
    if d.get("type") == "episode" and episodes:
        kind = "episode"
    elif d.get("type") == "episode" and seasons:
        kind = "season"
    else:
        kind = "movie"
    source = map_guessit_source(d.get("source"), d.get("other"))
    others = {str(o).lower() for o in _as_list(d.get("other"))}
    if source is None and not d.get("source") and {"hd", "rip"} <= others:
        source = "hdrip"
    year = d.get("year")
    title = d.get("title")
    return wc.Answer(
        title=str(title[0] if isinstance(title, list) else title) if title else None,
        seasons=seasons,
        episodes=episodes,
        kind=kind,
        source=source,
        year=year if isinstance(year, int) else None,
    )


_PTT_WORLD_SOURCES = {**_PTT_SOURCES, "hdrip": "hdrip"}


def world_from_parsett(d: dict[str, Any]) -> wc.Answer:
    """parsett's answer -> the world corpus vocabulary (mapping in the module docstring)."""
    episodes = _ints(d.get("episodes")) or frozenset()
    seasons = _ints(d.get("seasons")) or frozenset()
    kind = "episode" if episodes else "season" if seasons else "movie"
    quality = d.get("quality")
    year = d.get("year")
    return wc.Answer(
        title=d.get("title") or None,
        seasons=seasons,
        episodes=episodes,
        kind=kind,
        source=_PTT_WORLD_SOURCES.get(str(quality).lower()) if quality else None,
        year=year if isinstance(year, int) else None,
    )


def world_parsers() -> dict[str, Callable[[str], wc.Answer] | None]:
    """Name -> callable giving a world_corpus.Answer, or None when not installed."""
    out: dict[str, Callable[[str], wc.Answer] | None] = {"leaktrace": wc.leaktrace_parse()}
    try:
        from guessit import guessit as _guessit

        out["guessit"] = lambda name: world_from_guessit(dict(_guessit(name)))
    except ImportError:
        out["guessit"] = None
    try:
        from PTT import parse_title

        out["parsett"] = lambda name: world_from_parsett(parse_title(name))
    except ImportError:
        out["parsett"] = None
    return out


def scene_like(name: str, expected: dict[str, Any]) -> bool:
    return (
        "/" not in name
        and "\\" not in name
        and "release_group" in expected
        and ("screen_size" in expected or "source" in expected)
    )


def evaluate(
    cases: list[tuple[str, dict[str, Any]]],
    fn: Callable[[str], Fields],
    misses: dict[str, list[tuple[str, Any, Any]]] | None = None,
) -> dict[str, dict[str, tuple[int, int]]]:
    """{subset: {field: (agree, total)}} for the subsets "all" and "scene-like"."""
    result: dict[str, dict[str, list[int]]] = {
        "all": {f: [0, 0] for f in FIELDS},
        "scene-like": {f: [0, 0] for f in FIELDS},
    }
    for name, expected in cases:
        exp = from_guessit(expected)
        try:
            got = fn(name)
        except Exception:  # a crash counts as a miss on every field
            got = {}
        subsets = ["all", "scene-like"] if scene_like(name, expected) else ["all"]
        for field in FIELDS:
            if field not in exp:
                continue
            ok = got.get(field) == exp[field]
            for s in subsets:
                result[s][field][1] += 1
                result[s][field][0] += ok
            if not ok and misses is not None:
                misses.setdefault(field, []).append((name, exp[field], got.get(field)))
    return {s: {f: (v[0], v[1]) for f, v in r.items()} for s, r in result.items()}


# ------------------------------------------------------------------ world corpus report
WORLD_ROWS = (*wc.FIELDS, *wc.INFO_FIELDS)
ROW_LABELS = {"title_or_alias": "title or alias (info)"}


def world_groups(split: str) -> list[str]:
    """The splits reported: the one asked for, or dev, holdout and both together."""
    return [split] if split != "all" else ["dev", "holdout", "all"]


def in_group(case: wc.Case, group: str) -> bool:
    return group == "all" or case.split == group


def run_world(split: str, root: Path) -> dict[str, Any]:
    """Every parser over the world corpus once; figures per split and per region."""
    cases, problems = wc.load(split, root)
    scored: dict[str, list[wc.Scored] | None] = {}
    timings: dict[str, float] = {}
    if cases:
        for pname, fn in world_parsers().items():
            if fn is None:
                scored[pname] = None
                continue
            t0 = time.perf_counter()
            scored[pname] = wc.run(cases, fn)
            timings[pname] = time.perf_counter() - t0
    splits: dict[str, Any] = {}
    for group in world_groups(split):
        members = [c for c in cases if in_group(c, group)]
        splits[group] = {
            "cases": len(members),
            "files": sorted({f"{wc.SPLIT_DIRS[c.split]}/{c.region}.jsonl" for c in members}),
            "results": {
                pname: None
                if runs is None
                else _tally_json(wc.tally(s for s in runs if in_group(s.case, group)))
                for pname, runs in scored.items()
            },
        }
    regions: dict[str, Any] = {}
    for s in scored.get("leaktrace") or []:
        key = f"{s.case.split}/{s.case.region}"
        regions.setdefault(key, []).append(s)
    return {
        "root": str(root),
        "split": split,
        "invalid_lines": problems,
        "splits": splits,
        "leaktrace_regions": {
            key: {"cases": len(runs), "results": _tally_json(wc.tally(runs))}
            for key, runs in regions.items()
        },
        "wall_time_s": {p: round(t, 3) for p, t in timings.items()},
        "_scored": scored,
    }


def _tally_json(t: wc.Tally) -> dict[str, list[int]]:
    return {f: [ok, total] for f, (ok, total) in t.items()}


def _pct(cell: list[int] | None) -> str:
    if not cell or not cell[1]:
        return "–"
    return f"{100.0 * cell[0] / cell[1]:.1f}%"


def print_world(world: dict[str, Any]) -> None:
    print(f"\n## World corpus (issue 14): {world['root']}")
    if world["invalid_lines"]:
        print(
            f"corpus problems: {len(world['invalid_lines'])}, listed on stderr"
            " (invalid lines are left out, a repeated name is scored each time)"
        )
    for group, data in world["splits"].items():
        parsers_ = list(data["results"])
        if not data["cases"]:
            print(f"\n### split {group}: no case yet")
            continue
        print(
            f"\n### split {group}: {data['cases']} names in {len(data['files'])} files"
            " (% agreeing with the expected field)\n"
        )
        print("| field | cases | " + " | ".join(parsers_) + " |")
        print("|---|---:|" + "---:|" * len(parsers_))
        for row in WORLD_ROWS:
            totals = [r[row][1] for r in data["results"].values() if r and row in r]
            cases = max(totals) if totals else 0
            cells = []
            for p in parsers_:
                r = data["results"][p]
                cells.append("not installed" if r is None else _pct(r.get(row)))
            print(f"| {ROW_LABELS.get(row, row)} | {cases} | " + " | ".join(cells) + " |")
    if world["leaktrace_regions"]:
        print("\n### LeakTrace per region (% agreeing, cases scored in brackets)\n")
        print("| region | names | " + " | ".join(ROW_LABELS.get(r, r) for r in WORLD_ROWS) + " |")
        print("|---|---:|" + "---:|" * len(WORLD_ROWS))
        for key, data in world["leaktrace_regions"].items():
            res = data["results"]
            cells = [
                f"{_pct(res.get(r))} ({res[r][1]})" if res.get(r, [0, 0])[1] else "–"
                for r in WORLD_ROWS
            ]
            print(f"| {key} | {data['cases']} | " + " | ".join(cells) + " |")
    print(
        "\nworld wall time: " + ", ".join(f"{p} {t:.2f}s" for p, t in world["wall_time_s"].items())
    )


def world_misses(world: dict[str, Any], field: str) -> list[tuple[wc.Case, Any, Any]]:
    """LeakTrace's disagreements on one world field: (case, expected, got)."""
    out = []
    for s in world["_scored"].get("leaktrace") or []:
        if s.agrees.get(field) is False:
            out.append((s.case, wc.expected_value(s.case, field), wc.answer_value(s.got, field)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="directory with guessit's movies.yml and episodes.yml",
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--show-misses",
        metavar="FIELD",
        help="list LeakTrace's disagreements on FIELD (name, expected, got); world fields: "
        + ", ".join(WORLD_ROWS)
        + " (with --split holdout this shows holdout names: never to the parser's developer)",
    )
    ap.add_argument("--world", action="store_true", help="only the world corpus report")
    ap.add_argument(
        "--split",
        choices=("dev", "holdout", "all"),
        default="all",
        help="world corpus split(s) to report (default all)",
    )
    ap.add_argument(
        "--world-root",
        type=Path,
        default=wc.CORPUS_ROOT,
        help="directory holding world_names/ and world_names_holdout/",
    )
    args = ap.parse_args(argv)
    field = args.show_misses
    if field is not None:
        known = set(WORLD_ROWS) | (set() if args.world else set(FIELDS))
        if field not in known:
            ap.error(f"--show-misses: unknown field {field!r} (one of {sorted(known)})")

    out: dict[str, Any] = {}
    suite_misses: dict[str, list[tuple[str, Any, Any]]] = {}
    if not args.world:
        try:
            cases, skipped = load_cases(args.corpus)
        except ImportError:
            print("pyyaml is needed to read guessit's YAML: pip install pyyaml", file=sys.stderr)
            return 2
        results: dict[str, Any] = {}
        timings: dict[str, float] = {}
        for pname, fn in parsers().items():
            if fn is None:
                results[pname] = None
                continue
            t0 = time.perf_counter()
            results[pname] = evaluate(cases, fn, suite_misses if pname == "leaktrace" else None)
            timings[pname] = time.perf_counter() - t0
        n_scene = sum(scene_like(n, e) for n, e in cases)
        out.update(
            cases=len(cases),
            scene_like_cases=n_scene,
            skipped_with_options=skipped,
            results=results,
        )
        if not args.json:
            print_suite(args.corpus, cases, n_scene, skipped, results, timings)

    world = run_world(args.split, args.world_root)
    for problem in world["invalid_lines"]:
        print(f"warning: {problem}", file=sys.stderr)
    has_world = any(d["cases"] for d in world["splits"].values())
    if has_world:
        out["world"] = {k: v for k, v in world.items() if not k.startswith("_")}
        if not args.json:
            print_world(world)
    elif not args.json:
        print(f"\nworld corpus: no case yet under {args.world_root} (split {args.split})")
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))

    if field is not None:
        if not args.world and field in FIELDS:
            print(f"\nLeakTrace misses on {field}, guessit suite:")
            for name, exp, got in suite_misses.get(field, []):
                print(f"{name!r}\n    expected {exp!r} got {got!r}")
        if field in WORLD_ROWS and has_world:
            print(f"\nLeakTrace misses on {field}, world corpus (split {args.split}):")
            for case, exp, got in world_misses(world, field):
                print(f"{case.name!r}  [{case.where}]\n    expected {exp!r} got {got!r}")
    return 0 if has_world or not args.world else 1


def print_suite(
    corpus: Path,
    cases: list[tuple[str, dict[str, Any]]],
    n_scene: int,
    skipped: int,
    results: dict[str, Any],
    timings: dict[str, float],
) -> None:
    print(f"guessit corpus: {corpus}")
    print(f"cases: {len(cases)} ({n_scene} scene-like); skipped (options): {skipped}")
    print("guessit is scored on its own test suite, so its column is near 100% by design.")
    for subset in ("all", "scene-like"):
        print(f"\n[{subset}] agreement with guessit's expectations, % (cases with field)")
        names = list(results)
        print(f"{'field':<11}" + "".join(f"{p:>16}" for p in names))
        for field in FIELDS:
            row = f"{field:<11}"
            for p in names:
                r = results[p]
                if r is None:
                    row += f"{'not installed':>16}"
                    continue
                ok, total = r[subset][field]
                pct = 100.0 * ok / total if total else 0.0
                row += f"{pct:>8.1f}% ({total:>4})"
            print(row)
    print("\nwall time: " + ", ".join(f"{p} {t:.2f}s" for p, t in timings.items()))


if __name__ == "__main__":
    raise SystemExit(main())
