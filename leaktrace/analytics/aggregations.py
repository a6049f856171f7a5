"""The aggregations, written once as ibis expressions; DuckDB and Spark run the same ones.

Every aggregation takes the tables it needs by name (the shapes of the project's
``swarm_observations``, ``releases``, ``hosts`` and ``host_evidence`` tables, as
:func:`leaktrace.analytics.export.export_parquet` writes them) and returns an ordered
ibis table expression. Distinct peers are counted on ``peer_key`` (the keyed hash of the
peer address), never on an address.

Columns named in :attr:`Aggregation.approximate` come from ``approx_nunique``
(``APPROX_COUNT_DISTINCT``: a HyperLogLog sketch on both engines, mergeable across
partitions); every other count is exact and identical on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from ibis.expr import types as ir  # type: ignore[import-untyped]

__all__ = [
    "DOWNLOAD_KEYS",
    "HOSTS",
    "HOST_EVIDENCE",
    "OBSERVATIONS",
    "RELEASES",
    "UNKNOWN_COUNTRY",
    "UNLINKED_PREFIX",
    "Aggregation",
    "country_counts",
    "downloads",
    "group_activity",
    "standard_aggregations",
    "target_list",
]

OBSERVATIONS = "swarm_observations"
RELEASES = "releases"
HOSTS = "hosts"
HOST_EVIDENCE = "host_evidence"

UNKNOWN_COUNTRY = "--"
"""Country key for rows without a country (NULL keys would not join or compare)."""

LEAK = "leak"

Builder = Callable[[Mapping[str, "ir.Table"]], "ir.Table"]


@dataclass(frozen=True)
class Aggregation:
    """A named aggregation over named tables.

    ``keys`` are the output's key columns (unique per row); ``approximate`` the columns
    computed with a sketch, which may differ slightly between engines; ``order`` the
    output order as (column, ``"ascending"``/``"descending"``), nulls last; ``columns``
    the only columns read of some tables (an export for it can leave the others out).
    """

    name: str
    tables: tuple[str, ...]
    keys: tuple[str, ...]
    build: Builder = field(repr=False)
    order: tuple[tuple[str, str], ...] = ()
    approximate: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def expr(self, tables: Mapping[str, ir.Table], *, ordered: bool = True) -> ir.Table:
        """The expression; ``ordered=False`` leaves sorting to the caller (a distributed
        ORDER BY costs Spark a sampling pass and a range shuffle over the groups)."""
        missing = [name for name in self.tables if name not in tables]
        if missing:
            raise KeyError(f"aggregation {self.name!r} needs table(s) {', '.join(missing)}")
        result = self.build(tables)
        if ordered and self.order:
            result = result.order_by(
                [
                    result[col].desc() if how == "descending" else result[col].asc()
                    for col, how in self.order
                ]
            )
        return result


def _ascending(*columns: str) -> tuple[tuple[str, str], ...]:
    return tuple((column, "ascending") for column in columns)


def _day_window(table: ir.Table, column: str, since: date | None, until: date | None) -> ir.Table:
    if since is not None:
        table = table.filter(table[column] >= since)
    if until is not None:
        table = table.filter(table[column] < until)
    return table


def _time_window(
    table: ir.Table, since: date | datetime | None, until: date | datetime | None
) -> ir.Table:
    """Bound ``observed_at`` by dates (whole UTC days) or instants; ``until`` exclusive."""
    for bound, after in ((since, True), (until, False)):
        if bound is None:
            continue
        column = table.observed_at if isinstance(bound, datetime) else table.day
        table = table.filter(column >= bound if after else column < bound)
    return table


DOWNLOAD_KEYS = ("work_id", "country", "day")
PEER_ROLE = "peer"
DOWNLOAD_COLUMNS = (
    "id",
    "observed_at",
    "infohash",
    "work_id",
    "peer_key",
    "seeder",
    "completed",
    "country",
    "role",
)
UNLINKED_PREFIX = "infohash:"
"""Work key of a torrent that no sighting ties to a work yet: ``infohash:<hex>``."""


def downloads(
    *,
    by: Sequence[str] = DOWNLOAD_KEYS,
    exact: bool = False,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    work_ids: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
) -> Aggregation:
    """Downloads per work and (by default) country and UTC day: the counts the impact
    estimate rests on (:mod:`leaktrace.impact`).

    Only ordinary peers count (``role = 'peer'``): infrastructure (seedboxes, initial
    seeders, servers) is not a download. A torrent no sighting ties to a work is keyed
    ``infohash:<hex>``. ``by`` picks the keys: ``work_id`` always, then any of
    ``country`` and ``day``; a peer seen on several days or through several torrents of
    a work counts once per row, because each row is one distinct count, not a sum.

    ``observations``: peer observations; ``peers``: distinct peers (HLL); ``completions``:
    distinct peers seen with the whole file (``completed`` or ``seeder``; HLL), so a peer
    seen complete ten times counts once; ``completed_observations`` and
    ``seeder_observations``: exact counts of such observations. With ``exact`` also
    ``peers_exact`` and ``completions_exact`` (COUNT DISTINCT: exact, but a shuffle of
    every distinct peer key, far dearer than the sketch on a cluster).
    ``since`` (inclusive) and ``until`` (exclusive) are dates (UTC days) or instants;
    ``countries`` are ISO codes (``--`` for unknown).
    """
    keys = tuple(dict.fromkeys(["work_id", *by]))
    unknown = [key for key in keys if key not in DOWNLOAD_KEYS]
    if unknown:
        raise ValueError(f"downloads can be keyed by {', '.join(DOWNLOAD_KEYS)}, not {unknown}")
    wanted = tuple(work_ids) if work_ids is not None else None
    places = tuple(countries) if countries is not None else None

    def build(tables: Mapping[str, ir.Table]) -> ir.Table:
        obs = tables[OBSERVATIONS]
        obs = obs.filter(obs.role == PEER_ROLE)
        obs = obs.mutate(
            work_id=obs.work_id.fill_null(ibis.literal(UNLINKED_PREFIX) + obs.infohash),
            day=obs.observed_at.date(),
            country=obs.country.fill_null(UNKNOWN_COUNTRY),
            whole=obs.completed | obs.seeder,
        )
        if wanted is not None:
            obs = obs.filter(obs.work_id.isin(wanted))
        if places is not None:
            obs = obs.filter(obs.country.isin(places))
        obs = _time_window(obs, since, until)
        metrics: dict[str, Any] = {
            "observations": obs.count(),
            "peers": obs.peer_key.approx_nunique(),
            "completions": obs.peer_key.approx_nunique(where=obs.whole),
            "completed_observations": obs.count(where=obs.completed),
            "seeder_observations": obs.count(where=obs.seeder),
        }
        if exact:
            metrics["peers_exact"] = obs.peer_key.nunique()
            metrics["completions_exact"] = obs.peer_key.nunique(where=obs.whole)
        return obs.group_by(list(keys)).aggregate(**metrics)

    return Aggregation(
        name="downloads",
        tables=(OBSERVATIONS,),
        keys=keys,
        build=build,
        order=_ascending(*keys),
        approximate=("peers", "completions"),
        columns={OBSERVATIONS: DOWNLOAD_COLUMNS},
    )


def country_counts(
    *, exact: bool = False, since: date | None = None, until: date | None = None
) -> Aggregation:
    """Per country: observations, distinct peers (HLL), distinct infrastructure peers
    (observations that carry an address: only infrastructure does), works seen, and
    the infrastructure hosts of that country from ``hosts``. Countries that only one
    side knows are kept (outer join); missing counts are 0."""

    def build(tables: Mapping[str, ir.Table]) -> ir.Table:
        obs = tables[OBSERVATIONS]
        obs = obs.mutate(day=obs.observed_at.date(), country=obs.country.fill_null(UNKNOWN_COUNTRY))
        obs = _day_window(obs, "day", since, until)
        metrics: dict[str, Any] = {
            "observations": obs.count(),
            "peers": obs.peer_key.approx_nunique(),
            "infrastructure_peers": obs.peer_key.approx_nunique(where=obs.peer_ip.notnull()),
            "works": obs.work_id.nunique(),
        }
        if exact:
            metrics["peers_exact"] = obs.peer_key.nunique()
        per_country = obs.group_by("country").aggregate(**metrics)
        hosts = tables[HOSTS]
        hosts = hosts.mutate(country=hosts.country.fill_null(UNKNOWN_COUNTRY))
        per_host_country = hosts.group_by("country").aggregate(infrastructure_hosts=hosts.count())
        joined = per_country.outer_join(per_host_country, "country")
        columns: dict[str, Any] = {
            "country": ibis.coalesce(joined.country, joined.country_right),
        }
        for name in [*metrics, "infrastructure_hosts"]:
            columns[name] = joined[name].fill_null(0)
        return joined.select(**columns)

    return Aggregation(
        name="country_counts",
        tables=(OBSERVATIONS, HOSTS),
        keys=("country",),
        build=build,
        order=_ascending("country"),
        approximate=("peers", "infrastructure_peers"),
    )


def group_activity(*, since: date | None = None, until: date | None = None) -> Aggregation:
    """Releases and pre-release leaks per release group and (UTC) month, with the works
    matched and the first and last release of the month."""

    def build(tables: Mapping[str, ir.Table]) -> ir.Table:
        rel = tables[RELEASES]
        rel = rel.filter(rel.group_key.notnull())
        rel = rel.mutate(day=rel.released_at.date(), month=rel.released_at.truncate("M").date())
        rel = _day_window(rel, "day", since, until)
        return rel.group_by(["group_key", "month"]).aggregate(
            releases=rel.count(),
            leaks=rel.count(where=rel.status == LEAK),
            matched=rel.count(where=rel.work_id.notnull()),
            works=rel.work_id.nunique(),
            first_release=rel.released_at.min(),
            last_release=rel.released_at.max(),
        )

    return Aggregation(
        name="group_activity",
        tables=(RELEASES,),
        keys=("group_key", "month"),
        build=build,
        order=_ascending("group_key", "month"),
    )


LEAK_STATUS = LEAK
OWN_ACTIVITY = ("tls-certificate",)
"""Evidence kinds that record our own look-ups (dated when we looked), not the host's
activity: they do not move a host's first or last seen."""


