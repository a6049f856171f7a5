"""A notice as a Lumen database record (leaktrace.notices.lumen), checked against the
fields the Lumen API documents.

The field lists below are copied from the Lumen source, github.com/berkmancenter/lumendatabase:
``doc/api_documentation.mkd`` at commit 2e0902a33295b98601e26ca88b2406cab5ef6410 ("Create
notice": the tables Notice, Work, CopyrightedURL, InfringingUrl, EntityNoticeRole, Entity),
checked against ``app/controllers/notices_controller.rb`` (``notice_params``,
``entity_params``, ``work_params``) at commit 99d44c854d7730012896d8e63b24f0088e0e7f84; the
types from ``config/initializers/lumen_settings.rb`` (``Lumen::TYPES``), entity kinds from
``app/models/entity.rb`` (``KINDS``), role names from ``app/models/entity_notice_role.rb``
(``ROLES``), all at that commit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from leaktrace.notices.lumen import REDACTED, lumen_notice
from leaktrace.notices.model import NoticeForm, Recipient
from leaktrace.notices.templates import render_notice

from .conftest import LOCATIONS, SENDER, WORKS, make_doc

NOTICE_FIELDS = {
    "title", "type", "subject", "body", "date_sent", "language", "date_received", "source",
    "topic_ids", "tag_list", "regulation_list", "jurisdiction_list", "action_taken",
    "url_count", "request_type", "mark_registration_number", "works_attributes",
    "entity_notice_roles_attributes", "file_uploads_attributes",
}  # fmt: skip
REQUIRED_NOTICE_FIELDS = {"title", "type"}
WORK_FIELDS = {"copyrighted_urls_attributes", "kind", "description", "infringing_urls_attributes"}
URL_FIELDS = {"url"}
ROLE_FIELDS = {"name", "entity_id", "entity_attributes"}
ENTITY_FIELDS = {
    "name", "kind", "address_line_1", "address_line_2", "city", "state", "zip",
    "country_code", "phone", "email", "url",
}  # fmt: skip
TYPES = {
    "DMCA", "Counterfeit", "Counternotice", "CourtOrder", "DataProtection", "Defamation",
    "GovernmentRequest", "LawEnforcementRequest", "LocalLaw", "PrivateInformation",
    "Trademark", "Other", "Placeholder",
}  # fmt: skip
ENTITY_KINDS = {"organization", "individual"}
ROLES = {
    "principal", "agent", "attorney", "recipient", "sender", "submitter", "target",
    "issuing_court", "plaintiff", "defendant",
}  # fmt: skip
LANGUAGES = set(
    "af ar be bg ca cs cy da de el en eo es et fa fi fr ga gl hi hr ht hu id is it iw ja "
    "ko lt lv mk ml ms mt nl no pl pt ro ru si sk sl sq sr sv sw th tl tr uk vi yi yo zh".split()
)
SENT = datetime(2026, 12, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))


def _check_against_the_documented_fields(document: dict[str, Any]) -> None:
    assert set(document) == {"notice"}
    notice = document["notice"]
    assert REQUIRED_NOTICE_FIELDS <= set(notice) <= NOTICE_FIELDS
    assert notice["type"] in TYPES
    assert isinstance(notice["title"], str) and 0 < len(notice["title"]) <= 255
    if "language" in notice:
        assert notice["language"] in LANGUAGES
    assert notice["works_attributes"] and notice["entity_notice_roles_attributes"]
    for work in notice["works_attributes"]:
        assert set(work) <= WORK_FIELDS and work["kind"]
        for url in work["copyrighted_urls_attributes"] + work["infringing_urls_attributes"]:
            assert set(url) == URL_FIELDS and isinstance(url["url"], str)
    for role in notice["entity_notice_roles_attributes"]:
        assert set(role) <= ROLE_FIELDS and role["name"] in ROLES
        entity = role["entity_attributes"]
        assert set(entity) <= ENTITY_FIELDS and entity["name"]
        assert entity["kind"] in ENTITY_KINDS
        if "country_code" in entity:
            assert len(entity["country_code"]) == 2
        assert "address_line_1" not in entity or len(entity["address_line_1"]) <= 255
    json.dumps(document)


@pytest.mark.parametrize("form", list(NoticeForm))
@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_every_key_is_a_documented_field(form: NoticeForm, language: str) -> None:
    doc = make_doc(form, language)
    document = lumen_notice(doc, render_notice(doc), sent_at=SENT)
    _check_against_the_documented_fields(document)
    notice = document["notice"]
    assert notice["type"] == {"dmca": "DMCA", "dsa": "Other"}[form.value]
    assert notice["language"] == language
    assert notice["date_sent"] == "2026-12-02T09:30:00+00:00"
    assert notice["jurisdiction_list"] == "NL"
    assert notice["source"] == "Email"
    assert form.value in notice["tag_list"].split(", ")


def test_works_urls_and_entities() -> None:
    doc = make_doc()
    rendered = render_notice(doc)
    notice = lumen_notice(doc, rendered, sent_at=None)["notice"]
    assert "date_sent" not in notice
    assert notice["title"] == "DMCA (Copyright) notice LT-N-000042 to Host Example Abuse"
    assert notice["subject"] == rendered.subject
    assert notice["works_attributes"] == [
        {
            "description": "The Silent Harbour (2026) (rights holder: Example Films Ltd)",
            "kind": "movie",
            "copyrighted_urls_attributes": [{"url": "https://www.imdb.com/title/tt9900001/"}],
            "infringing_urls_attributes": [{"url": LOCATIONS[0].url}],
        },
        {
            "description": "Night Train to Bari (2025) (rights holder: Example Films Ltd)",
            "kind": "movie",
            "copyrighted_urls_attributes": [],
            "infringing_urls_attributes": [{"url": LOCATIONS[1].url}],
        },
    ]
    jane = {
        "name": "Jane Roe",
        "kind": "organization",
        "address_line_1": "1 Main Street",
        "address_line_2": "Springfield, IL 62701, USA",
        "phone": "+1 555 0100",
        "email": "jane.roe@antipiracy.example",
    }
    # Jane Roe acts for Example Films Ltd: the sender Lumen shows, and its agent
    assert notice["entity_notice_roles_attributes"] == [
        {"name": "sender", "entity_attributes": jane},
        {"name": "agent", "entity_attributes": jane},
        {
            "name": "principal",
            "entity_attributes": {"name": "Example Films Ltd", "kind": "organization"},
        },
        {
            "name": "recipient",
            "entity_attributes": {
                "name": "Host Example Abuse",
                "kind": "organization",
                "country_code": "NL",
                "email": "abuse@host.example",
            },
        },
    ]


def test_the_body_carries_no_phone_or_street_address() -> None:
    doc = make_doc(NoticeForm.dsa)
    rendered = render_notice(doc)
    body = lumen_notice(doc, rendered, sent_at=None)["notice"]["body"]
    assert SENDER.phone in rendered.body and SENDER.phone not in body
    assert "1 Main Street" not in body and SENDER.email not in body
    assert REDACTED in body and LOCATIONS[0].url in body


def test_owner_sender_unknown_recipient_one_work() -> None:
    doc = make_doc(
        NoticeForm.dsa,
        sender=replace(SENDER, name="Example Films Ltd", trusted_flagger="AGCOM 2024"),
        recipient=Recipient(None, None, None, "files.host.example"),
        works=WORKS[:1],
        locations=(replace(LOCATIONS[0], work_id=None), LOCATIONS[0]),
    )
    document = lumen_notice(doc, render_notice(doc), sent_at=datetime(2026, 12, 2, 9, 30))
    _check_against_the_documented_fields(document)
    notice = document["notice"]
    assert notice["date_sent"] == "2026-12-02T09:30:00+00:00"
    assert "jurisdiction_list" not in notice and "trusted flagger" in notice["tag_list"]
    assert notice["works_attributes"][0]["infringing_urls_attributes"] == [
        {"url": LOCATIONS[0].url}
    ]
    roles = {r["name"]: r["entity_attributes"] for r in notice["entity_notice_roles_attributes"]}
    assert roles["sender"]["kind"] == "organization"
    assert "agent" not in roles  # the rights holder sends its own notice: no agent
    assert roles["recipient"] == {"name": "files.host.example", "kind": "organization"}
    assert notice["title"].endswith("to files.host.example")


def test_a_language_lumen_does_not_know_is_left_out() -> None:
    doc = make_doc()
    notice = lumen_notice(replace(doc, language="xx"), render_notice(doc), sent_at=None)["notice"]
    assert "language" not in notice
