"""``exchange import``: a STIX 2.1 bundle file into a local collection.

The file is read whole (at most :data:`MAX_BUNDLE_BYTES`), must be a JSON STIX bundle
(``type`` ``bundle``, an ``id`` ``bundle--…``, an ``objects`` list), and every object must
pass :func:`~leaktrace.exchange.classify.check_object`: otherwise nothing is stored and the
:class:`InputError` names the file and the object's index and field. The objects are stored
with :func:`store_batch` in one transaction, owned by ``--agency`` (the receiving agency;
without it by nobody: RED and AMBER+STRICT objects are then visible to nobody), origin
``file <name>``; markings, unknown types and extensions are kept as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from leaktrace.errors import InputError, TooLargeError
from leaktrace.exchange.classify import check_object
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_inbound_views import ImportView
from leaktrace.services.exchange_pull import (
    StoredCounts,
    receiving_agency,
    receiving_collection,
)

__all__ = ["MAX_BUNDLE_BYTES", "import_bundle", "read_bundle"]

MAX_BUNDLE_BYTES = 256 * 1024 * 1024
_BUNDLE_ID = re.compile(
    r"bundle--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)


def read_bundle(
    path: Path, *, max_bytes: int = MAX_BUNDLE_BYTES
) -> tuple[str, list[dict[str, Any]]]:
    """(bundle id, checked objects) of a STIX bundle file, or :class:`InputError`."""
    shown = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=shown) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a file", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", file=shown) from None
    if len(data) > max_bytes:
        raise TooLargeError(f"is larger than {max_bytes} bytes", file=shown)
    try:
        bundle = json.loads(data)
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=shown) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", "invalid JSON")
        raise InputError(f"is not JSON ({message})", file=shown, line=line) from None
    except RecursionError:
        raise InputError("is not JSON (nested too deeply)", file=shown) from None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise InputError('is not a STIX bundle (no "type": "bundle")', file=shown)
    bundle_id = bundle.get("id")
    if not isinstance(bundle_id, str) or not _BUNDLE_ID.match(bundle_id):
        raise InputError("is not a bundle id", file=shown, field="id")
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        raise InputError("must be a list of STIX objects", file=shown, field="objects")
    checked: list[dict[str, Any]] = []
    for index, item in enumerate(objects):
        try:
            checked.append(check_object(item, f"objects[{index}]"))
        except InputError as exc:
            raise InputError(exc.reason, file=shown, field=exc.field) from None
    return bundle_id, checked


def import_bundle(
    ctx: AppContext,
    actor: Actor,
    path: Path,
    *,
    into: str,
    agency: str | None = None,
) -> ImportView:
    """Store the bundle file's objects in the local collection ``into`` (module docs)."""
    actor.require(Permission.write_exchange)
    bundle_id, objects = read_bundle(path)
    counts = StoredCounts()
    counts.received = len(objects)
    with ctx.database.transaction() as conn:
        owner, owner_code = receiving_agency(conn, actor, agency)
        local = receiving_collection(conn, actor, into, owner, owner_code)
        counts.store(conn, local.id, objects, owner=owner, origin=f"file {path.name}")
        audit.record(
            conn,
            actor,
            "exchange.import",
            f"{path.name} ({bundle_id}) -> {local.title}",
            f"{counts.received} received, {counts.stored} stored, {counts.already} already "
            "present" + (f"; for {owner_code}" if owner_code else "; owned by no agency"),
        )
    warnings: list[str] = []
    if owner is None and counts.hidden:
        warnings.append(
            f"{counts.hidden} TLP:RED / AMBER+STRICT object(s) were stored owned by no agency: "
            "no agency can see them (import with --agency CODE, the receiving agency)"
        )
    return ImportView(
        file=str(path),
        into=local.title,
        agency=owner_code,
        bundle_id=bundle_id,
        received=counts.received,
        stored=counts.stored,
        already_present=counts.already,
        hidden_without_agency=counts.hidden if owner is None else 0,
        warnings=warnings,
    )
