"""Tables fit the terminal: release names stay whole, less useful columns go first."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from leaktrace.cli.output import Format, emit_rows, fit_columns

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
