"""Where a server is and who runs it: country, ASN and organisation of stored hosts.

The look-ups are :mod:`leaktrace.geo`'s: MaxMind DB files read with the ``maxminddb``
reader; by default the country and ASN data built into LeakTrace (:mod:`leaktrace.geo`
says which, with its licence and build date), so country, ASN and organisation work
offline out of the box. ``--geoip`` replaces the default country data (GeoLite2-Country/
City, DB-IP, IPinfo …; if it also carries ASN fields they are used; several files can be
given), ``--asn-db`` the default ASN file (GeoLite2-ASN, IPinfo Lite …).

An IP's owner changes, so every lookup stores its date (``enriched_at``) and source (the
files' names, types and build dates, and the data's attribution: ``enrichment_source``).
Each country file's answer is kept apart (``host_locations``: one answer per file, with
the files' order), beside the analyst's and any other source's; a look-up replaces only
the earlier GeoIP (or DNS) answers, never an analyst's, and the host's country is then
chosen by :data:`~leaktrace.infra.model.SOURCE_PRECEDENCE` (the analyst's first).
Several country files can be given at once (``geoip=[a, b]``): hosting addresses are
where they disagree most. Private and reserved addresses are marked, not looked up (the
country another source gave them stays). Domains are not resolved unless ``dns=True``
(then each is resolved once with the system resolver and its first global address is
looked up; the address is named in the source, and the answers are of kind ``dns``).
Reverse DNS is off unless ``reverse_dns=True``: then each public address's PTR name
(often the hosting provider's naming, e.g. ``static.1.2.0.192.clients.example-hosting.de``)
is asked of the system resolver, in parallel and before the write transaction, and kept
on the host with the same date.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from leaktrace.errors import InputError
from leaktrace.geo import ASN_MISSING, GeoLookup, GeoResult, MmdbFile, open_lookup
from leaktrace.geo.mmdb import COUNTRY
from leaktrace.infra.model import EnrichReport, HostView, LocationAnswer, is_reserved
from leaktrace.infra.parallel import ask_all
from leaktrace.store.database import Database
from leaktrace.store.infra import EnrichmentUpdate, load_hosts, load_locations, set_enrichment

__all__ = [
    "ASN_MISSING",
    "GeoLookup",
    "GeoResult",
    "Resolver",
    "ReverseResolver",
    "enrich_hosts",
    "open_lookup",
    "system_resolver",
    "system_reverse_resolver",
]

RESERVED_SOURCE = "not looked up: private or reserved address"
NO_DATABASE = "no GeoIP database: with --no-default-geoip, give --geoip FILE and/or --asn-db FILE"
Resolver = Callable[[str], list[str]]
ReverseResolver = Callable[[str], str | None]
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$")


def system_reverse_resolver(address: str) -> str | None:
    """The PTR name of ``address`` from the system resolver, or None."""
    try:
        name = socket.gethostbyaddr(address)[0]
    except (OSError, UnicodeError):
        return None
    name = name.rstrip(".").lower()
    return name if _HOSTNAME.match(name) and name != address else None


def _to_look_up(db: Database, only_missing: bool) -> list[HostView]:
    with db.reading() as conn:
        return [h for h in load_hosts(conn) if not (only_missing and h.enriched_at is not None)]


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


def _update(
    host: HostView,
    result: GeoResult,
    at: datetime,
    source: str,
    ptr: str | None = None,
    checked: bool = False,
    answers: tuple[LocationAnswer, ...] = (),
    kind: str | None = "geoip",
) -> EnrichmentUpdate:
    """``kind``: the host's earlier answers of this kind go (``None``: none go)."""
    replaces = () if kind is None else (kind,)
    return EnrichmentUpdate(
        host.id, result.asn, result.organisation, at, source, ptr, checked, answers, replaces
    )


def _source_names(files: Sequence[MmdbFile]) -> dict[int, str]:
    """Each country file's name as its answers are stored under: its label, with its path
    where two files have the same label (same name, type and build date in two folders),
    so that neither file's answer replaces the other's."""
    labels = [f.label() for f in files]
    return {
        id(f): label if labels.count(label) == 1 else f"{label} [{f.path or f.name}]"
        for f, label in zip(files, labels, strict=True)
    }


def _answers(
    geo: GeoLookup,
    address: str,
    at: datetime,
    kind: str,
    via: str | None,
    names: dict[int, str] | None = None,
) -> tuple[LocationAnswer, ...]:
    named = names or {}
    return tuple(
        LocationAnswer(kind, named.get(id(file), file.label()), found.country, at, found.asn,
                       found.organisation, via, position)
        for position, (file, found) in enumerate(geo.answers(address))
        if COUNTRY in file.provides  # a file without country fields says nothing of where
    )  # fmt: skip


