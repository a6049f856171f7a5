"""Links between release groups: followers, shared NFO art, shared trackers, renames.

:func:`find_links` reads what it needs through :mod:`leaktrace.store.groups`;
:func:`compute_links` does the work on records already read (no SQL), using the pure
measures of :mod:`~leaktrace.attribution.timing`, :mod:`~leaktrace.attribution.nfo`,
:mod:`~leaktrace.attribution.swarm` and :mod:`~leaktrace.attribution.profile`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from leaktrace.attribution import following, swarm
from leaktrace.attribution import nfo as nfo_sim
from leaktrace.attribution import profile as prof
from leaktrace.attribution.data import GroupData, load_group_data
from leaktrace.attribution.following import (
    ALPHA,
    DEFAULT_FOLLOW_HOURS,
    MIN_BASELINE,
    MIN_CONSISTENCY,
    MIN_FOLLOWS,
    MIN_ORDER,
    FollowTest,
)
from leaktrace.attribution.model import GroupLink, LinkKind
from leaktrace.feeds.timeparse import format_time
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.store.groups import (
    NfoRecord,
    ReleaseRecord,
    SwarmRecord,
    load_nfos,
    load_swarm_sightings,
)

__all__ = ["LinkSettings", "compute_links", "find_links", "group_profiles"]


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """Thresholds of every link kind (the defaults are the documented ones)."""

    follow_hours: float = DEFAULT_FOLLOW_HOURS
    min_follows: int = MIN_FOLLOWS
    min_follow_consistency: float = MIN_CONSISTENCY
    min_follow_order: float = MIN_ORDER
    follow_alpha: float = ALPHA
    min_follow_baseline: int = MIN_BASELINE
    nfo_threshold: float = nfo_sim.DEFAULT_THRESHOLD
    common_share: float = swarm.COMMON_SHARE
    min_common_groups: int = swarm.MIN_COMMON_GROUPS
    min_tracker_jaccard: float = 0.1
    rename_min_releases: int = prof.RENAME_MIN_RELEASES
    rename_min_similarity: float = prof.RENAME_MIN_SIMILARITY
    rename_max_gap_days: float = prof.RENAME_MAX_GAP_DAYS
    kinds: frozenset[LinkKind] = frozenset(LinkKind)
    services: ServiceLists = BUILTIN
    """Open trackers (and other public services) that link no two groups."""


def find_links(
    conn: Connection,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    min_follows: int = MIN_FOLLOWS,
    min_follow_consistency: float = MIN_CONSISTENCY,
    min_follow_order: float = MIN_ORDER,
    follow_alpha: float = ALPHA,
    nfo_threshold: float = nfo_sim.DEFAULT_THRESHOLD,
    common_share: float = swarm.COMMON_SHARE,
    min_tracker_jaccard: float = 0.1,
    rename_min_releases: int = prof.RENAME_MIN_RELEASES,
    rename_min_similarity: float = prof.RENAME_MIN_SIMILARITY,
    rename_max_gap_days: float = prof.RENAME_MAX_GAP_DAYS,
    kinds: Collection[LinkKind | str] | None = None,
    min_strength: float = 0.0,
    data: GroupData | None = None,
    services: ServiceLists = BUILTIN,
) -> list[GroupLink]:
    """Every link between groups in the database, strongest first."""
    settings = LinkSettings(
        follow_hours=follow_hours,
        min_follows=min_follows,
        min_follow_consistency=min_follow_consistency,
        min_follow_order=min_follow_order,
        follow_alpha=follow_alpha,
        nfo_threshold=nfo_threshold,
        common_share=common_share,
        min_tracker_jaccard=min_tracker_jaccard,
        rename_min_releases=rename_min_releases,
        rename_min_similarity=rename_min_similarity,
        rename_max_gap_days=rename_max_gap_days,
        kinds=frozenset(LinkKind(k) for k in kinds) if kinds is not None else frozenset(LinkKind),
        services=services,
    )
    if data is None:
        data = load_group_data(conn)
    nfos = load_nfos(conn) if LinkKind.NFO in settings.kinds else []
    swarms = load_swarm_sightings(conn) if LinkKind.TRACKERS in settings.kinds else []
    links = compute_links(data, nfos, swarms, settings)
    return [link for link in links if link.strength >= min_strength]


def compute_links(
    data: GroupData,
    nfos: Sequence[NfoRecord] = (),
    swarms: Sequence[SwarmRecord] = (),
    settings: LinkSettings | None = None,
) -> list[GroupLink]:
    """The links of every kind in ``settings.kinds``, strongest first (no SQL)."""
    settings = settings or LinkSettings()
    links: list[GroupLink] = []
    if LinkKind.FOLLOWER in settings.kinds:
        links += _follower_links(data, settings)
    if LinkKind.NFO in settings.kinds:
        links += _nfo_links(data, nfos, settings)
    if LinkKind.TRACKERS in settings.kinds:
        links += _tracker_links(data, swarms, settings)
    if LinkKind.RENAMED in settings.kinds:
        links += _rename_links(data, settings)
    links.sort(key=lambda k: (-k.strength, k.kind.value, k.source, k.target))
    return links


# ----------------------------------------------------------------- followers


def _hours(value: float) -> str:
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 72:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def _chance(p: float) -> str:
    """A p-value in words: "1 time in 2,400, p = 4.2e-04"."""
    if p <= 0.0:
        return "p < 1e-300"
    odds = 1.0 / p
    if odds < 10:
        return f"p = {p:.2f}"
    if odds < 1e9:
        return f"1 time in {odds:,.0f}, p = {p:.1e}"
    return f"p = {p:.1e}"


_OPENS = {
    following.CATALOGUE: "its catalogue window date (else the first release by another group)",
    following.OTHERS: "the first release by another group (else its catalogue window date)",
}


def follower_evidence(
    stat: FollowTest, data: GroupData, follow_hours: float, alpha: float = ALPHA
) -> str:
    """What a follower link rests on, in words."""
    a, b = data.name(stat.leader), data.name(stat.follower)
    examples = ", ".join(data.titles.get(t, t) for t in stat.examples)
    aside = ", ".join(data.name(g) for g in stat.set_aside)
    scope = f"On the titles {aside} did not release (both follow {aside}): " if aside else ""
    if stat.null == "shuffled":
        null = (
            f"if {b}'s delays after the window opening on these titles had nothing to do "
            f"with {a}'s (shuffled among the titles)"
        )
    else:
        null = (
            f"at {b}'s usual delay after a window opens (measured on {stat.baseline} of its "
            f"other titles, none released by {a} or another group it seems to follow)"
        )
    return (
        f"{scope}{b} released {stat.followed} of {a}'s {stat.leader_titles} titles within "
        f"{follow_hours:g} h after it (median {_hours(stat.median_delay_hours)} later, range "
        f"{_hours(stat.delays_hours[0])}–{_hours(stat.delays_hours[-1])}); of the "
        f"{stat.shared} titles both released, {stat.followed + stat.before} came out within "
        f"{follow_hours:g} h of each other: {b} after {a} on {stat.after}, before it on "
        f"{stat.before} (coin tosses would give an order this one-sided "
        f"{_chance(stat.order_p)}; a group that is simply slower gives it too, hence the "
        "next comparison). "
        f"Racing to the same window opening would rarely give this: {null}, about "
        f"{stat.expected:.1f} of these titles would have come within {follow_hours:g} h after "
        f"{a}; {stat.followed} did (chance of {stat.followed} or more at that pace: "
        f"{_chance(stat.p_value)}, doubled for the two comparisons made). Titles dated "
        f"here by {_OPENS.get(stat.opening, stat.opening)}: of the two ways of dating an "
        f"opening, the one less against {b}; {stat.shared - stat.dated} of the {stat.shared} "
        f"titles have neither and open at their first release. E.g. {examples}. "
        f"{_caveat(stat, alpha)}"
    )


def _caveat(stat: FollowTest, alpha: float) -> str:
    """What the chance figures are not, and how many pairs were tested to find this one."""
    text = (
        "A chance of the pattern if the groups were unconnected is not the chance that they "
        "are unconnected."
    )
    if stat.tested:
        pairs = "pair of groups was" if stat.tested == 1 else "pairs of groups were"
        text += (
            f" {stat.tested:,} {pairs} put to this test in this database, each needing a "
            f"chance of at most {alpha:g}: by chance alone about {stat.tested * alpha:.2g} "
            "false links would be expected among them."
        )
    return text


def _follower_links(data: GroupData, settings: LinkSettings) -> list[GroupLink]:
    out: list[GroupLink] = []
    for stat in following.follower_tests(
        data.copies,
        data.openings,
        follow_hours=settings.follow_hours,
        min_follows=settings.min_follows,
        min_consistency=settings.min_follow_consistency,
        min_order=settings.min_follow_order,
        alpha=settings.follow_alpha,
        min_baseline=settings.min_follow_baseline,
    ):
        out.append(
            GroupLink(
                kind=LinkKind.FOLLOWER,
                source=stat.leader,
                target=stat.follower,
                source_name=data.name(stat.leader),
                target_name=data.name(stat.follower),
                strength=stat.strength,
                evidence=follower_evidence(
                    stat, data, settings.follow_hours, settings.follow_alpha
                ),
                details={
                    "leader_titles": stat.leader_titles,
                    "shared_titles": stat.shared,
                    "followed": stat.followed,
                    "after": stat.after,
                    "before": stat.before,
                    "coverage": round(stat.coverage, 3),
                    "consistency": round(stat.consistency, 3),
                    "order_p_value": float(f"{stat.order_p:.3g}"),
                    "expected_by_chance": round(stat.expected, 2),
                    "p_value": float(f"{stat.p_value:.3g}"),
                    "baseline_titles": stat.baseline,
                    "independently_opened_titles": stat.dated,
                    "opening": stat.opening,
                    "null": stat.null,
                    "set_aside": list(stat.set_aside),
                    "pairs_tested": stat.tested,
                    "median_delay_hours": round(stat.median_delay_hours, 2),
                    "min_delay_hours": round(stat.delays_hours[0], 2),
                    "max_delay_hours": round(stat.delays_hours[-1], 2),
                    "follow_hours": settings.follow_hours,
                },
            )
        )
    return out


# ----------------------------------------------------------------- NFOs


def _nfo_links(
    data: GroupData, nfos: Sequence[NfoRecord], settings: LinkSettings
) -> list[GroupLink]:
    if not nfos:
        return []
    texts = {n.id: n.text for n in nfos}
    owners = {n.id: n.group_key for n in nfos}
    by_id = {n.id: n for n in nfos}
    matches = nfo_sim.similar_pairs(texts, owners, threshold=settings.nfo_threshold)
    out: list[GroupLink] = []
    for (ga, gb), found in sorted(nfo_sim.best_by_owner_pair(matches, owners).items()):
        best = found[0]
        left, right = by_id[best.left], by_id[best.right]
        if left.group_key != ga:
            left, right = right, left
        a, b = data.names.get(ga, left.group_name), data.names.get(gb, right.group_name)
        releases = sorted(
            {by_id[m.left].release for m in found} | {by_id[m.right].release for m in found}
        )
        evidence = (
            f"the NFO of {left.release} ({a}) and the NFO of {right.release} ({b}) are "
            f"{best.similarity:.0%} alike (character {nfo_sim.DEFAULT_K}-gram Jaccard, "
            f"whitespace ignored); {len(found)} NFO pair{'s' if len(found) != 1 else ''} "
            f"of the two groups are at least {settings.nfo_threshold:.0%} alike"
        )
        out.append(
            GroupLink(
                kind=LinkKind.NFO,
                source=ga,
                target=gb,
                source_name=a,
                target_name=b,
                strength=round(best.similarity, 4),
                evidence=evidence,
                details={
                    "best_similarity": round(best.similarity, 4),
                    "pairs": len(found),
                    "best_pair": [left.release, right.release],
                    "releases": releases[:20],
                    "threshold": settings.nfo_threshold,
                },
            )
        )
    return out


# ----------------------------------------------------------------- trackers


def _tracker_links(
    data: GroupData, swarms: Sequence[SwarmRecord], settings: LinkSettings
) -> list[GroupLink]:
    sets: dict[str, swarm.SwarmSet] = defaultdict(swarm.SwarmSet)
    for record in swarms:
        sets[record.group_key].add(
            swarm.endpoints_from_extra(record.extra, record.url, record.origin)
        )
    labelled = {g: s.labelled for g, s in sets.items() if s.trackers or s.web_seeds}
    common = swarm.common_endpoints(
        {g: sets[g] for g in labelled},
        share=settings.common_share,
        min_groups=settings.min_common_groups,
        services=settings.services,
    )
    rare = {g: labels - common for g, labels in labelled.items()}
    owners: dict[str, list[str]] = defaultdict(list)
    for group, labels in rare.items():
        for label in labels:
            owners[label].append(group)
    pairs: set[tuple[str, str]] = set()
    for groups in owners.values():
        ordered = sorted(groups)
        for i, ga in enumerate(ordered):
            for gb in ordered[i + 1 :]:
                pairs.add((ga, gb))
    out: list[GroupLink] = []
    for ga, gb in sorted(pairs):
        score = swarm.jaccard(rare[ga], rare[gb])
        if score < settings.min_tracker_jaccard:
            continue
        shared = sorted(rare[ga] & rare[gb])
        a, b = data.name(ga), data.name(gb)
        named = ", ".join(shared[:6]) + (f" and {len(shared) - 6} more" if len(shared) > 6 else "")
        evidence = (
            f"{a} and {b} both use {named}; Jaccard {score:.2f} of their "
            f"{len(rare[ga])} and {len(rare[gb])} uncommon trackers and web seeds "
            f"({len(common)} common ones used by many groups set aside)"
        )
        out.append(
            GroupLink(
                kind=LinkKind.TRACKERS,
                source=ga,
                target=gb,
                source_name=a,
                target_name=b,
                strength=round(score, 4),
                evidence=evidence,
                details={
                    "shared": shared,
                    "jaccard": round(score, 4),
                    "source_endpoints": len(rare[ga]),
                    "target_endpoints": len(rare[gb]),
                    "common_ignored": len(common),
                },
            )
        )
    return out


# ----------------------------------------------------------------- renames


def group_profiles(data: GroupData, min_releases: int = 1) -> dict[str, prof.GroupProfile]:
    """Every group's :class:`~leaktrace.attribution.profile.GroupProfile`."""
    return {
        key: prof.build_profile(key, [_profile_release(r) for r in rows])
        for key, rows in data.by_group.items()
        if len(rows) >= min_releases
    }


