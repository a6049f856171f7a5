"""TLS certificates the stored servers present: fetched live, kept as evidence, clustered.

Two servers presenting the same certificate are almost certainly run by the same people
(:mod:`leaktrace.infra.cluster` ties them, strength 0.95). Certificates come from host
imports (a ``certificate`` column) or, with :func:`collect_certificates`, from the servers
themselves: a TLS handshake on ``port`` (443 by default), nothing else is sent. The
certificate is taken as presented (not validated: self-signed ones are the interesting
ones); its SHA-256 fingerprint goes into the host's notes (``certificate <hex>``, the form
the clustering reads) and a ``tls-certificate`` evidence row records when, on which port,
and its subject, issuer, names and validity.

Contacting a suspect's server can alert its operators: this runs only when asked
(``leaktrace hosts certs``), and private or reserved addresses are skipped unless
``include_reserved``.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from leaktrace.infra.model import Evidence, HostView, iso
from leaktrace.store.database import Database
from leaktrace.store.infra import add_note_lines, insert_evidence, load_hosts

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
    )


def fetch_certificate(host: str, port: int = 443, *, timeout: float = 5.0) -> Certificate:
    """Open a TLS connection to ``host:port`` and read the certificate it presents.
    Raises :class:`FetchFailed` (``unresolvable``, ``refused``, ``timeout``, ``tls``,
    ``no certificate``, ``unreachable``)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we want what it presents, trusted or not
    sni = None if _is_address(host) else host
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=sni) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except socket.gaierror:
        raise FetchFailed("unresolvable") from None
    except ConnectionRefusedError:
        raise FetchFailed("refused") from None
    except TimeoutError:
        raise FetchFailed("timeout") from None
    except ssl.SSLError:
        raise FetchFailed("tls") from None
    except OSError:
        raise FetchFailed("unreachable") from None
    if not der:
        raise FetchFailed("no certificate")
    return read_certificate(der)


def _is_address(value: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in value else socket.AF_INET, value)
    except OSError:
        return False
    return True


Fetcher = Callable[[str, int, float], Certificate]


def _default_fetch(host: str, port: int, timeout: float) -> Certificate:
    return fetch_certificate(host, port, timeout=timeout)


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
) -> CertificateReport:
    """Fetch the certificate of every stored server (optionally only ``roles`` or one
    ``country``) and store what was found in one transaction. Servers that do not answer
    are counted by reason, never fatal. Running it again adds only new certificates."""
    at = now or datetime.now(UTC)
    fetcher = fetch or _default_fetch
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

    def attempt(host: HostView) -> Certificate | FetchFailed:
        try:
            return fetcher(host.value, port, timeout)
        except FetchFailed as failure:
            return failure

    found: list[tuple[HostView, Certificate]] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (host, result) in enumerate(
            zip(chosen, pool.map(attempt, chosen), strict=True), start=1
        ):
            if isinstance(result, FetchFailed):
                report.failed[result.reason] = report.failed.get(result.reason, 0) + 1
            else:
                report.fetched += 1
                found.append((host, result))
                report.certificates.setdefault(result.sha256, []).append(host.value)
            if progress is not None:
                progress(done, len(chosen))
    with db.transaction() as conn:
        for host, cert in found:
            add_note_lines(conn, host.id, [f"{NOTE_PREFIX}{cert.sha256}"])
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
                    ),
                )
                for host, cert in found
            ],
        )
    return report
