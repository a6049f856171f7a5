"""A notice as a Lumen database record (https://lumendatabase.org), for transparency
reporting: the JSON document the Lumen API's "Create notice" call takes
(``POST https://lumendatabase.org/notices``, ``{"notice": {...}}``, the authentication
token added by whoever submits it).

The format, from the Lumen source (github.com/berkmancenter/lumendatabase):

* ``doc/api_documentation.mkd`` as of commit 2e0902a33295b98601e26ca88b2406cab5ef6410
  (the last version before the documentation moved to the project's wiki): the fields of
  **Notice** (``title`` required, ``type`` required, ``subject``, ``body``, ``date_sent``,
  ``date_received``, ``language``, ``source``, ``topic_ids``, ``tag_list``,
  ``jurisdiction_list``, ``action_taken`` ...), **Work** (``description``, ``kind``,
  ``copyrighted_urls_attributes``, ``infringing_urls_attributes``), **CopyrightedUrl** and
  **InfringingUrl** (``url``), **EntityNoticeRole** (``name``, ``entity_id`` or
  ``entity_attributes``) and **Entity** (``name`` required, ``kind``, ``address_line_1``,
  ``address_line_2``, ``city``, ``state``, ``zip``, ``country_code``, ``phone``, ``email``,
  ``url``); the note that ``body`` must hold no phone numbers or street addresses.
* ``app/controllers/notices_controller.rb`` (``notice_params``, ``entity_params``,
  ``work_params``) at commit 99d44c854d7730012896d8e63b24f0088e0e7f84: the same
  attributes are the ones the current code accepts; ``get_notice_type`` reads ``type``
  (``"DMCA"``, also ``"Dmca"``).
* ``config/initializers/lumen_settings.rb`` (``Lumen::TYPES``): the notice types. There is
  none for the DSA: a DSA copyright notice is ``"Other"`` (``"LocalLaw"`` would drop the
  works' URLs, ``app/models/local_law.rb``), tagged ``dsa``.
* ``app/models/entity.rb`` (``KINDS = organization, individual``) and
  ``app/models/entity_notice_role.rb`` (``ROLES``: principal, agent, recipient, sender
  ...); ``app/models/notice.rb`` (``language`` among ``Lumen::Language.codes``).

What is written: ``title``, ``type``, ``subject``, ``body`` (the notice's text with the
sender's street address, telephone and e-mail replaced by ``[REDACTED]``, Lumen's own
mask), ``date_sent`` (ISO 8601, only once sent), ``language``, ``source`` ("Email"),
``tag_list``, ``jurisdiction_list`` (the recipient's country, when known),
``works_attributes`` (one per work: ``description``, ``kind``,
``copyrighted_urls_attributes``, ``infringing_urls_attributes``) and
``entity_notice_roles_attributes`` (``sender``, ``agent`` when the sender acts for a
principal, ``principal``, ``recipient``, each with ``entity_attributes``: ``name``,
``kind`` and what is known of ``address_line_1``, ``address_line_2``, ``country_code``,
``phone``, ``email``). Every entity is an ``organization`` (an anti-piracy desk, a law
firm, the rights holder, the provider). When the sender is not the rights holder
(``Sender.is_agent``) it appears twice, as ``sender`` (the role Lumen shows on every
notice) and as ``agent`` (the role Lumen has for whoever acts for the ``principal``:
``doc/api_documentation.mkd`` at commit 056119395a410a78798ba697554c06295a957cc4,
EntityNoticeRole ``name``: "principal", "agent", "recipient", "sender" ...; Lumen keeps
one entity per name, ``EntityNoticeRole#validate_associated_records_for_entity``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leaktrace.notices.model import NoticeDocument, NoticeForm
from leaktrace.notices.templates import RenderedNotice, clean_text

__all__ = ["LUMEN_LANGUAGES", "REDACTED", "lumen_notice"]

REDACTED = "[REDACTED]"
"""Lumen's redaction mask (``Lumen::REDACTION_MASK``)."""

LUMEN_LANGUAGES = frozenset(
    "af ar be bg ca cs cy da de el en eo es et fa fi fr ga gl hi hr ht hu id is it iw ja "
    "ko lt lv mk ml ms mt nl no pl pt ro ru si sk sl sq sr sv sw th tl tr uk vi yi yo zh".split()
)
"""The language codes the Lumen API documents."""

