"""A world for the notices' web tests: the demo scenario's database (leaks with sightings
on torrent sites), a sender identity and a mail server in the settings, an industry
agency (``DE-IND``, the rights holders' association) beside the police agencies the
conftest makes, an abuse contact for ``files.example``, and a real local SMTP server
(aiosmtpd on 127.0.0.1) that keeps every message it is given.

Made through the services as the local operator (no SQL): the tests then act over a real
uvicorn as each agency's users.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity, notice_contacts
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.leaks import LeakQuery, list_leaks
from tests.services.demo_world import demo_copy
from tests.smtp_server import Collector, running_smtp
from tests.web.conftest import LiveServer, serve

__all__ = [
    "CONTACT_EMAIL",
    "CONTACT_HOST",
    "INDUSTRY",
    "POLICE",
    "SENDER",
    "NoticeWorld",
    "notice_world",
    "peer_and_stranger",
]

INDUSTRY = "DE-IND"
"""The industry agency (a rights holders' association): it may send notices."""
POLICE = "NL-POL"
CONTACT_HOST = "files.example"
CONTACT_EMAIL = "abuse@files.example"
SENDER: dict[str, Any] = {
    "name": "Jane Roe",
    "email": "notices@rights.example",
    "address": "Via Roma 1, 00100 Roma, Italy",
    "phone": "+39 06 000000",
    "signature": "/s/ Jane Roe",
    "principal": "Example Pictures <Studios> & Co",
}


def peer_and_stranger() -> tuple[str, str]:
    """Two public IPv4 addresses for the downloader refusal: one the demo's swarm saw only
    as an ordinary peer (from the demo's swarm file: the database has it only as a keyed
    hash under ``DEMO_SWARM_KEY``), one it never saw and no host row has."""
    from leaktrace.notices.locations import ParsedLocation, parse_location
    from leaktrace.swarm.model import INFRASTRUCTURE_TAGS
    from tests.services.demo_world import demo_built

    swarm = demo_built().scenario.infra
    assert swarm is not None
    roles: dict[str, set[bool]] = {}
    for line in swarm.swarm.read_text().splitlines():
        row = json.loads(line)
        roles.setdefault(row["ip"], set()).add(row.get("tag") in INFRASTRUCTURE_TAGS)
    peer = next(
        ip
        for ip, infra in sorted(roles.items())
        if infra == {False}
        and "." in ip
        and isinstance(parse_location(f"http://{ip}/"), ParsedLocation)
    )
    stranger = next(ip for ip in ("9.9.9.9", "8.26.56.26", "1.0.0.19") if ip not in roles)
    return peer, stranger


@dataclass(frozen=True)
class NoticeWorld:
    server: LiveServer
    mailbox: Collector
    leak_id: int
    """A leak of the demo (its release has sightings with URLs)."""
    work_id: str


def _prepare(context: AppContext) -> tuple[int, str]:
    operator = local_operator()
    known = {a.code for a in identity.list_agencies(context, operator)}
    if INDUSTRY not in known:
        identity.add_agency(
            context,
            operator,
            code=INDUSTRY,
            name="Rights holders' association",
            country="DE",
            kind="industry",
        )
    notice_contacts.add_contact(
        context,
        operator,
        match=CONTACT_HOST,
        name="Files Example Abuse <desk>",
        email=CONTACT_EMAIL,
        country="NL",
    )
    leaks = list_leaks(context, operator, LeakQuery(limit=50)).items
    assert leaks, "the demo has leaks"
    chosen = max(leaks, key=lambda leak: leak.sightings)
    return chosen.id, chosen.work_id


@contextmanager
def notice_world(folder: Path, *, sender: bool = True, smtp: bool = True) -> Iterator[NoticeWorld]:
    """The demo's database with notices configured (``sender`` False: no sender
    identity; ``smtp`` False: no mail server), served by uvicorn, and the SMTP server its
    notices are sent through."""
    with running_smtp() as (box, port):
        notices: dict[str, Any] = {}
        if smtp:
            notices["smtp"] = {"host": "127.0.0.1", "port": port, "timeout": 10}
        if sender:
            notices["sender"] = SENDER
        settings = load_settings(db=str(demo_copy(folder / "demo")), notices=notices)
        with build_context(settings) as context:
            leak_id, work_id = _prepare(context)
            runner = serve(context)
            live = next(runner)
            try:
                yield NoticeWorld(server=live, mailbox=box, leak_id=leak_id, work_id=work_id)
            finally:
                for _ in runner:
                    pass
