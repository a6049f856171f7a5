"""services.triage: one verdict per agency on a leak, seen only by that agency, audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.leaks import LeakQuery, get_leak, list_leaks
from leaktrace.services.triage import triage_leak
from leaktrace.services.works import import_catalog
from tests.services.test_leaks import CAMS, FIXTURES, LEAKS, agency_actor, ctx

__all__ = ["ctx"]


def test_triage_is_per_agency_and_audited(ctx: AppContext) -> None:
    nl = agency_actor(ctx, "NL-POL")
    de = agency_actor(ctx, "DE-BKA")
    leak = list_leaks(ctx, nl, LeakQuery(limit=1)).items[0]
    marked = triage_leak(ctx, nl, leak.id, verdict="confirmed", note="seen on the FTP")
    assert marked.triage is not None
    assert (marked.triage.verdict, marked.triage.note) == ("confirmed", "seen on the FTP")
    assert get_leak(ctx, de, leak.id).triage is None  # another agency sees no verdict
    assert get_leak(ctx, local_operator(), leak.id).triage is None
    again = triage_leak(ctx, nl, leak.id, verdict="false-positive", note="a re-encode")
    assert again.triage is not None and again.triage.verdict == "false-positive"
    triage_leak(ctx, de, leak.id, verdict="confirmed")
    assert get_leak(ctx, nl, leak.id).triage == again.triage
    # the verdict filter is the asking agency's
    mine = list_leaks(ctx, nl, LeakQuery(verdict="false-positive", limit=500)).items
    assert [x.id for x in mine] == [leak.id]
    assert list_leaks(ctx, de, LeakQuery(verdict="false-positive")).items == []
    rest = list_leaks(ctx, nl, LeakQuery(verdict="untriaged", with_total=True))
    assert rest.total == LEAKS + CAMS - 1
    entries = list_audit(ctx, local_operator(), action="leak.triage").items
    assert [(e.actor, e.agency, e.detail) for e in entries] == [
        ("analyst@de-bka.example", "DE-BKA", "untriaged -> confirmed"),
        ("analyst@nl-pol.example", "NL-POL", "confirmed -> false-positive"),
        ("analyst@nl-pol.example", "NL-POL", "untriaged -> confirmed"),
    ]
    assert all(e.subject == f"leak {leak.id}" for e in entries)


def test_triage_refusals(ctx: AppContext) -> None:
    nl = agency_actor(ctx, "NL-POL")
    leak_id = list_leaks(ctx, nl, LeakQuery(limit=1)).items[0].id
    with pytest.raises(InputError) as local:
        triage_leak(ctx, local_operator(), leak_id, verdict="confirmed")
    assert local.value.field == "agency"
    with pytest.raises(PermissionDeniedError):
        triage_leak(ctx, agency_actor(ctx, "NL-POL", "viewer"), leak_id, verdict="confirmed")
    with pytest.raises(InputError) as verdict:
        triage_leak(ctx, nl, leak_id, verdict="probably")
    assert verdict.value.field == "verdict"
    with pytest.raises(InputError) as note:
        triage_leak(ctx, nl, leak_id, verdict="confirmed", note="x" * 2001)
    assert note.value.field == "note"
    with pytest.raises(NotFoundError):
        triage_leak(ctx, nl, 999_999, verdict="confirmed")
    assert list_audit(ctx, local_operator(), action="leak.triage").items == []


def test_triage_survives_a_catalogue_reimport(ctx: AppContext, tmp_path: Path) -> None:
    nl = agency_actor(ctx, "NL-POL")
    leak = list_leaks(ctx, nl, LeakQuery(limit=1)).items[0]
    triage_leak(ctx, nl, leak.id, verdict="confirmed", note="kept")
    moved = tmp_path / "moved.csv"
    text = (FIXTURES / "catalog.csv").read_text().replace("2026-05-19", "2026-05-20")
    moved.write_text(text)
    report = import_catalog(ctx, local_operator(), moved)
    assert report.reassessed is not None and report.reassessed.changed == 0
    after = get_leak(ctx, nl, leak.id)
    assert after.triage is not None and after.triage.note == "kept"
    assert after.lead_days == pytest.approx(leak.lead_days + 1)