def enrich_hosts(
    db: Database,
    *,
    geoip: Path | Sequence[Path] | None = None,
    asn_db: Path | None = None,
    dns: bool = False,
    resolver: Resolver | None = None,
    only_missing: bool = False,
    now: datetime | None = None,
    bundled: bool = True,
    lookup: GeoLookup | None = None,
    reverse_dns: bool = False,
    reverse_resolver: ReverseResolver | None = None,
    dns_timeout: float = 30.0,
) -> EnrichReport:
    """Look up every stored host (or those never enriched, with ``only_missing``).

    IP hosts are looked up; private/reserved ones marked; domains skipped unless ``dns``.
    The hosts' ASN and organisation are replaced by the lookup's (an empty answer too: the
    file's date says when it was true), with the date and the source; each country file's
    answer replaces that host's earlier GeoIP answers (DNS ones for a domain), and the
    country is chosen again (an analyst's country stays first).
    ``bundled=False``: only the files given; ``lookup``: an open one instead of the files;
    ``reverse_dns``: also the PTR name of each public IP host (``reverse_resolver``, by
    default the system's). DNS queries run in parallel before the write transaction, at
    most ``dns_timeout`` seconds in all for each kind; a name not answered in time is left
    as it was."""
    at = now or datetime.now(UTC)
    resolve = resolver or system_resolver
    if lookup is None and not bundled and not geoip and asn_db is None:
        raise InputError(NO_DATABASE)
    with ExitStack() as stack:
        geo = lookup or stack.enter_context(open_lookup(geoip, asn_db, bundled=bundled))
        # DNS after the files opened (a bad one fails first), before the write transaction
        pending = _to_look_up(db, only_missing) if dns or reverse_dns else []
        names: dict[str, list[str]] = {}
        if dns:
            domains = [h.value for h in pending if h.kind == "domain"]
            names = ask_all(domains, resolve, timeout=dns_timeout)
        ptr: dict[str, str | None] = {}
        if reverse_dns:
            public = [h.value for h in pending if h.kind == "ip" and not h.reserved]
            ptr = ask_all(public, reverse_resolver or system_reverse_resolver, timeout=dns_timeout)
        conn = stack.enter_context(db.transaction())
        report = EnrichReport(
            sources=geo.sources(), asn_available=geo.asn_available, notes=geo.notes(), at=at
        )
        label = geo.source_text()
        file_names = _source_names(geo.country_files)
        # without a country file (or with only files that have no country fields, such as
        # an ASN file given as --geoip) a run says nothing about where a host is: the
        # answers of earlier runs stay
        locates = any(COUNTRY in f.provides for f in geo.country_files)
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
                if host.value not in names:  # no answer in time (or new since): as it was
                    report.not_found += 1
                    continue
                addresses = [a for a in names[host.value] if _valid(a)]
                if not addresses:
                    report.not_found += 1
                    unresolved = f"DNS: {host.value} did not resolve"
                    updates.append(_update(host, GeoResult(), at, unresolved, kind="dns"))
                    continue
                report.resolved += 1
                public = [a for a in addresses if not is_reserved("ip", a)]
                address = public[0] if public else addresses[0]
                via = f"DNS {host.value} → {address}; "
            kind = "dns" if via else "geoip"
            report.hosts += 1
            if is_reserved("ip", address):
                report.reserved += 1
                reserved = f"{via}{RESERVED_SOURCE}"
                updates.append(_update(host, GeoResult(), at, reserved, kind=kind))
                continue
            result = geo.lookup(address)
            answers = _answers(geo, address, at, kind, via.removesuffix("; ") or None, file_names)
            if result.country:
                report.located += 1
            else:
                report.not_found += 1
            if result.asn is not None:
                report.with_asn += 1
            checked = host.kind == "ip" and host.value in ptr
            name = ptr.get(host.value) if checked else None
            if name is not None:
                report.reverse_named += 1
            kept = kind if locates else None
            updates.append(_update(host, result, at, f"{via}{label}", name, checked, answers, kept))
        set_enrichment(conn, updates)
        located = load_locations(conn, [u.host_id for u in updates])
        report.disagreements = sum(
            1 for answers in located.values() if len({a.country for a in answers if a.country}) > 1
        )
    return report


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
