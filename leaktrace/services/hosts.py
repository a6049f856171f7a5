"""Hosts: the stored servers (filtered, paginated), one server in detail, and clusters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from leaktrace.attribution.index import shared_links
from leaktrace.attribution.links import LinkSettings
from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.infra.cluster import (
    DEFAULT_MIN_STRENGTH,
    ClusterSettings,
    GroupLinkLike,
    cluster_hosts,
)
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.evidence_text import describe_evidence
from leaktrace.infra.importer import read_hosts_file, store_host_rows
from leaktrace.infra.model import CollectReport, EnrichReport, ImportReport, Role
from leaktrace.infra.services import ServiceLists
from leaktrace.infra.targets import sheet_code
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.hosts_views import HostClusterView, HostDetail, HostView
from leaktrace.services.leaks import cursor_number
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page, View

if TYPE_CHECKING:
    from leaktrace.infra.certificates import CertificateReport
from leaktrace.store.infra import load_evidence_details, load_hosts

__all__ = [
    "ClusterListView",
    "HostListView",
    "collect_host_evidence",
    "enrich_host_locations",
    "fetch_certificates",
    "import_host_file",
    "cluster_settings",
    "group_links",
    "host_clusters",
    "host_detail",
    "host_list",
    "host_page",
]

ROLES = tuple(r.value for r in Role)


class HostListView(View):
    """Every stored host matching the filters (``leaktrace hosts list``)."""

    hosts: list[HostView]


class ClusterListView(View):
    """Servers tied together (``leaktrace hosts clusters``), largest first."""

    clusters: list[HostClusterView]


def group_links(conn: Connection, services: ServiceLists) -> Sequence[GroupLinkLike]:
    """The links between release groups that clusters quote (attribution's links, computed
    once per data version and kept: the same list as ``find_links``)."""
    return shared_links(conn, LinkSettings(services=services))


def cluster_settings(
    ctx: AppContext, min_strength: float = DEFAULT_MIN_STRENGTH
) -> ClusterSettings:
    """Clustering settings with the context's service lists and the group links."""
    if not 0.0 <= min_strength <= 1.0:
        raise InputError("must be between 0 and 1", field="min_strength")
    return ClusterSettings(min_strength=min_strength, services=ctx.services, find_links=group_links)


def _filters(country: str | None, role: str | None) -> tuple[str | None, str | None]:
    code = sheet_code(country) if country else None
    if role is not None and role not in ROLES:
        raise InputError(f"must be one of {', '.join(ROLES)}", field="role")
    return code, role


def host_list(
    ctx: AppContext, *, country: str | None = None, role: str | None = None
) -> HostListView:
    """The stored hosts of ``country`` (ISO alpha-2, or ``unknown``: no known country) and
    ``role``, in the order they were first stored."""
    code, role = _filters(country, role)
    with ctx.database.reading() as conn:
        hosts = load_hosts(conn, country=code)
    return HostListView(hosts=[HostView.of(h) for h in hosts if role is None or h.role == role])


