"""``leaktrace parse`` on world names: the new fields, configured sites, bad settings."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.cli.conftest import Run


def test_world_fields_in_json_and_in_the_table(run: Run) -> None:
    name = "Мастер и Маргарита / The Master and Margarita (2024) WEB-DL 1080p"
    (parsed,) = json.loads(run("parse", name, "-f", "json").out)
    assert (parsed["title"], parsed["aliases"], parsed["year"]) == (
        "The Master and Margarita",
        ["Мастер и Маргарита"],
        2024,
    )
    pack = "Frasier.Complete.Series.1993-2004.1080p.WEB-DL"
    (parsed,) = json.loads(run("parse", pack, "-f", "json").out)
    assert (parsed["year"], parsed["year_range"], parsed["pack"]) == (None, [1993, 2004], True)
    table = run("parse", pack).out
    assert "1993-2004" in table and "pack" in table
    assert "pack" not in run("parse", "Leo.2023.1080p.WEB-DL.x264-GRP").out


def test_sites_from_the_environment_and_the_toml_file(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_site, toml_site = ("site" + uuid.uuid4().hex[:10] for _ in range(2))
    monkeypatch.setenv("LEAKTRACE_PARSER__EXTRA_SITES", json.dumps([env_site]))
    (parsed,) = json.loads(run("parse", f"[{env_site}] Leo (2023) 1080p WEB-DL", "-f", "json").out)
    assert (parsed["website"], parsed["group"]) == (env_site, None)
    config = tmp_path / "leaktrace.toml"
    config.write_text(f'[parser]\nextra_sites = ["{toml_site}"]\n')
    monkeypatch.setenv("LEAKTRACE_CONFIG", str(config))
    monkeypatch.delenv("LEAKTRACE_PARSER__EXTRA_SITES")
    (parsed,) = json.loads(run("parse", f"Leo (2023) 1080p WEB-DL [{toml_site}]", "-f", "json").out)
    assert parsed["website"] == toml_site


def test_a_missing_sites_file_is_one_line_and_the_config_exit_code(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LEAKTRACE_PARSER__SITES_FILE", str(tmp_path / "gone.txt"))
    result = run("parse", "Leo.2023.1080p.WEB-DL.x264-GRP")
    assert result.code == 78 and "parser.sites_file" in result.err and "gone.txt" in result.err
    assert "Traceback" not in result.err
