"""Public services (open trackers, cyberlockers, video hosts): built in, and configurable."""

from __future__ import annotations

import json

import pytest

from leaktrace.attribution import swarm
from leaktrace.config import load_settings
from leaktrace.errors import ConfigError
from leaktrace.infra.hosts import sighting_hosts
from leaktrace.infra.services import BUILTIN, service_lists


def test_builtin_lists() -> None:
    assert BUILTIN.role("domain", "files.mega.nz") == "cyberlocker"
    assert BUILTIN.role("domain", "eu2.streamtape.com") == "streaming"
    assert BUILTIN.role("domain", "sparks-cdn.example") is None
    assert BUILTIN.role("ip", "192.0.2.1") is None
    assert BUILTIN.is_public_tracker("tracker.opentrackr.org:1337")
    assert BUILTIN.is_public_tracker("open.tracker.cl")  # from the old attribution list
    assert not BUILTIN.is_public_tracker("tracker.sparks-private.org")
    assert not BUILTIN.is_public_tracker("192.0.2.1:6969")
    assert BUILTIN.shared("domain", "tracker.torrent.eu.org")
    assert not BUILTIN.shared("ip", "192.0.2.1")


def test_configured_entries_extend_the_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKTRACE_EXTRA_CYBERLOCKERS", json.dumps(["newlocker.example"]))
    monkeypatch.setenv(
        "LEAKTRACE_EXTRA_PUBLIC_TRACKERS",
        json.dumps(["udp://announce.freetracker.example:6969/announce"]),
    )
    lists = service_lists(load_settings())
    assert lists.role("domain", "dl3.newlocker.example") == "cyberlocker"
    assert lists.is_public_tracker("announce.freetracker.example")
    assert lists.cyberlockers > BUILTIN.cyberlockers  # the built-in ones stay
    found = sighting_hosts("https://dl3.newlocker.example/f/abc", None, None, lists)
    assert found == [("domain", "dl3.newlocker.example", "cyberlocker")]
    assert sighting_hosts("https://dl3.newlocker.example/f/abc", None, None) == [
        ("domain", "dl3.newlocker.example", "site")
    ]
    sets = {"a": swarm.SwarmSet({"announce.freetracker.example:6969"}, set())}
    assert swarm.common_endpoints(sets, services=lists) == {
        "tracker announce.freetracker.example:6969"
    }
    assert swarm.common_endpoints(sets) == set()


def test_a_bad_entry_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="extra_streaming_hosts"):
        BUILTIN.extended(streaming=["not a domain"])
    with pytest.raises(ConfigError, match="is an address"):
        BUILTIN.extended(trackers=["udp://93.184.216.34:6969/announce"])
    assert service_lists(None) is BUILTIN
