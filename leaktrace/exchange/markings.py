"""STIX 2.1 data markings for sharing: TLP 2.0, Europol SIENA handling codes, granular markings.

Three kinds of marking, all plain ``dict`` objects ready for a bundle (no ``stix2`` import here,
so the domain stays typed and free of the library; the tests parse every object with ``stix2``
and pass it through ``stix2-validator``):

* **TLP 2.0.** STIX 2.1 predefines only TLP 1.0. TLP 2.0 is the OASIS property extension
  ``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`` with five fixed
  marking-definition objects. They are copied here verbatim from oasis-open/cti-stix-common-objects
  (``objects/marking-definition/*.json``, ``objects/extension-definition/...60a3c5c5....json`` and
  ``extension-definition-specifications/tlp-2.0/examples/tlp-{clear,amber}.json``); the OASIS JSON
  schema of that folder pins each id to its level, which the validator alone does not check.
* **SIENA handling codes** (H0 use only to prevent and combat crime; H1 not for judicial
  proceedings without the provider's permission; H2 not to be passed on without permission; H3
  other restrictions, stated in free text) and the 4x4 evaluation (source reliability A/B/C/X,
  information accuracy 1-4) travel in LeakTrace's own property extension on a marking-definition,
  :data:`HANDLING_EXTENSION_DEFINITION`, created by :data:`LEAKTRACE_IDENTITY`. Its JSON schema is
  :data:`HANDLING_EXTENSION_SCHEMA`; the ``schema`` URL of the extension-definition names where the
  project publishes that same document.
* **Granular markings** (:func:`granular`): one marking for some properties of an object, when one
  property (say an uploader's account) is more sensitive than the rest.

Ids are stable: LeakTrace's identity, extension definition and every handling marking take a
UUIDv5 in :data:`LEAKTRACE_STIX_NAMESPACE`, the handling markings from their content, so the same
marking made twice (or by two servers) is the same object.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, cast, get_args

from leaktrace.errors import InputError

__all__ = [
    "ACCURACY_CODES",
    "HANDLING_CODES",
    "HANDLING_EXTENSION_DEFINITION",
    "HANDLING_EXTENSION_ID",
    "HANDLING_EXTENSION_SCHEMA",
    "HANDLING_SCHEMA_URL",
    "LEAKTRACE_IDENTITY",
    "LEAKTRACE_IDENTITY_ID",
    "LEAKTRACE_STIX_NAMESPACE",
    "MAX_HANDLING_TEXT",
    "SOURCE_CODES",
    "TLP_1_0_IDS",
    "TLP_EXTENSION_DEFINITION",
    "TLP_EXTENSION_ID",
    "TLP_LEVELS",
    "TLP_MARKING_IDS",
    "TlpLevel",
    "granular",
    "handling_marking",
    "handling_of",
    "stricter",
    "strictest",
    "tlp_level_of",
    "tlp_marking",
    "tlp_of",
    "tlp_rank",
]

# --- TLP 2.0 (OASIS) ---------------------------------------------------------------------------

TlpLevel = Literal["clear", "green", "amber", "amber+strict", "red"]

TLP_LEVELS: Final[tuple[TlpLevel, ...]] = cast(tuple[TlpLevel, ...], get_args(TlpLevel))
"""The five TLP 2.0 levels, from the least to the most restrictive (the order :func:`stricter`
uses): CLEAR no limit; GREEN the community; AMBER the recipient's organisation and its clients;
AMBER+STRICT the recipient's organisation only; RED named recipients only."""

TLP_EXTENSION_ID: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

TLP_MARKING_IDS: Final[dict[TlpLevel, str]] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
"""Each level's fixed marking-definition id, as the OASIS TLP 2.0 JSON schema pins them."""

_TLP_NAMES: Final[dict[TlpLevel, str]] = {level: "TLP:" + level.upper() for level in TLP_LEVELS}


