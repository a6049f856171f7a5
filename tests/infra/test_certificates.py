"""Certificates fetched from real TLS servers on 127.0.0.1, stored, and clustered."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from leaktrace.analytics import database_source, duckdb_engine, run, target_list
from leaktrace.infra.certificates import (
    EVIDENCE_KIND,
    FetchFailed,
    collect_certificates,
    fetch_certificate,
    read_certificate,
)
from leaktrace.infra.cluster import cluster_hosts
from leaktrace.infra.importer import import_hosts
from leaktrace.store.database import Database
from leaktrace.store.infra import load_evidence_details, load_hosts

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def make_certificate(
    tmp_path: Path, name: str = "files.sparkscdn.example", country: str | None = None
) -> tuple[Path, bytes]:
    """A self-signed certificate and its key as one PEM file; the DER bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if country is not None:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    subject = x509.Name(attributes)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.DNSName("cdn.sparkscdn.example")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / f"{name}.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return pem, cert.public_bytes(serialization.Encoding.DER)


class TlsServer:
    """Accepts connections on 127.0.0.1 and 127.0.0.2 (one port), completes the TLS
    handshake, closes: two "servers" presenting one certificate."""

    def __init__(self, pem: Path | None, *, tls1_only: bool = False) -> None:
        first = socket.create_server(("127.0.0.1", 0))
        self.port = int(first.getsockname()[1])
        self.socks = [first, socket.create_server(("127.0.0.2", self.port))]
        self.context: ssl.SSLContext | None = None
        if pem is not None:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(pem)
            if tls1_only:  # an old server
                self.context.set_ciphers("ALL:@SECLEVEL=0")
                self.context.minimum_version = ssl.TLSVersion.TLSv1
                self.context.maximum_version = ssl.TLSVersion.TLSv1
        for sock in self.socks:
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                if self.context is None:
                    conn.sendall(b"HTTP/1.0 200 OK\r\n\r\nnot tls\r\n")
                    continue
                try:
                    with self.context.wrap_socket(conn, server_side=True) as tls:
                        tls.recv(1)
                except (ssl.SSLError, OSError):
                    pass

    def close(self) -> None:
        for sock in self.socks:
            sock.close()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[TlsServer, bytes]]:
    pem, der = make_certificate(tmp_path)
    server = TlsServer(pem)
    yield server, der
    server.close()


def test_read_certificate(tmp_path: Path) -> None:
    _, der = make_certificate(tmp_path)
    cert = read_certificate(der)
    assert cert.sha256 == hashlib.sha256(der).hexdigest()
    assert cert.subject == cert.issuer == "files.sparkscdn.example" and cert.self_signed
    assert cert.names == ("files.sparkscdn.example", "cdn.sparkscdn.example")
    assert cert.not_after == NOW + timedelta(days=90)
    text = cert.describe()
    assert text.startswith(f"sha256:{cert.sha256}") and "self-signed" in text
    assert "valid 2026-01-09 to 2026-04-10" in text
    garbage = read_certificate(b"not a certificate")
    assert garbage.sha256 == hashlib.sha256(b"not a certificate").hexdigest()
    assert garbage.subject is None and garbage.names == ()


def test_fetch_from_a_real_tls_server(tls_server: tuple[TlsServer, bytes]) -> None:
    server, der = tls_server
    cert = fetch_certificate("127.0.0.1", server.port, timeout=5, include_reserved=True)
    assert cert.sha256 == hashlib.sha256(der).hexdigest()
    assert "cdn.sparkscdn.example" in cert.names


def test_reserved_addresses_are_refused_even_behind_a_name(
    tls_server: tuple[TlsServer, bytes],
) -> None:
    server, der = tls_server
    for host in ("127.0.0.1", "localhost"):  # localhost resolves to loopback addresses
        with pytest.raises(FetchFailed) as refused:
            fetch_certificate(host, server.port, timeout=5)
        assert refused.value.reason == "reserved"
    by_name = fetch_certificate("localhost", server.port, timeout=5, include_reserved=True)
    assert by_name.sha256 == hashlib.sha256(der).hexdigest()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
def test_old_tls_servers_still_give_their_certificate(tmp_path: Path) -> None:
    pem, der = make_certificate(tmp_path)
    try:
        server = TlsServer(pem, tls1_only=True)
    except (ssl.SSLError, ValueError) as exc:
        pytest.skip(f"this OpenSSL cannot serve TLS 1.0: {exc}")
    try:
        try:
            cert = fetch_certificate("127.0.0.1", server.port, timeout=5, include_reserved=True)
        except FetchFailed as failed:
            if failed.reason != "tls":
                raise
            pytest.skip("this OpenSSL build refuses TLS 1.0 on both sides")
        assert cert.sha256 == hashlib.sha256(der).hexdigest()
    finally:
        server.close()


def test_fetch_failures_have_reasons(tmp_path: Path) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(FetchFailed) as refused:
        fetch_certificate("127.0.0.1", port, timeout=2, include_reserved=True)
    assert refused.value.reason == "refused"
    plain = TlsServer(None)
    try:
        with pytest.raises(FetchFailed) as not_tls:
            fetch_certificate("127.0.0.1", plain.port, timeout=2, include_reserved=True)
        assert not_tls.value.reason in ("tls", "unreachable")
    finally:
        plain.close()
    with pytest.raises(FetchFailed) as unknown:
        fetch_certificate("no-such-host.invalid", 443, timeout=2)
    assert unknown.value.reason == "unresolvable"


