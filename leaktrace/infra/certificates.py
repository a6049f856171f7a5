"""TLS certificates the stored servers present: fetched live, kept as evidence, clustered.

Two servers presenting the same certificate are almost certainly run by the same people
(:mod:`leaktrace.infra.cluster` ties them, strength 0.95). Certificates come from host
imports (a ``certificate`` column) or, with :func:`collect_certificates`, from the servers
themselves: a TLS handshake on ``port`` (443 by default), nothing else is sent. The
certificate is taken as presented (not validated: self-signed ones are the interesting
ones); its SHA-256 fingerprint goes into the host's notes (``certificate <hex>``, the form
the clustering reads) and a ``tls-certificate`` evidence row records when, on which port,
and its subject, issuer, names and validity. A subject's country (``C=``) is kept as the
``certificate`` source's answer to where the host is: the last resort of
:data:`~leaktrace.infra.model.SOURCE_PRECEDENCE` (it says where the holder is registered).

Contacting a suspect's server can alert its operators: this runs only when asked
(``leaktrace hosts certs``). Domains are resolved with the system resolver (a DNS query,
which the operator's name server may see); private or reserved addresses, stored or
resolved, are not contacted unless ``include_reserved``. The evidence row is dated with
the fetch, and a target sheet's first/last seen leave such rows of our own activity out.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from leaktrace.infra.model import Evidence, HostView, LocationAnswer, is_reserved, iso
from leaktrace.infra.parallel import ask_all
from leaktrace.store.database import Database
from leaktrace.store.infra import (
    add_note_lines,
    insert_evidence,
    load_hosts,
    put_locations,
    refresh_countries,
)

__all__ = [
    "EVIDENCE_KIND",
    "Certificate",
    "CertificateReport",
    "FetchFailed",
    "collect_certificates",
    "fetch_certificate",
    "read_certificate",
]

EVIDENCE_KIND = "tls-certificate"
RESOLVER_ALLOWANCE = 10.0
"""Seconds allowed on top of ``timeout`` per round of attempts for resolving a name."""
NOTE_PREFIX = "certificate "


class FetchFailed(Exception):
    """No certificate from a server; ``reason`` is short and stable (counted per reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Certificate:
    sha256: str
    subject: str | None
    issuer: str | None
    names: tuple[str, ...]
    not_before: datetime | None
    not_after: datetime | None
    country: str | None = None
    """The subject's country (``C=``): where the holder is registered, not the server."""

    @property
    def self_signed(self) -> bool:
        return self.subject is not None and self.subject == self.issuer

    def describe(self) -> str:
        """One line for an evidence reference."""
        parts = [f"sha256:{self.sha256}"]
        if self.subject:
            parts.append(f"subject {self.subject}")
        if self.issuer:
            parts.append("self-signed" if self.self_signed else f"issuer {self.issuer}")
        if self.names:
            shown = ", ".join(self.names[:8])
            more = f" +{len(self.names) - 8}" if len(self.names) > 8 else ""
            parts.append(f"names {shown}{more}")
        if self.not_before and self.not_after:
            parts.append(f"valid {self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "subject": self.subject,
            "issuer": self.issuer,
            "names": list(self.names),
            "not_before": iso(self.not_before),
            "not_after": iso(self.not_after),
            "self_signed": self.self_signed,
            "country": self.country,
        }


def _name(name: x509.Name) -> str | None:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common:
        return str(common[0].value)
    text = name.rfc4514_string()
    return text or None


def read_certificate(der: bytes) -> Certificate:
    """The fingerprint and the fields an investigator reads, from a DER certificate.
    A certificate ``cryptography`` cannot parse still gets its fingerprint."""
    digest = hashlib.sha256(der).hexdigest()
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return Certificate(digest, None, None, (), None, None)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = tuple(dict.fromkeys(san.value.get_values_for_type(x509.DNSName)))
    except (x509.ExtensionNotFound, ValueError):
        names = ()
    return Certificate(
        digest,
        _name(cert.subject),
        _name(cert.issuer),
        names,
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
        _country(cert.subject),
    )


def _country(name: x509.Name) -> str | None:
    found = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    value = str(found[0].value).strip().upper() if found else ""
    if value == "UK":
        value = "GB"
    return value if len(value) == 2 and value.isascii() and value.isalpha() else None


def _addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (itself for an address); :class:`FetchFailed`."""
    if _is_address(host):
        return [host]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchFailed("unresolvable") from None
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def fetch_certificate(
    host: str, port: int = 443, *, timeout: float = 5.0, include_reserved: bool = False
) -> Certificate:
    """Open a TLS connection to ``host:port`` and read the certificate it presents.

    A domain is resolved first and only its public addresses are contacted (a private or
    reserved one only with ``include_reserved``); the domain goes as the TLS server name.
    Any protocol version and cipher the server offers is accepted (old servers are the
    interesting ones, and nothing is sent but the handshake); ``timeout`` bounds the whole
    attempt per address. Raises :class:`FetchFailed` (``unresolvable``, ``reserved``,
    ``refused``, ``timeout``, ``tls``, ``no certificate``, ``unreachable``)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we want what it presents, trusted or not
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with contextlib.suppress(ssl.SSLError):
        context.set_ciphers("ALL:@SECLEVEL=0")
    sni = None if _is_address(host) else host
    addresses = _addresses(host, port)
    allowed = [a for a in addresses if include_reserved or not is_reserved("ip", a)]
    if not allowed:
        raise FetchFailed("reserved")
    failure = FetchFailed("unreachable")
    for address in allowed:
        deadline = time.monotonic() + timeout
        try:
            with socket.create_connection((address, port), timeout=timeout) as raw:
                raw.settimeout(max(0.1, deadline - time.monotonic()))
                with context.wrap_socket(raw, server_hostname=sni) as tls:
                    der = tls.getpeercert(binary_form=True)
        except ConnectionRefusedError:
            failure = FetchFailed("refused")
            continue
        except TimeoutError:
            failure = FetchFailed("timeout")
            continue
        except ssl.SSLError:
            failure = FetchFailed("tls")
            continue
        except OSError:
            failure = FetchFailed("unreachable")
            continue
        if not der:
            raise FetchFailed("no certificate")
        return read_certificate(der)
    raise failure


def _is_address(value: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in value else socket.AF_INET, value)
    except OSError:
        return False
    return True


Fetcher = Callable[[str, int, float], Certificate]


def _fetch_public(host: str, port: int, timeout: float) -> Certificate:
    return fetch_certificate(host, port, timeout=timeout)


def _fetch_any(host: str, port: int, timeout: float) -> Certificate:
    return fetch_certificate(host, port, timeout=timeout, include_reserved=True)


@dataclass
class CertificateReport:
    at: datetime
    port: int
    hosts: int = 0
    fetched: int = 0
    skipped_reserved: int = 0
    new_evidence: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    certificates: dict[str, list[str]] = field(default_factory=dict)
    """Fingerprint → the servers that presented it."""

    @property
    def shared(self) -> dict[str, list[str]]:
        """Certificates presented by more than one server."""
        return {k: v for k, v in self.certificates.items() if len(v) > 1}

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "port": self.port,
            "hosts": self.hosts,
            "fetched": self.fetched,
            "skipped_reserved": self.skipped_reserved,
            "new_evidence": self.new_evidence,
            "failed": dict(sorted(self.failed.items())),
            "shared": self.shared,
        }