def host_page(
    ctx: AppContext,
    *,
    country: str | None = None,
    role: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[HostView]:
    """One page of :func:`host_list` (keyset on the host id)."""
    size = page_size(limit)
    after = -1
    if cursor:
        (value,) = decode_cursor("hosts", cursor, 1)
        after = int(cursor_number(value, "hosts", integer=True))
    hosts = [h for h in host_list(ctx, country=country, role=role).hosts if h.id > after]
    items = hosts[:size]
    following = encode_cursor("hosts", [items[-1].id]) if len(hosts) > size else None
    return Page[HostView](items=items, next_cursor=following)


def host_clusters(
    ctx: AppContext, *, min_strength: float = DEFAULT_MIN_STRENGTH
) -> ClusterListView:
    """Servers tied by shared releases, trackers, domains, certificates, networks and
    timing, with the groups each cluster is tied to and the evidence."""
    settings = cluster_settings(ctx, min_strength)
    with ctx.database.reading() as conn:
        found = cluster_hosts(conn, settings=settings)
    return ClusterListView(clusters=[HostClusterView.of(c) for c in found])


def host_detail(ctx: AppContext, host_id: int) -> HostDetail:
    """One stored server: where it is, what ties it to releases and groups (each
    evidence reference in words) and its cluster; NotFoundError (kind ``host``)."""
    with ctx.database.reading() as conn:
        hosts = {h.id: h for h in load_hosts(conn)}
        host = hosts.get(host_id)
        if host is None:
            raise NotFoundError(f"no host {host_id}", kind="host", key=str(host_id))
        details = load_evidence_details(conn, [host_id]).get(host_id, [])
        clusters = cluster_hosts(conn, settings=cluster_settings(ctx))
    text = describe_evidence(host.references, {d.reference: d for d in details})
    mine = next((c for c in clusters if host.value in c.hosts), None)
    return HostDetail.model_validate(
        HostView.of(host).to_json()
        | {
            "evidence_text": text,
            "cluster": None if mine is None else HostClusterView.of(mine).to_json(),
        }
    )


def collect_host_evidence(ctx: AppContext, actor: Actor) -> CollectReport:
    """Find hosts in the stored sightings and infrastructure swarm rows and store them
    with their evidence (idempotent); audited as ``hosts.collect``."""
    with ctx.database.transaction() as conn:
        report = collect_hosts(conn, ctx.services)
        audit.record(
            conn,
            actor,
            "hosts.collect",
            detail=f"{report.new_hosts} new hosts, {report.new_evidence} new evidence",
        )
    return report


def import_host_file(ctx: AppContext, actor: Actor, file: Path) -> ImportReport:
    """Import an analyst's host list (CSV or JSON): all of it or nothing, in one
    transaction with its audit entry ``hosts.import``."""
    rows = read_hosts_file(file)
    with ctx.database.transaction() as conn:
        report = store_host_rows(conn, file, rows)
        audit.record(
            conn,
            actor,
            "hosts.import",
            str(file),
            f"{report.rows} rows: {report.new_hosts} new hosts, {report.updated_hosts} updated",
        )
    return report


def enrich_host_locations(
    ctx: AppContext,
    actor: Actor,
    *,
    geoip: Sequence[Path] | None = None,
    asn_db: Path | None = None,
    dns: bool = False,
    reverse_dns: bool = False,
    only_missing: bool = False,
    bundled: bool = True,
) -> EnrichReport:
    """Locate the stored hosts (country, ASN, provider) from MaxMind DB files (and DNS
    when asked); audited as ``hosts.enrich``.

    The look-ups (files, DNS) run before the write transaction, which
    :func:`~leaktrace.infra.enrich.enrich_hosts` opens itself."""
    from leaktrace.infra.enrich import enrich_hosts

    report = enrich_hosts(
        ctx.database,
        geoip=list(geoip) if geoip else None,
        asn_db=asn_db,
        dns=dns,
        only_missing=only_missing,
        bundled=bundled,
        reverse_dns=reverse_dns,
    )
    with ctx.database.transaction() as conn:
        audit.record(
            conn,
            actor,
            "hosts.enrich",
            detail=f"{report.hosts} looked up, {report.located} located"
            + (" (dns)" if dns else "")
            + (" (reverse dns)" if reverse_dns else ""),
        )
    return report


def fetch_certificates(
    ctx: AppContext,
    actor: Actor,
    *,
    port: int = 443,
    timeout: float = 5.0,
    roles: Sequence[str] | None = None,
    country: str | None = None,
    include_reserved: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CertificateReport:
    """Fetch the TLS certificate each stored server presents (this contacts the
    servers); audited as ``hosts.certs``. The TLS handshakes run outside any transaction;
    :func:`~leaktrace.infra.certificates.collect_certificates` stores what it found."""
    from leaktrace.infra.certificates import collect_certificates  # cryptography: ~80 ms

    code = None if country is None else sheet_code(country)
    report = collect_certificates(
        ctx.database,
        port=port,
        timeout=timeout,
        roles=roles,
        country=code,
        include_reserved=include_reserved,
        progress=progress,
    )
    with ctx.database.transaction() as conn:
        audit.record(
            conn,
            actor,
            "hosts.certs",
            f"port {port}" + (f", country {code}" if code else ""),
            f"{report.hosts} servers contacted, {report.fetched} certificates",
        )
    return report
