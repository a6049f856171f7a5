"""Tables fit the terminal: release names stay whole, less useful columns go first."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from leaktrace.cli.output import Format, emit_rows, fit_columns, fold_name

COLUMNS = [
    ("released_at", "released (UTC)"),
    ("release", "release"),
    ("work", "work"),
    ("lead_days", "lead (days)"),
    ("group", "group"),
]
ROWS = [
    {
        "released_at": "2025-04-11T08:35:36Z",
        "release": "Salt.Harbor.2025.2160p.UHD.BluRay.x265-EMBERS",
        "work": "Salt Harbor",
        "lead_days": 20.64,
        "group": "EMBERS",
    },
    {
        "released_at": "2025-10-23T12:54:58Z",
        "release": "Parallax II (2025) [1080p] [BluRay] [5.1] [NOVA]",
        "work": "Parallax II",
        "lead_days": 20.46,
        "group": "NOVA",
    },
]


def _render(width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    emit_rows(
        console,
        ROWS,
        Format.table,
        columns=COLUMNS,
        whole=("release",),
        optional=("group", "released_at", "work"),
    )
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def test_names_stay_whole_in_80_columns() -> None:
    text = _render(80)
    for row in ROWS:
        assert str(row["release"]) in text
    headers = text.splitlines()[1]
    assert "work" in headers and "lead" in headers
    assert "group" not in headers and "released" not in headers  # dropped first
    assert max(len(line) for line in text.splitlines()) <= 80


def test_wide_terminals_keep_every_column() -> None:
    text = _render(200)
    for header in ("released (UTC)", "release", "work", "lead (days)", "group"):
        assert header in text
    for row in ROWS:
        assert str(row["release"]) in text and str(row["released_at"]) in text


def test_a_name_wider_than_the_screen_folds_onto_full_lines() -> None:
    text = _render(40)
    lines = [line for line in text.splitlines() if line.startswith("│")]
    first = lines[0].split("│")[1].strip()
    assert len(first) >= 20  # folded in long pieces, not 8-character ones


@given(
    names=st.lists(st.text(alphabet="abcXYZ.-0123", min_size=1, max_size=90), min_size=1),
    width=st.integers(min_value=30, max_value=240),
)
def test_fit_columns_keeps_required_columns(names: list[str], width: int) -> None:
    texts = [{"release": n, "group": "G", "work": "A work"} for n in names]
    columns = [("release", "release"), ("work", "work"), ("group", "group")]
    kept, widths = fit_columns(columns, texts, width, whole=("release",), optional=("group",))
    keys = [k for k, _ in kept]
    assert "release" in keys and "work" in keys
    longest = max(len(n) for n in names)
    assert 1 <= widths.get("release", 1) <= max(longest, len("release"))
    if "group" not in keys:  # only dropped when the names did not fit beside it
        assert 3 * 3 + 1 + max(longest, 7) + len("work") + len("group") > width


def test_long_words_in_ordinary_columns_never_give_negative_widths() -> None:
    """A URL in 'reason' and 'where' (one long word each) at 80 and 100 columns."""
    url = "http://127.0.0.1:8080/api?t=search&apikey=***&cat=2000,5000&extended=1&limit=100"
    texts = [{"a": "2026-12-05T15:00:00Z", "b": "torznab-main", "c": url, "d": url}]
    columns = [("a", "received"), ("b", "source"), ("c", "reason"), ("d", "where")]
    for width in (40, 80, 100):
        kept, widths = fit_columns(columns, texts, width)
        assert [k for k, _ in kept] == ["a", "b", "c", "d"]
        assert all(w >= 1 for w in widths.values()), widths
        assert 3 * len(kept) + 1 + sum(widths.values()) <= max(width, 3 * 4 + 1 + 4 * 6)


def test_a_long_name_folds_after_dots_and_dashes() -> None:
    name = "Salt.Harbor.2025.1080p.BluRay.REMUX.AVC.DTS-HD.MA.5.1-EMBERS"
    assert fold_name(name, 56).split("\n") == [
        "Salt.Harbor.2025.1080p.BluRay.REMUX.AVC.DTS-HD.MA.5.1-",
        "EMBERS",
    ]
    assert fold_name(name, 80) == name


@given(
    text=st.text(alphabet="ab.-_ [](x", min_size=0, max_size=200),
    width=st.integers(min_value=1, max_value=60),
)
def test_fold_name_keeps_every_character_in_lines_that_fit(text: str, width: int) -> None:
    lines = fold_name(text, width).split("\n")
    assert all(len(line) <= width for line in lines) or len(text) <= width
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(
    cells=st.lists(
        st.tuples(st.text(max_size=120), st.text(max_size=120), st.text(max_size=40)),
        min_size=1,
        max_size=5,
    ),
    width=st.integers(min_value=20, max_value=240),
)
def test_fit_columns_widths_are_positive_and_fit_when_they_can(
    cells: list[tuple[str, str, str]], width: int
) -> None:
    texts = [{"n": n, "r": r, "g": g} for n, r, g in cells]
    columns = [("n", "name"), ("r", "reason"), ("g", "group")]
    kept, widths = fit_columns(columns, texts, width, whole=("n",), optional=("g",))
    assert all(w >= 1 for w in widths.values())
    if widths:
        floors = sum(6 if k != "n" else 1 for k, _ in kept)
        total = 3 * len(kept) + 1 + sum(widths.values())
        assert total <= width or total <= 3 * len(kept) + 1 + floors + len(kept)


def test_room_one_whole_column_leaves_goes_to_the_next() -> None:
    columns = [("c", "cluster"), ("s", "server"), ("r", "located by")]
    kept, widths = fit_columns(columns, [], 3 * 3 + 1 + 7 + 6 + 7, whole=("c", "s"))
    assert widths == {"c": 7, "s": 6, "r": 7}
