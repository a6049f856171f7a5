"""The README's table of errors, exit codes and HTTP statuses is the code's."""

from __future__ import annotations

import re
from pathlib import Path

from leaktrace import errors
from leaktrace.cli.exit_codes import exit_code_of
from leaktrace.web.errors import status_of

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| (?:any other )?`(\w+)`.*?\| (\d+) \| (\d+)", re.MULTILINE)


def _instance(cls: type[errors.LeakTraceError]) -> errors.LeakTraceError:
    if cls is errors.RateLimitedError:
        return cls("x", retry_after=1)
    if cls is errors.IncompleteNoticeError:
        return cls("x", form="dmca", element="signature")
    return cls("x")


def test_readme_error_table_matches_the_mappings() -> None:
    rows = ROW.findall(README.read_text(encoding="utf-8"))
    assert len(rows) >= 9
    named = {name for name, _, _ in rows}
    public = {name for name in errors.__all__ if name != "LeakTraceError"}
    assert public - {"CatalogError", "FeedError"} <= named
    for name, exit_code, http in rows:
        exc = _instance(getattr(errors, name))
        assert (exit_code_of(exc), status_of(exc)) == (int(exit_code), int(http)), name