def _oasis_tlp_object(level: TlpLevel) -> dict[str, Any]:
    """The published object of ``level``: the same keys and values as the OASIS files."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKING_IDS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": _TLP_NAMES[level],
        "extensions": {
            TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level},
        },
    }


_TLP_OBJECTS: Final[dict[TlpLevel, dict[str, Any]]] = {
    level: _oasis_tlp_object(level) for level in TLP_LEVELS
}

TLP_EXTENSION_DEFINITION: Final[dict[str, Any]] = {
    "id": TLP_EXTENSION_ID,
    "type": "extension-definition",
    "spec_version": "2.1",
    "name": "TLP 2.0",
    "description": "This defines TLP 2.0 as a STIX extension",
    "created": "2022-10-01T00:00:00.000Z",
    "modified": "2022-10-01T00:00:00.000Z",
    "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
    "schema": "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
    "extension-definition-specifications/tlp-2.0",
    "version": "1.0.0",
    "extension_types": ["property-extension"],
}
"""The OASIS extension-definition object of TLP 2.0, verbatim (publish it with the markings; do not
mutate it: :func:`tlp_marking` hands out copies, this constant is the reference)."""

TLP_1_0_IDS: Final[dict[str, TlpLevel]] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
"""STIX 2.1's predefined TLP 1.0 markings, read as their TLP 2.0 equivalents (FIRST's mapping:
WHITE became CLEAR), so a partner's TLP 1.0 object keeps its restriction when received."""

_TLP_BY_ID: Final[dict[str, TlpLevel]] = {
    **TLP_1_0_IDS,
    **{marking_id: level for level, marking_id in TLP_MARKING_IDS.items()},
}


def _level(level: str, *, field: str = "tlp") -> TlpLevel:
    """``level`` as a :data:`TlpLevel` (case and surrounding spaces ignored), else InputError."""
    found = level.strip().lower() if isinstance(level, str) else None
    for known in TLP_LEVELS:
        if found == known:
            return known
    raise InputError(
        f"unknown TLP level {level!r}: use one of {', '.join(TLP_LEVELS)}", field=field
    )


