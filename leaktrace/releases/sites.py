"""Leak, tracker and uploader site names: the shipped list and names added at run time.

The shipped list is ``leaktrace/data/sites.txt`` (one name or domain per line, ``#``
comments). :func:`register_sites` adds names (the settings' ``parser.extra_sites`` and
``parser.sites_file`` are applied through it). :func:`known_site` says whether a text names a
site: the text itself, without a leading ``www.``, or its first label (``rutor.info`` ->
``rutor``) is in the list, case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

__all__ = ["SITES", "SITE_LABELS", "known_site", "register_sites", "site_names"]

#: the known names, lower-case, without ``www.`` (for one token ``t`` without dots,
#: ``known_site(t)`` is ``t.lower() in SITES``)
SITES: set[str] = set()
#: the known names and the first label of each (``rutor.info`` -> ``rutor``): a text whose
#: first label is not here is no known site
SITE_LABELS: set[str] = set()


def _clean(name: str) -> str:
    name = name.strip().lower()
    if name.startswith("www."):
        name = name[4:]
    return name


def register_sites(names: Iterable[str]) -> None:
    """Add site names or domains (lower-cased; blank lines and ``#`` comments skipped)."""
    for raw in names:
        name = _clean(raw.split("#", 1)[0])
        if name:
            SITES.add(name)
            SITE_LABELS.add(name)
            SITE_LABELS.add(name.split(".", 1)[0])


def known_site(text: str) -> bool:
    """Does text name a known site (``rarbg``, ``www.rutor.info``, ``[nnm-club.me]``)?"""
    name = _clean(text.strip(" []()【】|"))
    if not name:
        return False
    if name in SITES:
        return True
    dot = name.find(".")
    return dot > 0 and name[:dot] in SITES


def site_names() -> frozenset[str]:
    """The names known now (shipped + registered)."""
    return frozenset(SITES)


def _load_shipped() -> None:
    try:
        text = resources.files("leaktrace").joinpath("data/sites.txt").read_text("utf-8")
    except (OSError, ModuleNotFoundError):  # pragma: no cover - a broken installation
        return
    register_sites(text.splitlines())


_load_shipped()
