"""A real RFC 3161 time-stamping authority on 127.0.0.1 for the tests, made with
``openssl``: a test CA, a time-stamping certificate it issued (extendedKeyUsage critical,
timeStamping), an ``openssl ts`` configuration, and a small threaded HTTP server that
answers each posted query with ``openssl ts -reply``.

``tsa_server`` (module scope) yields a :class:`TestTSA`; tests are skipped with a reason
when no ``openssl`` binary is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

__all__ = ["TestTSA", "make_authority", "tsa_server"]

TS_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""

TSA_EXTENSIONS = """\
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class TestTSA:
    __test__ = False  # not a test class

    url: str
    folder: Path
    chain: Path
    """PEM: the time-stamping certificate, then the CA (``evidence.tsa_certificate``)."""
    ca: Path
    queries: list[bytes]
    """Every query received, in order."""


def _run(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def make_authority(folder: Path, name: str = "Test") -> Path:
    """A CA and its time-stamping certificate in ``folder``; the chain file."""
    _run(
        folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.crt", "-subj", f"/CN={name} Evidence CA", "-days", "2",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _run(
        folder, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key",
        "-out", "tsa.csr", "-subj", f"/CN={name} Time-Stamping Authority",
    )  # fmt: skip
    (folder / "tsa.ext").write_text(TSA_EXTENSIONS)
    _run(
        folder, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "tsa.ext",
    )  # fmt: skip
    chain = folder / "chain.pem"
    chain.write_bytes((folder / "tsa.crt").read_bytes() + (folder / "ca.crt").read_bytes())
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(TS_CONFIG.format(dir=folder))
    return chain


def _handler(folder: Path, queries: list[bytes], lock: threading.Lock) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            query = self.rfile.read(length)
            if self.path != "/tsa":
                self.send_error(404, "no time-stamping here")
                return
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415, "expected application/timestamp-query")
                return
            with lock:  # the serial file is shared
                queries.append(query)
                result = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", str(folder / "ts.cnf"),
                     "-queryfile", "/dev/stdin", "-out", "/dev/stdout"],
                    input=query,
                    capture_output=True,
                    check=False,
                )  # fmt: skip
            if result.returncode != 0 or not result.stdout:
                self.send_error(500, "openssl ts failed")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(result.stdout)))
            self.end_headers()
            self.wfile.write(result.stdout)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture(scope="module")
def tsa_server() -> Iterator[TestTSA]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-tsa-"))
    try:
        chain = make_authority(folder)
        queries: list[bytes] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(folder, queries, threading.Lock()))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            yield TestTSA(
                url=f"http://{host!s}:{port}/tsa",
                folder=folder,
                chain=chain,
                ca=folder / "ca.crt",
                queries=queries,
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
