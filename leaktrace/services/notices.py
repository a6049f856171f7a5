"""Drafting takedown notices from leaks, and giving a drafted notice its recipient.

:func:`draft_notices` collects the locations of a scope (one leak, one work, one host, or
everything seen since a time; plus URLs given by hand): the URLs of the sightings of the
alerted releases and the http(s) references of their hosts' evidence. Each URL is
normalised (:func:`leaktrace.notices.locations.parse_location`) or refused with the
reason: not a URL, a private or reserved address, or a possible downloader's address.
An IP-literal location is named only when its address is known as a server: an address
of the hosts list, or one seen in a swarm in a role other than an ordinary peer (found
through the keyed hash, so only with this database's swarm key). Every other IP address
— seen only as a peer, or never seen — gets one and the same refusal, with the address
withheld from the URL shown (:func:`leaktrace.notices.locations.downloader_refusal`):
what a refusal says must not let anyone test which addresses were observed downloading.
A URL already listed by an open notice (not removed, rejected or no-response) of the
same form is skipped, naming that notice.

Locations are grouped per recipient: the abuse contact answering for the host (by exact
domain, then parent domain, then IP address, then the narrowest network containing it,
then the ``AS<n>`` of the stored host's ASN); a host without one is its own recipient,
drafted without an e-mail and listed in ``needs_contact`` (never dropped). A recipient
whose contact takes the other legal form (the contacts' ``form``: ``dsa`` for a host
that only takes DSA notices) is not drafted: it is listed in ``other_form`` with its
locations, to be drafted with that form. One notice
per recipient per call, listing every location of it, signed as the drafting actor's
agency's sender identity (``[notices.senders.CODE]``, else ``[notices.sender]``: on a
server shared by several agencies each one's notices are its own), rendered from the
template of its form and language and checked element by element: a notice missing an
element refuses the whole draft (nothing is written). Set-based: one query for the
locations, one per concept for hosts, peers and open notices, bulk inserts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import ConfigError, InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.forms import check_document, check_rendered
from leaktrace.notices.locations import ParsedLocation, downloader_refusal, parse_location
from leaktrace.notices.model import (
    LANGUAGES,
    NoticeDocument,
    NoticeForm,
    NoticeLocation,
    NoticeStatus,
    NoticeWork,
    Recipient,
    Refusal,
    Sender,
    reference_of,
)
from leaktrace.notices.templates import available_languages, render_notice
from leaktrace.services import audit
from leaktrace.services.case_access import case_access
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import (
    document_of,
    location_why,
    notice_view,
    sender_of,
    summaries,
    visible_notice,
    work_of,
)
from leaktrace.services.notice_views import (
    DraftResultView,
    NeedsContactView,
    NoticeView,
    OtherFormView,
    RefusedLocationView,
    SkippedLocationView,
)
from leaktrace.store import notices as store
from leaktrace.store.notices import AlertRecord, HostInfo, NewLocation, NewNotice, StoredContact
from leaktrace.store.swarm import stored_key_check
from leaktrace.swarm.keys import KEY_ENV, KEY_FILE_ENV, key_check, resolve_swarm_key
from leaktrace.swarm.model import PEER
from leaktrace.swarm.privacy import peer_key

__all__ = [
    "ContactBook",
    "DraftGroup",
    "DraftLocation",
    "DraftScope",
    "draft_notices",
    "parse_form",
    "sender_json",
    "set_recipient",
    "write_drafts",
]

SUBJECT_LIMIT = 300
"""The longest subject stored (the column's size)."""


@dataclass(frozen=True)
class DraftScope:
    """What to draft notices for: exactly one of a leak (alert id), a work, a host (and
    its sub-domains) or everything seen since a time; ``urls`` are locations given by
    hand (they need ``work_id`` or ``leak_id``: what they are copies of)."""

    leak_id: int | None = None
    work_id: str | None = None
    host: str | None = None
    since: datetime | None = None
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DraftLocation:
    """A location to list in a notice, with what it is a copy of."""

    url: str
    host: str
    ip: IPv4Address | IPv6Address | None
    host_id: int | None
    release_id: int | None
    release_name: str | None
    work_id: str | None
    alert_id: int | None
    why: str | None
    """None: explained in the notice's language from the alert's facts (a location given
    by hand: as a copy the rights holder has not authorised); a text: used as given."""
    first_seen: datetime | None


@dataclass(frozen=True)
class DraftGroup:
    """One notice to write: its recipient and its locations."""

    recipient: Recipient
    contact_id: int | None
    locations: Sequence[DraftLocation]
    previous_id: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    """``NoticeDocument.extra`` (a re-notice: ``previous_sent``, ``YYYY-MM-DD``)."""


# --- settings -------------------------------------------------------------------------------


def parse_form(form: NoticeForm | str) -> NoticeForm:
    try:
        return NoticeForm(str(form).strip().lower())
    except ValueError:
        raise InputError(
            f"unknown form {form!r} (one of: {', '.join(f.value for f in NoticeForm)})",
            field="form",
        ) from None


def _language(ctx: AppContext, form: NoticeForm, language: str) -> str:
    code = (language or "").strip().lower()
    known = available_languages(form, ctx.settings.notices.templates_dir)
    if code not in known:
        shown = ", ".join(known) or ", ".join(LANGUAGES)
        raise InputError(
            f"no {form.value} template in language {language!r} (available: {shown})",
            field="language",
        )
    return code


def sender_json(sender: Sender | None) -> str:
    """The sender identity as stored with a notice."""
    if sender is None:
        return "{}"
    return json.dumps(
        {
            "name": sender.name,
            "email": sender.email,
            "address": sender.address,
            "phone": sender.phone,
            "signature": sender.signature,
            "principal": sender.principal,
            "trusted_flagger": sender.trusted_flagger,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


# --- recipients -----------------------------------------------------------------------------


class ContactBook:
    """Every contact in memory, answering for a host: exact domain, parent domain, IP
    address, the narrowest network containing it, then the ASN of the stored host."""

    def __init__(self, contacts: Iterable[StoredContact]) -> None:
        self.domains: dict[str, StoredContact] = {}
        self.ips: dict[str, StoredContact] = {}
        self.asns: dict[str, StoredContact] = {}
        self.networks: dict[tuple[int, int], dict[str, StoredContact]] = {}
        """(IP version, prefix length) → network text → contact."""
        for contact in contacts:
            if contact.match_kind == "domain":
                self.domains[contact.match] = contact
            elif contact.match_kind == "ip":
                self.ips[str(ip_address(contact.match))] = contact
            elif contact.match_kind == "asn":
                self.asns[contact.match.upper()] = contact
            elif contact.match_kind == "cidr":
                net = ip_network(contact.match, strict=False)
                key = (net.version, net.prefixlen)
                self.networks.setdefault(key, {})[str(net)] = contact
        self.prefixes = sorted(self.networks, key=lambda k: -k[1])

    def find(
        self, host: str, ip: IPv4Address | IPv6Address | None, info: HostInfo | None
    ) -> StoredContact | None:
        if ip is None:
            labels = host.split(".")
            for start in range(len(labels) - 1):
                found = self.domains.get(".".join(labels[start:]))
                if found is not None:
                    return found
        else:
            found = self.ips.get(str(ip))
            if found is not None:
                return found
            for version, length in self.prefixes:
                if version != ip.version:
                    continue
                net = ip_network(f"{ip}/{length}", strict=False)
                found = self.networks[(version, length)].get(str(net))
                if found is not None:
                    return found
        if info is not None and info.asn is not None:
            return self.asns.get(f"AS{info.asn}")
        return None


def _host_info(hosts: dict[str, HostInfo], host: str, ip: object) -> HostInfo | None:
    """The stored host of a location: the address, or the domain or its nearest stored
    parent."""
    if ip is not None:
        return hosts.get(host)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        found = hosts.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


def _host_values(hosts: Iterable[str]) -> set[str]:
    values: set[str] = set()
    for host in hosts:
        labels = host.split(".")
        values.update(".".join(labels[i:]) for i in range(max(1, len(labels) - 1)))
    return values


# --- downloaders ----------------------------------------------------------------------------


def _swarm_key(ctx: AppContext, conn: Connection) -> bytes | None:
    """The swarm key when one is configured and is this database's; None otherwise."""
    settings = ctx.settings
    configured = settings.swarm_key.get_secret_value() if settings.swarm_key else None
    if (
        not configured
        and settings.swarm_key_file is None
        and not os.environ.get(KEY_ENV, "").strip()
        and not os.environ.get(KEY_FILE_ENV, "").strip()
    ):
        return None
    try:
        key = resolve_swarm_key(None, configured, configured_file=settings.swarm_key_file).secret
    except ConfigError:
        return None
    stored = stored_key_check(conn)
    if stored is not None and stored[0] != key_check(key):
        return None
    return key


def _unknown_addresses(
    ctx: AppContext,
    conn: Connection,
    located: Sequence[ParsedLocation],
    hosts: Mapping[str, HostInfo],
) -> set[str]:
    """The hosts (IP addresses) of ``located`` LeakTrace does not know as servers: not an
    address of the hosts list, and not seen in a swarm in a role other than an ordinary
    peer (which needs this database's swarm key). Seen only as a peer and never seen at
    all are the same answer: the refusal must tell nothing of the swarm observations."""
    addresses = {
        loc.host: loc.ip
        for loc in located
        if loc.ip is not None and not (loc.host in hosts and hosts[loc.host].kind == "ip")
    }
    if not addresses:
        return set()
    key = _swarm_key(ctx, conn) if store.swarm_observed(conn) else None
    if key is None:
        return set(addresses)
    keys = {host: peer_key(key, ip) for host, ip in addresses.items() if ip is not None}
    roles = store.peer_roles(conn, keys.values())
    return {host for host, k in keys.items() if not roles.get(k, set()) - {PEER}}


# --- collecting -----------------------------------------------------------------------------


@dataclass
class _Collected:
    locations: list[DraftLocation] = field(default_factory=list)
    refused: list[RefusedLocationView] = field(default_factory=list)


def _scope_host(text: str) -> str:
    parsed = parse_location(f"http://{text.strip()}/")
    if isinstance(parsed, Refusal) or not text.strip():
        detail = parsed.detail if isinstance(parsed, Refusal) else "empty"
        raise InputError(f"not a host name or address ({detail})", field="host")
    return parsed.host


def _check_scope(scope: DraftScope) -> None:
    given = [
        name
        for name, value in (
            ("leak", scope.leak_id),
            ("work", scope.work_id),
            ("host", scope.host),
            ("since", scope.since),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InputError(
            "give exactly one of a leak, a work, a host or a time since"
            + (f" (got {', '.join(given)})" if given else ""),
            field="scope",
        )
    if scope.urls and scope.leak_id is None and scope.work_id is None:
        raise InputError(
            "locations given by hand need a leak or a work (what they are copies of)",
            field="urls",
        )


def _collect(ctx: AppContext, conn: Connection, scope: DraftScope) -> _Collected:
    """Every location of the scope, normalised, with its stored host; the refused ones."""
    _check_scope(scope)
    host: str | None = None
    hand_work: str | None = None
    hand_alert: store.AlertRecord | None = None
    if scope.leak_id is not None:
        hand_alert = (
            store.alert_by_id(conn, scope.leak_id) if 1 <= scope.leak_id <= 2**31 - 1 else None
        )
        if hand_alert is None:
            raise NotFoundError(f"no leak {scope.leak_id}", kind="leak", key=str(scope.leak_id))
        hand_work = hand_alert.work_id
    if scope.work_id is not None:
        printable = scope.work_id.isprintable() and 0 < len(scope.work_id) <= 64
        if not printable or not store.works_by_id(conn, [scope.work_id]):
            raise NotFoundError(f"no work {scope.work_id!r}", kind="work", key=scope.work_id)
        hand_work = scope.work_id
    if scope.host is not None:
        host = _scope_host(scope.host)
    since = scope.since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    sources = store.scope_locations(
        conn, alert_id=scope.leak_id, work_id=scope.work_id, since=since, url_contains=host
    )

    collected = _Collected()
    seen_urls: set[str] = set()
    refused_urls: set[str] = set()
    parsed: list[tuple[ParsedLocation, dict[str, object]]] = []

    def take(url: str, extra: dict[str, object]) -> None:
        result = parse_location(url)
        if isinstance(result, Refusal):
            if url not in refused_urls:
                refused_urls.add(url)
                collected.refused.append(_refused(result))
            return
        if host is not None and result.host != host and not result.host.endswith("." + host):
            return
        parsed.append((result, extra))

    for source in sources:
        take(
            source.url,
            {
                "release_id": source.release_id,
                "release_name": source.release_name,
                "work_id": source.work_id,
                "alert_id": source.alert_id,
                "seen": source.seen_at,
            },
        )
    for url in scope.urls:
        take(
            url.strip(),
            {
                "release_id": hand_alert.release_id if hand_alert else None,
                "release_name": hand_alert.release_name if hand_alert else None,
                "work_id": hand_work,
                "alert_id": hand_alert.id if hand_alert else None,
                "seen": None,
            },
        )
    hosts = store.hosts_by_value(conn, _host_values({p.host for p, _ in parsed}))
    unknown = _unknown_addresses(ctx, conn, [p for p, _ in parsed], hosts)
    infos: dict[str, HostInfo | None] = {}
    firsts: dict[str, datetime] = {}
    for location, extra in parsed:
        seen = extra["seen"]
        if isinstance(seen, datetime):
            firsts[location.url] = min(firsts.get(location.url, seen), seen)
    for location, extra in parsed:
        if location.host in unknown:
            if location.url not in refused_urls:
                refused_urls.add(location.url)
                collected.refused.append(_refused(downloader_refusal(location)))
            continue
        if location.url in seen_urls:
            continue
        seen_urls.add(location.url)
        if location.host in infos:
            info = infos[location.host]
        else:
            info = infos[location.host] = _host_info(hosts, location.host, location.ip)
        release_id = extra["release_id"]
        alert_id = extra["alert_id"]
        collected.locations.append(
            DraftLocation(
                url=location.url,
                host=location.host,
                ip=location.ip,
                host_id=info.id if info is not None else None,
                release_id=release_id if isinstance(release_id, int) else None,
                release_name=str(extra["release_name"]) if extra["release_name"] else None,
                work_id=str(extra["work_id"]) if extra["work_id"] else None,
                alert_id=alert_id if isinstance(alert_id, int) else None,
                why=None,
                first_seen=firsts.get(location.url),
            )
        )
    return collected


def _refused(refusal: Refusal) -> RefusedLocationView:
    return RefusedLocationView(url=refusal.url, reason=refusal.reason.value, detail=refusal.detail)


def _groups(
    conn: Connection, locations: Sequence[DraftLocation], book: ContactBook, form: NoticeForm
) -> tuple[list[DraftGroup], list[OtherFormView]]:
    """The notices to write, one per recipient; and the recipients whose contact takes
    another form than ``form`` (their locations are not drafted, never silently)."""
    hosts = store.hosts_by_value(conn, _host_values({loc.host for loc in locations}))
    grouped: dict[str, tuple[StoredContact | None, list[DraftLocation]]] = {}
    found: dict[str, StoredContact | None] = {}
    for loc in locations:
        if loc.host in found:
            contact = found[loc.host]
        else:
            info = _host_info(hosts, loc.host, loc.ip)
            contact = found[loc.host] = book.find(loc.host, loc.ip, info)
        key = contact.match if contact is not None else loc.host
        grouped.setdefault(key, (contact, []))[1].append(loc)
    groups: list[DraftGroup] = []
    other_form: list[OtherFormView] = []
    for key in sorted(grouped):
        contact, listed = grouped[key]
        if contact is not None and contact.form and contact.form != form.value:
            other_form.append(
                OtherFormView(
                    recipient_key=key,
                    recipient_name=contact.name,
                    form=contact.form,
                    urls=[loc.url for loc in listed],
                )
            )
            continue
        if contact is None:
            country = _host_info(hosts, listed[0].host, listed[0].ip)
            recipient = Recipient(
                name=None, email=None, country=country.country if country else None, key=key
            )
        else:
            recipient = Recipient(
                name=contact.name, email=contact.email, country=contact.country, key=key
            )
        groups.append(
            DraftGroup(
                recipient=recipient,
                contact_id=contact.id if contact is not None else None,
                locations=listed,
            )
        )
    return groups, other_form


# --- writing --------------------------------------------------------------------------------


def _document(
    notice_id: int,
    group: DraftGroup,
    *,
    form: NoticeForm,
    language: str,
    sender: Sender | None,
    works: dict[str, NoticeWork],
    alerts: dict[int, AlertRecord],
    templates_dir: Path | None,
    now: datetime,
    explained: dict[tuple[int | None, str | None], str],
) -> NoticeDocument:
    """The document of a new notice; ``explained`` keeps the explanations made (one per
    alert and work, shared by every notice of a draft)."""
    principal = sender.principal if sender is not None else None

    def why(loc: DraftLocation) -> str:
        if loc.why is not None:
            return loc.why
        key = (loc.alert_id, loc.work_id)
        if key not in explained:
            explained[key] = location_why(
                alerts.get(loc.alert_id) if loc.alert_id is not None else None,
                works.get(loc.work_id or ""),
                language=language,
                principal=principal,
                templates_dir=templates_dir,
            )
        return explained[key]

    used = sorted({loc.work_id for loc in group.locations if loc.work_id and loc.work_id in works})
    return NoticeDocument(
        reference=reference_of(notice_id),
        form=form,
        language=language,
        sender=sender,
        recipient=group.recipient,
        works=tuple(works[w] for w in used),
        locations=tuple(
            NoticeLocation(
                url=loc.url,
                host=loc.host,
                work_id=loc.work_id,
                release=loc.release_name,
                first_seen=loc.first_seen,
                why=why(loc),
            )
            for loc in group.locations
        ),
        day=now.date(),
        previous_reference=reference_of(group.previous_id) if group.previous_id else None,
        extra=dict(group.extra),
    )


def _subject(text: str) -> str:
    return text if len(text) <= SUBJECT_LIMIT else text[: SUBJECT_LIMIT - 1] + "\u2026"


def write_drafts(
    conn: Connection,
    ctx: AppContext,
    actor: Actor,
    groups: Sequence[DraftGroup],
    *,
    form: NoticeForm,
    language: str,
    case_id: int | None,
    now: datetime,
    detail: str,
    agency_id: int | None | Literal["actor"] = "actor",
    sender: Sender | None | Literal["actor"] = "actor",
) -> list[int]:
    """Insert one drafted notice per group in the caller's transaction, render and check
    each (:class:`IncompleteNoticeError` / :class:`NoticeTemplateError` on the first
    problem: the caller's transaction is rolled back, nothing is written), store its
    text, locations and a ``drafted`` change (``detail``); the new ids in order. The
    notices are signed as ``sender``, by default the actor's agency's identity
    (``notices.sender_for(actor.agency_code)``). Also used by re-noticing
    (``DraftGroup.previous_id``), which gives the repeated notice's ``agency_id``
    (default: the actor's agency) so a follow-up stays its agency's, and its stored
    ``sender``."""
    if not groups:
        return []
    owner = actor.agency_id if agency_id == "actor" else agency_id
    if sender == "actor":
        sender = sender_of(ctx, actor.agency_code)
    templates = ctx.settings.notices.templates_dir
    stored_sender = sender_json(sender)
    ids = store.insert_notices(
        conn,
        [
            NewNotice(
                agency_id=owner,
                case_id=case_id,
                form=form.value,
                language=language,
                recipient_key=g.recipient.key,
                contact_id=g.contact_id,
                recipient_name=g.recipient.name,
                recipient_email=g.recipient.email,
                recipient_country=g.recipient.country,
                sender=stored_sender,
                created_by=actor.name,
                previous_id=g.previous_id,
            )
            for g in groups
        ],
        now=now,
    )
    work_records = store.works_by_id(
        conn, {loc.work_id for g in groups for loc in g.locations if loc.work_id}
    )
    works = {w: work_of(r) for w, r in work_records.items()}
    alerts = store.alerts_by_id(
        conn, {loc.alert_id for g in groups for loc in g.locations if loc.alert_id is not None}
    )
    texts: list[tuple[int, str, str, str]] = []
    locations: list[NewLocation] = []
    explained: dict[tuple[int | None, str | None], str] = {}
    for notice_id, group in zip(ids, groups, strict=True):
        doc = _document(
            notice_id,
            group,
            form=form,
            language=language,
            sender=sender,
            works=works,
            alerts=alerts,
            templates_dir=templates,
            now=now,
            explained=explained,
        )
        check_document(doc)
        rendered = render_notice(doc, templates_dir=templates)
        check_rendered(doc, rendered)
        texts.append((notice_id, rendered.template, _subject(rendered.subject), rendered.body))
        locations += [
            NewLocation(
                notice_id=notice_id,
                url=loc.url,
                host=loc.host,
                host_id=loc.host_id,
                release_id=loc.release_id,
                work_id=loc.work_id,
                alert_id=loc.alert_id,
                release_name=loc.release_name,
            )
            for loc in group.locations
        ]
    store.update_notice_texts(conn, texts, now=now)
    store.insert_locations(conn, locations, status=NoticeStatus.drafted.value, now=now)
    store.insert_changes(
        conn,
        [(i, None, NoticeStatus.drafted.value, now, detail) for i in ids],
        by=actor.name,
        via="hand",
    )
    return ids


def _scope_words(scope: DraftScope) -> str:
    if scope.leak_id is not None:
        words = f"leak {scope.leak_id}"
    elif scope.work_id is not None:
        words = f"work {scope.work_id}"
    elif scope.host is not None:
        words = f"host {scope.host.strip()}"
    else:
        words = f"seen since {scope.since.isoformat() if scope.since else '?'}"
    return words + (f" and {len(scope.urls)} URLs given by hand" if scope.urls else "")


def draft_notices(
    ctx: AppContext,
    actor: Actor,
    scope: DraftScope,
    *,
    form: NoticeForm | str,
    language: str = "en",
    case_id: int | None = None,
    now: datetime | None = None,
) -> DraftResultView:
    """Draft one notice per recipient for the locations of ``scope`` (see the module
    doc): the new notices, the refused locations with their reasons, the recipients that
    need a contact, and the locations skipped because an open notice lists them.
    ``now``: when they are drafted (default: now; an earlier time for a replayed
    scenario such as the demo; a later one is an InputError)."""
    actor.require(Permission.write_notices)
    chosen = parse_form(form)
    code = _language(ctx, chosen, language)
    current = datetime.now(UTC)
    if now is None:
        now = current
    else:
        now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        if now > current:
            raise InputError("a notice cannot be drafted in the future", field="now")
    with ctx.database.transaction() as conn:
        if case_id is not None:
            case_access(conn, actor, case_id, "write")
        collected = _collect(ctx, conn, scope)
        open_ = store.open_locations(
            conn,
            [loc.url for loc in collected.locations],
            form=chosen.value,
            agency_id=actor.agency_id,
            every=actor.is_local,
        )
        skipped = [
            SkippedLocationView(url=loc.url, notice_id=open_[loc.url])
            for loc in collected.locations
            if loc.url in open_
        ]
        fresh = [loc for loc in collected.locations if loc.url not in open_]
        groups, other_form = _groups(conn, fresh, ContactBook(store.all_contacts(conn)), chosen)
        detail = f"drafted from {_scope_words(scope)}"
        ids = write_drafts(
            conn,
            ctx,
            actor,
            groups,
            form=chosen,
            language=code,
            case_id=case_id,
            now=now,
            detail=detail,
        )
        records = store.notices_of(conn, agency_id=actor.agency_id, every=actor.is_local, ids=ids)
        records.sort(key=lambda r: r.id)
        views = summaries(conn, records)
        audit.record(
            conn,
            actor,
            "notices.draft",
            _scope_words(scope)[:200],
            f"{len(ids)} notices ({chosen.value}, {code}), {len(fresh)} locations, "
            f"{len(collected.refused)} refused, {len(skipped)} skipped, "
            f"{len(other_form)} recipients for another form",
        )
    return DraftResultView(
        notices=views,
        refused=collected.refused,
        needs_contact=[
            NeedsContactView(recipient_key=v.recipient_key, notice_id=v.id, locations=v.locations)
            for v in views
            if v.needs_contact
        ],
        skipped=skipped,
        other_form=other_form,
    )


# --- the recipient --------------------------------------------------------------------------


def check_email(value: str, field_name: str = "email") -> str:
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(text) > 320
        or any(c.isspace() or ord(c) < 32 or c in '<>,;"()[]\\' for c in text)
    ):
        raise InputError(f"{value!r} is not an e-mail address", field=field_name)
    return text


def check_country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    if not code:
        return None
    code = "GB" if code == "UK" else code
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise InputError(f"a country is an ISO alpha-2 code, not {value!r}", field="country")
    return code


def check_name(value: str, field_name: str = "name", limit: int = 200) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InputError("must not be empty", field=field_name)
    if len(text) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InputError(
            f"longer than {limit} characters or holds control characters", field=field_name
        )
    return text


def set_recipient(
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    *,
    name: str,
    email: str,
    country: str | None = None,
) -> NoticeView:
    """Give a drafted notice its recipient (a name and an e-mail): the text is rendered
    again (signed as the identity of the notice's agency, ``notices.sender_for``) and
    checked; ConflictError once it is sent."""
    from leaktrace.errors import ConflictError

    actor.require(Permission.write_notices)
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        record = visible_notice(conn, actor, notice_id)
        who = check_name(name)
        address = check_email(email)
        code = check_country(country)
        if record.status != NoticeStatus.drafted.value:
            raise ConflictError(
                f"notice {notice_id} is {record.status}: only a drafted notice changes recipient"
            )
        if record.delivery in ("queued", "retrying"):
            raise ConflictError(
                f"notice {notice_id} is being sent (its mail is {record.delivery}): its "
                "recipient changes once the mail has failed"
            )
        if not store.lock_recipient_change(conn, notice_id, now):
            raise ConflictError(  # queued (or sent) since it was read: the UPDATE says no
                f"notice {notice_id} is being sent or was sent since it was read: its "
                "recipient changes only while it is drafted and its mail is not queued"
            )
        recipient = Recipient(
            name=who, email=address, country=code or record.recipient_country,
            key=record.recipient_key,
        )  # fmt: skip
        doc = document_of(
            conn,
            record,
            recipient=recipient,
            sender=sender_of(ctx, record.agency_code),
            day=now,
            templates_dir=ctx.settings.notices.templates_dir,
        )
        check_document(doc)
        rendered = render_notice(doc, templates_dir=ctx.settings.notices.templates_dir)
        check_rendered(doc, rendered)
        store.update_notice(
            conn,
            notice_id,
            recipient_name=who,
            recipient_email=address,
            recipient_country=recipient.country,
            template=rendered.template,
            subject=_subject(rendered.subject),
            body=rendered.body,
            sender=sender_json(doc.sender),
            updated_at=now,
        )
        store.insert_changes(
            conn,
            [(notice_id, None, record.status, now, f"recipient: {who} <{address}>")],
            by=actor.name,
            via="hand",
        )
        audit.record(conn, actor, "notices.recipient", f"notice {notice_id}", address)
        updated = visible_notice(conn, actor, notice_id)
        return notice_view(conn, updated)