def _profile_release(r: ReleaseRecord) -> prof.ProfileRelease:
    return prof.ProfileRelease(
        released_at=r.released_at,
        source=r.source,
        resolution=r.resolution,
        codec=r.codec,
        kind=r.kind,
        matched=r.work_id is not None and r.status in ("leak", "in-window"),
        lead_days=r.lead_days if r.is_leak else None,
    )


def _top(p: prof.GroupProfile, dim: str) -> str:
    parts = p.top(dim, 1)
    if not parts:
        return "?"
    value, share = parts[0]
    return f"{value} {share:.0%}" if dim != "hours" else f"{value}h UTC"


def _rename_links(data: GroupData, settings: LinkSettings) -> list[GroupLink]:
    profiles = group_profiles(data, settings.rename_min_releases)
    out: list[GroupLink] = []
    for cand in prof.rename_candidates(
        profiles.values(),
        min_releases=settings.rename_min_releases,
        min_similarity=settings.rename_min_similarity,
        max_gap_days=settings.rename_max_gap_days,
    ):
        old, new = profiles[cand.old], profiles[cand.new]
        a, b = data.name(cand.old), data.name(cand.new)
        when = (
            f"{cand.gap_days:.0f} days after"
            if cand.gap_days >= 0
            else f"{-cand.gap_days:.0f} days before"
        )
        habits = "; ".join(
            f"{label} {_top(old, dim)} vs {_top(new, dim)}"
            for dim, label in (
                ("sources", "source"),
                ("resolutions", "resolution"),
                ("codecs", "codec"),
                ("hours", "usual hour"),
                ("leads", "lead"),
            )
            if old.dims.get(dim) and new.dims.get(dim)
        )
        evidence = (
            f"{b} started releasing {when} {a} stopped ({a}: {old.releases} releases "
            f"{old.first:%Y-%m-%d} to {old.last:%Y-%m-%d}; {b}: {new.releases} releases from "
            f"{new.first:%Y-%m-%d}; {cand.overlap:.0%} overlap) with a {cand.similarity:.0%} "
            f"similar profile ({habits})"
        )
        out.append(
            GroupLink(
                kind=LinkKind.RENAMED,
                source=cand.old,
                target=cand.new,
                source_name=a,
                target_name=b,
                strength=cand.strength,
                evidence=evidence,
                details={
                    "similarity": cand.similarity,
                    "by_dimension": {k: round(v, 3) for k, v in cand.parts.items()},
                    "gap_days": round(cand.gap_days, 1),
                    "overlap": round(cand.overlap, 3),
                    "old_last": format_time(old.last),
                    "new_first": format_time(new.first),
                },
            )
        )
    return out
