"""Notices built for the domain tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from leaktrace.notices.model import (
    NoticeDocument,
    NoticeForm,
    NoticeLocation,
    NoticeWork,
    Recipient,
    Sender,
)

SENDER = Sender(
    name="Jane Roe",
    email="jane.roe@antipiracy.example",
    address="1 Main Street\nSpringfield, IL 62701, USA",
    phone="+1 555 0100",
    signature="/s/ Jane Roe",
    principal="Example Films Ltd",
)
WORKS = (
    NoticeWork("w-1", "The Silent Harbour", 2026, imdb_id="tt9900001"),
    NoticeWork("w-2", "Night Train to Bari", 2025),
)
LOCATIONS = (
    NoticeLocation(
        "https://files.host.example/d/abc123",
        "files.host.example",
        "w-1",
        "The.Silent.Harbour.2026.1080p.WEB-DL.x264-GRP",
        datetime(2026, 12, 1, 14, 3, tzinfo=UTC),
        "a complete copy of the film, 12 days before its theatrical release",
    ),
    NoticeLocation(
        "https://files.host.example/d/abc1",
        "files.host.example",
        "w-2",
        None,
        None,
        "a complete copy of the film, offered for download without authorisation",
    ),
)


def make_doc(
    form: NoticeForm | str = NoticeForm.dmca, language: str = "en", **changes: Any
) -> NoticeDocument:
    doc = NoticeDocument(
        reference="LT-N-000042",
        form=NoticeForm(form),
        language=language,
        sender=SENDER,
        recipient=Recipient("Host Example Abuse", "abuse@host.example", "NL", "host.example"),
        works=WORKS,
        locations=LOCATIONS,
        day=date(2026, 12, 2),
    )
    return replace(doc, **changes)
