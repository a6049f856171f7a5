"""Country and ASN of an address from MaxMind DB (``.mmdb``) files, offline.

A small wrapper of its own (the general enrichment module lives elsewhere). Country: the
database given, else the Geoacumen country database shipped by the PyPI package
``python-geoacumen`` (Apache-2.0). ASN: only with a database given (e.g. GeoLite2-ASN,
DB-IP ASN Lite, IPinfo Lite). Readers understand the usual record layouts:
``country.iso_code`` / ``registered_country.iso_code`` / ``country_code`` and
``autonomous_system_number`` / ``asn`` (``"AS64500"`` or a number).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any, Protocol, cast

from leaktrace.errors import ConfigError

__all__ = ["GeoLookup", "default_country_db", "open_mmdb"]


class _Reader(Protocol):
    def get(self, ip_address: str) -> Any: ...

    def close(self) -> None: ...


def default_country_db() -> Path | None:
    """Geoacumen's country database, if ``python-geoacumen`` is installed."""
    try:
        module = importlib.import_module("geoacumen")
    except ImportError:
        return None
    path = Path(str(getattr(module, "db_path", "")))
    return path if path.is_file() else None


def open_mmdb(path: Path) -> _Reader:
    """Open a MaxMind DB file; :class:`ConfigError` if it is missing or not one."""
    try:
        maxminddb = importlib.import_module("maxminddb")
    except ImportError:  # pragma: no cover - a declared dependency
        raise ConfigError("the maxminddb package is needed for GeoIP look-ups") from None
    if not path.is_file():
        raise ConfigError(f"GeoIP database {path} does not exist")
    try:
        return cast(_Reader, maxminddb.open_database(str(path)))
    except (OSError, ValueError, RuntimeError) as exc:  # InvalidDatabaseError: RuntimeError
        raise ConfigError(f"{path} is not a MaxMind DB file: {exc}") from None


@dataclass
class GeoLookup:
    """Look up (country, asn) of addresses; either database may be absent."""

    country_db: Path | None = None
    asn_db: Path | None = None
    _country: _Reader | None = field(default=None, init=False, repr=False)
    _asn: _Reader | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.country_db is not None:
            self._country = open_mmdb(self.country_db)
        if self.asn_db is not None:
            self._asn = open_mmdb(self.asn_db)

    @classmethod
    def default(cls, country_db: Path | None = None, asn_db: Path | None = None) -> GeoLookup:
        """With ``country_db`` or else the bundled Geoacumen database."""
        return cls(country_db or default_country_db(), asn_db)

    @property
    def sources(self) -> dict[str, str | None]:
        return {
            "country": None if self.country_db is None else self.country_db.name,
            "asn": None if self.asn_db is None else self.asn_db.name,
        }

    def lookup(self, address: IPv4Address | IPv6Address) -> tuple[str | None, int | None]:
        text = str(address)
        country = _country(_get(self._country, text))
        asn = _asn(_get(self._asn, text))
        if asn is None and self._asn is None:
            asn = _asn(_get(self._country, text))  # some country files carry the ASN too
        return country, asn

    def close(self) -> None:
        for reader in (self._country, self._asn):
            if reader is not None:
                reader.close()
        self._country = self._asn = None

    def __enter__(self) -> GeoLookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _get(reader: _Reader | None, text: str) -> Any:
    if reader is None:
        return None
    try:
        return reader.get(text)
    except (ValueError, RuntimeError):  # IPv6 in an IPv4-only database; a corrupt record
        return None


def _country(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    for key in ("country", "registered_country"):
        part = record.get(key)
        if isinstance(part, dict):
            code = part.get("iso_code")
            if isinstance(code, str) and len(code) == 2 and code.isalpha():
                return code.upper()
    code = record.get("country_code")
    if isinstance(code, str) and len(code) == 2 and code.isalpha():
        return code.upper()
    return None


def _asn(record: Any) -> int | None:
    if not isinstance(record, dict):
        return None
    value = record.get("autonomous_system_number", record.get("asn"))
    if isinstance(value, str) and value.upper().startswith("AS"):
        value = value[2:]
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    # the column is a 32-bit signed integer; public ASNs are far below 2**31
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None
