"""``exchange import``: STIX bundle files, all or nothing, with clear errors."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError, TooLargeError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_import import import_bundle, read_bundle
from tests.services.inbound_data import by_name, partner_bundle, partner_objects
from tests.services.inbound_fixtures import OTHER, RECEIVER, make_context, seen, stored


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    yield from make_context(tmp_path_factory.mktemp("import"), ("inbox", "other"))


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_import_stores_a_bundle_once_with_its_markings(ctx: AppContext, tmp_path: Path) -> None:
    bundle = partner_bundle()
    path = write(tmp_path, "partner.json", bundle)
    view = import_bundle(ctx, local_operator(), path, into="inbox", agency=RECEIVER)
    assert (view.received, view.stored, view.already_present) == (15, 15, 0)
    assert view.bundle_id == bundle["id"] and view.warnings == []
    operator = seen(ctx, "inbox", None)
    for body in partner_objects():
        assert operator[body["id"]] == body
    rows = stored(ctx, "inbox")
    assert {row.origin for row in rows} == {"file partner.json"}
    assert set(by_name(list(seen(ctx, "inbox", RECEIVER).values()))) >= {"REDGRP", "STRICTGRP"}
    assert "REDGRP" not in by_name(list(seen(ctx, "inbox", OTHER).values()))
    again = import_bundle(ctx, local_operator(), path, into="inbox", agency=RECEIVER)
    assert (again.stored, again.already_present) == (0, 15)
    # each import is audited once, in its transaction (review M4)
    entries = list_audit(ctx, local_operator(), action="exchange.import").items
    assert [e.detail for e in entries[:2]] == [
        f"15 received, 0 stored, 15 already present; for {RECEIVER}",
        f"15 received, 15 stored, 0 already present; for {RECEIVER}",
    ]
    assert entries[0].subject == f"partner.json ({bundle['id']}) -> inbox"


def test_without_an_agency_the_report_says_red_is_visible_to_nobody(
    ctx: AppContext, tmp_path: Path
) -> None:
    path = write(tmp_path, "partner.json", partner_bundle())
    view = import_bundle(ctx, local_operator(), path, into="other")
    assert view.agency is None and view.hidden_without_agency == 2
    assert "no agency can see them" in view.warnings[0]


@pytest.mark.parametrize(
    ("content", "field", "reason"),
    [
        (b"\xff\xfe not text", None, "UTF-8"),
        ("{not json", None, "not JSON"),
        ([partner_objects()[0]], None, "not a STIX bundle"),
        (partner_objects()[0], None, "not a STIX bundle"),
        ({"type": "bundle", "id": "bundle--x", "objects": []}, "id", "bundle id"),
        ({**partner_bundle(), "objects": {"a": 1}}, "objects", "list"),
    ],
)
def test_what_is_not_a_bundle_is_refused_and_nothing_stored(
    ctx: AppContext, tmp_path: Path, content: Any, field: str | None, reason: str
) -> None:
    before = len(stored(ctx, "inbox"))
    path = write(tmp_path, "bad.json", content)
    with pytest.raises(InputError, match=reason) as caught:
        import_bundle(ctx, local_operator(), path, into="inbox", agency=RECEIVER)
    assert caught.value.file == str(path) and caught.value.field == field
    assert len(stored(ctx, "inbox")) == before


def test_one_bad_object_names_its_index_and_field_and_stores_nothing(
    ctx: AppContext, tmp_path: Path
) -> None:
    bundle = partner_bundle()
    bundle["objects"][3] = dict(bundle["objects"][3], modified="soon")
    bundle["objects"][0] = dict(bundle["objects"][0], id="identity--1234")
    path = write(tmp_path, "one-bad.json", bundle)
    with pytest.raises(InputError) as caught:
        import_bundle(ctx, local_operator(), path, into="other", agency=RECEIVER)
    assert caught.value.field == "objects[0].id"
    assert str(path) in str(caught.value)


def test_the_file_size_is_capped(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", partner_bundle())
    with pytest.raises(TooLargeError):
        read_bundle(path, max_bytes=1000)


def _json() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.sampled_from(["type", "id", "objects", "x"]), children, max_size=4)
        ),
        max_leaves=20,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_json()
    | st.fixed_dictionaries(
        {
            "type": st.just("bundle"),
            "id": st.just("bundle--11111111-1111-4111-8111-111111111111"),
            "objects": st.lists(_json() | st.sampled_from(partner_objects()), max_size=4),
        }
    )
)
def test_any_json_gives_a_bundle_or_an_input_error(body: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "any.json", body)
        try:
            bundle_id, objects = read_bundle(path)
        except InputError as exc:
            assert exc.file == str(path) and exc.reason
        else:
            assert bundle_id.startswith("bundle--")
            assert all(isinstance(o, dict) and "--" in o["id"] for o in objects)


def test_a_cyber_observable_imported_twice_is_stored_once(ctx: AppContext, tmp_path: Path) -> None:
    address = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ac5c3478-ebdc-54ec-81aa-9bdea84d7ca8",
        "value": "198.51.100.7",
    }
    bundle = {"type": "bundle", "id": partner_bundle()["id"], "objects": [address]}
    path = write(tmp_path, "sco.json", bundle)
    first = import_bundle(ctx, local_operator(), path, into="other", agency=RECEIVER)
    again = import_bundle(ctx, local_operator(), path, into="other", agency=RECEIVER)
    assert (first.stored, again.stored, again.already_present) == (1, 0, 1)
    assert [row.stix_id for row in stored(ctx, "other")].count(address["id"]) == 1
