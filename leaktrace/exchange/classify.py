"""What the store needs to know of a STIX object to decide who sees it (issue 12).

:func:`check_object` refuses what is not a STIX object (a partner's envelope is outside
data: each bad object is named by its index and field). :func:`classify` reads a batch of
checked objects (one publication, one envelope, one pulled page, one bundle file) and says
for each:

* ``tlp``: the strictest TLP level of its ``object_marking_refs`` (TLP 2.0 and STIX's
  TLP 1.0 ids; None: no TLP marking);
* ``handling``: its SIENA handling code (H0-H3) from a handling marking-definition found in
  the batch or already known; the highest code when it carries several;
* ``restricted``: fail closed. True when an object-level marking cannot be found or
  understood: a marking-definition with an extension LeakTrace does not know, a malformed
  handling or TLP 2.0 marking, a ref to nothing. Such an object is kept (with all its
  markings) but only its owner sees it;
* ``hiding``: the granular markings that hide their properties from readers they do not
  reach (RED, AMBER+STRICT, by their fixed ids or by a partner's own TLP definition, and any
  granular marking not understood: fail closed);
* ``support``: every marking definition, extension definition and identity, whatever batch
  it came in: served only beside a visible object (of the same owner) needing it, so an H3
  text or an agency's identity never reveals an object one may not see;
* ``needs``: the support objects it must be served with: its markings (object-level, and
  the granular ones that hide nothing), its creator's identity, the extension definitions
  it uses, and theirs in turn.

Unknown types and extensions are kept as they are, never dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leaktrace.errors import InputError
from leaktrace.exchange.markings import (
    TLP_1_0_IDS,
    TLP_MARKING_IDS,
    TlpLevel,
    handling_of,
    strictest,
    tlp_level_of,
)
from leaktrace.exchange.timestamps import stamp_text

__all__ = [
    "MAX_OBJECT_BYTES",
    "SUPPORT_TYPES",
    "Classified",
    "check_object",
    "classify",
    "marking_refs_of",
]

SUPPORT_TYPES = frozenset({"marking-definition", "extension-definition", "identity"})
MAX_OBJECT_BYTES = 1_000_000
"""The largest single object accepted (its JSON), whatever the envelope's size limit."""
MAX_DEPTH = 64
"""The deepest nesting of lists and objects accepted in one object."""

_TYPE = re.compile(r"[a-z0-9][a-z0-9-]{1,248}[a-z0-9]\Z")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID = re.compile(r"(?P<type>[a-z0-9][a-z0-9-]{1,248}[a-z0-9])--" + _UUID + r"\Z")
_MARKING_REF = re.compile(r"marking-definition--" + _UUID + r"\Z")
_IDENTITY_REF = re.compile(r"identity--" + _UUID + r"\Z")
_TLP_BY_ID: dict[str, TlpLevel] = {
    **TLP_1_0_IDS,
    **{marking_id: level for level, marking_id in TLP_MARKING_IDS.items()},
}
_HANDLING_ORDER = ("H0", "H1", "H2", "H3")


@dataclass(frozen=True)
class Classified:
    body: dict[str, Any]
    stix_id: str
    stix_type: str
    spec_version: str
    version: str | None
    """``modified``, else ``created``, as normalised text; None for an object without either
    (a cyber-observable): the store uses the time it adds it."""
    tlp: TlpLevel | None
    handling: str | None
    restricted: bool
    hiding: dict[str, str]
    """The granular markings that hide their properties from readers they do not reach:
    ``{marking_ref: "red" | "amber+strict" | "unknown"}``."""
    support: bool
    needs: tuple[str, ...]
    creator: str | None
    """``created_by_ref``, if any."""


