"""Action-day target lists: per country, the servers to seize with the evidence behind each.

:func:`build_targets` gathers, for one country, every host located there with its role,
provider (organisation), ASN, first/last seen, the releases and groups tied to it, the
evidence (each reference with what it is, in words: :mod:`leaktrace.infra.evidence_text`)
and its cluster. A host's country is the one its sources' precedence chose (the analyst's
first: :data:`~leaktrace.infra.model.SOURCE_PRECEDENCE`); where sources name different
countries, the sheet shows each one's answer ("analyst: FR, GeoIP: NL"). Hosts that no
source locates are on the ``unknown`` sheet: no server is left off every sheet. A sheet
starts with its country's servers; the clusters tying them to servers in other countries
are summarised after them.

The per-host listing is the analytics engine's ``target_list`` aggregation (written once
for DuckDB and Spark; embedded DuckDB by default); the clusters, the sources' answers and
the evidence descriptions come from the database. :func:`write_targets` writes
``targets-XX.csv``, ``targets-XX.json`` and a printable, self-contained HTML sheet
``targets-XX.html`` (``targets-unknown.*`` for the unlocated).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from leaktrace.errors import InputError
from leaktrace.infra.cluster import ClusterSettings, cluster_hosts
from leaktrace.infra.evidence_text import describe_evidence, marks_deleted_records
from leaktrace.infra.model import HostCluster, HostView, LocationAnswer, iso
from leaktrace.infra.worldmap import country_name
from leaktrace.store.database import Database
from leaktrace.store.infra import EvidenceDetail, load_evidence_details, load_locations

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine, Source

__all__ = [
    "CSV_COLUMNS",
    "UNKNOWN_SHEET",
    "TargetSheet",
    "build_all_targets",
    "build_targets",
    "country_stats",
    "normalise_country",
    "sheet_code",
    "target_rows",
]

CSV_COLUMNS = (
    "cluster",
    "server",
    "kind",
    "role",
    "provider",
    "asn",
    "country",
    "country_source",
    "disagreement",
    "locations",
    "first_seen",
    "last_seen",
    "releases",
    "leaks",
    "groups",
    "evidence",
    "information_source",
    "enriched_at",
    "enrichment_source",
    "reverse_dns",
    "reserved",
    "notes",
)
NO_ASN = (
    "no server on this sheet has an ASN yet: domains are located only with "
    "'leaktrace hosts enrich --dns', and private or reserved addresses are not looked up"
)
_ROLE_ORDER = ("initial-seeder", "seedbox", "server", "tracker", "web-seed", "streaming",
               "cyberlocker", "site")  # fmt: skip
UNKNOWN_SHEET = "unknown"
"""The sheet of the hosts no source locates (``targets-unknown.*``)."""
UNKNOWN_NOTE = (
    "no source gives these servers a country: import them with the country the "
    "investigation established, or locate them with 'leaktrace hosts enrich' (--dns for "
    "domains); private and reserved addresses are never looked up"
)


def normalise_country(code: str) -> str:
    """An ISO alpha-2 code (``UK`` is ``GB``)."""
    text = code.strip().upper()
    if text == "UK":
        text = "GB"
    if len(text) != 2 or not text.isalpha():
        raise InputError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field="--country")
    return text


def sheet_code(code: str) -> str:
    """A sheet's code: an ISO alpha-2 code (:func:`normalise_country`), or
    :data:`UNKNOWN_SHEET` for the servers no source locates."""
    if code.strip().lower() == UNKNOWN_SHEET:
        return UNKNOWN_SHEET
    try:
        return normalise_country(code)
    except InputError:
        raise InputError(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code (or {UNKNOWN_SHEET!r})",
            field="--country",
        ) from None


def sheet_title(code: str) -> str:
    if code == UNKNOWN_SHEET:
        return "Servers with no known country"
    return f"Servers in {country_name(code)} ({code})"


def _answer_text(a: LocationAnswer) -> str:
    return f"{a.label()}: {a.country or 'no answer'}"


@dataclass(frozen=True, slots=True)
class TargetSheet:
    """The servers of one country, with the clusters they belong to."""

    country: str
    hosts: tuple[HostView, ...]
    clusters: tuple[HostCluster, ...]
    cluster_of: Mapping[str, str]
    generated_at: datetime
    servers_by_country: Mapping[str, int] = field(default_factory=dict)
    leaks_by_country: Mapping[str, int] = field(default_factory=dict)
    unlocated: int = 0
    """Hosts anywhere with no country (they are on the ``unknown`` sheet)."""
    country_of: Mapping[str, str | None] = field(default_factory=dict)
    """Every host's country (by its value), to tell ties abroad from ties at home."""
    evidence: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Each host's evidence in words (by host id); its bare references if missing."""

    @property
    def asn_known(self) -> bool:
        return any(h.asn is not None for h in self.hosts)

    @property
    def title(self) -> str:
        return sheet_title(self.country)

    def evidence_of(self, host: HostView) -> list[str]:
        return list(self.evidence.get(host.id, host.references))

    def notes(self) -> list[str]:
        out: list[str] = []
        if self.country == UNKNOWN_SHEET and self.hosts:
            out.append(UNKNOWN_NOTE)
        if self.hosts and not self.asn_known:
            out.append(NO_ASN)
        looked_up = [  # whose country, ASN or provider shown here comes from the files
            h
            for h in self.hosts
            if (h.location and h.location.kind in ("geoip", "dns"))
            or h.asn is not None
            or h.organisation
        ]
        sources = sorted({h.enrichment_source for h in looked_up if h.enrichment_source})
        for source in sources:
            out.append(f"located with: {source}")
        reserved = sum(1 for h in self.hosts if h.reserved)
        if reserved:
            out.append(f"{reserved} private or reserved address(es): never looked up in GeoIP data")
        kinds: dict[str, int] = defaultdict(int)
        for h in self.hosts:
            chosen = h.location
            if chosen is not None:
                kinds[chosen.kind] += 1
        if kinds.get("analyst"):
            out.append(
                f"{kinds['analyst']} server(s) listed under the country an analyst imported "
                "(it comes before any look-up)"
            )
        differ = sum(1 for h in self.hosts if h.disagreement)
        if differ:
            out.append(
                f"{differ} server(s) where the sources name different countries: each "
                "source's answer is in the 'disagreement' and 'locations' columns"
            )
        gone = sum(
            1 for h in self.hosts for line in self.evidence_of(h) if marks_deleted_records(line)
        )
        if gone:
            out.append(
                f"{gone} evidence reference(s) point to swarm observations that retention "
                "deleted; their dated descriptions are kept on this sheet"
            )
        return out

    def ties_abroad(self) -> list[dict[str, Any]]:
        """Per cluster: its servers on this sheet, and those in other countries (by
        country), with how many ties reach them and the strongest — the summary after
        the sheet's own servers."""
        out: list[dict[str, Any]] = []
        here = {h.value for h in self.hosts}
        for c in self.clusters:
            abroad: dict[str, list[str]] = defaultdict(list)
            for value in c.hosts:
                if value not in here:
                    abroad[self.country_of.get(value) or UNKNOWN_SHEET].append(value)
            crossing = sorted(
                (t for t in c.ties if (t.a in here) != (t.b in here)),
                key=lambda t: (-t.strength, t.a, t.b, t.kind),
            )
            out.append(
                {
                    "cluster": c.id,
                    "here": [v for v in c.hosts if v in here],
                    "elsewhere": {k: sorted(v) for k, v in sorted(abroad.items())},
                    "ties_across": len(crossing),
                    "strongest_across": [t.as_dict() for t in crossing[:3]],
                    "groups": list(c.groups),
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "country_name": country_name(None if self.country == UNKNOWN_SHEET else self.country),
            "generated_at": iso(self.generated_at),
            "servers": len(self.hosts),
            "notes": self.notes(),
            "hosts": target_rows(self),
            "ties_to_other_countries": self.ties_abroad(),
            "clusters": [c.as_dict() for c in self.clusters],
        }


def _role_rank(role: str) -> int:
    return _ROLE_ORDER.index(role) if role in _ROLE_ORDER else len(_ROLE_ORDER)


def target_rows(sheet: TargetSheet) -> list[dict[str, Any]]:
    """One dict per server, lists kept as lists (JSON); see :data:`CSV_COLUMNS`."""
    rows: list[dict[str, Any]] = []
    for h in sheet.hosts:
        rows.append(
            {
                "cluster": sheet.cluster_of.get(h.value),
                "server": h.value,
                "kind": h.kind,
                "role": h.role,
                "provider": h.organisation,
                "asn": h.asn,
                "country": h.country,
                "country_source": h.country_source,
                "disagreement": h.disagreement,
                "locations": [_answer_text(a) for a in h.locations],
                "first_seen": iso(h.first_seen),
                "last_seen": iso(h.last_seen),
                "releases": list(h.releases),
                "leaks": len(h.leak_ids),
                "groups": list(h.groups),
                "evidence": sheet.evidence_of(h),
                "information_source": h.information_source,
                "enriched_at": iso(h.enriched_at),
                "enrichment_source": h.enrichment_source,
                "reverse_dns": h.reverse_dns,
                "reserved": h.reserved,
                "notes": h.notes,
            }
        )
    return rows


def country_stats(hosts: Sequence[HostView]) -> tuple[dict[str, int], dict[str, int]]:
    """Servers per country, and leaks per country (distinct leaked releases tied to the
    country's servers)."""
    servers: dict[str, int] = defaultdict(int)
    leaks: dict[str, set[int]] = defaultdict(set)
    for h in hosts:
        if h.country:
            servers[h.country] += 1
            leaks[h.country] |= h.leak_ids
    return dict(servers), {c: len(v) for c, v in leaks.items() if v}


def _sorted(hosts: Sequence[HostView], cluster_of: Mapping[str, str]) -> tuple[HostView, ...]:
    def key(h: HostView) -> tuple[int, int, str]:
        cluster = cluster_of.get(h.value)
        number = int(cluster[1:]) if cluster else 1_000_000
        return (number, _role_rank(h.role), h.value)

    return tuple(sorted(hosts, key=key))


def build_all_targets(
    db: Database,
    *,
    settings: ClusterSettings | None = None,
    group_links: bool = True,
    engine: Engine | None = None,
    source: Source | None = None,
) -> dict[str, TargetSheet]:
    """A sheet for every country with located servers, and the ``unknown`` sheet of the
    servers no source locates (if any): every host is on exactly one sheet."""
    listing = _gather(db, settings, group_links, engine, source)
    codes = sorted(listing.servers) + ([UNKNOWN_SHEET] if listing.unlocated else [])
    return {code: _sheet(code, listing) for code in codes}


def build_targets(
    db: Database,
    country: str,
    *,
    settings: ClusterSettings | None = None,
    group_links: bool = True,
    engine: Engine | None = None,
    source: Source | None = None,
) -> TargetSheet:
    """The target sheet of one country (ISO alpha-2), or :data:`UNKNOWN_SHEET`."""
    code = sheet_code(country)
    return _sheet(code, _gather(db, settings, group_links, engine, source))


@dataclass(frozen=True)
class _Listing:
    """Everything the sheets are cut from, gathered once."""

    hosts: Sequence[HostView]
    clusters: Sequence[HostCluster]
    details: Mapping[int, Sequence[EvidenceDetail]]

    @cached_property
    def stats(self) -> tuple[dict[str, int], dict[str, int]]:
        return country_stats(self.hosts)

    @property
    def servers(self) -> dict[str, int]:
        return self.stats[0]

    @cached_property
    def by_code(self) -> dict[str, list[HostView]]:
        found: dict[str, list[HostView]] = defaultdict(list)
        for h in self.hosts:
            found[h.country or UNKNOWN_SHEET].append(h)
        return found

    @property
    def unlocated(self) -> int:
        return len(self.by_code.get(UNKNOWN_SHEET, []))

    @cached_property
    def cluster_of(self) -> dict[str, str]:
        return {value: c.id for c in self.clusters for value in c.hosts}

    @cached_property
    def country_of(self) -> dict[str, str | None]:
        return {h.value: h.country for h in self.hosts}


def _gather(
    db: Database,
    settings: ClusterSettings | None,
    group_links: bool,
    engine: Engine | None,
    source: Source | None,
) -> _Listing:
    """The hosts as the analytics engine's ``target_list`` aggregation lists them (on
    ``engine`` over ``source``; by default embedded DuckDB over an export of ``db``), and
    from the database: the clusters, each host's sources' answers and its evidence in
    words."""
    from leaktrace.analytics import UNKNOWN_COUNTRY, engine_and_source, run
    from leaktrace.analytics import target_list as aggregation

    listing = aggregation()
    with engine_and_source(db, [listing], engine, source) as (runner, data):
        rows = run(listing, runner, data).to_pylist()
    ids = [int(row["host_id"]) for row in rows]
    with db.reading() as conn:
        clusters = cluster_hosts(conn, settings=settings, group_links=group_links)
        answers = load_locations(conn, ids)
        details = load_evidence_details(conn, ids)
    hosts = [_host(row, UNKNOWN_COUNTRY, answers.get(int(row["host_id"]), [])) for row in rows]
    return _Listing(hosts, clusters, details)


def _host(row: Mapping[str, Any], unknown: str, answers: Sequence[LocationAnswer] = ()) -> HostView:
    return HostView(
        id=int(row["host_id"]),
        kind=row["kind"],
        value=row["value"],
        role=row["role"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        information_source=row["information_source"],
        country=None if row["country"] == unknown else row["country"],
        asn=row["asn"],
        organisation=row["organisation"],
        enriched_at=row["enriched_at"],
        enrichment_source=row["enrichment_source"],
        notes=row["notes"],
        reverse_dns=row["reverse_dns"],
        releases=tuple(row["release_names"]),
        leak_ids=frozenset(row["leak_ids"]),
        groups=tuple(row["group_keys"]),
        references=tuple(row["references"]),
        locations=tuple(answers),
    )


def _sheet(code: str, listing: _Listing) -> TargetSheet:
    cluster_of = listing.cluster_of
    mine = listing.by_code.get(code, [])
    used = {cluster_of[h.value] for h in mine if h.value in cluster_of}
    servers, leaks = listing.stats
    evidence = {
        h.id: tuple(
            describe_evidence(h.references, {d.reference: d for d in listing.details.get(h.id, [])})
        )
        for h in mine
    }
    return TargetSheet(
        country=code,
        hosts=_sorted(mine, cluster_of),
        clusters=tuple(c for c in listing.clusters if c.id in used),
        cluster_of=cluster_of,
        generated_at=datetime.now(UTC),
        servers_by_country=dict(servers),
        leaks_by_country=dict(leaks),
        unlocated=listing.unlocated,
        country_of=listing.country_of,
        evidence=evidence,
    )
