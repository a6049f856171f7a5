"""What LeakTrace shares, read through its own services and copied into the plain facts of
:mod:`leaktrace.exchange.facts` (issue 12): a group's dossier, the hosts, a country's
servers, the leaks, a case's evidence items, supply findings.

Each reader goes through the service that shows the same thing everywhere else (the same
permission checks; supply findings need ``read:personal`` and the supply service audits
the read). :class:`Findings` gathers what one publication or export holds; every group a
host, leak or link refers to is included, so no reference dangles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError
from leaktrace.exchange.facts import (
    AgencyFacts,
    GroupFacts,
    GroupLinkFacts,
    HostFacts,
    LeakFacts,
    ReleaseFacts,
    SupplyFinding,
)
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import cases, groups, hosts, leaks, releases, supply
from leaktrace.services.context import AppContext
from leaktrace.services.groups_views import GroupLinkView, GroupView
from leaktrace.services.hosts_views import HostView
from leaktrace.services.leak_views import LeakView, ReleaseDetail
from leaktrace.services.supply_views import AccountScoreView
from leaktrace.store import identity as identity_store
from leaktrace.store.release_queries import release_id_by_name

__all__ = [
    "SUPPLY_MAX_ACCOUNTS",
    "SUPPLY_MIN_POSTERIOR",
    "Findings",
    "SupplyItem",
    "agency_facts",
    "all_leaks_findings",
    "case_findings",
    "group_findings",
    "targets_findings",
    "when",
]

SUPPLY_MIN_POSTERIOR = 0.5
"""A supply account is shared only when the ranking puts it at least this likely."""
SUPPLY_MAX_ACCOUNTS = 20


def when(value: str | datetime | None) -> datetime | None:
    """A view's time (ISO text, ``Z`` or an offset; a bare date is 00:00 UTC) as an aware
    datetime; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(f"not a time: {value!r}", field="time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SupplyItem:
    """A supply finding and what it is about: the groups and leak alerts it explains."""

    finding: SupplyFinding
    groups: tuple[str, ...]
    alert_ids: tuple[int, ...]


@dataclass
class Findings:
    """What one publication or export holds (keys: lower-cased group names, host values,
    alert ids, release names)."""

    title: str
    groups: dict[str, GroupFacts] = field(default_factory=dict)
    links: list[GroupLinkFacts] = field(default_factory=list)
    hosts: dict[str, HostFacts] = field(default_factory=dict)
    leaks: dict[int, LeakFacts] = field(default_factory=dict)
    releases: dict[str, ReleaseFacts] = field(default_factory=dict)
    supply: list[SupplyItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was left out, and why (said to the publisher)."""
    report: tuple[str, datetime] | None = None
    """(key, published) when the findings are a case's: they become one ``report``."""
    personal: bool = False
    """Whether supply findings (personal data) are included."""


class _GroupBook:
    """Every group, found by its name, key or any spelling (any case)."""

    def __init__(self, ctx: AppContext) -> None:
        self.by_name: dict[str, GroupView] = {}
        for view in groups.group_list(ctx).groups:
            for name in (view.key, view.group, *view.variants):
                self.by_name.setdefault(name.strip().casefold(), view)

    def find(self, name: str) -> GroupView | None:
        return self.by_name.get(name.strip().casefold())

    def add(self, findings: Findings, name: str | None) -> str | None:
        """Put the group called ``name`` into ``findings``; its canonical name (None when no
        release names it)."""
        if not name:
            return None
        view = self.find(name)
        if view is None:
            return None
        key = view.group.casefold()
        if key not in findings.groups:
            first = when(view.first_seen) or datetime(2000, 1, 1, tzinfo=UTC)
            last = when(view.last_seen) or first
            findings.groups[key] = GroupFacts(
                name=view.group,
                first_seen=first,
                last_seen=max(first, last),
                spellings=tuple(v for v in view.variants if v != view.group),
                releases=view.releases,
                leaks=view.leaks,
            )
        return view.group


def agency_facts(conn: Connection, code: str) -> tuple[int, AgencyFacts]:
    """(id, facts) of the agency ``code``; InputError naming an unknown one."""
    record = identity_store.agency_by_code(conn, code.strip().upper())
    if record is None:
        raise InputError(
            f"unknown agency {code.strip().upper()!r} (leaktrace agency list shows them)",
            field="--agency",
        )
    return record.id, AgencyFacts(record.code, record.name, record.country, record.kind)


def _host(view: HostView, group_names: Iterable[str]) -> HostFacts:
    """The host's shareable facts. Its evidence travels as LeakTrace's references (what
    tied it to releases: ``import:servers.csv:2``, ``swarm:...``); the analysts' free-text
    notes stay home."""
    return HostFacts(
        value=view.server,
        role=view.role,
        country=view.country,
        first_seen=when(view.first_seen),
        last_seen=when(view.last_seen),
        releases=tuple(view.releases),
        groups=tuple(group_names),
        evidence=tuple(line for line in view.evidence if line.strip()),
    )


def _add_host(findings: Findings, book: _GroupBook, view: HostView, *, only_known: bool) -> None:
    """The host, tied to its groups (``only_known``: to the groups already included)."""
    names: list[str] = []
    for raw in view.groups:
        found = book.find(raw)
        if found is None:
            continue
        if only_known and found.group.casefold() not in findings.groups:
            continue
        name = book.add(findings, found.group)
        if name is not None:
            names.append(name)
    findings.hosts.setdefault(view.server.casefold(), _host(view, names))


def _add_link(findings: Findings, book: _GroupBook, link: GroupLinkView) -> None:
    source = book.add(findings, link.source)
    target = book.add(findings, link.target)
    if source is None or target is None or source.casefold() == target.casefold():
        return
    findings.links.append(
        GroupLinkFacts(source, target, link.kind, max(0.0, min(1.0, link.strength)), link.evidence)
    )


def _info_hash(release: ReleaseDetail | None) -> str | None:
    if release is None:
        return None
    for sighting in release.sightings:
        value = (sighting.infohash or "").strip()
        if len(value) == 40 and all(c in "0123456789abcdefABCDEF" for c in value):
            return value.lower()
    return None


def _add_leak(
    findings: Findings, book: _GroupBook, leak: LeakView, release: ReleaseDetail | None = None
) -> None:
    group = book.add(findings, leak.group) if leak.group else None
    findings.leaks[leak.id] = LeakFacts(
        alert_id=leak.id,
        release=ReleaseFacts(
            name=leak.release,
            group=group,
            work_title=leak.work,
            work_year=leak.work_year,
            window=leak.window,
            lead_days=leak.lead_days,
            info_hash=_info_hash(release),
            released_at=when(leak.released_at),
        ),
        severity=leak.severity,
        sightings=max(1, leak.sightings),
    )


def _group_into(
    ctx: AppContext, actor: Actor, findings: Findings, book: _GroupBook, name: str
) -> str:
    dossier = groups.group_dossier(ctx, actor, name)  # NotFoundError kind group
    canonical = book.add(findings, dossier.group)
    if canonical is None:  # pragma: no cover - the dossier found releases naming it
        raise NotFoundError(f"no group {name!r}", kind="group", key=name)
    for link in dossier.links:
        _add_link(findings, book, link)
    return canonical


def _hosts_of_group(
    findings: Findings, book: _GroupBook, listed: list[HostView], name: str
) -> None:
    wanted = name.casefold()
    for view in listed:
        tied = (book.find(group) for group in view.groups)
        if any(found is not None and found.group.casefold() == wanted for found in tied):
            _add_host(findings, book, view, only_known=True)


def group_findings(ctx: AppContext, actor: Actor, name: str) -> Findings:
    """A group: its intrusion-set, its links (and the linked groups), and its hosts."""
    actor.require(Permission.read_intel)
    book = _GroupBook(ctx)
    findings = Findings(title=f"group {name.strip()}")
    canonical = _group_into(ctx, actor, findings, book, name)
    findings.title = f"group {canonical}"
    _hosts_of_group(findings, book, hosts.host_list(ctx).hosts, canonical)
    return findings


def targets_findings(ctx: AppContext, actor: Actor, country: str) -> Findings:
    """A country's servers (ISO alpha-2) and the groups tied to them."""
    actor.require(Permission.read_intel)
    code = country.strip().upper()
    try:
        listed = hosts.host_list(ctx, country=code).hosts
    except InputError as exc:  # a bad code: the option here is --targets, not --country
        raise InputError(exc.reason, field="--targets") from None
    if not listed:
        raise NotFoundError(f"no servers in {code}", kind="targets", key=code)
    book = _GroupBook(ctx)
    findings = Findings(title=f"targets {code}")
    for view in listed:
        _add_host(findings, book, view, only_known=False)
    return findings


def _every_leak(ctx: AppContext, actor: Actor) -> list[LeakView]:
    found: list[LeakView] = []
    cursor: str | None = None
    while True:
        page = leaks.list_leaks(ctx, actor, leaks.LeakQuery(limit=500, cursor=cursor))
        found.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


def all_leaks_findings(ctx: AppContext, actor: Actor) -> Findings:
    """Every leak (one sighting each) and the groups they are sightings of."""
    actor.require(Permission.read_intel)
    book = _GroupBook(ctx)
    findings = Findings(title="all leaks")
    for leak in _every_leak(ctx, actor):
        _add_leak(findings, book, leak)
    if not findings.leaks:
        raise NotFoundError("no leaks to publish", kind="leak", key="all")
    return findings


def _supply_into(ctx: AppContext, actor: Actor, findings: Findings, book: _GroupBook) -> None:
    """The likeliest supply accounts as findings; personal data: read:personal only (the
    supply service audits the read)."""
    if not actor.can(Permission.read_personal):
        findings.notes.append("supply findings withheld: they name people (needs read:personal)")
        return
    ranking = supply.supply_ranking(ctx, actor)
    chosen: list[AccountScoreView] = [
        a for a in ranking.accounts if a.posterior >= SUPPLY_MIN_POSTERIOR and a.explained
    ][:SUPPLY_MAX_ACCOUNTS]
    for account in chosen:
        names = tuple(
            dict.fromkeys(n for n in (book.add(findings, e.group) for e in account.explained) if n)
        )
        findings.supply.append(
            SupplyItem(
                SupplyFinding(
                    account=f"{account.distributor}: {account.account}",
                    explanation=account.explanation,
                    posterior=max(0.0, min(1.0, account.posterior)),
                ),
                names,
                tuple(e.alert_id for e in account.explained),
            )
        )
    findings.personal = bool(findings.supply)
    if not chosen:
        findings.notes.append(
            f"no supply account reaches a posterior of {SUPPLY_MIN_POSTERIOR}: none shared"
        )


def case_findings(ctx: AppContext, actor: Actor, case_id: int) -> tuple[str, Findings]:
    """(owning agency code, findings) of the case's evidence items: groups (with their
    links and hosts), hosts, leaks, releases, a country's targets and supply findings; impact
    estimates, files and notes are not shared, nor partners' STIX objects held in the case
    (they go out only by re-publication, under its rules). NotFoundError when the actor's agency is
    not a member of the case."""
    detail = cases.show_case(ctx, actor, case_id)
    book = _GroupBook(ctx)
    findings = Findings(title=f"Case {detail.id}: {detail.title}")
    findings.report = (f"case:{detail.id}", when(detail.created_at) or datetime.now(UTC))
    listed: list[HostView] | None = None
    kept_out: dict[str, int] = {}
    for item in detail.evidence:
        kind, reference = item.kind, item.reference
        if kind == "group":
            listed = listed if listed is not None else hosts.host_list(ctx).hosts
            canonical = _group_into(ctx, actor, findings, book, reference)
            _hosts_of_group(findings, book, listed, canonical)
        elif kind == "host":
            listed = listed if listed is not None else hosts.host_list(ctx).hosts
            wanted = reference.strip().casefold()
            for view in listed:
                if view.server.casefold() == wanted:
                    _add_host(findings, book, view, only_known=False)
        elif kind == "targets":
            for view in hosts.host_list(ctx, country=reference).hosts:
                _add_host(findings, book, view, only_known=False)
        elif kind == "leak" and reference.isdigit():
            leak = leaks.get_leak(ctx, actor, int(reference))
            _add_leak(findings, book, leak, releases.get_release(ctx, actor, leak.release_id))
        elif kind == "release":
            _add_release(ctx, actor, findings, book, reference)
        elif kind == "supply-rank":
            if not findings.supply:
                _supply_into(ctx, actor, findings, book)
        else:
            kept_out[kind] = kept_out.get(kind, 0) + 1
    for kind, count in sorted(kept_out.items()):
        if kind == "stix":  # a partner's object: only the re-publication rules may pass it on
            findings.notes.append(
                f"{count} shared STIX object(s) held in the case not re-published: use "
                "exchange publish --object ID --from COLLECTION (the re-publication rules apply)"
            )
        else:
            findings.notes.append(f"{count} {kind} item(s) not shared (no STIX form)")
    return detail.owner_agency, findings


def _add_release(
    ctx: AppContext, actor: Actor, findings: Findings, book: _GroupBook, name: str
) -> None:
    with ctx.database.reading() as conn:
        release_id = release_id_by_name(conn, name)
    if release_id is None:
        findings.notes.append(f"release {name!r} no longer stored: not shared")
        return
    detail = releases.get_release(ctx, actor, release_id)
    if detail.alert is not None:
        _add_leak(findings, book, detail.alert, detail)
        return
    group = detail.parsed.get("group") if isinstance(detail.parsed, dict) else None
    findings.releases[detail.name] = ReleaseFacts(
        name=detail.name,
        group=book.add(findings, group) if isinstance(group, str) else None,
        work_title=detail.work,
        info_hash=_info_hash(detail),
        released_at=when(detail.released_at),
    )
