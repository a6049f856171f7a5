"""predb.ovh API v1 replies, nukes and websocket frames; fuzzing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import FeedError, LeakTraceError
from leaktrace.formats.predb_json import (
    FRAME_ACTIONS,
    PredbBatch,
    parse_frame,
    parse_nuke,
    parse_reply,
)
from leaktrace.sources.base import SourceError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "predb"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def row(row_id: int, name: str, nuke: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    base = {
        "id": row_id,
        "name": name,
        "team": name.rsplit("-", 1)[-1],
        "cat": "X264",
        "genre": "",
        "url": "",
        "size": 1200.5,
        "files": 30,
        "preAt": 1_700_000_000 + row_id,
        "nuke": nuke,
    }
    base.update(more)
    return base


def reply(rows: list[Any], status: str = "success", message: str = "") -> bytes:
    return json.dumps(
        {
            "status": status,
            "message": message,
            "data": {
                "rowCount": len(rows),
                "offset": 0,
                "reqCount": 1,
                "total": 999,
                "time": 0.01,
                "rows": rows,
            },
        }
    ).encode()


def nuke(type_id: int, reason: str = "bad.ar", at: int = 1_700_100_000) -> dict[str, Any]:
    kinds = {1: "NUKE", 2: "UNNUKE", 3: "MODNUKE", 4: "DELPRE", 5: "UNDELPRE"}
    return {
        "id": 5,
        "typeId": type_id,
        "type": kinds.get(type_id, "?"),
        "preId": 1,
        "reason": reason,
        "net": "LocalNet",
        "nukeAt": at,
    }


def test_corpus_reply() -> None:
    path = CORPUS / "predb_ovh_example.json"
    if not path.exists():
        pytest.skip("predb corpus not available")
    batch = parse_reply(path.read_bytes(), source="predb")
    assert batch.total == 70729 and batch.row_count == 1 and batch.offset == 0
    assert batch.ids == [7812994] and not batch.quarantined and not batch.nukes
    item = batch.items[0]
    assert item.name == "Fortitude.S02E07.BDRip.x264-HAGGiS" and item.group == "HAGGiS"
    assert item.origin == "predb" and item.source == "predb"
    assert item.time == datetime.fromtimestamp(1493762423, UTC)
    assert item.imdb_id == "tt3498622" and item.extra["id"] == 7812994
    assert item.size_bytes == 258 * 1024 * 1024  # predb sizes are MB


def test_bad_rows_quarantined_with_the_row() -> None:
    batch = parse_reply(
        reply(
            [
                row(3, "Good.One-GRP"),
                {"id": 2, "name": "", "preAt": 1},
                "not an object",
                row(1, "Bad.Time-GRP", preAt="yesterday"),
            ]
        )
    )
    assert [i.name for i in batch.items] == ["Good.One-GRP"]
    assert batch.ids == [3, 2, 1] and len(batch.quarantined) == 3
    assert "(name)" in batch.quarantined[0].reason
    assert batch.quarantined[0].location == "predb reply row 2"
    assert json.loads(batch.quarantined[2].sample or "")["name"] == "Bad.Time-GRP"


@pytest.mark.parametrize(
    "type_id,action", [(1, "nuke"), (2, "unnuke"), (3, "modnuke"), (4, "delpre"), (5, "undelpre")]
)
def test_nuke_objects(type_id: int, action: str) -> None:
    event = parse_nuke(nuke(type_id), "Some.Rel-GRP", source="p")
    assert event.action == action and event.name == "Some.Rel-GRP"
    assert event.reason == "bad.ar" and event.net == "LocalNet" and event.source == "p"
    assert event.time == datetime.fromtimestamp(1_700_100_000, UTC)


def test_nuke_object_problems() -> None:
    assert (
        parse_nuke({"typeId": 99, "type": "modnuke", "nukeAt": 1_700_000_000}, "n").action
        == "modnuke"
    )
    for bad in (
        {"typeId": 99, "type": "x", "nukeAt": 1_700_000_000},
        {"typeId": 1},
        "nuke",
        {"typeId": 1, "nukeAt": "never"},
    ):
        with pytest.raises(FeedError):
            parse_nuke(bad, "n")


def test_row_nuke_yields_event_and_bad_nuke_is_quarantined() -> None:
    batch = parse_reply(
        reply(
            [
                row(2, "Nuked.Rel-GRP", nuke(1, "dupe")),
                row(1, "Odd.Nuke-GRP", {"typeId": 1, "nukeAt": "?"}),
            ]
        )
    )
    assert len(batch.items) == 2
    assert [(n.name, n.action, n.reason) for n in batch.nukes] == [
        ("Nuked.Rel-GRP", "nuke", "dupe")
    ]
    assert batch.quarantined[0].reason.startswith("bad predb nuke")


def test_error_and_malformed_replies() -> None:
    with pytest.raises(SourceError, match="Invalid count") as info:
        parse_reply(reply([], status="error", message="Invalid count"))
    assert not info.value.transient
    for data in (
        b"",
        b"[1,2]",
        b"{not json",
        b'{"status":"success"}',
        b"\xff\xfe",
        b'{"status":"success","data":{"rows":{}}}',
        b"[" * 100_000,
    ):
        with pytest.raises(SourceError):
            parse_reply(data)
    assert parse_reply(b'{"status":"success","data":{"rows":null}}').items == []


def frame(action: str, body: dict[str, Any] | None) -> bytes:
    return json.dumps({"action": action, "row": body}).encode()


def test_frames_for_every_action() -> None:
    batches = {
        a: parse_frame(
            frame(a, row(10, "Frame.Rel-GRP", nuke(1, "why"))), received=RECEIVED, source="ws"
        )
        for a in sorted(FRAME_ACTIONS)
    }
    for action in ("insert", "update"):
        assert [i.name for i in batches[action].items] == ["Frame.Rel-GRP"]
        assert [n.action for n in batches[action].nukes] == ["nuke"]  # the row's own nuke
    for action in ("nuke", "unnuke", "modnuke", "delpre", "undelpre", "delete"):
        batch = batches[action]
        assert not batch.items and not batch.quarantined
        (event,) = batch.nukes
        assert event.action == ("delpre" if action == "delete" else action)
        assert event.reason == "why" and event.source == "ws"
        assert event.time == datetime.fromtimestamp(1_700_100_000, UTC)
    assert all(b.ids == [10] and b.action for b in batches.values())
    no_nuke = parse_frame(
        frame("delete", {"id": 4, "name": "Gone.Rel-GRP", "nuke": None}), received=RECEIVED
    )
    assert no_nuke.nukes[0].time == RECEIVED and no_nuke.nukes[0].action == "delpre"


def test_bad_frames_quarantined_not_raised() -> None:
    for data in (
        b"",
        b"\xff",
        b"[]",
        b'{"action":"explode","row":{}}',
        b'{"action":"insert"}',
        frame("nuke", {"id": 1}),
        frame("insert", {"id": 1, "name": "x"}),
        '{"action": "nuke", "row": {"name": "A\\u0000B"}}',
    ):
        batch = parse_frame(data, received=RECEIVED)
        assert not batch.items and not batch.nukes
        assert len(batch.quarantined) == 1 and batch.quarantined[0].sample is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "preAt",
                    "nuke",
                    "typeId",
                    "nukeAt",
                    "status",
                    "data",
                    "rows",
                    "action",
                    "row",
                    "size",
                    "team",
                    "message",
                    "type",
                    "reason",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@FUZZ
@given(st.binary(max_size=500))
def test_fuzz_bytes(data: bytes) -> None:
    try:
        assert isinstance(parse_reply(data), PredbBatch)
    except LeakTraceError:
        pass
    assert isinstance(parse_frame(data, received=RECEIVED), PredbBatch)


@FUZZ
@given(json_values, st.sampled_from(sorted(FRAME_ACTIONS) + ["x"]))
def test_fuzz_json(value: Any, action: str) -> None:
    for doc in (
        value,
        {"status": "success", "data": {"rows": [value]}},
        {"status": "success", "data": value},
    ):
        try:
            batch = parse_reply(json.dumps(doc).encode())
        except LeakTraceError:
            continue
        assert all(i.time.tzinfo is not None for i in batch.items)
    for doc in (value, {"action": action, "row": value}):
        batch = parse_frame(json.dumps(doc), received=RECEIVED)
        assert len(batch.items) + len(batch.nukes) + len(batch.quarantined) <= 2


MARK = "@@BAD@@"


def test_invalid_utf8_in_one_row_quarantines_that_row_only() -> None:
    rows = [
        row(1, "Good.One.2024.1080p.WEB-GRP"),
        row(2, f"Bad.{MARK}.2024.1080p.WEB-GRP"),
        row(3, "Good.Three.2024.1080p.WEB-GRP", nuke(1, reason=f"dupe {MARK}")),
        row(4, "Good.Four.2024.1080p.WEB-GRP", team=MARK),
    ]
    data = reply(rows).replace(MARK.encode(), b"\xff\xc3(")
    batch = parse_reply(data, source="p", location="http://x/api page 1")
    assert [i.name for i in batch.items] == ["Good.One.2024.1080p.WEB-GRP"]
    assert batch.ids == [1, 2, 3, 4]  # the checkpoint still moves past the bad rows
    assert batch.nukes == []  # a bad row's nuke is not believed either
    reasons = {q.location: q.reason for q in batch.quarantined}
    assert reasons == {
        "http://x/api page 1 row 2": "bad predb row (name): invalid UTF-8 (\\xff\\xc3)",
        "http://x/api page 1 row 3": "bad predb row (nuke.reason): invalid UTF-8 (\\xff\\xc3)",
        "http://x/api page 1 row 4": "bad predb row (team): invalid UTF-8 (\\xff\\xc3)",
    }
    sample = batch.quarantined[0].sample
    assert sample is not None and '"name": "Bad.\\xff\\xc3(.2024' in sample
    sample.encode("utf-8")  # storable: no lone surrogates left


def test_unpaired_surrogate_escape_and_bad_frames() -> None:
    data = reply([row(1, "Ok.Rel-GRP"), row(2, "Esc.Rel-GRP", team="\ud800")])
    batch = parse_reply(data)
    assert [i.name for i in batch.items] == ["Ok.Rel-GRP"]
    assert batch.quarantined[0].reason == "bad predb row (team): unpaired surrogate (\\ud800)"
    framed = frame("insert", row(5, f"Frame.{MARK}-GRP")).replace(MARK.encode(), b"\x80")
    got = parse_frame(framed, received=RECEIVED)
    assert got.items == [] and got.ids == []
    assert got.quarantined[0].reason == "bad predb frame (row.name): invalid UTF-8 (\\x80)"
    nuked = frame("nuke", row(6, "Nuked.Rel-GRP", nuke(1, reason=MARK)))
    got = parse_frame(nuked.replace(MARK.encode(), b"\xfe"), received=RECEIVED)
    assert got.nukes == [] and "row.nuke.reason" in got.quarantined[0].reason
    # outside any string a bad byte is not JSON: the whole reply is refused
    with pytest.raises(SourceError, match="not JSON"):
        parse_reply(reply([row(1, "Ok.Rel-GRP")]).replace(b'"rows": [', b'"rows": [\xff'))


def _invalid(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


BAD_BYTES = (
    st.binary(min_size=1, max_size=6).map(lambda b: bytes(x | 0x80 for x in b)).filter(_invalid)
)
SAFE_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_characters="@"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and t.isprintable())


@FUZZ
@given(
    names=st.lists(SAFE_TEXT, min_size=2, max_size=12),
    data=st.data(),
    bad=BAD_BYTES,
)
def test_property_invalid_bytes_in_one_row_quarantine_only_that_row(
    names: list[str], data: st.DataObject, bad: bytes
) -> None:
    target = data.draw(st.integers(0, len(names) - 1), label="bad row")
    field = data.draw(st.sampled_from(["name", "team", "cat", "genre", "url"]), label="field")
    rows = [row(i + 1, f"{name}-GRP") for i, name in enumerate(names)]
    rows[target][field] = f"{rows[target][field]}{MARK}"
    page = reply(rows)
    # json.dumps escapes non-ASCII, so the marker is the one place the bad bytes go
    assert page.count(MARK.encode()) == 1
    batch = parse_reply(page.replace(MARK.encode(), bad), location="page")
    assert batch.ids == list(range(1, len(names) + 1))
    assert [q.location for q in batch.quarantined] == [f"page row {target + 1}"]
    assert batch.quarantined[0].reason.startswith(f"bad predb row ({field}): invalid UTF-8 (")
    kept = [r["name"].strip() for i, r in enumerate(rows) if i != target]
    assert [i.name for i in batch.items] == kept