def _hosts(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "servers.csv"
    path.write_text(
        "ip_or_domain,role,first_seen,last_seen,source\n"
        "127.0.0.1,server,2026-01-01,,test\n"
        "127.0.0.2,web-seed,2026-01-01,,test\n"
    )
    import_hosts(db, path)


def test_collect_stores_clusters_and_is_idempotent(
    db: Database, tmp_path: Path, tls_server: tuple[TlsServer, bytes]
) -> None:
    server, der = tls_server
    digest = hashlib.sha256(der).hexdigest()
    listing = target_list()
    _hosts(db, tmp_path)
    seen: list[tuple[int, int]] = []
    report = collect_certificates(
        db,
        port=server.port,
        timeout=5,
        include_reserved=True,
        progress=lambda done, total: seen.append((done, total)),
        now=NOW,
    )
    assert (report.hosts, report.fetched, report.new_evidence) == (2, 2, 2)
    assert report.shared == {digest: ["127.0.0.1", "127.0.0.2"]}
    assert seen[-1] == (2, 2)
    with db.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
        clusters = cluster_hosts(conn)
    for host in hosts.values():
        assert f"certificate {digest}" in (host.notes or "")
        assert EVIDENCE_KIND in host.evidence_kinds
        assert any(
            ref.startswith(f"tls:{host.value}:{server.port} sha256:") for ref in host.references
        )
    (cluster,) = [c for c in clusters if "127.0.0.2" in c.hosts]
    assert "127.0.0.1" in cluster.hosts
    assert any(t.kind == "certificate" for t in cluster.ties)
    # the fetch is our own activity: it does not move the servers' first/last seen
    with duckdb_engine() as engine, database_source(db, listing.tables) as source:
        rows = {r["value"]: r for r in run(listing, engine, source).to_pylist()}
    imported = datetime(2026, 1, 1, tzinfo=UTC)
    assert rows["127.0.0.1"]["first_seen"] == rows["127.0.0.1"]["last_seen"] == imported
    assert any(ref.startswith("tls:") for ref in rows["127.0.0.1"]["references"])
    again = collect_certificates(db, port=server.port, timeout=5, include_reserved=True, now=NOW)
    assert again.new_evidence == 0
    with db.reading() as conn:
        notes = {h.value: h.notes for h in load_hosts(conn)}
    assert all((n or "").count("certificate ") == 1 for n in notes.values())


def test_reserved_addresses_are_not_contacted_by_default(
    db: Database, tmp_path: Path, tls_server: tuple[TlsServer, bytes]
) -> None:
    server, _ = tls_server
    _hosts(db, tmp_path)
    report = collect_certificates(db, port=server.port, timeout=5, roles=["server"])
    assert (report.hosts, report.skipped_reserved, report.fetched) == (0, 1, 0)
    with db.reading() as conn:
        assert all(not h.notes for h in load_hosts(conn))


def test_a_server_that_never_answers_is_a_timeout(db: Database, tmp_path: Path) -> None:
    import threading

    from leaktrace.infra.certificates import Certificate

    release = threading.Event()
    _hosts(db, tmp_path)

    def fetch(host: str, port: int, timeout: float) -> Certificate:
        if host == "127.0.0.1":
            release.wait(10)  # e.g. a resolver that never answers
        return read_certificate(b"a certificate of " + host.encode())

    try:
        report = collect_certificates(
            db, timeout=0.2, include_reserved=True, fetch=fetch, resolver_allowance=0.2
        )
    finally:
        release.set()
    # had the overall limit not worked, both would have been fetched after 10 s
    assert (report.fetched, report.failed) == (1, {"timeout": 1})
    assert [servers for servers in report.certificates.values()] == [["127.0.0.2"]]


def test_a_certificates_country_is_the_last_resort(db: Database, tmp_path: Path) -> None:
    pem, _ = make_certificate(tmp_path, "seeds.example", country="NL")
    server = TlsServer(pem)
    try:
        path = tmp_path / "hosts.csv"
        path.write_text(
            "ip_or_domain,role,first_seen,last_seen,source,country\n"
            "127.0.0.1,server,2026-01-01,,t,\n127.0.0.2,server,2026-01-01,,t,FR\n"
        )
        import_hosts(db, path)
        collect_certificates(db, port=server.port, timeout=5, include_reserved=True, now=NOW)
    finally:
        server.close()
    with db.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
    alone = hosts["127.0.0.1"]  # no other source: the certificate's subject places it
    assert alone.country == "NL" and (alone.country_source or "").startswith("certificate (")
    (answer,) = alone.locations
    assert (answer.kind, answer.detail, answer.observed_at) == (
        "certificate",
        "subject seeds.example",
        NOW,
    )
    located = hosts["127.0.0.2"]  # the analyst's country comes first, the other is shown
    assert located.country == "FR" and located.disagreement == "analyst: FR, certificate: NL"
    with db.reading() as conn:
        (detail,) = load_evidence_details(conn, [located.id])[located.id][1:]
    assert detail.reference.startswith("tls:127.0.0.2:")
    assert detail.detail == f"TLS certificate the server presented on port {server.port}"
