"""services.notice_contacts: importing the user's contacts file (added / updated /
unchanged, all or nothing with file, line and field), adding by hand, listing, who may
change contacts (those who may send: industry agencies' users and the local operator);
and services.notice_reading's list filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from leaktrace.errors import InputError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.identity.roles import Role
from leaktrace.services.context import AppContext
from leaktrace.services.notice_contacts import (
    add_contact,
    import_contacts,
    import_contacts_data,
    list_contacts,
)
from leaktrace.services.notice_reading import list_notices
from leaktrace.services.notices import DraftScope, draft_notices
from tests.services import notice_world as w
from tests.services.test_leaks import agency_actor


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from w.world_ctx(tmp_path)


def test_import_adds_updates_and_keeps(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "more.csv"
    path.write_text(
        "host_or_domain,name,email,country,form\n"
        "CyberLock.example,CyberLock Legal,legal@cyberlock.example,NL,dsa\n"  # updated
        "stream.test,Stream Test Legal,legal@stream.test,FR,\n"  # unchanged
        "xn--bcher-kva.example,Bücher,abuse@buecher.example,DE,\n"  # added
        "2001:db8::/32,Docs v6,v6@docs.example,,\n"  # added
    )
    actor = w.industry(ctx)
    view = import_contacts(ctx, actor, path)
    assert (view.added, view.updated, view.unchanged, view.total) == (2, 1, 1, 7)
    contacts = {c.match: c for c in list_contacts(ctx, actor)}
    assert contacts["cyberlock.example"].email == "legal@cyberlock.example"
    assert contacts["cyberlock.example"].form == "dsa"
    assert contacts["cyberlock.example"].origin == f"file:{path.resolve()}"
    assert contacts["2001:db8::/32"].match_kind == "cidr"
    assert contacts["AS20712"].match_kind == "asn"
    # a drafted notice goes to the updated contact
    result = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dsa")
    assert result.notices[0].recipient_email == "legal@cyberlock.example"


def test_a_bad_file_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    before = list_contacts(ctx, local_operator())
    path = tmp_path / "bad.csv"
    path.write_text(
        "host_or_domain,name,email,country\n"
        "ok.example,OK,ok@ok.example,NL\n"
        "bad host,Bad,bad@bad.example,NL\n"
        "also.example,Also,not-an-address,NL\n"
    )
    with pytest.raises(InputError) as error:
        import_contacts(ctx, local_operator(), path)
    assert error.value.file == str(path) and error.value.line == 3
    assert list_contacts(ctx, local_operator()) == before
    with pytest.raises(InputError, match="no such file"):
        import_contacts(ctx, local_operator(), tmp_path / "missing.csv")
    with pytest.raises(InputError, match="folder"):
        import_contacts(ctx, local_operator(), tmp_path)


def test_add_by_hand(ctx: AppContext) -> None:
    actor = w.industry(ctx)
    view = add_contact(
        ctx, actor, match="nocontact.example", name="NoContact", email="abuse@nocontact.example",
        country="se", form="dmca",
    )  # fmt: skip
    assert (view.match_kind, view.country, view.form, view.origin) == (
        "domain", "SE", "dmca", "hand"
    )  # fmt: skip
    result = draft_notices(ctx, actor, DraftScope(host="nocontact.example"), form="dmca")
    assert result.needs_contact == []
    with pytest.raises(InputError) as bad:
        add_contact(ctx, actor, match="not a host", name="X", email="x@y.example")
    assert bad.value.field == "match" and bad.value.file is None
    for empty in ({"match": " "}, {"name": ""}, {"email": "  "}):
        values = {"match": "a.example", "name": "X", "email": "x@y.example", **empty}
        with pytest.raises(InputError) as missing:
            add_contact(ctx, actor, **values)
        assert missing.value.field == next(iter(empty))
    with pytest.raises(InputError) as mail:
        add_contact(ctx, actor, match="a.example", name="X", email="nope")
    assert mail.value.field == "email"
    with pytest.raises(PermissionDeniedError):
        add_contact(
            ctx, agency_actor(ctx, "MPA", Role.viewer.value), match="a.example", name="X",
            email="x@y.example",
        )  # fmt: skip


def test_list_filters_and_need_to_know(ctx: AppContext) -> None:
    mpa = w.industry(ctx)
    draft_notices(ctx, mpa, DraftScope(work_id="northern"), form="dmca")
    draft_notices(ctx, w.industry(ctx, "FAPAV"), DraftScope(host="stream.test"), form="dsa")
    assert len(list_notices(ctx, mpa)) == 7
    assert len(list_notices(ctx, mpa, form="DSA")) == 0
    assert len(list_notices(ctx, local_operator())) == 8
    assert len(list_notices(ctx, local_operator(), form="dsa")) == 1
    assert [n.agency for n in list_notices(ctx, w.industry(ctx, "FAPAV"))] == ["FAPAV"]
    assert list_notices(ctx, mpa, status="sent") == []
    listed = list_notices(ctx, mpa)
    assert [n.id for n in listed] == sorted((n.id for n in listed), reverse=True)
    for bad, field in (({"status": "lost"}, "status"), ({"form": "x"}, "form")):
        with pytest.raises(InputError) as error:
            list_notices(ctx, mpa, **bad)
        assert error.value.field == field
    with pytest.raises(PermissionDeniedError):
        list_notices(ctx, replace(mpa, permissions=frozenset()))


def test_import_uploaded_bytes(ctx: AppContext) -> None:
    data = b"host_or_domain,name,email,country\nupload.example,Up,abuse@upload.example,NL\n"
    view = import_contacts_data(ctx, w.industry(ctx), data, name="my\x1bcontacts.csv")
    assert (view.file, view.added, view.total) == ("mycontacts.csv", 1, 6)
    contacts = {c.match: c for c in list_contacts(ctx, local_operator())}
    assert contacts["upload.example"].origin == "upload:mycontacts.csv"
    with pytest.raises(InputError) as error:
        import_contacts_data(ctx, w.industry(ctx), b"host_or_domain,name\n", name="bad.csv")
    assert error.value.file == "bad.csv"


def test_only_who_may_send_changes_contacts(ctx: AppContext, tmp_path: Path) -> None:
    """A contact routes every agency's next notices: a police analyst (write:notices,
    drafts) reads the contacts but neither adds nor imports one; an industry analyst
    and the local operator do."""
    police = agency_actor(ctx, "NL-POL", Role.analyst.value)
    before = list_contacts(ctx, police)  # reading is allowed
    good = "host_or_domain,name,email,country\ncyberlock.example,Evil,evil@attacker.example,NL\n"
    path = tmp_path / "takeover.csv"
    path.write_text(good)
    with pytest.raises(PermissionDeniedError) as denied:
        add_contact(ctx, police, match="cyberlock.example", name="Evil", email="e@attacker.example")
    assert denied.value.permission == "send:notices"
    with pytest.raises(PermissionDeniedError):
        import_contacts(ctx, police, path)
    with pytest.raises(PermissionDeniedError):
        import_contacts_data(ctx, police, good.encode(), name="takeover.csv")
    # a bad contact is answered as bad whoever gives it (checked first)
    with pytest.raises(InputError) as bad:
        add_contact(ctx, police, match="a.example", name="X", email="nope")
    assert bad.value.field == "email"
    assert list_contacts(ctx, local_operator()) == before
    result = draft_notices(ctx, police, DraftScope(host="cyberlock.example"), form="dmca")
    assert result.notices[0].recipient_email == "abuse@cyberlock.example"  # unchanged
    # another industry agency and the local operator may
    fapav = w.industry(ctx, "FAPAV")
    view = add_contact(ctx, fapav, match="new.example", name="New", email="abuse@new.example")
    assert view.origin == "hand"
    assert import_contacts(ctx, local_operator(), path).updated == 1
