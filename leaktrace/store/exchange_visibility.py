"""Who sees which shared object: the need-to-know rule of issue 12, in one place.

Every read of ``exchange_objects`` (TAXII object lists, single objects, versions, manifests,
the ``more`` flag and date headers, the web pages, exports, re-publication) filters through
:func:`visible`, so all of them agree, and an agency that may not see a row gets exactly what
it would get if the row did not exist.

For an agency ``X`` that may read the collection (the caller checks that first: a collection
``X`` has no rights on does not exist for it), a row is visible when

* ``X`` owns it (published, posted or received it), or
* it is not ``restricted`` (a marking nobody here understands: owner only), and its
  effective TLP allows it: RED only to agencies named in its audience (``--to``),
  AMBER+STRICT to nobody else, every other level (or none) to all the collection's readers;

and, for a support row (every marking definition, extension definition and identity), ``X``
owns it or some row of the same collection and the same owner that ``X`` may see by the
rule above needs it. The local operator (``Viewer(None)``, the command line) sees every
row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, FromClause, and_, exists, not_, or_, select, true

from leaktrace.store.schema_exchange import EXCHANGE_AUDIENCE as AUDIENCE
from leaktrace.store.schema_exchange import EXCHANGE_NEEDS as NEEDS
from leaktrace.store.schema_exchange import EXCHANGE_OBJECTS as OBJECTS

__all__ = ["AUDIENCE", "NEEDS", "OBJECTS", "Viewer", "in_audience", "is_owner", "visible"]

_OPEN_LEVELS = ("clear", "green", "amber")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose eyes: an agency's (``agency_id``) or the local operator's (None: every row)."""

    agency_id: int | None

    @property
    def is_operator(self) -> bool:
        return self.agency_id is None


def is_owner(viewer: Viewer, objects: FromClause = OBJECTS) -> ColumnElement[bool]:
    if viewer.agency_id is None:
        return true()
    return objects.c.owner_agency_id == viewer.agency_id


def in_audience(viewer: Viewer, objects: FromClause = OBJECTS) -> ColumnElement[bool]:
    if viewer.agency_id is None:
        return true()
    return exists(
        select(AUDIENCE.c.object_id).where(
            AUDIENCE.c.object_id == objects.c.id, AUDIENCE.c.agency_id == viewer.agency_id
        )
    )


def _own_rule(viewer: Viewer, objects: FromClause) -> ColumnElement[bool]:
    """The rule for the row itself, support or not (see the module docstring)."""
    if viewer.agency_id is None:
        return true()
    level = objects.c.tlp
    return or_(
        is_owner(viewer, objects),
        and_(
            not_(objects.c.restricted),
            or_(
                level.is_(None),
                level.in_(_OPEN_LEVELS),
                and_(level == "red", in_audience(viewer, objects)),
            ),
        ),
    )


def visible(viewer: Viewer, objects: FromClause = OBJECTS) -> ColumnElement[bool]:
    """The condition under which ``viewer`` sees a row of ``objects`` (an alias of
    ``exchange_objects`` may be given, for correlated sub-queries)."""
    if viewer.agency_id is None:
        return true()
    needing = OBJECTS.alias("needing")
    needed = exists(
        select(NEEDS.c.object_id)
        .select_from(NEEDS.join(needing, needing.c.id == NEEDS.c.object_id))
        .where(
            NEEDS.c.stix_id == objects.c.stix_id,
            needing.c.collection_id == objects.c.collection_id,
            # only a row of the same owner unlocks a support row: another agency cannot
            # make one visible by naming its id (a created_by_ref, a guessed marking id)
            needing.c.owner_agency_id.is_not_distinct_from(objects.c.owner_agency_id),
            not_(needing.c.support),
            _own_rule(viewer, needing),
        )
    )
    return and_(
        _own_rule(viewer, objects),
        or_(not_(objects.c.support), is_owner(viewer, objects), needed),
    )