def tlp_marking(level: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of ``level`` (a fresh copy, verbatim)."""
    return copy.deepcopy(_TLP_OBJECTS[_level(level)])


def tlp_rank(level: str) -> int:
    """0 (CLEAR) to 4 (RED): how restrictive ``level`` is."""
    return TLP_LEVELS.index(_level(level))


def stricter(a: str, b: str) -> bool:
    """Whether level ``a`` restricts more than level ``b`` (``stricter("amber", "green")``).

    Re-publishing an object received as ``received`` under ``wanted`` is a loosening, to refuse,
    exactly when ``stricter(received, wanted)``.
    """
    return tlp_rank(a) > tlp_rank(b)


def strictest(levels: Iterable[str]) -> TlpLevel | None:
    """The most restrictive of ``levels``, or None when there is none."""
    ranked = [_level(level) for level in levels]
    return max(ranked, key=TLP_LEVELS.index) if ranked else None


def tlp_of(marking_refs: Iterable[str] | None) -> TlpLevel | None:
    """The TLP level an object's ``object_marking_refs`` give it, or None for no TLP marking.

    TLP 2.0 ids and STIX's TLP 1.0 ids are both read. An object should carry one TLP marking; if
    it carries several, the strictest wins (fail closed). Other refs (handling codes, a partner's
    own markings) are ignored here.
    """
    refs = marking_refs or ()
    return strictest(_TLP_BY_ID[ref] for ref in refs if isinstance(ref, str) and ref in _TLP_BY_ID)


def tlp_level_of(marking: Mapping[str, Any]) -> TlpLevel | None:
    """The TLP 2.0 level a marking-definition object stands for, or None when it is no TLP 2.0
    marking; :class:`InputError` (``field="id"``) when it misuses TLP 2.0.

    The rule of the OASIS TLP 2.0 JSON schema, for objects received from partners: an object
    carrying the TLP 2.0 extension is a ``marking-definition`` of spec 2.1 with ``id``, ``name``,
    ``created`` and no other extension; the extension holds exactly ``extension_type``
    (``property-extension``) and ``tlp_2_0``; and id, name and level are those of one of the five
    published objects. (Formats of ``created`` and the like are the STIX validator's business.)
    One rule is stricter than the schema: the five reserved ids are refused on an object without
    the TLP 2.0 extension (the schema lets one with other extensions only pass).
    """
    extensions = marking.get("extensions")
    marking_id = marking.get("id")
    if not isinstance(extensions, Mapping) or TLP_EXTENSION_ID not in extensions:
        if marking_id in TLP_MARKING_IDS.values():
            raise InputError(
                f"{marking_id} is a TLP 2.0 id but the object lacks the TLP 2.0 extension",
                field="id",
            )
        return None
    extension = extensions[TLP_EXTENSION_ID]
    level = extension.get("tlp_2_0") if isinstance(extension, Mapping) else None
    known = next((each for each in TLP_LEVELS if each == level), None)
    if (
        known is None
        or set(extensions) != {TLP_EXTENSION_ID}
        or dict(extension) != {"extension_type": "property-extension", "tlp_2_0": known}
        or marking.get("type") != "marking-definition"
        or marking.get("spec_version") != "2.1"
        or "created" not in marking
        or marking_id != TLP_MARKING_IDS[known]
        or marking.get("name") != _TLP_NAMES[known]
    ):
        raise InputError(
            f"{marking_id!r} does not match the OASIS TLP 2.0 marking-definition of the level it "
            f"claims ({level!r})",
            field="id",
        )
    return known


# --- LeakTrace's identity and SIENA handling extension -----------------------------------------

LEAKTRACE_STIX_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://leaktrace.org/stix")
"""The UUIDv5 namespace of every STIX id LeakTrace derives (the project's chosen domain)."""

_PROJECT_CREATED: Final = "2026-12-05T00:00:00.000Z"
"""When LeakTrace's identity and handling extension (version 1.0.0) were defined."""

LEAKTRACE_IDENTITY_ID: Final = (
    f"identity--{uuid.uuid5(LEAKTRACE_STIX_NAMESPACE, 'identity/project')}"
)

LEAKTRACE_IDENTITY: Final[dict[str, Any]] = {
    "type": "identity",
    "spec_version": "2.1",
    "id": LEAKTRACE_IDENTITY_ID,
    "created": _PROJECT_CREATED,
    "modified": _PROJECT_CREATED,
    "name": "LeakTrace project",
    "description": "The LeakTrace project, author of LeakTrace's STIX extension definitions.",
    "identity_class": "organization",
}
"""The LeakTrace project as a STIX identity: the creator of its extension definitions (an agency
publishing data has its own identity)."""

HANDLING_EXTENSION_ID: Final = (
    f"extension-definition--{uuid.uuid5(LEAKTRACE_STIX_NAMESPACE, 'extension/siena-handling')}"
)

HANDLING_SCHEMA_URL: Final = (
    "https://leaktrace.org/stix/extensions/siena-handling/1.0.0/schema.json"
)
"""Where the project publishes :data:`HANDLING_EXTENSION_SCHEMA` (the extension-definition's
``schema``). ``leaktrace.org`` is the domain the project chose for its STIX names (also the
UUIDv5 namespace below); the document at this URL must stay byte-for-byte that schema, and a new
schema gets a new version in the path."""

HANDLING_CODES: Final = ("H0", "H1", "H2", "H3")
"""Europol SIENA handling codes: H0 use only to prevent and combat crime; H1 not for judicial
proceedings without the provider's permission; H2 not to be passed on without the provider's
permission; H3 other restrictions (stated in the marking's text)."""

SOURCE_CODES: Final = ("A", "B", "C", "X")
"""Source reliability: A no doubt about the source (always reliable); B mostly reliable so far;
C mostly unreliable so far; X reliability cannot be assessed."""

ACCURACY_CODES: Final = (1, 2, 3, 4)
"""Information accuracy: 1 no doubt about its accuracy; 2 known personally to the source but not
to the official passing it on; 3 not known personally to the source but corroborated by other
information; 4 not known personally to the source and cannot be corroborated."""

MAX_HANDLING_TEXT: Final = 1000
"""Longest H3 text, in characters."""

_HANDLING_MEANING: Final = {
    "H0": "use only to prevent and combat crime",
    "H1": "not for judicial proceedings without the provider's permission",
    "H2": "not to be passed on without the provider's permission",
    "H3": "other restrictions",
}

HANDLING_EXTENSION_SCHEMA: Final[dict[str, Any]] = {
    "$id": HANDLING_SCHEMA_URL,
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "leaktrace-siena-handling-marking-extension",
    "description": "A marking-definition carrying a Europol SIENA handling code (H0-H3, H3 with "
    "its text) and optionally the 4x4 evaluation: source reliability A/B/C/X, information "
    "accuracy 1-4.",
    "type": "object",
    "properties": {
        "type": {"enum": ["marking-definition"]},
        "extensions": {
            "type": "object",
            "properties": {
                HANDLING_EXTENSION_ID: {
                    "type": "object",
                    "properties": {
                        "extension_type": {"enum": ["property-extension"]},
                        "handling_code": {"enum": list(HANDLING_CODES)},
                        "handling_text": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_HANDLING_TEXT,
                        },
                        "source_reliability": {"enum": list(SOURCE_CODES)},
                        "information_accuracy": {"enum": list(ACCURACY_CODES)},
                    },
                    "required": ["extension_type", "handling_code"],
                    "additionalProperties": False,
                    "if": {"properties": {"handling_code": {"const": "H3"}}},
                    "then": {"required": ["handling_text"]},
                    "else": {"not": {"required": ["handling_text"]}},
                }
            },
            "required": [HANDLING_EXTENSION_ID],
        },
    },
    "required": ["type", "extensions"],
}
"""JSON schema (draft 07) of a handling marking-definition; published at
:data:`HANDLING_SCHEMA_URL`."""

HANDLING_EXTENSION_DEFINITION: Final[dict[str, Any]] = {
    "type": "extension-definition",
    "spec_version": "2.1",
    "id": HANDLING_EXTENSION_ID,
    "created": _PROJECT_CREATED,
    "modified": _PROJECT_CREATED,
    "created_by_ref": LEAKTRACE_IDENTITY_ID,
    "name": "LeakTrace SIENA handling codes",
    "description": "Europol SIENA handling codes on a marking-definition: H0 use only to prevent "
    "and combat crime; H1 not for judicial proceedings without the provider's permission; H2 not "
    "to be passed on without the provider's permission; H3 other restrictions (handling_text). "
    "Optional 4x4 evaluation: source_reliability A/B/C/X, information_accuracy 1-4.",
    "schema": HANDLING_SCHEMA_URL,
    "version": "1.0.0",
    "extension_types": ["property-extension"],
}
"""LeakTrace's extension-definition for handling codes (publish it with the markings)."""

_UUID: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
_IDENTITY_ID = re.compile("identity--" + _UUID)


def _clean_text(text: str) -> str:
    """The H3 text stripped, refused when empty, too long or holding control characters."""
    if not isinstance(text, str):
        raise InputError("the H3 handling text must be a string", field="handling_text")
    cleaned = text.strip()
    if not cleaned:
        raise InputError("H3 needs a text stating the restriction", field="handling_text")
    if len(cleaned) > MAX_HANDLING_TEXT:
        raise InputError(
            f"the handling text has {len(cleaned)} characters; at most {MAX_HANDLING_TEXT}",
            field="handling_text",
        )
    for char in cleaned:
        if unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t":
            raise InputError(
                f"the handling text holds the control character U+{ord(char):04X}",
                field="handling_text",
            )
    return cleaned


def _code(value: object, allowed: tuple[str, ...], field: str, what: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in allowed:
        raise InputError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}", field=field)
    return code


def _accuracy(value: object) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip() in ("1", "2", "3", "4"):
        number = int(value.strip())
    if number not in ACCURACY_CODES:
        raise InputError(
            f"unknown information accuracy {value!r}: use 1, 2, 3 or 4",
            field="information_accuracy",
        )
    return number


def handling_marking(
    code: str,
    text: str | None = None,
    source: str | None = None,
    accuracy: int | str | None = None,
    created_by_ref: str = LEAKTRACE_IDENTITY_ID,
) -> dict[str, Any]:
    """A marking-definition carrying SIENA handling ``code`` in LeakTrace's extension.

    ``text`` states the restriction and is required for H3, refused for H0-H2 (their meaning is
    fixed). ``source`` (A/B/C/X) and ``accuracy`` (1-4) add the 4x4 evaluation, each optional.
    ``created_by_ref`` is the identity of whoever sets the marking (an agency), by default the
    LeakTrace project. The id is a UUIDv5 of the content and creator, and ``created`` is fixed,
    so the same marking is always the same object. Bad input: :class:`InputError` with ``field``.
    """
    handling = _code(code, HANDLING_CODES, "handling_code", "handling code")
    if not isinstance(created_by_ref, str) or not _IDENTITY_ID.match(created_by_ref):
        raise InputError(
            f"created_by_ref must be an identity id, not {created_by_ref!r}", field="created_by_ref"
        )
    content: dict[str, Any] = {"extension_type": "property-extension", "handling_code": handling}
    name = f"SIENA {handling}"
    if handling == "H3":
        if text is None:
            raise InputError("H3 needs a text stating the restriction", field="handling_text")
        content["handling_text"] = _clean_text(text)
        name = f"{name}: {content['handling_text']}"
    elif text is not None:
        raise InputError(
            f"{handling} has a fixed meaning ({_HANDLING_MEANING[handling]}); only H3 takes a text",
            field="handling_text",
        )
    else:
        name = f"{name}: {_HANDLING_MEANING[handling]}"
    if source is not None:
        content["source_reliability"] = _code(
            source, SOURCE_CODES, "source_reliability", "source reliability"
        )
    if accuracy is not None:
        content["information_accuracy"] = _accuracy(accuracy)
    evaluation = f"{content.get('source_reliability', '')}{content.get('information_accuracy', '')}"
    if evaluation:
        name = f"{name} (evaluation {evaluation})"
    digest = json.dumps(
        {"created_by_ref": created_by_ref, "extension": content},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid5(LEAKTRACE_STIX_NAMESPACE, 'handling/' + digest)}",
        "created": _PROJECT_CREATED,
        "created_by_ref": created_by_ref,
        "name": name,
        "extensions": {HANDLING_EXTENSION_ID: content},
    }


def handling_of(marking: Mapping[str, Any]) -> dict[str, Any] | None:
    """The handling content (``handling_code``, maybe ``handling_text``, ``source_reliability``,
    ``information_accuracy``) of a marking-definition, or None when it carries no handling code.

    For markings received from partners: content that :func:`handling_marking` would not have
    made (an unknown code, H3 without text, a text on H0-H2, an unknown key, a text with spaces
    around it) is refused with :class:`InputError`, so a caller fails closed instead of guessing.
    """
    extensions = marking.get("extensions")
    content = extensions.get(HANDLING_EXTENSION_ID) if isinstance(extensions, Mapping) else None
    if content is None:
        return None
    if not isinstance(content, Mapping):
        raise InputError("the handling extension is not an object", field="extensions")
    unknown = set(content) - {*_HANDLING_KEYS, "extension_type"}
    if unknown or content.get("extension_type") != "property-extension":
        raise InputError(
            f"the handling extension holds {sorted(unknown) or 'a wrong extension_type'}",
            field="extensions",
        )
    creator = marking.get("created_by_ref", LEAKTRACE_IDENTITY_ID)
    rebuilt = handling_marking(
        content.get("handling_code", ""),
        content.get("handling_text"),
        content.get("source_reliability"),
        content.get("information_accuracy"),
        created_by_ref=creator,
    )["extensions"][HANDLING_EXTENSION_ID]
    if rebuilt != dict(content):
        raise InputError("the handling extension is not in its normal form", field="extensions")
    return {key: value for key, value in content.items() if key != "extension_type"}


_HANDLING_KEYS: Final = (
    "handling_code",
    "handling_text",
    "source_reliability",
    "information_accuracy",
)


# --- granular markings -------------------------------------------------------------------------

_MARKING_ID = re.compile("marking-definition--" + _UUID)
_SELECTOR = re.compile(r"[a-z0-9_-]+(\.(\[[0-9]+\]|[a-z0-9_-]+))*\Z")
_UNMARKABLE = frozenset({"id", "type", "spec_version", "granular_markings"})


def granular(marking_ref: str, selectors: Iterable[str]) -> dict[str, Any]:
    """A granular marking applying ``marking_ref`` to the properties ``selectors`` name.

    ``marking_ref`` is a marking-definition id or a TLP level name (``"red"``); a selector is a
    STIX selector: a property name, then ``.name`` or ``.[index]`` steps (``"description"``,
    ``"aliases.[0]"``, ``"extensions.x.window"``). Example: an intrusion-set shared as GREEN with
    ``granular_markings=[granular("red", ["aliases"])]`` keeps its spellings RED.
    """
    if isinstance(marking_ref, str) and marking_ref.strip().lower() in TLP_MARKING_IDS:
        ref = TLP_MARKING_IDS[_level(marking_ref)]
    elif isinstance(marking_ref, str) and _MARKING_ID.match(marking_ref):
        ref = marking_ref
    else:
        raise InputError(
            f"not a marking-definition id or TLP level: {marking_ref!r}", field="marking_ref"
        )
    if isinstance(selectors, str):
        raise InputError("selectors must be a list of selectors, not one string", field="selectors")
    chosen: list[str] = []
    for selector in selectors:
        if not isinstance(selector, str) or not _SELECTOR.match(selector):
            raise InputError(f"not a STIX selector: {selector!r}", field="selectors")
        if selector.split(".", 1)[0] in _UNMARKABLE:
            raise InputError(f"the property {selector!r} cannot be marked", field="selectors")
        if selector not in chosen:
            chosen.append(selector)
    if not chosen:
        raise InputError("a granular marking needs at least one selector", field="selectors")
    return {"marking_ref": ref, "selectors": chosen}
