"""services.case_export writing its file: an existing target is refused unless replacing
(also one that appears while the bundle is written, and a symbolic link, which is never
followed); the bundle is streamed into a temporary file next to the target, reading the
stored files one at a time; a failure leaves nothing and commits no entry."""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy.engine import Connection

from leaktrace.config import load_settings
from leaktrace.errors import ConflictError
from leaktrace.evidence import bundle
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_export, case_items, case_log
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.evidence import verify_bundle_file
from leaktrace.store import evidence_log as log_store
from tests.services.test_case_export import a_case


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "export.db"))) as context:
        yield context


def _log_size(ctx: AppContext, case_id: int) -> int:
    with ctx.database.reading() as conn:
        return log_store.log_size(conn, case_id)


def test_an_existing_file_is_refused_unless_replacing(ctx: AppContext, tmp_path: Path) -> None:
    case_id, nl = a_case(ctx)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "case.zip"
    target.write_bytes(b"someone's file")
    before = _log_size(ctx, case_id)
    with pytest.raises(ConflictError, match="exists already") as refused:
        case_export.export_case(ctx, nl, case_id, target)
    assert str(target) in str(refused.value)
    assert target.read_bytes() == b"someone's file"
    assert _log_size(ctx, case_id) == before
    assert [p.name for p in folder.iterdir()] == ["case.zip"]
    view = case_export.export_case(ctx, nl, case_id, target, replace=True)
    assert view.file == str(target) and target.stat().st_mode & 0o777 == 0o600
    assert verify_bundle_file(target).ok
    assert [p.name for p in folder.iterdir()] == ["case.zip"]


def test_a_symbolic_link_is_never_followed(ctx: AppContext, tmp_path: Path) -> None:
    case_id, nl = a_case(ctx)
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0\n")
    victim.chmod(0o644)
    link = tmp_path / "case.zip"
    link.symlink_to(victim)
    with pytest.raises(ConflictError):
        case_export.export_case(ctx, nl, case_id, link)
    dangling = tmp_path / "dangling.zip"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(ConflictError):
        case_export.export_case(ctx, nl, case_id, dangling)
    assert not (tmp_path / "nowhere").exists()
    case_export.export_case(ctx, nl, case_id, link, replace=True)  # replaces the link itself
    assert not link.is_symlink() and verify_bundle_file(link).ok
    assert victim.read_text() == "root:x:0:0\n" and victim.stat().st_mode & 0o777 == 0o644


def test_a_target_that_appears_while_writing_is_not_overwritten(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, nl = a_case(ctx)
    target = tmp_path / "out" / "case.zip"
    before = _log_size(ctx, case_id)
    real = bundle.write_bundle

    def racing(contents: bundle.BundleContents, out: BinaryIO) -> None:
        real(contents, out)
        target.write_bytes(b"written meanwhile")  # another writer wins the name

    monkeypatch.setattr("leaktrace.services.case_export.write_bundle", racing)
    with pytest.raises(ConflictError, match="exists already"):
        case_export.export_case(ctx, nl, case_id, target)
    assert target.read_bytes() == b"written meanwhile"
    assert [p.name for p in target.parent.iterdir()] == ["case.zip"]  # no temporary left
    assert _log_size(ctx, case_id) == before  # no export entry committed
    assert list_audit(ctx, local_operator(), action="case.export").items == []
    # replacing: the other writer's file is replaced by the bundle
    case_export.export_case(ctx, nl, case_id, target, replace=True)
    assert verify_bundle_file(target).ok


def test_a_failure_after_placing_the_file_removes_it(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is in place before the entry commits; if the transaction then fails, the
    file goes too (no bundle whose last entry the log does not hold)."""
    case_id, nl = a_case(ctx)
    target = tmp_path / "out" / "case.zip"
    before = _log_size(ctx, case_id)
    real = case_log.writing

    @contextmanager
    def failing_commit(context: AppContext, **options: Any) -> Iterator[Connection]:
        with real(context, **options) as conn:
            yield conn
            assert target.is_file()  # in place before the commit
            raise RuntimeError("the database went away")

    monkeypatch.setattr(case_log, "writing", failing_commit)
    with pytest.raises(RuntimeError, match="went away"):
        case_export.export_case(ctx, nl, case_id, target)
    assert list(target.parent.iterdir()) == []
    assert _log_size(ctx, case_id) == before


def test_stored_files_are_streamed_one_at_a_time(ctx: AppContext, tmp_path: Path) -> None:
    """Six files of 2 MiB: the export never holds them all (the zip goes to disk and
    each stored file is read when its turn comes), nor the zip in memory."""
    case_id, nl = a_case(ctx)
    mib = 1 << 20
    for n in range(6):
        content = os.urandom(2 * mib)
        case_items.add_file(ctx, nl, case_id, name=f"big-{n}.bin", content=io.BytesIO(content))
    target = tmp_path / "case.zip"
    tracemalloc.start()
    try:
        case_export.export_case(ctx, nl, case_id, target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert target.stat().st_size > 12 * mib
    assert peak < 6 * mib, f"peak {peak / mib:.1f} MiB"
    assert verify_bundle_file(target).ok


def test_without_hard_links_an_exclusive_placeholder_is_used(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File systems without hard links (EPERM): the name is taken with O_EXCL, then the
    bundle replaces that placeholder; an existing file is still refused."""
    case_id, nl = a_case(ctx)

    def no_links(*args: object, **kw: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out" / "case.zip"
    case_export.export_case(ctx, nl, case_id, target)
    assert verify_bundle_file(target).ok and target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["case.zip"]
    real = bundle.write_bundle

    def racing(contents: bundle.BundleContents, out: BinaryIO) -> None:
        real(contents, out)
        (tmp_path / "out" / "late.zip").write_bytes(b"written meanwhile")

    monkeypatch.setattr("leaktrace.services.case_export.write_bundle", racing)
    with pytest.raises(ConflictError):
        case_export.export_case(ctx, nl, case_id, tmp_path / "out" / "late.zip")
    assert (tmp_path / "out" / "late.zip").read_bytes() == b"written meanwhile"


@pytest.mark.parametrize("replace", [False, True])
def test_an_interruption_while_time_stamping_keeps_the_committed_exports_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    """The authority is asked after the commit; Ctrl-C there must not take away (or,
    when replacing, never put in place) the bundle of an export the log now records."""
    settings = load_settings(
        db=str(tmp_path / "stamp.db"), evidence={"tsa_url": "http://127.0.0.1:9/tsa"}
    )
    with build_context(settings) as ctx:
        case_id, nl = a_case(ctx)
        target = tmp_path / "case.zip"
        if replace:
            target.write_bytes(b"the older bundle")

        def interrupted(*_: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(case_log, "_timestamp_heads", interrupted)
        before = _log_size(ctx, case_id)
        with pytest.raises(KeyboardInterrupt):
            case_export.export_case(ctx, nl, case_id, target, replace=replace)
        assert _log_size(ctx, case_id) == before + 1  # the export is recorded
        report = verify_bundle_file(target)
        assert report.ok, report.problem
        assert report.tree_size == before + 1  # and its bundle is the one in place
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".case.zip")] == []
