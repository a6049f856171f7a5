"""operations.model: the life of a target (every allowed and every refused move), the
outcome fields, and the parsers of outside text (day, H-hour, agency specs, free text):
they answer InputError and nothing else for any string, and valid input round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import ConflictError, InputError
from leaktrace.operations.model import (
    CHECKLIST,
    FINAL,
    FIRST_YEAR,
    LAST_YEAR,
    NEXT,
    OUTCOME_FIELDS,
    AgencyRole,
    TargetStatus,
    check_move,
    checked_outcome,
    checked_text,
    country_state,
    h_hour_at,
    outcome_words,
    parse_agency_spec,
    parse_day,
    parse_h_hour,
    parse_status,
)

S = TargetStatus
ALLOWED = {
    (S.planned, S.go),
    (S.planned, S.aborted),
    (S.go, S.in_progress),
    (S.go, S.aborted),
    (S.in_progress, S.done),
    (S.in_progress, S.failed),
    (S.in_progress, S.aborted),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_every_move_is_allowed_or_refused_as_the_life_of_a_target_says(
    current: TargetStatus, new: TargetStatus
) -> None:
    if (current, new) in ALLOWED:
        check_move(current, new)
        assert new in NEXT[current]
        return
    with pytest.raises(ConflictError) as refused:
        check_move(current, new)
    message = str(refused.value)
    assert current.value in message and new.value in message
    if current in FINAL:
        assert "final" in message
    else:  # names where it may go instead
        assert all(s.value in message for s in NEXT[current])


def test_final_statuses_and_the_table() -> None:
    assert {s for s in S if not NEXT[s]} == FINAL == {S.done, S.failed, S.aborted}
    assert set(NEXT) == set(S)
    assert {(a, b) for a, nexts in NEXT.items() for b in nexts} == ALLOWED
    # every status is reachable from planned
    seen, todo = {S.planned}, [S.planned]
    while todo:
        for nxt in NEXT[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(S)
    assert [s.value for s in S] == ["planned", "go", "in-progress", "done", "failed", "aborted"]
    assert [k for k, _ in CHECKLIST] == [
        "authorisation",
        "search",
        "seizure",
        "forensic-image",
        "arrest",
        "provider-notified",
    ]
    assert [k for k, _ in OUTCOME_FIELDS] == ["seized", "arrested", "offline", "moved_to"]


@pytest.mark.parametrize(
    ("text", "status"),
    [("planned", S.planned), (" In-Progress ", S.in_progress), ("DONE", S.done), ("go", S.go)],
)
def test_parse_status(text: str, status: TargetStatus) -> None:
    assert parse_status(text) is status


@pytest.mark.parametrize("text", ["", "in_progress", "finished", "plan", "done!", "gone"])
def test_parse_status_refuses(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_status(text)
    assert refused.value.field == "status"
    assert "in-progress" in str(refused.value)


@given(st.text())
def test_parse_status_only_input_errors(text: str) -> None:
    try:
        status = parse_status(text)
    except InputError:
        return
    assert status.value == text.strip().lower()


# --- outcome ----------------------------------------------------------------------------


def test_outcome_accepts_and_normalises() -> None:
    assert checked_outcome({}) == {}
    assert checked_outcome(
        {"seized": 3, "arrested": 0, "offline": True, "moved_to": "  AS64500 (RO)  "}
    ) == {"seized": 3, "arrested": 0, "offline": True, "moved_to": "AS64500 (RO)"}
    assert checked_outcome({"seized": 10_000, "offline": False}) == {
        "seized": 10_000,
        "offline": False,
    }
    # None leaves a field out
    assert checked_outcome({"seized": None, "moved_to": None}) == {}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"servers": 1}, "outcome"),
        ({"seized": -1}, "seized"),
        ({"seized": 10_001}, "seized"),
        ({"seized": True}, "seized"),
        ({"seized": 1.0}, "seized"),
        ({"seized": "3"}, "seized"),
        ({"arrested": -5}, "arrested"),
        ({"arrested": False}, "arrested"),
        ({"offline": 1}, "offline"),
        ({"offline": "yes"}, "offline"),
        ({"moved_to": ""}, "moved_to"),
        ({"moved_to": "   "}, "moved_to"),
        ({"moved_to": "x" * 301}, "moved_to"),
        ({"moved_to": 7}, "moved_to"),
    ],
)
def test_outcome_refuses(values: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as refused:
        checked_outcome(values)
    assert refused.value.field == field


def test_outcome_moved_to_refuses_control_characters() -> None:
    with pytest.raises(InputError):
        checked_outcome({"moved_to": "AS64500\x1b[31m red"})


# --- H-hour and day --------------------------------------------------------------------


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from(["", " ", "\t", "\n"]))
def test_h_hour_round_trips(hours: int, minutes: int, pad: str) -> None:
    text = f"{hours:02d}:{minutes:02d}"
    assert parse_h_hour(pad + text + pad) == text
    moment = h_hour_at(date(2026, 12, 7), text)
    assert moment == datetime(2026, 12, 7, hours, minutes, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["24:00", "23:60", "7:00", "07:0", "0700", "07:00:00", "07.00", "", "  ", "٠٧:٠٠", "07:00\n1"],
)
def test_h_hour_refuses(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_h_hour(text)
    assert refused.value.field == "h_hour"


@given(st.text())
def test_h_hour_only_input_errors(text: str) -> None:
    try:
        value = parse_h_hour(text)
    except InputError:
        return
    assert len(value) == 5 and value == text.strip()
    assert 0 <= int(value[:2]) <= 23 and 0 <= int(value[3:]) <= 59


@given(st.dates())
def test_day_round_trips_within_the_years(day: date) -> None:
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        assert parse_day(f" {day.isoformat()} ") == day
        return
    with pytest.raises(InputError) as refused:
        parse_day(day.isoformat())
    assert refused.value.field == "date"


def test_the_years_of_an_action_day() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (1990, 2100)
    assert parse_day("1990-01-01") == date(1990, 1, 1)
    assert parse_day("2100-12-31") == date(2100, 12, 31)
    for text in ("1989-12-31", "2101-01-01", "0001-01-01", "9999-12-31"):
        with pytest.raises(InputError, match="1990 to 2100"):
            parse_day(text)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2026-13-01", "26-12-07", "2026-12-7", "20261207", "", "2026-12-07T05"]
)
def test_day_refuses(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_day(text)
    assert refused.value.field == "date"


@given(st.text())
def test_day_only_input_errors(text: str) -> None:
    try:
        value = parse_day(text)
    except InputError:
        return
    assert value.isoformat() == text.strip() and FIRST_YEAR <= value.year <= LAST_YEAR


# --- agency specs ----------------------------------------------------------------------

CODES = st.from_regex(r"[A-Z][A-Z0-9-]{1,31}", fullmatch=True)
ZONES = st.sampled_from(["Europe/Rome", "America/Los_Angeles", "UTC", "Asia/Kolkata"])


@given(CODES, st.none() | st.sampled_from(list(AgencyRole)), st.none() | ZONES)
def test_agency_spec_round_trips(code: str, role: AgencyRole | None, zone: str | None) -> None:
    spec = code + (f":{role.value}" if role else "") + (f"={zone}" if zone else "")
    assert parse_agency_spec(spec) == (code, role or AgencyRole.participant, zone)
    spaced = (
        f"  {code} " + (f": {role.value.upper()} " if role else "") + (f"= {zone} " if zone else "")
    )
    assert parse_agency_spec(spaced) == (code, role or AgencyRole.participant, zone)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("NL-POL", ("NL-POL", AgencyRole.participant, None)),
        ("EJ:coordinator", ("EJ", AgencyRole.coordinator, None)),
        ("US-FBI=America/Los_Angeles", ("US-FBI", AgencyRole.participant, "America/Los_Angeles")),
        ("INDUSTRY:observer", ("INDUSTRY", AgencyRole.observer, None)),
        ("NL=", ("NL", AgencyRole.participant, None)),
    ],
)
def test_agency_spec_examples(spec: str, expected: tuple[str, AgencyRole, str | None]) -> None:
    assert parse_agency_spec(spec) == expected


@pytest.mark.parametrize(
    "spec", ["", "   ", ":coordinator", "=Europe/Rome", "NL:", "NL:boss", "NL:coordinator:x"]
)
def test_agency_spec_refuses(spec: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_agency_spec(spec)
    assert refused.value.field == "agencies"


@given(st.text())
def test_agency_spec_only_input_errors(spec: str) -> None:
    try:
        code, role, zone = parse_agency_spec(spec)
    except InputError:
        return
    assert code and code == code.strip() and isinstance(role, AgencyRole)
    assert zone is None or (zone and zone == zone.strip())


# --- free text -------------------------------------------------------------------------


@given(st.text(), st.integers(1, 50), st.booleans())
def test_checked_text_only_input_errors(value: str, limit: int, required: bool) -> None:
    try:
        text = checked_text(value, "note", limit=limit, required=required)
    except InputError as refused:
        assert refused.field == "note"
        return
    if text is None:
        assert not required and not value.strip()
        return
    assert text == value.strip() and 0 < len(text) <= limit
    assert all(c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0) for c in text)


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1))
def test_checked_text_round_trips(value: str) -> None:
    text = value.strip()
    if not text or len(text) > 300:
        return
    assert checked_text(value, "label", limit=300) == text
    assert checked_text(text, "label", limit=300) == text


def test_checked_text_cases() -> None:
    assert checked_text(None, "note", limit=10) is None
    assert checked_text("   ", "note", limit=10) is None
    assert checked_text("a\tb\nc", "note", limit=10) == "a\tb\nc"
    for bad, required in (("", True), (None, True), ("x" * 11, False), ("a\x00b", False)):
        with pytest.raises(InputError):
            checked_text(bad, "note", limit=10, required=required)
    for control in ("\x1b[2J", "\r", "\x7f", "\x85", "\x9f"):
        with pytest.raises(InputError):
            checked_text(f"a{control}b", "note", limit=10)


@pytest.mark.parametrize(
    ("counts", "state"),
    [
        ({"planned": 3}, "planned"),
        ({"planned": 2, "go": 1}, "go"),
        ({"go": 1, "in-progress": 1}, "in-progress"),
        ({"planned": 1, "done": 1}, "in-progress"),  # some over, others not: under way
        ({"done": 4, "failed": 1}, "failed"),  # a failure needs attention first
        ({"in-progress": 2, "failed": 1}, "failed"),
        ({"done": 2, "aborted": 1}, "done"),
        ({"aborted": 2}, "aborted"),
        ({}, "aborted"),
    ],
)
def test_a_countrys_state_says_what_needs_attention_first(
    counts: dict[str, int], state: str
) -> None:
    assert country_state(counts) == state


def test_outcome_words() -> None:
    assert outcome_words({}) == ""
    assert (
        outcome_words({"seized": 2, "arrested": 0, "offline": False, "moved_to": "AS64500"})
        == "seized 2, arrested 0, still online, moved to AS64500"
    )
    assert outcome_words({"offline": True}) == "offline"
