"""Fixtures of the evidence tests: one signing key per module (signing is cheap, making
keys is not the point)."""

from __future__ import annotations

import pytest

from leaktrace.evidence.signing import EvidenceKey, load_or_create_key


@pytest.fixture(scope="module")
def evidence_key(tmp_path_factory: pytest.TempPathFactory) -> EvidenceKey:
    return load_or_create_key(tmp_path_factory.mktemp("key") / "evidence.pem")


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> EvidenceKey:
    return load_or_create_key(tmp_path_factory.mktemp("other") / "evidence.pem")