def target_list(*, countries: Sequence[str] | None = None) -> Aggregation:
    """Infrastructure hosts per country, with what a target sheet shows of each: role,
    ASN, organisation, where the location came from, first and last seen (from the host
    or its evidence, whichever is earlier/later; evidence of our own look-ups such as a
    fetched certificate does not count), and what ``host_evidence`` ties to it:
    ``releases`` (distinct release ids), ``leaks`` (of them, releases flagged as leaks),
    ``groups`` (distinct group keys on the evidence), ``evidence`` (references), and the
    sorted lists ``release_names``, ``leak_ids`` (ids of the leaked releases),
    ``group_keys`` (the evidence's and its releases' groups) and ``references``. Busiest
    hosts first within a country."""
    wanted = tuple(countries) if countries is not None else None

    def build(tables: Mapping[str, ir.Table]) -> ir.Table:
        hosts = tables[HOSTS]
        hosts = hosts.mutate(country=hosts.country.fill_null(UNKNOWN_COUNTRY))
        if wanted is not None:
            hosts = hosts.filter(hosts.country.isin(wanted))
        ev = tables[HOST_EVIDENCE]
        rel = tables[RELEASES]
        rel = rel.select(
            rel_id=rel.id, rel_name=rel.name, rel_group=rel.group_key, rel_status=rel.status
        )
        ev = ev.left_join(rel, ev.release_id == rel.rel_id)
        per_host = ev.group_by("host_id").aggregate(
            releases=ev.release_id.nunique(),
            leaks=ev.rel_id.nunique(where=ev.rel_status == LEAK_STATUS),
            groups=ev.group_key.nunique(),
            evidence=ev.count(),
            evidence_first=ev.seen_at.min(where=~ev.kind.isin(OWN_ACTIVITY)),
            evidence_last=ev.seen_at.max(where=~ev.kind.isin(OWN_ACTIVITY)),
            release_names=ev.rel_name.collect(distinct=True),
            leak_ids=ev.rel_id.collect(where=ev.rel_status == LEAK_STATUS, distinct=True),
            references=ev.reference.collect(distinct=True),
        )
        both = ev.select(gid=ev.host_id, group=ev.group_key).union(
            ev.select(gid=ev.host_id, group=ev.rel_group)
        )
        per_group = both.group_by("gid").aggregate(group_keys=both.group.collect(distinct=True))
        per_host = per_host.left_join(per_group, per_host.host_id == per_group.gid)
        joined = hosts.left_join(per_host, hosts.id == per_host.host_id)
        empty = ibis.literal([], type="array<string>")
        no_ids = ibis.literal([], type="array<int64>")
        return joined.select(
            country=joined.country,
            host_id=joined.id,
            kind=joined.kind,
            value=joined.value,
            role=joined.role,
            asn=joined.asn,
            organisation=joined.organisation,
            first_seen=ibis.least(joined.first_seen, joined.evidence_first),
            last_seen=ibis.greatest(joined.last_seen, joined.evidence_last),
            releases=joined.releases.fill_null(0),
            leaks=joined.leaks.fill_null(0),
            groups=joined.groups.fill_null(0),
            evidence=joined.evidence.fill_null(0),
            release_names=joined.release_names.fill_null(empty).sort(),
            leak_ids=joined.leak_ids.fill_null(no_ids).sort(),
            group_keys=joined.group_keys.fill_null(empty).sort(),
            references=joined.references.fill_null(empty).sort(),
            information_source=joined.information_source,
            enriched_at=joined.enriched_at,
            enrichment_source=joined.enrichment_source,
            reverse_dns=joined.reverse_dns,
            notes=joined.notes,
        )

    return Aggregation(
        name="target_list",
        tables=(HOSTS, HOST_EVIDENCE, RELEASES),
        keys=("host_id",),
        build=build,
        columns={RELEASES: ("id", "name", "group_key", "status")},
        order=(
            ("country", "ascending"),
            ("releases", "descending"),
            ("evidence", "descending"),
            ("host_id", "ascending"),
        ),
    )


def standard_aggregations(*, exact: bool = False) -> list[Aggregation]:
    """The four aggregations with their defaults (``exact`` adds the COUNT DISTINCTs)."""
    return [
        downloads(exact=exact),
        country_counts(exact=exact),
        group_activity(),
        target_list(),
    ]
