"""The assessor keeps each work's window per source: its verdicts are detection's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.catalog.model import Work
from leaktrace.detect.detector import assess
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor

from ..detect.test_detector import FILM

BARE = Work(id="b", kind="movie", title="Bare", year=2026)
ASSESSOR = Assessor(Matcher([FILM, BARE], 88))
SOURCES = [None, "cam", "telesync", "web-dl", "bluray", "remux", "workprint", "no-such-source"]


@given(
    st.sampled_from(SOURCES),
    st.sampled_from(["f", "b"]),
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 8, 1), timezones=st.just(UTC)
    ),
)
def test_kept_windows_give_detections_verdicts(
    source: str | None, work_id: str, moment: datetime
) -> None:
    work = FILM if work_id == "f" else BARE
    for _ in range(2):  # the first call keeps the window, the second uses it
        assert ASSESSOR.redetect(source, work_id, moment) == assess(source, work, moment)


def test_the_boundary_holds_with_a_kept_window() -> None:
    opens = datetime(2026, 5, 19, tzinfo=UTC)
    assessor = Assessor(Matcher([FILM], 88))
    assert assessor.redetect("bluray", "f", opens).status == "in-window"
    assert assessor.redetect("bluray", "f", opens - timedelta(microseconds=1)).status == "leak"
    assert assessor.redetect("bluray", "f", opens + timedelta(days=9)).status == "in-window"


def test_another_work_with_the_same_id_is_not_served_the_old_window() -> None:
    moved = replace(FILM, physical=date(2026, 7, 1))
    assessor = Assessor(Matcher([FILM], 88))
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    assert assessor.redetect("bluray", "f", moment).status == "in-window"
    assessor.matcher.index.works["f"] = moved
    assert assessor.redetect("bluray", "f", moment).status == "leak"


def test_windows_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import leaktrace.pipeline.assess as assess_module

    monkeypatch.setattr(assess_module, "OPENINGS_KEPT", 3)
    assessor = Assessor(Matcher([FILM, BARE], 88))
    moment = datetime(2026, 2, 1, tzinfo=UTC)
    for source in SOURCES * 2:
        for work in (FILM, BARE):
            assert assessor.redetect(source, work.id, moment) == assess(source, work, moment)
            kept = sum(len(of_source) for of_source in assessor._openings.values())
            assert kept <= 3
