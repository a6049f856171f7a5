"""bench/parser_accuracy.py's world corpus report: on the dev corpus it prints every figure
(each field for LeakTrace, guessit and parsett, with its case count, and a row per region
for LeakTrace); ``--show-misses`` lists LeakTrace's misses on a world field; ``--json``
holds the same counts. Only the presence and form of the figures is checked, never a
value or a time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "parser_accuracy.py"
sys.path.insert(0, str(ROOT / "bench"))

import world_corpus as wc  # noqa: E402

PARSERS = ("leaktrace", "guessit", "parsett")
ROW_LABELS = {
    "title": "title",
    "season": "season",
    "episode": "episode",
    "kind": "kind",
    "source": "source",
    "year": "year",
    "title_or_alias": "title or alias (info)",
}
PCT = re.compile(r"\d{1,3}\.\d%")


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def _table_rows(out: str, heading: str) -> dict[str, list[str]]:
    """The rows of the Markdown table after the heading line starting with ``heading``:
    first cell -> the other cells."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        if line.startswith("|---"):
            continue
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_world_dev_report_prints_every_figure() -> None:
    cases, _ = wc.load("dev")
    assert cases, "no dev corpus yet under tests/releases/world_names/"
    done = _bench("--world", "--split", "dev")
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "guessit corpus" not in out  # --world: the world report only
    assert "### split holdout" not in out and "### split all" not in out
    rows = _table_rows(out, f"### split dev: {len(cases)} names in ")
    assert rows["field"] == ["cases", *PARSERS]
    expected_counts = wc.tally(
        wc.Scored(c, wc.NO_ANSWER, wc.outcomes(c, wc.Answer())) for c in cases
    )
    for key, label in ROW_LABELS.items():
        cells = rows[label]
        assert len(cells) == 1 + len(PARSERS), (label, cells)
        count = expected_counts[key][1] if key != "title_or_alias" else len(cases)
        assert cells[0] == str(count), (label, cells)
        scored = [PCT.fullmatch(c) is not None for c in cells[1:]]
        if key == "title_or_alias":
            assert scored == [True, False, False] and cells[2:] == ["–", "–"], cells
        elif count:
            assert all(scored), (label, cells)

    regions = _table_rows(out, "### LeakTrace per region")
    assert regions["region"][0] == "names"
    assert [ROW_LABELS[f] for f in ROW_LABELS] == regions["region"][1:]
    files = {c.region for c in cases}
    assert set(regions) - {"region"} == {f"dev/{r}" for r in files}
    for r in files:
        cells = regions[f"dev/{r}"]
        assert cells[0] == str(sum(c.region == r for c in cases))
        assert all(re.fullmatch(r"\d{1,3}\.\d% \(\d+\)|–", c) for c in cells[1:]), cells
    assert re.search(r"world wall time: leaktrace [\d.]+s, guessit [\d.]+s, parsett [\d.]+s", out)


def _tiny_corpus(root: Path) -> None:
    (root / "world_names").mkdir()
    (root / "world_names_holdout").mkdir()
    lines = [
        {
            "name": "Casa.de.Papel.S02E05.1080p.WEB-DL.x264-GRP",
            "title": "Casa de papel",
            "kind": "episode",
            "seasons": [2],
            "episodes": [5],
            "year": None,
            "source": "web-dl",
        },
        {
            # expected kind deliberately wrong, so that every parser misses it
            "name": "Apollo.13.1995.1080p.BluRay.x264-GRP",
            "title": "Apollo 13",
            "kind": "season",
            "seasons": [13],
            "episodes": [],
            "year": 1995,
            "source": "bluray",
        },
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    (root / "world_names" / "es.jsonl").write_text(text, encoding="utf-8")


def test_show_misses_lists_name_expected_and_got_on_a_world_field(tmp_path: Path) -> None:
    _tiny_corpus(tmp_path)
    done = _bench(
        "--world", "--split", "dev", "--world-root", str(tmp_path), "--show-misses", "kind"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    tail = done.stdout.split("LeakTrace misses on kind, world corpus (split dev):", 1)[1]
    lines = tail.strip().splitlines()
    assert lines[0] == "'Apollo.13.1995.1080p.BluRay.x264-GRP'  [world_names/es.jsonl:2]"
    assert lines[1].startswith("    expected 'season' got ")
    assert len(lines) == 2


def test_json_holds_the_counts(tmp_path: Path) -> None:
    _tiny_corpus(tmp_path)
    done = _bench("--world", "--split", "all", "--world-root", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    world = json.loads(done.stdout)["world"]
    assert set(world["splits"]) == {"dev", "holdout", "all"}
    assert world["splits"]["holdout"]["cases"] == 0
    dev = world["splits"]["dev"]
    assert dev["cases"] == 2 and dev["files"] == ["world_names/es.jsonl"]
    assert set(dev["results"]) == set(PARSERS)
    for results in dev["results"].values():
        assert results["kind"][1] == 2 and results["season"][1] == 2
        assert results["episode"][1] == 1 and results["year"][1] == 1
        assert results["kind"][0] <= 1  # the deliberately wrong expectation
    assert "title_or_alias" in dev["results"]["leaktrace"]
    assert "title_or_alias" not in dev["results"]["guessit"]
    assert list(world["leaktrace_regions"]) == ["dev/es"]
