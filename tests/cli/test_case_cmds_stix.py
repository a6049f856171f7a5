"""``leaktrace case add CASE --stix ID --collection NAME``: a shared object frozen as case
evidence from the command line, its H1 restriction shown and exported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.cli.conftest import Run
from tests.services.exchange_world import exchange_world

H1 = "H1 — not for use in judicial proceedings without the provider's permission"


def test_case_add_stix(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    with build_context(load_settings(db=db)) as context:
        w = exchange_world(context)
    opened = run("case", "open", "Operation Amber", "--agency", "NL-POL", "--db", db)
    assert opened.code == 0, opened.err
    case = opened.out.strip()
    added = run("case", "add", case, "--stix", w.ids["amber"], "--collection", "Partners",
                "--reason", "profile", "--db", db, "--format", "json")  # fmt: skip
    assert added.code == 0, added.err
    [item] = json.loads(added.out)
    assert item["kind"] == "stix" and item["restriction"] == H1
    assert item["label"].startswith(f"[{H1}] intrusion-set Amber Crew")
    shown = run("case", "show", case, "--db", db)
    assert shown.code == 0 and H1 in " ".join(shown.out.split())
    alone = run("case", "add", case, "--stix", w.ids["amber"], "--db", db)
    assert alone.code != 0 and "--collection" in alone.err
    missing = run("case", "add", case, "--stix", w.ids["amber"][:-4] + "ffff",
                  "--collection", "Partners", "--db", db)  # fmt: skip
    assert missing.code != 0 and "no object" in missing.err
    out = tmp_path / "amber.zip"
    exported = run("case", "export", case, "--out", str(out), "--db", db)
    assert exported.code == 0, exported.err
    with zipfile.ZipFile(out) as archive:
        assert H1.replace("'", "&#39;") in archive.read("index.html").decode()
    assert run("verify", str(out)).code == 0
