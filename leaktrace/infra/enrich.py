"""Where a server is and who runs it: country, ASN and organisation from MaxMind DB files.

Lookups read MaxMind DB (``.mmdb``) files with the ``maxminddb`` reader (only its stable
``open_database``/``get``/``metadata`` API). With no file given, country comes from the
database shipped by ``python-geoacumen`` (Apache-2.0; country only, built 2024-06-23 from
iptoasn.com public data), so it works offline out of the box; ASN and organisation need a
file the user points to (``--asn-db``: GeoLite2-ASN or any mmdb with
``autonomous_system_number``/``autonomous_system_organization`` or ``asn``/``as_name``).
``--geoip`` replaces the default country file (GeoLite2-Country/City, DB-IP, IPinfo …; if
it also carries ASN fields they are used).

An IP's owner changes, so every lookup stores its date (``enriched_at``) and source (the
files' names with their build dates from the mmdb metadata, ``enrichment_source``).
Private and reserved addresses are marked, not looked up. Domains are not resolved unless
``dns=True`` (then each is resolved once with the system resolver and its first global
address is looked up; the address is named in the source).
"""

from __future__ import annotations

import importlib
import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from leaktrace.errors import InputError
from leaktrace.infra.model import EnrichReport, HostView, is_reserved
from leaktrace.store.database import Database
from leaktrace.store.infra import EnrichmentUpdate, load_hosts, set_enrichment

__all__ = [
    "ASN_MISSING",
    "GeoLookup",
    "GeoResult",
    "Resolver",
    "default_country_db",
    "enrich_hosts",
    "open_lookup",
    "system_resolver",
]

ASN_MISSING = "ASN: not available — point --asn-db to a GeoLite2-ASN file"
RESERVED_SOURCE = "not looked up: private or reserved address"
Resolver = Callable[[str], list[str]]


def default_country_db() -> Path | None:
    """The country database shipped by python-geoacumen, if it is installed."""
    try:
        path = resources.files("geoacumen").joinpath("db", "Geoacumen-Country.mmdb")
    except ModuleNotFoundError:
        return None
    candidate = Path(str(path))
    return candidate if candidate.is_file() else None


@dataclass(frozen=True, slots=True)
class GeoResult:
    country: str | None = None
    asn: int | None = None
    organisation: str | None = None


class _Reader:
    """One open mmdb file."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        module: Any = importlib.import_module("maxminddb")
        self._errors: tuple[type[Exception], ...] = (ValueError, module.InvalidDatabaseError)
        try:
            self._db: Any = module.open_database(str(path))
        except (OSError, *self._errors) as exc:
            raise InputError(f"not a MaxMind DB file: {exc}", file=str(path)) from None
        meta = self._db.metadata()
        self.path = path
        self.database_type = str(getattr(meta, "database_type", "") or "")
        epoch = getattr(meta, "build_epoch", None)
        self.built = datetime.fromtimestamp(epoch, UTC) if isinstance(epoch, int) else None
        self.ipv4_only = getattr(meta, "ip_version", 6) == 4

    def label(self) -> str:
        built = f", built {self.built:%Y-%m-%d}" if self.built else ""
        kind = f"{self.database_type}" if self.database_type else "mmdb"
        return f"{self.path.name} ({kind}{built})"

    def get(self, address: str) -> Mapping[str, Any] | None:
        if self.ipv4_only and ":" in address:
            return None
        try:
            record = self._db.get(address)
        except self._errors:
            return None
        return record if isinstance(record, Mapping) else None

    def close(self) -> None:
        self._db.close()


def _country(record: Mapping[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        value = record.get(key)
        if isinstance(value, Mapping):
            value = value.get("iso_code")
        if isinstance(value, str) and len(value) == 2 and value.isalpha():
            return value.upper()
    for key in ("country_code", "country_iso_code"):
        value = record.get(key)
        if isinstance(value, str) and len(value) == 2 and value.isalpha():
            return value.upper()
    return None


def _asn(record: Mapping[str, Any]) -> tuple[int | None, str | None]:
    number: Any = record.get("autonomous_system_number", record.get("asn"))
    if isinstance(number, str):
        digits = number.upper().removeprefix("AS")
        number = int(digits) if digits.isdigit() else None
    asn = number if isinstance(number, int) and not isinstance(number, bool) else None
    org: Any = None
    for key in ("autonomous_system_organization", "as_name", "organization", "isp"):
        org = record.get(key)
        if isinstance(org, str) and org:
            break
        org = None
    return asn, org


class GeoLookup:
    """Country (and ASN/organisation, when a file has them) for addresses."""

    def __init__(self, country: _Reader | None, asn: _Reader | None) -> None:
        self.country_reader = country
        self.asn_reader = asn

    @property
    def asn_available(self) -> bool:
        return self.asn_reader is not None or (
            self.country_reader is not None and "asn" in self.country_reader.database_type.lower()
        )

    def sources(self) -> list[str]:
        return [r.label() for r in (self.country_reader, self.asn_reader) if r is not None]

    def lookup(self, address: str) -> GeoResult:
        country: str | None = None
        asn: int | None = None
        org: str | None = None
        for reader in (self.country_reader, self.asn_reader):
            if reader is None:
                continue
            record = reader.get(address)
            if record is None:
                continue
            country = country or _country(record)
            number, name = _asn(record)
            asn = asn if asn is not None else number
            org = org or name
        return GeoResult(country, asn, org)

    def close(self) -> None:
        for reader in (self.country_reader, self.asn_reader):
            if reader is not None:
                reader.close()

    def __enter__(self) -> GeoLookup:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_lookup(geoip: Path | None = None, asn_db: Path | None = None) -> GeoLookup:
    """Open the country file (``geoip`` or the shipped default) and the optional ASN file."""
    country_path = geoip or default_country_db()
    if country_path is None and asn_db is None:
        raise InputError(
            "no GeoIP database: install python-geoacumen or give --geoip FILE", field="--geoip"
        )
    country = _Reader(country_path) if country_path is not None else None
    asn = _Reader(asn_db) if asn_db is not None else None
    return GeoLookup(country, asn)


def system_resolver(name: str) -> list[str]:
    """Addresses of ``name`` from the system resolver (empty if it does not resolve)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    out: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%")[0]
        if address not in out:
            out.append(address)
    return out


