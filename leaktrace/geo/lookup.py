"""Country, ASN and organisation of addresses: the user's files, else the built-in data.

:func:`open_lookup` opens two files: for countries ``geoip`` (any MaxMind DB file the user
points to, or several: each is asked, :meth:`GeoLookup.answers`), else the built-in
country data; for ASNs ``asn_db``, else the built-in ASN data (ip-location-db, or the newer
files ``leaktrace geo update`` installed: see :mod:`leaktrace.geo.bundled`). A user's
country file that also carries ASN fields (IPinfo Lite, GeoIP2-ISP …) is asked for the
ASN before the built-in file; an explicit ``asn_db`` before either. ``bundled=False``
uses the user's files only.

Every answer comes with :meth:`GeoLookup.sources`: each file's name, database type,
licence and build date, and the attribution its licence requires.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from leaktrace.geo.bundled import open_bundled
from leaktrace.geo.mmdb import ASN, COUNTRY, MmdbFile, open_mmdb
from leaktrace.geo.records import asn_of, country_of

__all__ = ["ASN_MISSING", "COUNTRY_MISSING", "GeoLookup", "GeoResult", "open_lookup"]

ASN_MISSING = "ASN: not available — point --asn-db to a GeoLite2-ASN file"
COUNTRY_MISSING = "country: not available — point --geoip to a country file"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class GeoResult:
    """What the files say about one address (``None``: they do not know)."""

    country: str | None = None
    asn: int | None = None
    organisation: str | None = None


class GeoLookup:
    """Look-ups in country files (in order) and an ASN file; either may be absent."""

    def __init__(
        self,
        country: MmdbFile | Sequence[MmdbFile] | None = None,
        asn: MmdbFile | None = None,
    ) -> None:
        if country is None:
            self.country_files: list[MmdbFile] = []
        elif isinstance(country, MmdbFile):
            self.country_files = [country]
        else:
            self.country_files = list(country)
        self.asn_file = asn

    @property
    def country_file(self) -> MmdbFile | None:
        """The first country file (``None``: none)."""
        return self.country_files[0] if self.country_files else None

    @property
    def files(self) -> list[MmdbFile]:
        return [*self.country_files, *([self.asn_file] if self.asn_file is not None else [])]

    @property
    def country_available(self) -> bool:
        return any(COUNTRY in f.provides for f in self.files)

    @property
    def asn_available(self) -> bool:
        return any(ASN in f.provides for f in self.files)

    def sources(self) -> list[str]:
        """One label per file, then each attribution the files' licences require (once)."""
        labels = [f.label() for f in self.files]
        for file in self.files:
            if file.attribution and file.attribution not in labels:
                labels.append(file.attribution)
        return labels

    def source_text(self) -> str:
        """:meth:`sources` in one line, as stored with each looked-up host."""
        return "; ".join(self.sources())

    def source_names(self) -> dict[str, str | None]:
        """The file used for each field (``None``: none)."""
        return {
            COUNTRY: None if self.country_file is None else self.country_file.name,
            ASN: None if self.asn_file is None else self.asn_file.name,
        }

    def notes(self) -> list[str]:
        """What cannot be looked up, and why (empty when country and ASN both can)."""
        notes: list[str] = []
        if not self.country_available:
            given = self.country_file
            notes.append(
                f"country: not available — {given.name} has no country fields"
                if given is not None
                else COUNTRY_MISSING
            )
        if not self.asn_available:
            given = self.asn_file
            notes.append(
                f"ASN: not available — {given.name} has no ASN fields"
                if given is not None and not given.bundled
                else ASN_MISSING
            )
        return notes

    def lookup(self, address: str | IPAddress) -> GeoResult:
        """Country, ASN and organisation of an address (``ValueError`` if it is not one):
        the first country file that knows the country, the ASN of the first file that
        knows it (an ASN file the user gave first, then the country files)."""
        ip = _address(address)
        records = [f.get(ip) for f in self.files]  # the country files first
        country: str | None = None
        for record in records:
            if record is not None and (country := country_of(record)) is not None:
                break
        if self.asn_file is not None and not self.asn_file.bundled:
            records.insert(0, records.pop())  # an ASN file the user gave comes first
        asn: int | None = None
        organisation: str | None = None
        for record in records:
            if record is not None:
                asn, organisation = asn_of(record)
                if asn is not None or organisation is not None:
                    break
        return GeoResult(country, asn, organisation)

    def answers(self, address: str | IPAddress) -> list[tuple[MmdbFile, GeoResult]]:
        """Each country file's own answer (country, and ASN/organisation if that file
        carries them), in the files' order: where several sources disagree."""
        ip = _address(address)
        out: list[tuple[MmdbFile, GeoResult]] = []
        for file in self.country_files:
            record = file.get(ip)
            if record is None:
                out.append((file, GeoResult()))
                continue
            asn, organisation = asn_of(record)
            out.append((file, GeoResult(country_of(record), asn, organisation)))
        return out

    def close(self) -> None:
        for file in self.files:
            file.close()

    def __enter__(self) -> GeoLookup:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _address(address: str | IPAddress) -> IPAddress:
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def open_lookup(
    geoip: Path | Sequence[Path] | None = None,
    asn_db: Path | None = None,
    *,
    bundled: bool = True,
) -> GeoLookup:
    """Open the country and ASN files: the ones given, else (``bundled``) the built-in ones.

    ``geoip``: one country file or several (asked in that order; a file named twice, by
    any path, once). A
    user's file that cannot be read is an :class:`~leaktrace.errors.InputError` naming it
    and the option (``--geoip``/``--asn-db``); damaged built-in data a
    :class:`~leaktrace.errors.ConfigError`."""
    given = [geoip] if isinstance(geoip, Path) else list(geoip or [])
    paths = list({path.expanduser().resolve(): path for path in reversed(given)}.values())
    paths.reverse()  # the first mention of each file, in the order given
    opened: list[MmdbFile] = []
    try:
        asn: MmdbFile | None = None
        for path in paths:
            opened.append(open_mmdb(path, option="--geoip"))
        if not paths and bundled:
            opened.append(open_bundled(COUNTRY))
        if asn_db is not None:
            asn = open_mmdb(asn_db, option="--asn-db")
        elif bundled:
            asn = open_bundled(ASN)
    except BaseException:
        for file in opened:
            file.close()
        raise
    return GeoLookup(opened, asn)
