"""One TAXII world (database and uvicorn) per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.taxii.world import TaxiiWorld, taxii_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaxiiWorld]:
    yield from taxii_world(tmp_path_factory.mktemp("taxii"))