def check_object(item: object, where: str = "object") -> dict[str, Any]:
    """``item`` if it is a STIX object LeakTrace can store (a JSON object with a ``type``,
    an ``id`` of that type, a ``spec_version`` of 2.x if given, valid ``created`` /
    ``modified`` and refs lists); else :class:`InputError` with ``field`` = ``where.key``."""
    if not isinstance(item, Mapping):
        raise InputError("is not a JSON object", field=where)
    stix_type = item.get("type")
    if not isinstance(stix_type, str) or not _TYPE.match(stix_type):
        raise InputError("has no valid STIX type", field=f"{where}.type")
    stix_id = item.get("id")
    found = _ID.match(stix_id) if isinstance(stix_id, str) else None
    if found is None or found["type"] != stix_type:
        raise InputError(f"is not an id of type {stix_type}", field=f"{where}.id")
    spec = item.get("spec_version", "2.1")
    if not isinstance(spec, str) or not re.fullmatch(r"2\.[0-9]", spec):
        raise InputError("must be a 2.x version", field=f"{where}.spec_version")
    for key in ("created", "modified"):
        if key in item:
            stamp_text(item[key], f"{where}.{key}")
    refs = item.get("object_marking_refs", [])
    if not isinstance(refs, list) or not all(
        isinstance(ref, str) and _MARKING_REF.match(ref) for ref in refs
    ):
        raise InputError(
            "must be a list of marking-definition ids", field=f"{where}.object_marking_refs"
        )
    granular = item.get("granular_markings", [])
    if not isinstance(granular, list) or not all(_granular_ok(g) for g in granular):
        raise InputError(
            "must be a list of granular markings (marking_ref: a marking-definition id, "
            "selectors: a list of strings)",
            field=f"{where}.granular_markings",
        )
    creator = item.get("created_by_ref")
    if creator is not None and not (isinstance(creator, str) and _IDENTITY_REF.match(creator)):
        raise InputError("must be an identity id", field=f"{where}.created_by_ref")
    if _depth(item) > MAX_DEPTH:
        raise InputError(f"is nested deeper than {MAX_DEPTH} levels", field=where)
    try:
        size = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        raise InputError(
            "holds text that is not valid Unicode (a lone surrogate)", field=where
        ) from None
    except (TypeError, ValueError):
        raise InputError("holds values that are not JSON", field=where) from None
    if size > MAX_OBJECT_BYTES:
        raise InputError(f"is larger than {MAX_OBJECT_BYTES} bytes", field=where)
    return dict(item)


def _granular_ok(marking: object) -> bool:
    if not isinstance(marking, Mapping):
        return False
    ref, selectors = marking.get("marking_ref"), marking.get("selectors")
    return (
        isinstance(ref, str)
        and _MARKING_REF.match(ref) is not None
        and isinstance(selectors, list)
        and bool(selectors)
        and all(isinstance(selector, str) for selector in selectors)
    )


def _depth(value: object) -> int:
    """How deeply ``value`` nests lists and objects (iteratively: no recursion limit)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Iterable[object] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return deepest


def marking_refs_of(body: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(object-level marking refs, granular marking refs) of a checked object."""
    refs = [ref for ref in body.get("object_marking_refs", []) if isinstance(ref, str)]
    granular = [
        g["marking_ref"]
        for g in body.get("granular_markings", [])
        if isinstance(g, Mapping) and isinstance(g.get("marking_ref"), str)
    ]
    return refs, granular


