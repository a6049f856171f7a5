"""Export to a file: a validator-clean STIX bundle or a MISP event (case or group only),
written atomically with mode 0600, never over an existing file without ``force``; a
collection exported as one agency sees it; audited."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymisp import MISPEvent
from stix2validator import ValidationOptions, validate_instance  # type: ignore[import-untyped]

from leaktrace.errors import ConflictError, InputError, NotFoundError
from leaktrace.identity.actor import local_operator
from leaktrace.services import audit as audit_service
from leaktrace.services import case_items, cases
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_collections import add_collection
from leaktrace.services.exchange_export import ExportRequest, export
from leaktrace.services.exchange_publish import Marking, PublishRequest, Source, publish
from leaktrace.services.exchange_rules import agency_identity_id
from tests.services.demo_world import demo_context
from tests.services.test_exchange_collections import add_agencies

OPTIONS = ValidationOptions(version="2.1")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    for context in demo_context(tmp_path / "db"):
        add_agencies(context)
        yield context


def test_stix_bundle_is_valid_private_and_marked(demo: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "out" / "fr.json"
    view = export(
        demo,
        local_operator(),
        ExportRequest(Source(targets="FR"), "stix", path, Marking.of("green"), agency="FR-PN"),
    )
    assert view.path == str(path) and view.tlp == "green"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert bundle["type"] == "bundle" and len(bundle["objects"]) == view.objects
    result = validate_instance(bundle, OPTIONS)
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]
    infra = [o for o in bundle["objects"] if o["type"] == "infrastructure"]
    assert infra and all(o["created_by_ref"] == agency_identity_id("FR-PN") for o in infra)
    green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    assert all(o["object_marking_refs"] == [green] for o in infra)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    entries = list_audit(demo, local_operator(), action="exchange.export").items
    assert entries and "targets FR" in entries[0].subject


def test_without_tlp_an_export_is_amber(demo: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "de.json"
    view = export(demo, local_operator(), ExportRequest(Source(targets="DE"), "stix", path))
    assert view.tlp == "amber" and view.agency is None
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    infra = [o for o in bundle["objects"] if o["type"] == "infrastructure"]
    assert infra and all(o["object_marking_refs"] == [amber] for o in infra)


def test_existing_file_needs_force(demo: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "fr.json"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(ConflictError):
        export(demo, local_operator(), ExportRequest(Source(targets="FR"), "stix", path))
    assert path.read_text(encoding="utf-8") == "keep me"
    export(demo, local_operator(), ExportRequest(Source(targets="FR"), "stix", path, force=True))
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "bundle"


def test_failure_leaves_no_half_written_file(
    demo: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fr.json"
    path.write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_service, "record", broken)
    with pytest.raises(RuntimeError):
        export(
            demo, local_operator(), ExportRequest(Source(targets="FR"), "stix", path, force=True)
        )
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["fr.json"]


def test_misp_event_of_a_case(demo: AppContext, tmp_path: Path) -> None:
    operator = local_operator()
    case = cases.open_case(demo, operator, "Operation Ember", agency="FR-PN").id
    case_items.add_items(
        demo, operator, case, [case_items.AddRequest("group", "EMBERS")], reason="test"
    )
    path = tmp_path / "case.misp.json"
    view = export(
        demo,
        operator,
        ExportRequest(Source(case=case), "misp", path, Marking.of("amber+strict", "H1")),
    )
    assert view.agency == "FR-PN" and view.format == "misp"
    event = MISPEvent()
    event.load(path.read_text(encoding="utf-8"))
    tags = [tag.name for tag in event.tags]
    assert "tlp:amber+strict" in tags
    assert 'anti-piracy:type="copyright-infringement"' in tags
    assert 'leaktrace:siena-handling="H1"' in tags
    assert event.info == f"LeakTrace: Case {case}: Operation Ember"
    kinds = {a.type for a in event.attributes}
    assert {"threat-actor", "ip-dst", "text", "comment"} <= kinds
    assert "EMBERS" in [a.value for a in event.attributes if a.type == "threat-actor"]
    assert len(event.attributes) == view.objects
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_misp_only_for_a_case_or_a_group(demo: AppContext, tmp_path: Path) -> None:
    for source in (Source(targets="FR"), Source(all_leaks=True), Source(collection="x")):
        with pytest.raises(InputError) as caught:
            export(demo, local_operator(), ExportRequest(source, "misp", tmp_path / "e.json"))
        assert "case or a group" in str(caught.value)
    with pytest.raises(InputError) as caught:
        export(demo, local_operator(), ExportRequest(Source(targets="FR"), "csv", tmp_path / "e"))
    assert caught.value.field == "--format"
    assert not (tmp_path / "e.json").exists()


def test_source_errors_name_the_options_to_fix(demo: AppContext, tmp_path: Path) -> None:
    wrong = {
        Source(object_id="intrusion-set--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"): "--object",
        Source(): "--case, --group, --targets, --all-leaks, --collection",
        Source(targets="FR", all_leaks=True): "--targets, --all-leaks",
    }
    for source, option in wrong.items():
        with pytest.raises(InputError) as caught:
            export(demo, local_operator(), ExportRequest(source, "stix", tmp_path / "e.json"))
        assert caught.value.field == option, (source, str(caught.value))
    assert not (tmp_path / "e.json").exists()


def test_collection_export_is_what_the_agency_sees(demo: AppContext, tmp_path: Path) -> None:
    operator = local_operator()
    add_collection(demo, operator, "Europe", read=["FR-PN", "NL-POL"], write=["FR-PN"])
    publish(
        demo,
        operator,
        PublishRequest(Source(targets="FR"), "Europe", Marking.of("amber"), agency="FR-PN"),
    )
    publish(
        demo,
        operator,
        PublishRequest(Source(targets="DE"), "Europe", Marking.of("red"), agency="FR-PN"),
    )
    mine = tmp_path / "fr.json"
    theirs = tmp_path / "nl.json"
    export(demo, operator, ExportRequest(Source(collection="Europe"), "stix", mine, agency="FR-PN"))
    export(
        demo, operator, ExportRequest(Source(collection="Europe"), "stix", theirs, agency="NL-POL")
    )
    names_fr = {
        o.get("name")
        for o in json.loads(mine.read_text())["objects"]
        if o["type"] == "infrastructure"
    }
    names_nl = {
        o.get("name")
        for o in json.loads(theirs.read_text())["objects"]
        if o["type"] == "infrastructure"
    }
    assert names_nl and names_nl < names_fr  # the RED (DE) servers: FR-PN only
    with pytest.raises(NotFoundError):
        export(
            demo,
            operator,
            ExportRequest(
                Source(collection="Europe"), "stix", tmp_path / "d.json", agency="DE-BKA"
            ),
        )
    with pytest.raises(InputError):
        export(
            demo,
            operator,
            ExportRequest(
                Source(collection="Europe"), "stix", tmp_path / "t.json", Marking.of("green")
            ),
        )


def test_operator_collection_export_needs_an_agency(demo: AppContext, tmp_path: Path) -> None:
    """The local operator sees every row, RED and AMBER+STRICT ones too: without --agency
    nothing is written (fail closed), and the error names the option to give."""
    operator = local_operator()
    add_collection(demo, operator, "Europe", read=["FR-PN"], write=["FR-PN"])
    publish(
        demo,
        operator,
        PublishRequest(Source(targets="FR"), "Europe", Marking.of("red"), agency="FR-PN"),
    )
    path = tmp_path / "all.json"
    with pytest.raises(InputError) as caught:
        export(demo, operator, ExportRequest(Source(collection="Europe"), "stix", path))
    assert caught.value.field == "--agency" and "--agency" in str(caught.value)
    assert not path.exists()
    assert list_audit(demo, operator, action="exchange.export").items == []
    view = export(
        demo, operator, ExportRequest(Source(collection="Europe"), "stix", path, agency="FR-PN")
    )
    assert view.agency == "FR-PN" and path.exists()


def test_h1_travels_in_a_stix_export_as_not_for_court(demo: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "h1.json"
    export(
        demo,
        local_operator(),
        ExportRequest(
            Source(targets="FR"), "stix", path, Marking.of("amber", "H1"), agency="FR-PN"
        ),
    )
    objects = json.loads(path.read_text(encoding="utf-8"))["objects"]
    h1 = next(o for o in objects if o["type"] == "marking-definition" and "H1" in o["name"])
    assert "not for judicial proceedings without the provider's permission" in h1["name"]
    infra = [o for o in objects if o["type"] == "infrastructure"]
    assert infra and all(h1["id"] in o["object_marking_refs"] for o in infra)