def _update(host: HostView, result: GeoResult, at: datetime, source: str) -> EnrichmentUpdate:
    return EnrichmentUpdate(host.id, result.country, result.asn, result.organisation, at, source)


def enrich_hosts(
    db: Database,
    *,
    geoip: Path | None = None,
    asn_db: Path | None = None,
    dns: bool = False,
    resolver: Resolver | None = None,
    only_missing: bool = False,
    now: datetime | None = None,
) -> EnrichReport:
    """Look up every stored host (or those never enriched, with ``only_missing``).

    IP hosts are looked up; private/reserved ones marked; domains skipped unless ``dns``.
    The hosts' country, ASN and organisation are replaced by the lookup's (an empty answer
    too: the file's date says when it was true), with the date and the source."""
    at = now or datetime.now(UTC)
    resolve = resolver or system_resolver
    with open_lookup(geoip, asn_db) as lookup, db.transaction() as conn:
        report = EnrichReport(sources=lookup.sources(), asn_available=lookup.asn_available, at=at)
        label = "; ".join(report.sources)
        updates: list[EnrichmentUpdate] = []
        for host in load_hosts(conn):
            if only_missing and host.enriched_at is not None:
                continue
            address = host.value
            via = ""
            if host.kind == "domain":
                if not dns:
                    report.domains_skipped += 1
                    continue
                addresses = [a for a in resolve(host.value) if _valid(a)]
                if not addresses:
                    report.not_found += 1
                    updates.append(
                        _update(host, GeoResult(), at, f"DNS: {host.value} did not resolve")
                    )
                    continue
                report.resolved += 1
                public = [a for a in addresses if not is_reserved("ip", a)]
                address = public[0] if public else addresses[0]
                via = f"DNS {host.value} → {address}; "
            report.hosts += 1
            if is_reserved("ip", address):
                report.reserved += 1
                updates.append(_update(host, GeoResult(), at, f"{via}{RESERVED_SOURCE}"))
                continue
            result = lookup.lookup(address)
            if result.country:
                report.located += 1
            else:
                report.not_found += 1
            if result.asn is not None:
                report.with_asn += 1
            updates.append(_update(host, result, at, f"{via}{label}"))
        set_enrichment(conn, updates)
    return report


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def describe_sources(sources: Sequence[str], asn_available: bool) -> list[str]:
    """Lines for people: which files were used, and what is missing."""
    lines = [f"source: {s}" for s in sources]
    if not asn_available:
        lines.append(ASN_MISSING)
    return lines
