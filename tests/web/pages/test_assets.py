"""Every asset ships in the package (no CDN), templates never trust outside text, and no
inline script or style breaks the Content-Security-Policy."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from leaktrace.web.rendering import VENDOR

WEB = Path(str(resources.files("leaktrace.web")))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
STATIC = WEB / "static"


def test_every_static_file_a_page_names_is_in_the_package() -> None:
    named = set(VENDOR.values())
    for template in TEMPLATES:
        named |= set(re.findall(r'/static/([\w./-]+)"', template.read_text()))
    assert named
    for path in named:
        assert (STATIC / path).is_file(), path


def test_vendored_libraries_keep_their_licence_and_record() -> None:
    record = (STATIC / "vendor" / "VENDORED.md").read_text()
    for folder in (STATIC / "vendor").iterdir():
        if folder.is_dir():
            assert (folder / "LICENSE").is_file(), folder
            name, _, version = folder.name.rpartition("-")
            assert f"| {name} | {version} |" in record
            assert f"{name}/-/{name}-{version}.tgz" in record
    assert record.count("sha512-") == 2


def test_templates_load_nothing_from_other_sites_and_trust_no_text() -> None:
    for template in TEMPLATES:
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template.name
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "autoescape false" not in text, template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\sstyle=", text), template.name
        assert "<style" not in text, template.name
    assert not re.search(r"https?://", (STATIC / "leaktrace.css").read_text())
