"""LeakTrace's own STIX 2.1 extensions, its project identity and its deterministic ids.

* **Ids.** Every SDO and SRO LeakTrace makes has the id ``<type>--uuid5(NAMESPACE, key)``
  where the key is stable LeakTrace data (``group:<lower-cased name>``, ``release:<name>``,
  ``agency:<code>`` ...) plus the creator's identity id when there is one: publishing the
  same finding again gives the same id, so a partner sees a new version of one object rather
  than a duplicate, while two agencies' objects never share an id (only an object's creator
  may version it). (SCOs get the id the STIX specification derives from their value; the
  ``stix2`` library computes it.) The validator warns ``{103}`` that these ids are not
  UUIDv4: the specification recommends (SHOULD) random v4 ids; deterministic ones are what
  lets re-publication version an object, so the warning is accepted.
* **Extensions.** Two ``extension-definition`` objects, published with the data:

  - :data:`RELEASE_EXTENSION_ID` (``new-sdo``) declares the ``x-leaktrace-release`` object
    (release name, group, work title and year, window, lead in days, info-hash, release time);
  - :data:`PIRACY_EXTENSION_ID` (``property-extension``) adds piracy fields to standard
    objects (the leak's alert id, severity and window on a ``sighting``, a host's role, a
    link's kind and strength, an agency's code and country ...).

  They are two definitions, not one with both extension types, because the ``stix2`` library
  ties a registered new-SDO extension id to ``extension_type: new-sdo`` everywhere it appears.
* **Identity.** :func:`leaktrace_identity` is the ``identity`` (class ``system``) that
  created the extension definitions.

The schemas named by the definitions live at stable https URLs under :data:`SCHEMA_BASE`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import stix2  # type: ignore[import-untyped]
from stix2.properties import (  # type: ignore[import-untyped]
    FloatProperty,
    IntegerProperty,
    StringProperty,
    TimestampProperty,
)

from leaktrace.errors import InputError

__all__ = [
    "EXTENSIONS_CREATED",
    "NAMESPACE",
    "PIRACY_EXTENSION_ID",
    "RELEASE_EXTENSION_ID",
    "RELEASE_TYPE",
    "SCHEMA_BASE",
    "LeakTraceRelease",
    "extension_definitions",
    "leaktrace_identity",
    "marking_refs",
    "piracy_extension",
    "stix_id",
]

NAMESPACE = uuid.UUID("6c0c6a43-3f0e-5b8a-9d2e-4c1e7a1f0b51")
"""The uuid5 namespace of every LeakTrace STIX id (fixed forever: changing it changes all ids)."""

SCHEMA_BASE = "https://leaktrace.github.io/stix/"
"""Where the JSON schemas of LeakTrace's extensions are published."""

EXTENSIONS_CREATED = datetime(2026, 12, 1, tzinfo=UTC)
"""``created`` (and ``modified``) of the identity and the extension definitions, version 1.0.0."""

RELEASE_TYPE = "x-leaktrace-release"


def stix_id(stix_type: str, key: str) -> str:
    """The deterministic id of the LeakTrace object of ``stix_type`` known by ``key``."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{stix_type}|{key}')}"


LEAKTRACE_IDENTITY_ID = stix_id("identity", "leaktrace-project")
RELEASE_EXTENSION_ID = stix_id("extension-definition", "x-leaktrace-release/1.0.0")
PIRACY_EXTENSION_ID = stix_id("extension-definition", "leaktrace-piracy/1.0.0")


def leaktrace_identity() -> stix2.v21.Identity:
    """The LeakTrace project as a STIX ``identity``: the creator of its extensions."""
    return stix2.v21.Identity(
        id=LEAKTRACE_IDENTITY_ID,
        created=EXTENSIONS_CREATED,
        modified=EXTENSIONS_CREATED,
        name="LeakTrace",
        identity_class="system",
        description="LeakTrace, pre-release leak tracing for film and series; "
        "it defines the x-leaktrace-release object and the piracy property extension.",
    )


def extension_definitions() -> list[stix2.v21.ExtensionDefinition]:
    """Both LeakTrace extension definitions (publish them with any object that uses them)."""
    common: dict[str, Any] = {
        "created_by_ref": LEAKTRACE_IDENTITY_ID,
        "created": EXTENSIONS_CREATED,
        "modified": EXTENSIONS_CREATED,
        "version": "1.0.0",
    }
    return [
        stix2.v21.ExtensionDefinition(
            id=RELEASE_EXTENSION_ID,
            name="LeakTrace release",
            description="A piracy release (scene or P2P) seen by LeakTrace: its name, group, "
            "work, release window, lead in days before the window, and BitTorrent info-hash.",
            schema=SCHEMA_BASE + "x-leaktrace-release-1.0.0.json",
            extension_types=["new-sdo"],
            **common,
        ),
        stix2.v21.ExtensionDefinition(
            id=PIRACY_EXTENSION_ID,
            name="LeakTrace piracy properties",
            description="Piracy fields on standard STIX objects: a leak's alert id, severity, "
            "window and lead on a sighting; a host's role; a group link's kind and strength; "
            "an agency's code and country; a supply finding's account and posterior.",
            schema=SCHEMA_BASE + "leaktrace-piracy-1.0.0.json",
            extension_types=["property-extension"],
            **common,
        ),
    ]


class _Release:
    """The ``x-leaktrace-release`` SDO (registered with ``stix2``, so ``stix2.parse`` knows it)."""


LeakTraceRelease: Any = stix2.v21.CustomObject(
    RELEASE_TYPE,
    [
        ("name", StringProperty(required=True)),
        ("group", StringProperty()),
        ("work_title", StringProperty()),
        ("work_year", IntegerProperty(min=1800, max=2200)),
        ("window", StringProperty()),
        ("lead_days", FloatProperty()),
        ("info_hash", StringProperty()),
        ("released_at", TimestampProperty(precision="millisecond", precision_constraint="min")),
    ],
    extension_name=RELEASE_EXTENSION_ID,
)(_Release)
"""The ``x-leaktrace-release`` class: ``LeakTraceRelease(name=..., ...)`` builds one."""


def piracy_extension(fields: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``extensions`` value adding ``fields`` (``None`` values left out) to an object."""
    kept = {name: value for name, value in fields.items() if value is not None}
    for name, value in kept.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError("must be a finite number", field=name)
    return {PIRACY_EXTENSION_ID: {"extension_type": "property-extension", **kept}}


def marking_refs(object_marking_refs: Sequence[str]) -> dict[str, list[str]]:
    """``{"object_marking_refs": [...]}`` when there are any, else nothing (keyword helper)."""
    refs = list(dict.fromkeys(object_marking_refs))
    for ref in refs:
        if not ref.startswith("marking-definition--"):
            raise InputError(f"not a marking-definition id: {ref!r}", field="object_marking_refs")
    return {"object_marking_refs": refs} if refs else {}
