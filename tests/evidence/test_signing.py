"""The installation's evidence key: created private on first use, reused, refused when
unsafe or not an Ed25519 key."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from leaktrace.errors import ConfigError
from leaktrace.evidence.signing import load_or_create_key


def test_a_new_key_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "evidence.pem"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = load_or_create_key(path)
    assert again.fingerprint == key.fingerprint
    assert len(key.fingerprint) == 64
    assert not list(path.parent.glob(".evidence-key-*")), "no temporary file left behind"


def test_signatures_verify_with_the_published_public_key(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    public = serialization.load_pem_public_key(key.public_pem.encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(key.sign(b"tree head"), b"tree head")  # raises if wrong


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="can be read by others"):
        load_or_create_key(path)


def test_a_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    os.chmod(garbage, 0o600)
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_or_create_key(garbage)
    ec = tmp_path / "ec.pem"
    ec.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(ec, 0o600)
    with pytest.raises(ConfigError, match="not an Ed25519 key"):
        load_or_create_key(ec)


def test_processes_racing_to_create_the_key_all_get_the_same_one(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    found: list[str] = []
    barrier = threading.Barrier(8)

    def make() -> None:
        barrier.wait()
        found.append(load_or_create_key(path).fingerprint)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1
