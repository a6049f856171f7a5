"""Granular markings, applied: a reader not cleared for a property's marking does not get it.

An object shared as GREEN may keep one property RED (``granular_markings``). A reader who
may see the object but not that property gets the object without the property, and without
the granular marking that named it: exactly what it would get if the property had never
been there. Only TLP levels restrict who sees (RED: the owner and the named audience;
AMBER+STRICT: the owner), whether by the fixed TLP ids or by a partner's own TLP definition;
a granular marking LeakTrace does not understand hides its properties from all but the
owner (fail closed). Handling codes restrict what a reader may do, not what it sees.

A selector into a list (``aliases.[0]``) hides the whole list: LeakTrace never serves a
list with holes that would tell where something was taken out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from leaktrace.exchange.markings import TLP_1_0_IDS, TLP_MARKING_IDS

__all__ = ["redact"]

_RED = {TLP_MARKING_IDS["red"]} | {k for k, v in TLP_1_0_IDS.items() if v == "red"}
_STRICT = {TLP_MARKING_IDS["amber+strict"]}


def _hidden(marking_ref: object, hiding: Mapping[str, str], *, owner: bool, audience: bool) -> bool:
    if owner:
        return False
    level = hiding.get(marking_ref) if isinstance(marking_ref, str) else "unknown"
    if marking_ref in _RED or level == "red":
        return not audience
    return marking_ref in _STRICT or level in ("amber+strict", "unknown")


def _path(selector: str) -> list[str]:
    """The dict keys leading to what ``selector`` names, cut before its first list step."""
    steps: list[str] = []
    for step in selector.split("."):
        if step.startswith("["):
            break
        steps.append(step)
    return steps


def _remove(body: dict[str, Any], steps: list[str]) -> None:
    node: Any = body
    for step in steps[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(steps[-1], None)


def redact(
    body: Mapping[str, Any],
    *,
    owner: bool,
    audience: bool,
    hiding: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``body`` as a reader sees it: without the properties (and granular markings) its
    clearance does not reach. ``owner``: the reader's agency owns the row; ``audience``:
    it is named in the row's audience; ``hiding``: the row's granular markings that hide
    (``{ref: "red" | "amber+strict" | "unknown"}``, from
    :func:`leaktrace.exchange.classify.classify`; the fixed RED and AMBER+STRICT ids hide
    whatever it says). Returns a copy of ``body`` when nothing is hidden."""
    levels = hiding or {}
    markings = body.get("granular_markings")
    if not isinstance(markings, list) or not markings:
        return dict(body)
    hidden = [
        marking
        for marking in markings
        if isinstance(marking, Mapping)
        and _hidden(marking.get("marking_ref"), levels, owner=owner, audience=audience)
    ]
    if not hidden:
        return dict(body)
    seen = copy.deepcopy(dict(body))
    removed: list[list[str]] = []
    for marking in hidden:
        for selector in marking.get("selectors", []):
            if isinstance(selector, str) and _path(selector):
                steps = _path(selector)
                _remove(seen, steps)
                removed.append(steps)

    def touches(selector: object) -> bool:
        if not isinstance(selector, str):
            return True
        steps = _path(selector)
        return any(steps[: len(cut)] == cut for cut in removed)

    kept = []
    for marking in markings:
        if marking in hidden or not isinstance(marking, Mapping):
            continue
        selectors = [s for s in marking.get("selectors", []) if not touches(s)]
        if selectors:
            kept.append({**marking, "selectors": selectors})
    if kept:
        seen["granular_markings"] = kept
    else:
        seen.pop("granular_markings", None)
    return seen
