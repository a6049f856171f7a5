"""Country, ASN and organisation out of one MaxMind DB record, whatever its layout.

Understood layouts: GeoLite2/GeoIP2 and DB-IP (``country.iso_code``,
``registered_country.iso_code``, ``autonomous_system_number``,
``autonomous_system_organization``, ``isp``, ``organization``) and IPinfo-style flat
records (``country_code``, ``asn`` as ``"AS64500"`` or a number, ``as_name``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ASN_KEYS", "COUNTRY_KEYS", "asn_of", "country_of"]

COUNTRY_KEYS = ("country", "registered_country", "country_code", "country_iso_code")
ASN_KEYS = ("autonomous_system_number", "asn")
ORGANISATION_KEYS = ("autonomous_system_organization", "as_name", "organization", "isp")
INT32_MAX = 2**31 - 1  # the stored ASN column is a signed 32-bit integer


def _iso(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("iso_code")
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()
    return None


def country_of(record: Mapping[str, Any]) -> str | None:
    """The ISO 3166 alpha-2 code of a record (the country, else the registered one)."""
    for key in COUNTRY_KEYS:
        code = _iso(record.get(key))
        if code is not None:
            return code
    return None


def _number(value: Any) -> int | None:
    if isinstance(value, str):
        digits = value.strip().upper().removeprefix("AS")
        value = int(digits) if digits.isascii() and digits.isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT32_MAX:
        return value
    return None


def asn_of(record: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """The autonomous system number (if it fits a signed 32-bit integer) and its owner."""
    asn: int | None = None
    for key in ASN_KEYS:
        asn = _number(record.get(key))
        if asn is not None:
            break
    for key in ORGANISATION_KEYS:
        name = record.get(key)
        if isinstance(name, str) and name.strip():
            return asn, name.strip()
    return asn, None
