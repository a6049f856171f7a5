"""The multilingual corpus of issue 14 (tests/releases/world_names*/ *.jsonl) follows the
contract: every line has the required keys with their types, kind agrees with seasons and
episodes, sources are in the vocabulary, no name appears twice across all files, and there
are at least MIN_CASES cases. The checks are ``bench/world_corpus.py``'s, the module the
accuracy bench and tests/releases/test_world_names.py load the corpus with."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import world_corpus as wc  # noqa: E402

MIN_CASES = 1000


def _all_lines() -> tuple[list[wc.Case], list[str]]:
    cases: list[wc.Case] = []
    problems: list[str] = []
    for split, path in wc.corpus_files("all"):
        got, bad = wc.read_file(split, path)
        cases.extend(got)
        problems.extend(bad)
    return cases, problems


@pytest.mark.parametrize("split", wc.SPLITS)
def test_each_split_has_corpus_files(split: str) -> None:
    assert wc.corpus_files(split), f"no *.jsonl under tests/releases/{wc.SPLIT_DIRS[split]}/"


def test_every_line_is_valid() -> None:
    _, problems = _all_lines()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_no_name_appears_twice_across_files() -> None:
    cases, _ = _all_lines()
    found = wc.duplicates(cases)
    assert not found, f"{len(found)} duplicate names:\n" + "\n".join(found[:60])


def test_the_corpus_has_enough_cases() -> None:
    lines = sum(
        1
        for _, path in wc.corpus_files("all")
        for text in path.read_text(encoding="utf-8").splitlines()
        if text.strip()
    )
    assert lines >= MIN_CASES, f"{lines} corpus lines, at least {MIN_CASES} wanted"


# ------------------------------------------------------------------ the checker itself
GOOD: dict[str, Any] = {
    "name": "Сериал / Show / Сезон: 1 / Серии: 1-8 из 10 (Режиссёр Имя) [2024, WEB-DL 1080p]",
    "title": "Show",
    "kind": "episode",
    "seasons": [1],
    "episodes": [1, 2, 3, 4, 5, 6, 7, 8],
    "year": 2024,
    "source": "web-dl",
    "aliases": ["Сериал"],
    "resolution": "1080p",
}


def test_a_contract_line_passes() -> None:
    assert wc.line_problems(GOOD) == []
    assert wc.line_problems({**GOOD, "kind": "season", "episodes": [], "pack": True}) == []
    assert wc.line_problems({**GOOD, "kind": "movie", "seasons": [], "episodes": []}) == []
    assert wc.line_problems({**GOOD, "year": None, "year_range": [1993, 2004]}) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"kind": "film"}, "kind must be one of"),
        ({"kind": "movie"}, "kind movie with seasons or episodes"),
        ({"episodes": []}, "kind episode without episodes"),
        ({"kind": "season"}, "kind season needs seasons and no episodes"),
        ({"seasons": ["1"]}, "seasons must be a list of non-negative integers"),
        ({"episodes": [1, 1]}, "episodes has repeated numbers"),
        ({"year": "2024"}, "year must be null or an integer"),
        ({"year": True}, "year must be null or an integer"),
        ({"source": "WEB-DL"}, "source must be null or one of"),
        ({"source": "hdcam"}, "source must be null or one of"),
        ({"title": " "}, "title must be a non-empty string"),
        ({"season": 1}, "unknown keys ['season']"),
        ({"website": "Site.ORG"}, "website must be lower-case"),
        ({"year_range": [1993, 2004]}, "year must be null when year_range is given"),
        ({"year": None, "year_range": [2004, 1993]}, "year_range must be [first, last]"),
        ({"kind": "season", "episodes": [], "absolute": True}, "absolute: true on a case"),
        ({"aliases": "Сериал"}, "aliases must be a list of non-empty strings"),
    ],
)
def test_the_checker_names_what_is_wrong(change: dict[str, Any], expected: str) -> None:
    problems = wc.line_problems({**GOOD, **change})
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("key", wc.REQUIRED)
def test_a_missing_required_key_is_named(key: str) -> None:
    line = {k: v for k, v in GOOD.items() if k != key}
    assert f"missing required key {key!r}" in wc.line_problems(line)


def test_bad_lines_and_duplicates_are_reported_with_their_place(tmp_path: Path) -> None:
    dev = tmp_path / "world_names"
    holdout = tmp_path / "world_names_holdout"
    dev.mkdir()
    holdout.mkdir()
    (dev / "ru.jsonl").write_text(
        json.dumps(GOOD, ensure_ascii=False) + "\n\n{not json\n", encoding="utf-8"
    )
    (holdout / "xx.jsonl").write_text(
        json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "source": "camrip"}) + "\n",
        encoding="utf-8",
    )
    cases, problems = wc.load("all", tmp_path)
    assert [(c.split, c.region, c.line) for c in cases] == [("dev", "ru", 1), ("holdout", "xx", 1)]
    assert problems[0].startswith("world_names/ru.jsonl:3: not JSON")
    assert problems[1].startswith("world_names_holdout/xx.jsonl:2: source must be null or one of")
    assert problems[2] == (
        "world_names_holdout/xx.jsonl:1: duplicate name, first at world_names/ru.jsonl:1"
    )
    assert len(problems) == 3
    only_dev, dev_problems = wc.load("dev", tmp_path)
    assert len(only_dev) == 1 and len(dev_problems) == 1


# ------------------------------------------------------------------ the scoring
def _case(**change: Any) -> wc.Case:
    return wc.case_of({**GOOD, **change}, split="dev", region="xx", line=1)


def test_titles_compare_as_case_folded_letters_and_digits_of_any_script() -> None:
    assert wc.norm_title("S.H.I.E.L.D. - Agents") == wc.norm_title("shield agents")
    assert wc.norm_title("Cafe\u0301") == wc.norm_title("Café")  # decomposed == composed
    assert wc.norm_title("Мастер и Маргарита") == wc.norm_title("мастер-и-маргарита")
    assert wc.norm_title("第2季") == "第2季"
    assert wc.norm_title("Mob Psycho 100") != wc.norm_title("Mob Psycho")
    assert wc.norm_title(None) == wc.norm_title("") == ""


def test_each_field_is_scored_over_its_own_cases() -> None:
    right = wc.Answer(
        title="SHOW",
        seasons=frozenset({1}),
        episodes=frozenset(range(1, 9)),
        kind="episode",
        source="web-dl",
        year=2024,
    )
    assert wc.outcomes(_case(), right) == dict.fromkeys(wc.FIELDS, True)
    movie = _case(kind="movie", seasons=[], episodes=[], year=None, source=None)
    assert set(wc.outcomes(movie, right)) == {"title", "kind"}
    assert wc.outcomes(movie, right)["kind"] is False
    # a season answer must be the same set; an episode answer too
    partial = wc.Answer(title="Show", seasons=frozenset({1, 2}), episodes=frozenset({1}))
    got = wc.outcomes(_case(), partial)
    assert not got["season"] and not got["episode"] and not got["source"] and not got["year"]


def test_absolute_numbers_count_as_episodes_and_aliases_only_for_the_info_row() -> None:
    class Parsed:  # the ParsedRelease fields from_leaktrace reads
        title = "Сериал"
        aliases = ("Show",)
        seasons: tuple[int, ...] = ()
        episodes: tuple[int, ...] = ()
        absolute_episodes = (1071,)
        kind = "episode"
        source = None
        year = None

    answer = wc.from_leaktrace(Parsed())
    assert answer.episodes == frozenset({1071})
    case = _case(seasons=[], episodes=[1071], source=None, year=None)
    got = wc.outcomes(case, answer)
    assert got == {"title": False, "title_or_alias": True, "kind": True, "episode": True}
    assert "title_or_alias" not in wc.outcomes(case, wc.Answer(title="Show"))


def test_a_parser_that_raises_misses_every_field() -> None:
    def boom(name: str) -> wc.Answer:
        raise ValueError(name)

    scored = wc.run([_case(), _case(name="other")], boom)
    assert wc.tally(scored) == {
        "title": (0, 2),
        "season": (0, 2),
        "episode": (0, 2),
        "kind": (0, 2),
        "source": (0, 2),
        "year": (0, 2),
    }
