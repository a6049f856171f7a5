"""The watch source kind ``taxii``: a real medallion, a real watcher, a real database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from leaktrace.services.context import AppContext
from leaktrace.sources.taxii import TaxiiConfig, TaxiiSource
from leaktrace.store.source_state import list_quarantine, list_states, load_checkpoint
from leaktrace.watch.config import parse_watch_config
from leaktrace.watch.runner import SourceRun, Watcher
from tests.medallion_server import MedallionServer, start_medallion
from tests.services.inbound_data import by_name, partner_objects
from tests.services.inbound_fixtures import OTHER, RECEIVER, make_context, seen, stored

USER, PASSWORD, VARIABLE = "partner", "partner-secret", "LEAKTRACE_TEST_TAXII_PASSWORD"


@pytest.fixture(scope="module")
def medallion() -> Iterator[MedallionServer]:
    with start_medallion(("feed", "bad"), {USER: PASSWORD}, max_page_size=4) as server:
        yield server


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    yield from make_context(tmp_path_factory.mktemp("watch-taxii"), ("watched", "bad"))


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, PASSWORD)


def watcher(ctx: AppContext, medallion: MedallionServer, name: str, **extra: Any) -> Watcher:
    raw = {
        "source": [
            {
                "kind": "taxii",
                "name": name,
                "url": medallion.api_root,
                "collection": medallion.collection_ids[extra.pop("peer", "feed")],
                "into": "watched",
                "agency": RECEIVER,
                "user": USER,
                "password_env": VARIABLE,
                **extra,
            }
        ]
    }
    config = parse_watch_config(raw)
    source = config.sources[0]
    assert isinstance(source, TaxiiConfig)
    return Watcher(
        ctx.database, ctx.settings, config, sources=[SourceRun(source, TaxiiSource(source))]
    )


def test_polls_store_objects_with_the_checkpoint_on_date_added(
    ctx: AppContext, medallion: MedallionServer
) -> None:
    objects = partner_objects()
    medallion.add("feed", objects)
    first = watcher(ctx, medallion, "be", max_pages=2).run_once()
    assert first.failures == 0 and first.stix_objects == 8  # 2 pages of 4
    with ctx.database.reading() as conn:
        checkpoint = load_checkpoint(conn, "be")
    assert checkpoint is not None and checkpoint["added_after"] > "2026-03"
    # a new watcher (a restart) goes on from the committed checkpoint
    rest = watcher(ctx, medallion, "be").run_once()
    assert rest.stix_objects == len(objects) - 8
    assert {row.stix_id for row in stored(ctx, "watched")} == {o["id"] for o in objects}
    assert {row.origin for row in stored(ctx, "watched")} == {
        f"pulled {medallion.api_root} {medallion.collection_ids['feed']}"
    }
    # owned by the receiving agency: it sees RED, another reader does not
    assert "REDGRP" in by_name(list(seen(ctx, "watched", RECEIVER).values()))
    assert "REDGRP" not in by_name(list(seen(ctx, "watched", OTHER).values()))
    # an object modified long ago but added now is new: the checkpoint is not `modified`
    late = dict(by_name(objects)["GREENGRP"], modified="2001-01-01T00:00:00.000Z")
    late.update(created="2001-01-01T00:00:00.000Z")
    late.pop("first_seen"), late.pop("last_seen")
    medallion.add("feed", [late])
    again = watcher(ctx, medallion, "be").run_once()
    assert again.stix_objects == 1
    nothing = watcher(ctx, medallion, "be").run_once()
    assert nothing.stix_objects == 0 and nothing.failures == 0


def test_bad_objects_are_quarantined_not_stored(
    ctx: AppContext, medallion: MedallionServer
) -> None:
    good = by_name(partner_objects())["AMBERH3"]
    medallion.add("bad", [{"type": "x", "id": "nonsense"}, good])
    summary = watcher(ctx, medallion, "bad-peer", peer="bad").run_once()
    assert summary.quarantined == 1 and summary.failures == 0
    with ctx.database.reading() as conn:
        entries = list_quarantine(conn, "bad-peer")
    assert "objects[0]" in entries[0]["reason"] and "nonsense" in entries[0]["sample"]
    assert medallion.api_root in entries[0]["location"]


def test_a_missing_local_collection_or_password_is_a_failed_poll(
    ctx: AppContext, medallion: MedallionServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = watcher(ctx, medallion, "nowhere", into="no-such-collection").run_once()
    assert summary.failures == 1 and summary.stix_objects == 0
    summary = watcher(ctx, medallion, "not-theirs", agency=OTHER).run_once()
    assert summary.failures == 1 and summary.stix_objects == 0
    monkeypatch.delenv(VARIABLE)
    summary = watcher(ctx, medallion, "no-password").run_once()
    assert summary.failures == 1
    with ctx.database.reading() as conn:
        errors = {state.name: state.last_error for state in list_states(conn)}
    assert "no-such-collection" in str(errors["nowhere"])
    assert "may not read and write" in str(errors["not-theirs"])
    assert VARIABLE in str(errors["no-password"]) and PASSWORD not in str(errors)


def test_credentials_in_the_configured_url_are_refused() -> None:
    source = {
        "kind": "taxii",
        "url": "https://alice:S3cretPW@peer.example/taxii2/api/",
        "collection": "c",
        "into": "i",
    }
    with pytest.raises(Exception, match="password_env") as caught:
        parse_watch_config({"source": [source]})
    assert "S3cretPW" not in str(caught.value)


def test_config_is_checked() -> None:
    with pytest.raises(Exception, match="url"):
        parse_watch_config(
            {"source": [{"kind": "taxii", "url": "ftp://x", "collection": "c", "into": "i"}]}
        )


def test_watch_once_on_the_command_line_says_how_many_shared_objects_it_stored(
    medallion: MedallionServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("cli-watch")
    for fresh in make_context(folder, ("cli-watched",)):
        url = fresh.database.url
    medallion.add("feed", partner_objects())
    config = folder / "watch.toml"
    config.write_text(
        f'[[source]]\nname = "cli-feed"\nkind = "taxii"\nurl = "{medallion.api_root}"\n'
        f'collection = "{medallion.collection_ids["feed"]}"\ninto = "cli-watched"\n'
        f'agency = "{RECEIVER}"\nuser = "{USER}"\npassword_env = "{VARIABLE}"\n'
        "max_pages = 100\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    env[VARIABLE] = PASSWORD
    done = subprocess.run(
        [sys.executable, "-m", "leaktrace", "watch", "--once", "-c", str(config), "--db", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    stored = re.search(r"; (\d+) shared objects stored", done.stdout)
    assert stored and int(stored.group(1)) >= len(partner_objects()), done.stdout
