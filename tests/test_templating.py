"""leaktrace.templating: the one Jinja environment of the HTML pages (the leak report and
a bundle's index.html are both made with it)."""

from __future__ import annotations

import pytest
from jinja2 import StrictUndefined, UndefinedError

from leaktrace.evidence import index_page
from leaktrace.report import html
from leaktrace.templating import html_environment


def test_every_value_is_escaped_and_undefined_names_fail() -> None:
    env = html_environment("leaktrace.evidence", filters={"shout": str.upper})
    page = env.from_string("<p>{{ text | shout }}</p>")
    assert page.render(text='<script>"x"</script>') == (
        "<p>&lt;SCRIPT&gt;&#34;X&#34;&lt;/SCRIPT&gt;</p>"
    )
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()


def test_the_report_and_the_bundle_page_share_it(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def recording(package: str, *args: object, **kw: object) -> object:
        made.append(package)
        return html_environment(package, *args, **kw)  # type: ignore[arg-type]

    for module in (html, index_page):
        monkeypatch.setattr(module, "html_environment", recording)
        module._environment.cache_clear()
    try:
        report_env = html._environment()
        bundle_env = index_page._environment()
    finally:
        html._environment.cache_clear()
        index_page._environment.cache_clear()
    assert made == ["leaktrace.report", "leaktrace.evidence"]
    for env in (report_env, bundle_env):
        assert env.undefined is StrictUndefined and env.trim_blocks and env.lstrip_blocks
    assert {"when", "num"} <= set(report_env.filters) and {"when", "size"} <= set(
        bundle_env.filters
    )
