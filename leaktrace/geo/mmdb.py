"""One MaxMind DB (``.mmdb``) file, read with the official ``maxminddb`` reader.

:func:`open_mmdb` opens a file the user points to and turns every way it can fail into
an :class:`~leaktrace.errors.InputError` naming the file (and the option it came from).
:class:`MmdbFile` wraps an open reader with what its metadata says (database type, build
date, IP version) and, for data LeakTrace ships, its licence and required attribution.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import maxminddb

from leaktrace.errors import InputError
from leaktrace.geo.records import asn_of, country_of
from leaktrace.geo.reserved import is_reserved

__all__ = ["COUNTRY", "ASN", "MmdbFile", "open_mmdb"]

COUNTRY = "country"
ASN = "asn"
PROBE_RECORDS = 64
"""Records read from the start of a file to see whether it carries country or ASN fields."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class MmdbFile:
    """An open MaxMind DB file: look-ups plus a label saying what it is and how old."""

    def __init__(
        self,
        reader: maxminddb.Reader,
        name: str,
        *,
        path: Path | None = None,
        database_type: str | None = None,
        built: date | None = None,
        licence: str | None = None,
        attribution: str | None = None,
        bundled: bool = False,
        provides: frozenset[str] | None = None,
        remove_on_close: Path | None = None,
    ) -> None:
        meta = reader.metadata()
        self._reader = reader
        self.name = name
        self.path = path
        self.database_type = database_type or str(meta.database_type or "")
        epoch = meta.build_epoch
        self.built = built or (
            datetime.fromtimestamp(epoch, UTC).date() if isinstance(epoch, int) else None
        )
        self.ipv4_only = meta.ip_version == 4
        self.licence = licence
        self.attribution = attribution
        self.bundled = bundled
        self._provides = provides
        self._remove_on_close = remove_on_close

    def label(self) -> str:
        """``name (database type, licence, built YYYY-MM-DD)`` — what people see as source.

        The licence is left out when the attribution, shown beside the labels, names it."""
        parts = [self.database_type or "mmdb"]
        if self.licence and not (self.attribution and self.licence in self.attribution):
            parts.append(self.licence)
        if self.built:
            parts.append(f"built {self.built:%Y-%m-%d}")
        return f"{self.name} ({', '.join(parts)})"

    @property
    def provides(self) -> frozenset[str]:
        """What the file carries: ``country`` and/or ``asn`` (from its type and first records)."""
        if self._provides is None:
            found: set[str] = set()
            kind = self.database_type.lower()
            if "country" in kind or "city" in kind:
                found.add(COUNTRY)
            if "asn" in kind or "isp" in kind:
                found.add(ASN)
            found |= self._probe()
            self._provides = frozenset(found)
        return self._provides

    def record_kinds(self) -> frozenset[str]:
        """What the file's first records carry (``country``/``asn``), whatever its type says."""
        return frozenset(self._probe())

    def _probe(self) -> set[str]:
        # Iterating a damaged file crashes the C extension (maxminddb 3.2): read the first
        # records with the pure-Python reader, which raises errors instead.
        found: set[str] = set()
        reader = self._reader
        try:
            if not isinstance(reader, maxminddb.Reader):
                if self.path is None:
                    return found
                reader = maxminddb.open_database(str(self.path), maxminddb.MODE_MMAP)
            try:
                for _, record in islice(reader, PROBE_RECORDS):
                    if not isinstance(record, Mapping):
                        continue
                    if country_of(record):
                        found.add(COUNTRY)
                    if asn_of(record)[0] is not None:
                        found.add(ASN)
            finally:
                if reader is not self._reader:
                    reader.close()
        except (maxminddb.InvalidDatabaseError, RecursionError, ValueError, TypeError, OSError):
            pass  # a damaged tree: look-ups will find nothing either
        return found

    def get(self, address: IPAddress) -> Mapping[str, Any] | None:
        """The record for an address; ``None`` if there is none, or it cannot be read."""
        if self.ipv4_only and address.version == 6:
            return None
        if self.bundled and is_reserved(address):
            return None  # the shipped data places some documentation ranges in a country
        try:
            record = self._reader.get(address)
        except (maxminddb.InvalidDatabaseError, RecursionError, ValueError):  # a bad record
            return None
        return record if isinstance(record, Mapping) else None

    def close(self) -> None:
        self._reader.close()
        if self._remove_on_close is not None:
            self._remove_on_close.unlink(missing_ok=True)


def open_mmdb(path: Path, *, option: str | None = None) -> MmdbFile:
    """Open a user's MaxMind DB file; :class:`InputError` naming it if that fails."""

    def error(reason: str) -> InputError:
        return InputError(reason, file=str(path), field=option)

    if not path.exists():
        raise error("no such file")
    if not path.is_file():
        raise error("not a file")
    # the C extension (libmaxminddb) first; the pure-Python reader is less strict about
    # metadata types, as it is where the extension is not built
    for mode in (maxminddb.MODE_AUTO, maxminddb.MODE_MMAP):
        try:
            return MmdbFile(maxminddb.open_database(str(path), mode), path.name, path=path)
        except (maxminddb.InvalidDatabaseError, RecursionError, ValueError, TypeError):
            continue
        except OSError as exc:
            raise error(f"cannot read: {exc.strerror or exc}") from None
    raise error("not a MaxMind DB (.mmdb) file, or a damaged one")
