"""operations.timezones: every ISO country gets a real IANA zone (its capital's where
that matters), unknown zones are refused, and the H-hour reads right in every zone,
across daylight saving time changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.infra.worldmap import iso_table
from leaktrace.operations.model import h_hour_at
from leaktrace.operations.timezones import check_zone, country_zone, local_time

UNINHABITED = {"BV", "HM"}
"""Bouvet Island, Heard and McDonald Islands: no zone of their own in the IANA table."""


def test_every_iso_country_gets_a_valid_zone() -> None:
    zones = available_timezones()
    # the ISO 3166 table the package ships for its world map (UN M49 numeric -> alpha-2)
    countries = {alpha2 for alpha2, _ in iso_table().values()}
    assert len(countries) >= 249
    for country in countries:
        zone = country_zone(country)
        assert zone in zones, country
        assert country_zone(country.lower()) == zone
        if country not in UNINHABITED:
            assert zone != "UTC", country
        ZoneInfo(zone)


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("NL", "Europe/Amsterdam"),
        ("DE", "Europe/Berlin"),
        ("FR", "Europe/Paris"),
        ("ES", "Europe/Madrid"),
        ("PT", "Europe/Lisbon"),
        ("GB", "Europe/London"),
        ("UK", "Europe/London"),
        (" uk ", "Europe/London"),
        ("US", "America/New_York"),
        ("CA", "America/Toronto"),
        ("BR", "America/Sao_Paulo"),
        ("MX", "America/Mexico_City"),
        ("RU", "Europe/Moscow"),
        ("UA", "Europe/Kyiv"),
        ("AU", "Australia/Sydney"),
        ("NZ", "Pacific/Auckland"),
        ("IN", "Asia/Kolkata"),
        ("CN", "Asia/Shanghai"),
        ("ID", "Asia/Jakarta"),
        ("CD", "Africa/Kinshasa"),
        ("AR", "America/Argentina/Buenos_Aires"),
    ],
)
def test_capital_zones(country: str, zone: str) -> None:
    assert country_zone(country) == zone


@pytest.mark.parametrize("country", [None, "", "XX", "ZZ", "NLD", "unknown", "??"])
def test_unknown_country_is_utc(country: str | None) -> None:
    assert country_zone(country) == "UTC"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "  ",
        "Mars/Olympus_Mons",
        "Europe/Amsterdamm",
        "europe/amsterdam",
        "../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "Europe/",
        "posix/Europe/Rome",
        "right/UTC",
        "UTC+2",
        "CEST",
        "Europe/Rome\x00",
    ],
)
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(InputError) as refused:
        check_zone(name)
    assert refused.value.field == "timezone"


def test_localtime_is_not_a_zone() -> None:
    with pytest.raises(InputError):
        check_zone("localtime")


def test_known_zones_are_accepted() -> None:
    for name in ("Europe/Rome", " America/Los_Angeles ", "Asia/Kolkata", "UTC", "utc"):
        assert check_zone(name) == name.strip().replace("utc", "UTC")


@examples(max_examples=40)
@given(st.text(max_size=40))
def test_check_zone_only_input_errors(name: str) -> None:
    try:
        zone = check_zone(name)
    except InputError:
        return
    ZoneInfo(zone)


@pytest.mark.parametrize(
    ("day", "h_hour", "zone", "shown"),
    [
        # Europe: summer time starts on the last Sunday of March at 01:00 UTC
        ("2026-03-28", "06:00", "Europe/Amsterdam", "2026-03-28 07:00 CET (UTC+01:00)"),
        ("2026-03-29", "00:59", "Europe/Amsterdam", "2026-03-29 01:59 CET (UTC+01:00)"),
        ("2026-03-29", "01:00", "Europe/Amsterdam", "2026-03-29 03:00 CEST (UTC+02:00)"),
        ("2026-03-29", "06:00", "Europe/Amsterdam", "2026-03-29 08:00 CEST (UTC+02:00)"),
        ("2026-10-25", "00:59", "Europe/Berlin", "2026-10-25 02:59 CEST (UTC+02:00)"),
        ("2026-10-25", "01:00", "Europe/Berlin", "2026-10-25 02:00 CET (UTC+01:00)"),
        ("2026-10-25", "06:00", "Europe/London", "2026-10-25 06:00 GMT (UTC+00:00)"),
        ("2026-10-24", "06:00", "Europe/London", "2026-10-24 07:00 BST (UTC+01:00)"),
        # the United States change two weeks earlier (second Sunday of March)
        ("2026-03-08", "06:00", "America/New_York", "2026-03-08 01:00 EST (UTC-05:00)"),
        ("2026-03-08", "07:00", "America/New_York", "2026-03-08 03:00 EDT (UTC-04:00)"),
        ("2026-03-20", "06:00", "America/Los_Angeles", "2026-03-19 23:00 PDT (UTC-07:00)"),
        # the southern hemisphere the other way round
        ("2026-04-04", "06:00", "Australia/Sydney", "2026-04-04 17:00 AEDT (UTC+11:00)"),
        ("2026-04-05", "06:00", "Australia/Sydney", "2026-04-05 16:00 AEST (UTC+10:00)"),
        # half and quarter hours, negative half hours
        ("2026-12-07", "05:00", "Asia/Kolkata", "2026-12-07 10:30 IST (UTC+05:30)"),
        ("2026-12-07", "05:00", "Asia/Kathmandu", "2026-12-07 10:45 +0545 (UTC+05:45)"),
        ("2026-12-07", "05:00", "America/St_Johns", "2026-12-07 01:30 NST (UTC-03:30)"),
        ("2026-07-07", "05:00", "America/St_Johns", "2026-07-07 02:30 NDT (UTC-02:30)"),
        # the date line
        ("2026-12-07", "23:00", "Pacific/Kiritimati", "2026-12-08 13:00 +14 (UTC+14:00)"),
        ("2026-12-07", "05:00", "UTC", "2026-12-07 05:00 UTC (UTC+00:00)"),
    ],
)
def test_h_hour_shown_in_each_zone(day: str, h_hour: str, zone: str, shown: str) -> None:
    assert local_time(h_hour_at(date.fromisoformat(day), h_hour), zone) == shown


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(sorted(available_timezones() - {"localtime", "Factory"})),
)
def test_local_time_names_the_same_moment(moment: datetime, zone: str) -> None:
    shown = local_time(moment, zone)
    text, offset = shown[:16], shown.rsplit("(UTC", 1)[1].rstrip(")")
    local = datetime.strptime(text, "%Y-%m-%d %H:%M")
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(p) for p in offset[1:].split(":"))
    back = local.replace(tzinfo=UTC) - sign * (
        datetime(2000, 1, 1, hours, minutes) - datetime(2000, 1, 1)
    )
    assert back == moment.replace(second=0, microsecond=0)
