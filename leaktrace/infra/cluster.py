"""Which servers belong together, and to which release groups, with the evidence in words.

Ties between two hosts (each with a strength 0–1 and a sentence saying why):

* ``releases`` — they served the same releases (listed in the same torrents, seeded the
  same swarms): the overlap of their release sets, surer with more shared releases;
* ``tracker`` — their torrents announce to the same uncommon tracker host;
* ``domain`` — they are names under one registered domain (``a.example.org`` and
  ``b.example.org``);
* ``certificate`` — they presented the same TLS certificate (from imports, or fetched by
  ``leaktrace hosts certs``); a certificate that more than ``max_certificate_holders``
  servers present, or that a public service presents, ties no one;
* ``network`` — IPv4 addresses in the same /24 (IPv6: /48): weak alone;
* ``timing`` — their first/last-seen periods overlap: weak, only added to pairs already
  tied by something else.

A pair's strength combines its ties (1 − ∏(1 − s)); pairs at least ``min_strength`` are
joined and the connected components of two or more hosts are the clusters. Hosts tied to
more than ``max_groups`` groups (public trackers, big lockers) are shared infrastructure:
like well-known open trackers, cyberlockers and video hosts, they tie nothing together
through releases or trackers (a domain or certificate still counts); a host serving several
groups ties with its strength divided by their number. Each cluster names the groups its
hosts are tied to and, when ``ClusterSettings.find_links`` is given (the services pass
:func:`leaktrace.attribution.links.find_links`), the groups linked to those. This module
does not import attribution: attribution sits below infrastructure.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Connection

from leaktrace.infra.domains import registered_domain
from leaktrace.infra.model import HostCluster, HostView, Tie
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.store.infra import EvidenceRef, load_evidence_refs, load_hosts

__all__ = [
    "DEFAULT_MIN_STRENGTH",
    "ClusterSettings",
    "GroupLinkLike",
    "LinkFinder",
    "cluster_hosts",
    "compute_clusters",
    "compute_ties",
]

Pair = tuple[int, int]
DEFAULT_MIN_STRENGTH = 0.5


class GroupLinkLike(Protocol):
    """A link between two release groups, as clusters quote it (an attribution link)."""

    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def source_name(self) -> str: ...
    @property
    def target_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def strength(self) -> float: ...
    @property
    def evidence(self) -> str: ...


LinkFinder = Callable[[Connection, ServiceLists], Sequence[GroupLinkLike]]


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    min_strength: float = DEFAULT_MIN_STRENGTH
    max_groups: int = 3
    domain_strength: float = 0.9
    certificate_strength: float = 0.95
    max_certificate_holders: int = 5
    """A certificate more servers present is a provider's default or a wildcard shared by
    its customers (a seedbox host's, a CDN's): it ties none of them."""
    network_strength: float = 0.35
    timing_strength: float = 0.2
    services: ServiceLists = BUILTIN
    """Public services (open trackers, cyberlockers, video hosts) that tie no hosts."""
    find_links: LinkFinder | None = None
    """Finds the links between release groups (``find_links(conn, services)``); None:
    clusters name no linked groups."""


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def _examples(names: Iterable[str], limit: int = 3) -> str:
    items = sorted(names)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _network(host: HostView) -> str | None:
    if host.kind != "ip" or host.reserved:
        return None
    address = ipaddress.ip_address(host.value)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{host.value}/{prefix}", strict=False))


def _certificates(host: HostView) -> list[str]:
    out: list[str] = []
    for line in (host.notes or "").splitlines():
        if line.startswith("certificate "):
            out.append(line.removeprefix("certificate ").strip())
    return out


def _days(a: datetime, b: datetime) -> float:
    return max((b - a).total_seconds() / 86400, 0.0)


def compute_ties(
    hosts: Sequence[HostView],
    evidence: Sequence[EvidenceRef],
    settings: ClusterSettings | None = None,
) -> dict[Pair, list[Tie]]:
    """Every tie between two hosts (by host id pair), no SQL."""
    settings = settings or ClusterSettings()
    by_id = {h.id: h for h in hosts}
    groups_of: dict[int, set[str]] = defaultdict(set)
    releases_of: dict[int, dict[int, str]] = defaultdict(dict)
    hosts_of_release: dict[int, set[int]] = defaultdict(set)
    refs: dict[str, list[EvidenceRef]] = defaultdict(list)
    for ev in evidence:
        if ev.host_id not in by_id:
            continue
        if ev.group_key:
            groups_of[ev.host_id].add(ev.group_key)
        if ev.release_id is not None:
            releases_of[ev.host_id][ev.release_id] = ev.release_name or f"release {ev.release_id}"
            hosts_of_release[ev.release_id].add(ev.host_id)
        refs[ev.reference].append(ev)
    public = {h.id for h in hosts if settings.services.shared(h.kind, h.value)}
    common = {h for h, g in groups_of.items() if len(g) > settings.max_groups} | public

    def spread(*host_ids: int) -> int:
        """How many groups the most widely used of these hosts serves (at least 1)."""
        return max([1, *(len(groups_of[h]) for h in host_ids)])

    ties: dict[Pair, list[Tie]] = defaultdict(list)

    def add(a: int, b: int, kind: str, strength: float, text: str) -> None:
        x, y = _pair(a, b)
        ties[(x, y)].append(Tie(by_id[x].value, by_id[y].value, kind, strength, text))

    # served the same releases
    shared: dict[Pair, set[int]] = defaultdict(set)
    for release, members in hosts_of_release.items():
        usable = sorted(m for m in members if m not in common)
        for i, a in enumerate(usable):
            for b in usable[i + 1 :]:
                shared[(a, b)].add(release)
    for (a, b), rels in shared.items():
        n_a, n_b = len(releases_of[a]), len(releases_of[b])
        overlap = len(rels) / min(n_a, n_b)
        strength = overlap * (1 - 0.5 ** len(rels)) / spread(a, b)
        names = [releases_of[a][r] for r in rels]
        text = (
            f"both served {len(rels)} release(s): {_examples(names)} "
            f"({len(rels)} of {n_a} for {by_id[a].value}, {len(rels)} of {n_b} for "
            f"{by_id[b].value})"
        )
        add(a, b, "releases", strength, text)

    # announce to the same uncommon tracker
    trackers_of: dict[int, set[int]] = defaultdict(set)
    for items in refs.values():
        trackers = {e.host_id for e in items if e.kind == "tracker" and e.host_id not in common}
        for e in items:
            if e.kind != "tracker" and e.host_id not in common:
                trackers_of[e.host_id] |= trackers
    users: dict[int, set[int]] = defaultdict(set)
    for host, trackers in trackers_of.items():
        for tracker in trackers:
            users[tracker].add(host)
    via: dict[Pair, set[int]] = defaultdict(set)
    for tracker, members in users.items():
        tracker_users = sorted(members)
        for i, a in enumerate(tracker_users):
            for b in tracker_users[i + 1 :]:
                via[(a, b)].add(tracker)
    for (a, b), trackers in via.items():
        names = [by_id[t].value for t in trackers]
        strength = (0.6 if len(trackers) == 1 else 0.8) / spread(*trackers)
        add(a, b, "tracker", strength, f"their torrents announce to {_examples(names)}")

    # one registered domain
    by_domain: dict[str, list[int]] = defaultdict(list)
    for h in hosts:
        if h.kind == "domain":
            base = registered_domain(h.value)
            if (
                base not in settings.services.cyberlockers
                and base not in settings.services.streaming
            ):
                by_domain[base].append(h.id)
    for base, names_under in by_domain.items():
        same_base = sorted(names_under)
        for i, a in enumerate(same_base):
            for b in same_base[i + 1 :]:
                add(
                    a,
                    b,
                    "domain",
                    settings.domain_strength,
                    f"both are names under the registered domain {base}",
                )

    # same certificate; same network
    for kind, key_of, strength in (
        ("certificate", _certificates, settings.certificate_strength),
        ("network", lambda h: [n] if (n := _network(h)) else [], settings.network_strength),
    ):
        holders: dict[str, list[int]] = defaultdict(list)
        for h in hosts:
            for key in key_of(h):
                holders[key].append(h.id)
        for key, holder_ids in holders.items():
            holding = sorted(set(holder_ids) - public if kind == "certificate" else holder_ids)
            if kind == "certificate" and len(holding) > settings.max_certificate_holders:
                continue  # a provider's default or wildcard certificate: ties no one
            for i, a in enumerate(holding):
                for b in holding[i + 1 :]:
                    text = (
                        f"both presented the TLS certificate {key[:16]}…"
                        if kind == "certificate"
                        else f"both addresses are in the network {key}"
                    )
                    add(a, b, kind, strength, text)

    # overlapping activity, only where something else ties the pair
    for (a, b), found in list(ties.items()):
        ha, hb = by_id[a], by_id[b]
        if None in (ha.first_seen, ha.last_seen, hb.first_seen, hb.last_seen):
            continue
        assert ha.first_seen and ha.last_seen and hb.first_seen and hb.last_seen
        start = max(ha.first_seen, hb.first_seen)
        end = min(ha.last_seen, hb.last_seen)
        if end < start:
            continue
        span = max(min(_days(ha.first_seen, ha.last_seen), _days(hb.first_seen, hb.last_seen)), 1)
        overlap = max(_days(start, end), 1.0 if end >= start else 0.0)
        fraction = min(overlap / span, 1.0)
        found.append(
            Tie(
                ha.value,
                hb.value,
                "timing",
                settings.timing_strength * fraction,
                f"active at the same time: {start:%Y-%m-%d} to {end:%Y-%m-%d} "
                f"({fraction:.0%} of the shorter period)",
            )
        )
    return dict(ties)


def _combined(ties: Sequence[Tie]) -> float:
    rest = 1.0
    for tie in ties:
        rest *= 1 - min(max(tie.strength, 0.0), 1.0)
    return 1 - rest


def compute_clusters(
    hosts: Sequence[HostView],
    evidence: Sequence[EvidenceRef],
    links: Sequence[GroupLinkLike] = (),
    settings: ClusterSettings | None = None,
) -> list[HostCluster]:
    """Connected components of hosts over ties whose combined strength is at least the
    minimum (no SQL). Largest first; ids ``C1``, ``C2`` … in that order."""
    settings = settings or ClusterSettings()
    ties = compute_ties(hosts, evidence, settings)
    parent: dict[int, int] = {h.id: h.id for h in hosts}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), found in ties.items():
        if _combined(found) >= settings.min_strength:
            parent[find(a)] = find(b)
    members: dict[int, list[HostView]] = defaultdict(list)
    for h in hosts:
        members[find(h.id)].append(h)
    by_id = {h.id: h for h in hosts}
    group_counts: dict[int, Counter[str]] = defaultdict(Counter)
    releases: dict[int, set[int]] = defaultdict(set)
    for ev in evidence:
        if ev.host_id in by_id:
            if ev.group_key:
                group_counts[ev.host_id][ev.group_key] += 1
            if ev.release_id is not None:
                releases[ev.host_id].add(ev.release_id)
    components = [sorted(m, key=lambda h: h.value) for m in members.values() if len(m) >= 2]
    components.sort(key=lambda m: (-len(m), m[0].value))
    clusters: list[HostCluster] = []
    for index, component in enumerate(components, start=1):
        ids = {h.id for h in component}
        inner = [
            tie
            for (a, b), found in sorted(ties.items())
            if a in ids and b in ids
            for tie in sorted(found, key=lambda t: -t.strength)
        ]
        counts: Counter[str] = Counter()
        for h in component:
            counts.update(group_counts[h.id])
        groups = tuple(g for g, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        linked = tuple(
            f"{link.source_name} — {link.target_name} ({link.kind}, "
            f"strength {link.strength:.2f}): {link.evidence}"
            for link in links
            if link.source in groups or link.target in groups
        )
        firsts = [h.first_seen for h in component if h.first_seen is not None]
        lasts = [h.last_seen for h in component if h.last_seen is not None]
        clusters.append(
            HostCluster(
                id=f"C{index}",
                hosts=tuple(h.value for h in component),
                ties=tuple(inner),
                groups=groups,
                linked_groups=linked,
                countries=tuple(sorted({h.country for h in component if h.country})),
                releases=len(set().union(*(releases[h.id] for h in component))),
                first_seen=min(firsts) if firsts else None,
                last_seen=max(lasts) if lasts else None,
            )
        )
    return clusters


def cluster_hosts(
    conn: Connection,
    *,
    settings: ClusterSettings | None = None,
    group_links: bool = True,
) -> list[HostCluster]:
    """Cluster the stored hosts (see the module doc)."""
    settings = settings or ClusterSettings()
    hosts = load_hosts(conn, locations=False)  # the chosen country is enough here
    if not hosts:
        return []
    evidence = load_evidence_refs(conn)
    links: Sequence[GroupLinkLike] = ()
    if group_links and settings.find_links is not None and any(e.group_key for e in evidence):
        links = settings.find_links(conn, settings.services)
    return compute_clusters(hosts, evidence, links, settings)
