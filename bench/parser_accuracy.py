"""Field-by-field agreement of LeakTrace, guessit and parsett with guessit's own test suite.

    .venv/bin/python bench/parser_accuracy.py [--corpus DIR] [--json] [--show-misses FIELD]

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
        help="list LeakTrace's disagreements on FIELD (name, expected, got)",
    )
    args = ap.parse_args(argv)
    try:
        cases, skipped = load_cases(args.corpus)
    except ImportError:
        print("pyyaml is needed to read guessit's YAML: pip install pyyaml", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    misses: dict[str, list[tuple[str, Any, Any]]] = {}
    for pname, fn in parsers().items():
        if fn is None:
            results[pname] = None
            continue
        t0 = time.perf_counter()
        results[pname] = evaluate(cases, fn, misses if pname == "leaktrace" else None)
        timings[pname] = time.perf_counter() - t0
    n_scene = sum(scene_like(n, e) for n, e in cases)
    if args.json:
        print(
            json.dumps(
                {
                    "cases": len(cases),
                    "scene_like_cases": n_scene,
                    "skipped_with_options": skipped,
                    "results": results,
                },
                indent=2,
            )
        )
    else:
        print(f"guessit corpus: {args.corpus}")
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
    if args.show_misses:
        for name, exp, got in misses.get(args.show_misses, []):
            print(f"{name!r}\n    expected {exp!r} got {got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
