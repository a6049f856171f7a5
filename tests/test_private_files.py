"""Reports, sheets and graphs are written whole and readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.private_files import write_private_text


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual umask, which would give 0644
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_and_folder_are_private(tmp_path: Path) -> None:
    target = tmp_path / "new" / "report.html"
    assert write_private_text(target, "<p>é</p>") == target
    assert target.read_text(encoding="utf-8") == "<p>é</p>"
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700


def test_replacing_a_shared_file_makes_it_private(tmp_path: Path) -> None:
    target = tmp_path / "sheet.csv"
    target.write_text("old")
    target.chmod(0o644)
    write_private_text(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.csv"]  # no temporary left


def test_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        write_private_text(tmp_path, "x", what="the report")
    assert info.value.file == str(tmp_path) and "is a directory" in str(info.value)
