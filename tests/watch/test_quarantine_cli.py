"""``leaktrace sources -q``: a refused reply's entry shows where it came from and a sample."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run, run  # noqa: F401  (the fixture)
from tests.sources._servers import Reply, http_server

KEY = "feed-token-0123456789abcdef"


def test_sources_quarantine_shows_url_reason_and_sample(run: Run, tmp_path: Path) -> None:  # noqa: F811
    page = b"<html><body>Please log in" + b"." * 3000 + b"</body></html>"
    config = tmp_path / "watch.toml"
    db = str(tmp_path / "w.db")
    with http_server(lambda req: Reply(200, page, content_type="text/html")) as srv:
        url = f"{srv.url}/feed.xml?token={KEY}"
        config.write_text(f'[[source]]\nname = "site"\nkind = "rss"\nurl = "{url}"\n')
        done = run("watch", "-c", str(config), "--db", db, "--once")
    assert done.code == 0 and "1 polls (1 failed)" in done.out
    table = run("sources", "--db", db, "-q", "all")
    assert table.code == 0
    assert "unexpected content" in table.out and "<html><body>Please log in" in table.out
    assert KEY not in table.out
    [entry] = json.loads(run("sources", "--db", db, "-q", "site", "-f", "json").out)
    assert entry["source"] == "site"
    assert entry["location"] == f"{srv.url}/feed.xml?token=***"
    assert entry["reason"] == (
        f"poll failed: {srv.url}/feed.xml?token=***: unexpected content type 'text/html' "
        "(expected XML)"
    )
    assert entry["sample"] == (page[:512].decode() + f" … ({len(page)} bytes)")