def _direct_needs(body: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> list[str]:
    refs, granular = marking_refs_of(body)
    # a granular marking that hides its properties (RED, AMBER+STRICT, not understood) is
    # taken out with them for readers it does not reach (leaktrace.exchange.redaction):
    # needing its definition would tell them it was there
    needs = [*refs, *(ref for ref in granular if _hiding_level(ref, by_id) is None)]
    creator = body.get("created_by_ref")
    if isinstance(creator, str):
        needs.append(creator)
    extensions = body.get("extensions")
    if isinstance(extensions, Mapping):
        needs.extend(key for key in extensions if key.startswith("extension-definition--"))
    return needs


def _hiding_level(ref: str, by_id: Mapping[str, Mapping[str, Any]]) -> str | None:
    """``red``, ``amber+strict`` or ``unknown`` for a granular marking that hides what it
    marks from some readers; None for one that does not (GREEN, a handling code ...)."""
    level, _, understood = _marking_meaning(ref, by_id)
    if not understood:
        return "unknown"
    return level if level in ("red", "amber+strict") else None


def _marking_meaning(
    ref: str, definitions: Mapping[str, Mapping[str, Any]]
) -> tuple[TlpLevel | None, str | None, bool]:
    """(TLP level, handling code, understood) of one marking ref."""
    if ref in _TLP_BY_ID:
        return _TLP_BY_ID[ref], None, True
    definition = definitions.get(ref)
    if definition is None or definition.get("type") != "marking-definition":
        return None, None, False
    try:
        level = tlp_level_of(definition)
        handling = handling_of(definition)
    except InputError:
        return None, None, False
    if level is not None:
        return level, None, True
    if handling is not None:
        return None, str(handling["handling_code"]), True
    if definition.get("definition_type") == "statement":
        return None, None, True  # a copyright or terms statement: no restriction on who sees
    if definition.get("definition_type") == "tlp":  # a TLP 1.0 definition under its own id
        inner = definition.get("definition")
        colour = inner.get("tlp") if isinstance(inner, Mapping) else None
        level = _TLP_1_COLOURS.get(colour) if isinstance(colour, str) else None
        return level, None, level is not None
    return None, None, False  # someone else's marking extension: we cannot honour it


_TLP_1_COLOURS: dict[str, TlpLevel] = {
    "white": "clear",
    "green": "green",
    "amber": "amber",
    "red": "red",
}


def classify(
    objects: Sequence[Mapping[str, Any]], known: Mapping[str, Mapping[str, Any]] = {}
) -> list[Classified]:
    """Classify a batch of checked objects (see the module docstring). ``known``: marking
    definitions, extension definitions and identities stored before, by id (the batch's own
    take precedence)."""
    by_id: dict[str, Mapping[str, Any]] = dict(known)
    for item in objects:
        by_id[str(item["id"])] = item
    classified: list[Classified] = []
    for item in objects:
        needs = _closure(_direct_needs(item, by_id), by_id)
        refs, granular = marking_refs_of(item)
        levels: list[str] = []
        codes: list[str] = []
        restricted = False
        for ref in refs:
            level, code, understood = _marking_meaning(ref, by_id)
            restricted = restricted or not understood
            if level is not None:
                levels.append(level)
            if code is not None:
                codes.append(code)
        hiding: dict[str, str] = {}
        for ref in granular:
            _, code, _ = _marking_meaning(ref, by_id)
            if code is not None:
                codes.append(code)
            hides = _hiding_level(ref, by_id)
            if hides is not None:
                hiding[ref] = hides
        stix_type = str(item["type"])
        stix_id = str(item["id"])
        version_source = item.get("modified", item.get("created"))
        classified.append(
            Classified(
                body=dict(item),
                stix_id=stix_id,
                stix_type=stix_type,
                spec_version=str(item.get("spec_version", "2.1")),
                version=stamp_text(version_source, "modified") if version_source else None,
                tlp=strictest(levels),
                handling=max(codes, key=_HANDLING_ORDER.index) if codes else None,
                restricted=restricted,
                hiding=hiding,
                support=stix_type in SUPPORT_TYPES,
                needs=needs,
                creator=item.get("created_by_ref")
                if isinstance(item.get("created_by_ref"), str)
                else None,
            )
        )
    return classified


def _closure(start: Iterable[str], by_id: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    """``start`` and, for each id found in ``by_id``, what it needs in turn (in order, once)."""
    seen: dict[str, None] = {}
    stack = list(start)[::-1]
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen[ref] = None
        body = by_id.get(ref)
        if body is not None:
            stack.extend(reversed(_direct_needs(body, by_id)))
    return tuple(seen)