_TYPE = {NoticeForm.dmca: "DMCA", NoticeForm.dsa: "Other"}
SENDER_KIND = "organization"
"""The Lumen entity kind of the sender: notices are sent by an anti-piracy desk, a law
firm or the rights holder itself — organisations (the settings carry no kind)."""
_MAX_TITLE = 255


def _entity(**fields: str | None) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value}


def _address_lines(address: str) -> tuple[str | None, str | None]:
    lines = [clean_text(line) for line in address.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return None, None
    return lines[0][:255], (", ".join(lines[1:])[:255] or None)


def _redacted_body(doc: NoticeDocument, body: str) -> str:
    sender = doc.sender
    if sender is None:
        return body
    for value in (clean_text(sender.address), clean_text(sender.phone), clean_text(sender.email)):
        if value:
            body = body.replace(value, REDACTED)
    return body


def lumen_notice(
    doc: NoticeDocument, rendered: RenderedNotice, *, sent_at: datetime | None
) -> dict[str, Any]:
    """The Lumen API document of a notice: ``{"notice": {...}}``."""
    recipient_name = clean_text(doc.recipient.name or doc.recipient.key or doc.recipient.email)
    label = "DMCA (Copyright)" if doc.form is NoticeForm.dmca else "DSA Article 16 (Copyright)"
    title = f"{label} notice {clean_text(doc.reference)} to {recipient_name or 'a provider'}"
    tags = ["copyright", "leaktrace", doc.form.value]
    if doc.form is NoticeForm.dsa:
        tags.append("digital services act")
        if doc.sender is not None and clean_text(doc.sender.trusted_flagger):
            tags.append("trusted flagger")
    only_work = doc.works[0].id if len(doc.works) == 1 else None
    works: list[dict[str, Any]] = []
    for work in doc.works:
        urls = [
            clean_text(loc.url)
            for loc in doc.locations
            if (loc.work_id or only_work) == work.id and clean_text(loc.url)
        ]
        description = clean_text(work.label)
        if doc.sender is not None and clean_text(doc.sender.principal):
            description += f" (rights holder: {clean_text(doc.sender.principal)})"
        works.append(
            {
                "description": description,
                "kind": clean_text(work.kind) or "movie",
                "copyrighted_urls_attributes": (
                    [{"url": work.copyrighted_url}] if work.copyrighted_url else []
                ),
                "infringing_urls_attributes": [{"url": url} for url in dict.fromkeys(urls)],
            }
        )
    roles: list[dict[str, Any]] = []
    sender = doc.sender
    if sender is not None:
        line_1, line_2 = _address_lines(sender.address)
        entity = _entity(
            name=clean_text(sender.name),
            kind=SENDER_KIND,
            address_line_1=line_1,
            address_line_2=line_2,
            phone=clean_text(sender.phone),
            email=clean_text(sender.email),
        )
        roles.append({"name": "sender", "entity_attributes": entity})
        if sender.is_agent:  # it acts for the principal (the rights holder)
            roles.append({"name": "agent", "entity_attributes": dict(entity)})
        if clean_text(sender.principal):
            roles.append(
                {
                    "name": "principal",
                    "entity_attributes": _entity(
                        name=clean_text(sender.principal), kind="organization"
                    ),
                }
            )
    roles.append(
        {
            "name": "recipient",
            "entity_attributes": _entity(
                name=recipient_name or "unknown provider",
                kind="organization",
                country_code=clean_text(doc.recipient.country).upper() or None,
                email=clean_text(doc.recipient.email),
            ),
        }
    )
    notice: dict[str, Any] = {
        "title": title[:_MAX_TITLE],
        "type": _TYPE[doc.form],
        "subject": clean_text(rendered.subject),
        "body": _redacted_body(doc, rendered.body),
        "source": "Email",
        "tag_list": ", ".join(tags),
        "works_attributes": works,
        "entity_notice_roles_attributes": roles,
    }
    if sent_at is not None:
        moment = sent_at if sent_at.tzinfo is not None else sent_at.replace(tzinfo=UTC)
        notice["date_sent"] = moment.astimezone(UTC).isoformat()
    if doc.language in LUMEN_LANGUAGES:
        notice["language"] = doc.language
    if doc.recipient.country and clean_text(doc.recipient.country):
        notice["jurisdiction_list"] = clean_text(doc.recipient.country).upper()
    return {"notice": notice}
