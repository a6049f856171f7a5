"""The installation's Ed25519 evidence key: kept in a file outside the database.

Created on first use with mode 0600 (PEM, PKCS#8, unencrypted: the file's permissions are
its protection, as for an SSH host key). Its fingerprint is the SHA-256 of the raw 32-byte
public key, in lowercase hex; that is what a verifier compares with what the agency
publishes (``leaktrace evidence key``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leaktrace.errors import ConfigError
from leaktrace.private_files import make_private_folder

__all__ = ["EvidenceKey", "load_or_create_key"]


@dataclass(frozen=True, slots=True)
class EvidenceKey:
    private: Ed25519PrivateKey
    path: Path

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, lowercase hex."""
        return hashlib.sha256(self.public_raw).hexdigest()

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def sign_b64(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def load_or_create_key(path: Path) -> EvidenceKey:
    """The key in ``path``; a new one (mode 0600, folder 0700) when the file is missing.

    A file that is not an Ed25519 private key, or that others can read, raises
    :class:`ConfigError` naming it."""
    path = path.expanduser()
    if not path.exists():
        make_private_folder(path.parent)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # written whole to a private temporary file, then linked into place: another
        # process never reads half a key, and the first one made wins
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".evidence-key-", dir=path.parent)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
            try:
                os.link(temporary, path)
            except FileExistsError:
                return load_or_create_key(path)
            finally:
                os.unlink(temporary)
        except OSError as exc:
            raise ConfigError(f"cannot create the evidence key {path}: {exc.strerror}") from None
        return EvidenceKey(private=key, path=path)
    try:
        mode = path.stat().st_mode & 0o777
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the evidence key {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise ConfigError(
            f"the evidence key {path} can be read by others (mode {mode:o}): chmod 600 it"
        )
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 key")
    return EvidenceKey(private=loaded, path=path)
