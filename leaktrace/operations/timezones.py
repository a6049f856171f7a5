"""Time zones of participants: an agency's default zone from its country, and the H-hour
as each participant reads it.

The country → zone table is the IANA database's ``zone.tab`` (from the ``tzdata``
package, or the system's ``/usr/share/zoneinfo``): a country's first listed zone, or
the capital's zone for the few countries where that listing starts elsewhere
(``RU`` → ``Europe/Moscow``, ``CA`` → ``America/Toronto``). An agency elsewhere in its
country gives its zone explicitly (``--agencies US-FBI=America/Los_Angeles``).
"""

from __future__ import annotations

import functools
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from leaktrace.errors import InputError

__all__ = ["check_zone", "country_zone", "local_time"]

_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
"""Files of a zoneinfo directory that are not zones of a place."""


def _zone_table_text() -> str:
    try:
        return (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return Path("/usr/share/zoneinfo/zone.tab").read_text("utf-8")


_CAPITALS = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "XK": "Europe/Belgrade",  # Kosovo: not in the IANA table; its clocks are Belgrade's
}
"""Countries whose first listed zone is not where most of the country lives (and Kosovo,
which the table does not list)."""


@functools.cache
def _first_zone_by_country() -> dict[str, str]:
    zones: dict[str, str] = dict(_CAPITALS)
    for line in _zone_table_text().splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        for country in parts[0].split(","):
            zones.setdefault(country.strip().upper(), parts[2].strip())
    return zones


def country_zone(country: str | None) -> str:
    """The default IANA zone of ``country`` (ISO alpha-2; ``UK`` is ``GB``), ``UTC`` when
    unknown."""
    code = (country or "").strip().upper()
    code = "GB" if code == "UK" else code
    return _first_zone_by_country().get(code, "UTC")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_zone(name: str) -> str:
    """``name`` if it is an IANA zone, else InputError."""
    text = name.strip()
    if text and text in _zones() and text not in _NOT_ZONES:
        return text
    try:
        if text and text.upper() == "UTC":
            ZoneInfo("UTC")
            return "UTC"
    except ZoneInfoNotFoundError:  # pragma: no cover - every system has UTC
        pass
    raise InputError(
        f"unknown time zone {name!r} (an IANA name like Europe/Rome)", field="timezone"
    )


def local_time(moment: datetime, zone: str) -> str:
    """``moment`` as read in ``zone``: ``2020-08-25 08:00 CEST (UTC+02:00)``."""
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    sign, hours, minutes = offset[:1], offset[1:3], offset[3:5]
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{sign}{hours}:{minutes})"
