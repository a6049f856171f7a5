"""A notice as a self-contained, printable HTML page (A4), for review, a PDF printed
from a browser, or the case file.

The page loads nothing (no script, no style sheet, image or font from anywhere: a
Content-Security-Policy of ``default-src 'none'`` says so to the browser), shows the URLs
as text rather than links, and escapes every outside value (the template
``leaktrace/notices/templates/notice.html`` goes through
:func:`leaktrace.templating.html_environment`). The notice's text is shown exactly as it
is sent.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from leaktrace.notices.model import NoticeDocument, NoticeForm
from leaktrace.notices.templates import RenderedNotice, clean_text
from leaktrace.templating import html_environment

__all__ = ["notice_html"]

_LABELS = {
    "en": {
        "reference": "Reference", "from": "From", "to": "To", "date": "Date",
        "subject": "Subject", "location": "Location (URL)", "work": "Work",
        "release": "File or release", "footer": "Prepared with LeakTrace from the template",
        "dmca": "DMCA notification of claimed infringement (17 U.S.C. §512(c)(3))",
        "dsa": "Notice of illegal content (Regulation (EU) 2022/2065, Article 16)",
    },
    "it": {
        "reference": "Riferimento", "from": "Mittente", "to": "Destinatario", "date": "Data",
        "subject": "Oggetto", "location": "Ubicazione (URL)", "work": "Opera",
        "release": "File o release", "footer": "Preparato con LeakTrace dal modello",
        "dmca": "Notifica DMCA di presunta violazione (17 U.S.C. §512(c)(3))",
        "dsa": "Segnalazione di contenuti illegali (regolamento (UE) 2022/2065, articolo 16)",
    },
    "fr": {
        "reference": "Référence", "from": "Expéditeur", "to": "Destinataire", "date": "Date",
        "subject": "Objet", "location": "Emplacement (URL)", "work": "Œuvre",
        "release": "Fichier ou release", "footer": "Établi avec LeakTrace à partir du modèle",
        "dmca": "Notification DMCA d'atteinte présumée (17 U.S.C. §512(c)(3))",
        "dsa": "Notification de contenus illicites (règlement (UE) 2022/2065, article 16)",
    },
}  # fmt: skip


@cache
def _environment() -> Environment:
    return html_environment("leaktrace.notices", "templates")


def _party(name: str | None, email: str | None) -> str:
    name, email = clean_text(name), clean_text(email)
    if name and email:
        return f"{name} <{email}>"
    return name or email or "—"


def notice_html(doc: NoticeDocument, rendered: RenderedNotice, *, status: str) -> str:
    """The printable page of a notice in its current ``status``."""
    labels = _LABELS.get(doc.language.split("-")[0], _LABELS["en"])
    works = {work.id: clean_text(work.label) for work in doc.works}
    only = clean_text(doc.works[0].label) if len(doc.works) == 1 else ""
    recipient = _party(doc.recipient.name, doc.recipient.email)
    if not doc.recipient.email:
        recipient = f"{clean_text(doc.recipient.name or doc.recipient.key) or '—'} (no contact)"
    return (
        _environment()
        .get_template("notice.html")
        .render(
            language=clean_text(doc.language) or "en",
            reference=clean_text(doc.reference),
            heading=labels[NoticeForm(doc.form).value],
            labels=labels,
            status=clean_text(status),
            sender=_party(doc.sender.name, doc.sender.email) if doc.sender else "—",
            recipient=recipient,
            day=doc.day.isoformat(),
            subject=clean_text(rendered.subject),
            body=rendered.body,
            template=clean_text(rendered.template),
            locations=[
                {
                    "url": clean_text(loc.url),
                    "work": works.get(loc.work_id or "", only),
                    "release": clean_text(loc.release),
                }
                for loc in doc.locations
            ],
        )
    )
