"""A notice as a printable HTML page (leaktrace.notices.html)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from leaktrace.notices.html import notice_html
from leaktrace.notices.model import NoticeForm, NoticeLocation, Recipient
from leaktrace.notices.templates import render_notice

from .conftest import SENDER, WORKS, make_doc


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


@pytest.mark.parametrize("form", list(NoticeForm))
@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_self_contained_printable_page(form: NoticeForm, language: str) -> None:
    doc = make_doc(form, language)
    rendered = render_notice(doc)
    page = notice_html(doc, rendered, status="drafted")
    tags = _tags(page)
    names = {tag for tag, _ in tags}
    assert "script" not in names and "link" not in names and "img" not in names
    assert "iframe" not in names and "a" not in names
    for _, attrs in tags:
        assert not {"src", "href", "action"} & set(attrs)
        assert not any(k.startswith("on") for k in attrs)
    assert "@page { size: A4;" in page and "@media print" in page
    assert "default-src 'none'" in page
    assert "url(" not in page and "@import" not in page
    assert f'<html lang="{language}">' in page
    text = re.search(r'<pre class="text">(.*?)</pre>', page, re.DOTALL)
    assert text is not None and html.unescape(text.group(1)) == rendered.body
    assert "LT-N-000042" in page and ">drafted<" in page


def test_every_outside_value_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    doc = make_doc(
        sender=replace(SENDER, name=f"Jane {evil}"),
        recipient=Recipient(f"Host {evil}", "abuse@host.example"),
        works=(replace(WORKS[0], title=f"Film {evil}"),),
        locations=(
            NoticeLocation(
                'https://x.example/"><img src=x onerror=alert(1)>',
                "x.example",
                "w-1",
                evil,
                None,
                "why",
            ),
        ),
    )
    rendered = replace(render_notice(doc), subject=f"Subject {evil}", body=f"Body {evil}\n")
    page = notice_html(doc, rendered, status=f"sent{evil}")
    assert "<script" not in page and "<img" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    assert not any(tag in ("script", "img") for tag, _ in _tags(page))


def test_a_recipient_without_contact_is_said() -> None:
    doc = make_doc(recipient=Recipient(None, None, None, "files.host.example"))
    page = notice_html(doc, render_notice(doc), status="drafted")
    assert "files.host.example (no contact)" in page
