"""services.notice_export: notices written as Lumen JSON, .eml messages and printable
HTML, one file per notice named by its reference, mode 0600 in a folder made 0700,
nothing written when a notice cannot be exported; need-to-know; one file in memory for
the API."""

from __future__ import annotations

import email
import json
import stat
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.notice_export import export_notices, notice_file
from leaktrace.services.notice_reading import get_notice
from leaktrace.services.notices import DraftScope, draft_notices, set_recipient
from tests.services import notice_world as w
from tests.services.test_notice_marking import as_sent


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from w.world_ctx(tmp_path / "world")


@pytest.fixture
def actor(ctx: AppContext) -> Actor:
    return w.industry(ctx)


@pytest.fixture
def ids(ctx: AppContext, actor: Actor) -> list[int]:
    """MPA's sent DSA notice to CyberLock and a drafted one to stream.test."""
    sent = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dsa")
    as_sent(ctx, sent.notices[0].id)
    drafted = draft_notices(ctx, actor, DraftScope(host="stream.test"), form="dmca")
    return [sent.notices[0].id, drafted.notices[0].id]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_lumen_files(ctx: AppContext, actor: Actor, ids: list[int], tmp_path: Path) -> None:
    out = tmp_path / "new" / "lumen"
    view = export_notices(ctx, actor, None, format="lumen", out=out)
    names = [Path(f).name for f in view.files]
    assert view.format == "lumen" and names == [f"LT-N-{i:06d}.lumen.json" for i in sorted(ids)]
    assert _mode(out) == 0o700
    for path in out.iterdir():
        assert _mode(path) == 0o600
    data = json.loads((out / names[0]).read_text())
    notice = data["notice"]
    body = json.dumps(notice)
    assert w.CONTACT_PARENT in body and w.CONTACT_PARENT_2 in body
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left


def test_eml_and_html(ctx: AppContext, actor: Actor, ids: list[int], tmp_path: Path) -> None:
    sent = get_notice(ctx, actor, ids[0])
    view = export_notices(ctx, actor, [ids[0]], format="eml", out=tmp_path / "eml")
    (path,) = [Path(f) for f in view.files]
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] and "abuse@cyberlock.example" in str(message["To"])
    assert "jane.roe@antipiracy.example" in str(message["From"])
    assert message["Subject"] == sent.subject
    text = message.get_content()  # type: ignore[attr-defined]
    assert w.CONTACT_PARENT in text
    html = export_notices(ctx, actor, [ids[0]], format="HTML", out=tmp_path / "html")
    page = Path(html.files[0]).read_text()
    assert w.CONTACT_PARENT in page and "<script" not in page.lower()
    assert _mode(Path(html.files[0])) == 0o600


def test_a_notice_needing_a_contact_cannot_be_an_eml(
    ctx: AppContext, actor: Actor, tmp_path: Path
) -> None:
    result = draft_notices(ctx, actor, DraftScope(host="nocontact.example"), form="dmca")
    notice = result.notices[0].id
    with pytest.raises(InputError, match=f"LT-N-{notice:06d}: the recipient has no e-mail"):
        export_notices(ctx, actor, [notice], format="eml", out=tmp_path / "none")
    assert not (tmp_path / "none").exists()  # nothing written
    # --all: every notice that can be a message is written, the others listed
    draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dmca")
    every = export_notices(ctx, actor, None, format="eml", out=tmp_path / "all")
    assert [s.id for s in every.skipped] == [notice]
    assert every.skipped[0].reason.startswith("the recipient has no e-mail address")
    assert every.files and f"LT-N-{notice:06d}.eml" not in [Path(f).name for f in every.files]
    set_recipient(ctx, actor, notice, name="NoContact", email="abuse@nocontact.example")
    view = export_notices(ctx, actor, [notice], format="eml", out=tmp_path / "none")
    assert len(view.files) == 1


def test_need_to_know_and_bad_input(
    ctx: AppContext, actor: Actor, ids: list[int], tmp_path: Path
) -> None:
    other = w.industry(ctx, "FAPAV")
    with pytest.raises(NotFoundError, match=f"no notice {ids[0]}"):
        export_notices(ctx, other, [ids[0]], format="lumen", out=tmp_path / "x")
    assert export_notices(ctx, other, None, format="lumen", out=tmp_path / "y").files == []
    assert (
        len(export_notices(ctx, local_operator(), None, format="html", out=tmp_path / "z").files)
        == 2
    )
    with pytest.raises(InputError) as bad:
        export_notices(ctx, actor, None, format="pdf", out=tmp_path / "x")
    assert bad.value.field == "format"
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(InputError, match="is a file"):
        export_notices(ctx, actor, None, format="lumen", out=a_file)
    from dataclasses import replace

    with pytest.raises(PermissionDeniedError):
        export_notices(
            ctx, replace(actor, permissions=frozenset()), None, format="lumen", out=a_file
        )


def test_one_file_in_memory(ctx: AppContext, actor: Actor, ids: list[int]) -> None:
    name, content = notice_file(ctx, actor, ids[1], format="lumen")
    assert name == f"LT-N-{ids[1]:06d}.lumen.json" and json.loads(content)["notice"]
    with pytest.raises(NotFoundError):
        notice_file(ctx, w.industry(ctx, "FAPAV"), ids[1], format="eml")