def collect_certificates(
    db: Database,
    *,
    port: int = 443,
    timeout: float = 5.0,
    roles: Sequence[str] | None = None,
    country: str | None = None,
    include_reserved: bool = False,
    workers: int = 16,
    fetch: Fetcher | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    resolver_allowance: float = RESOLVER_ALLOWANCE,
) -> CertificateReport:
    """Fetch the certificate of every stored server (optionally only ``roles`` or one
    ``country``) and store what was found in one transaction. Servers that do not answer
    are counted by reason, never fatal. Running it again adds only new certificates."""
    at = now or datetime.now(UTC)
    fetcher = fetch or (_fetch_any if include_reserved else _fetch_public)
    report = CertificateReport(at=at, port=port)
    with db.reading() as conn:
        hosts = load_hosts(conn, country=country)
    wanted = set(roles) if roles else None
    chosen: list[HostView] = []
    for host in hosts:
        if wanted is not None and host.role not in wanted:
            continue
        if host.reserved and not include_reserved:
            report.skipped_reserved += 1
            continue
        chosen.append(host)
    report.hosts = len(chosen)

    def attempt(host: str) -> Certificate | FetchFailed:
        try:
            return fetcher(host, port, timeout)
        except FetchFailed as failure:
            return failure

    found: list[tuple[HostView, Certificate]] = []
    # each attempt is bounded per address, but the system resolver is not: stop waiting
    # once every worker could have made all its attempts (a slow name is a "timeout")
    rounds = math.ceil(len(chosen) / max(1, workers)) + 1
    results = ask_all(
        [host.value for host in chosen],
        attempt,
        timeout=rounds * (timeout + resolver_allowance),
        workers=workers,
        progress=progress,
    )
    for host in chosen:  # in the hosts' order, whatever finished first
        result = results.get(host.value, FetchFailed("timeout"))
        if isinstance(result, FetchFailed):
            report.failed[result.reason] = report.failed.get(result.reason, 0) + 1
        else:
            report.fetched += 1
            found.append((host, result))
            report.certificates.setdefault(result.sha256, []).append(host.value)
    with db.transaction() as conn:
        for host, cert in found:
            add_note_lines(conn, host.id, [f"{NOTE_PREFIX}{cert.sha256}"])
        located = [(host.id, _location(cert, at)) for host, cert in found if cert.country]
        put_locations(conn, located)
        refresh_countries(conn, [host_id for host_id, _ in located])
        report.new_evidence = insert_evidence(
            conn,
            [
                (
                    host.id,
                    Evidence(
                        EVIDENCE_KIND,
                        f"tls:{host.value}:{port} {cert.describe()}",
                        None,
                        None,
                        at,
                        f"TLS certificate the server presented on port {port}",
                    ),
                )
                for host, cert in found
            ],
        )
    return report


def _location(cert: Certificate, at: datetime) -> LocationAnswer:
    """The certificate's subject country as an answer to where the host is (the weakest)."""
    subject = f"subject {cert.subject}" if cert.subject else "no subject name"
    return LocationAnswer(
        "certificate", f"sha256:{cert.sha256[:16]}…", cert.country, at, detail=subject
    )
