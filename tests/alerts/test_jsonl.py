"""The JSON Lines sink."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from leaktrace.alerts.base import AlertEvent, DeliveryError, Sink
from leaktrace.alerts.jsonl import PLUGIN, JsonlConfig, JsonlSink

from .conftest import make_event


def _sink(path: str | Path) -> JsonlSink:
    return JsonlSink(JsonlConfig(name="log", path=str(path)))


def test_appends_one_line_per_event(tmp_path: Path, event: AlertEvent) -> None:
    path = tmp_path / "deep" / "er" / "alerts.jsonl"
    path_events = [event, make_event("nuke", key="nuke:1"), event]
    sink = _sink(path)
    for e in path_events:
        sink.deliver(e)
    sink.close()
    _sink(path).deliver(make_event(key="leak:later"))  # a new sink appends too
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n")
    lines = raw.splitlines()
    assert len(lines) == 4
    docs = [json.loads(line) for line in lines]
    assert docs[0] == event.as_json()
    assert [d["dedupe_key"] for d in docs] == [event.key, "nuke:1", event.key, "leak:later"]
    assert docs[1]["nuke"]["reason"] == "stolen.from.p2p"
    assert all(" " not in line.split('"')[0] for line in lines)  # compact


def test_existing_content_is_kept(tmp_path: Path, event: AlertEvent) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"old":true}\n', encoding="utf-8")
    _sink(path).deliver(event)
    assert path.read_text(encoding="utf-8").splitlines()[0] == '{"old":true}'


def test_unicode_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    event = make_event(payload={"release": "Amélie.2001.720p.BluRay-ÉQUIPE"})
    _sink(path).deliver(event)
    assert json.loads(path.read_bytes().decode("utf-8"))["release"].startswith("Amélie")


def test_directory_as_path_is_permanent(tmp_path: Path, event: AlertEvent) -> None:
    with pytest.raises(DeliveryError) as info:
        _sink(tmp_path).deliver(event)
    assert not info.value.transient
    assert str(tmp_path) in str(info.value)
    assert info.value.sink == "log"


def test_path_under_a_file_is_permanent(tmp_path: Path, event: AlertEvent) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    target = blocker / "sub" / "alerts.jsonl"
    with pytest.raises(DeliveryError) as info:
        _sink(target).deliver(event)
    assert not info.value.transient
    assert str(target) in str(info.value)


def test_stdout(capsys: pytest.CaptureFixture[str], event: AlertEvent) -> None:
    sink = _sink("-")
    sink.deliver(event)
    sink.deliver(make_event(key="leak:2"))
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["dedupe_key"] for line in out] == [event.key, "leak:2"]


def test_threads_do_not_interleave(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    sink = _sink(path)
    big = "x" * 20_000

    def work(n: int) -> None:
        for i in range(10):
            sink.deliver(make_event(key=f"leak:{n}:{i}", payload={"release": big}))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = {json.loads(line)["dedupe_key"] for line in path.read_text().splitlines()}
    assert len(keys) == 40


def test_plugin(tmp_path: Path, event: AlertEvent) -> None:
    assert PLUGIN.kind == "jsonl"
    config = PLUGIN.config_model.model_validate(
        {"name": "log", "kind": "jsonl", "path": str(tmp_path / "a.jsonl")}
    )
    sink = PLUGIN.create(config)
    assert isinstance(sink, Sink)
    sink.deliver(event)
    assert (tmp_path / "a.jsonl").exists()
