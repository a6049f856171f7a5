"""The legal forms of a takedown notice and what each must contain.

**DMCA**, 17 U.S.C. §512(c)(3)(A): a notification of claimed infringement is effective
only if it includes substantially (i) a physical or electronic signature of a person
authorized to act on behalf of the owner of an exclusive right that is allegedly
infringed; (ii) identification of the copyrighted work claimed to have been infringed
(or, for multiple works at a single online site, a representative list of them); (iii)
identification of the material that is claimed to be infringing, and information
reasonably sufficient to permit the service provider to locate it (here: its exact URLs);
(iv) information reasonably sufficient to contact the complaining party (address,
telephone number, e-mail address); (v) a statement that the complaining party has a good
faith belief that use of the material in the manner complained of is not authorized by
the copyright owner, its agent, or the law; (vi) a statement that the information in the
notification is accurate, and under penalty of perjury, that the complaining party is
authorized to act on behalf of the owner of an exclusive right that is allegedly
infringed.

**DSA**, Regulation (EU) 2022/2065, Article 16(2): (a) a sufficiently substantiated
explanation of the reasons why the information is alleged to be illegal content; (b) a
clear indication of the exact electronic location of that information, such as the exact
URL or URLs; (c) the name and e-mail address of the individual or entity submitting the
notice; (d) a statement confirming the bona fide belief of the submitter that the
information and allegations contained therein are accurate and complete. When the sender
has the status of **trusted flagger** (Article 22), the notice states it, so that it is
processed with priority.

:func:`check_document` checks the data a notice is drawn from, :func:`check_rendered` the
rendered text; both raise :class:`~leaktrace.errors.IncompleteNoticeError` naming the
first element missing, in the order the law lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from leaktrace.errors import IncompleteNoticeError
from leaktrace.notices.model import NoticeDocument, NoticeForm
from leaktrace.notices.templates import RenderedNotice, clean_text, statements_for

__all__ = ["ELEMENTS", "Element", "check_document", "check_rendered", "element"]


@dataclass(frozen=True, slots=True)
class Element:
    """One element a legal form requires: ``key`` (stable, for code), ``label`` (named in
    refusals) and ``citation`` (where the law requires it)."""

    key: str
    label: str
    citation: str


_DMCA = "17 U.S.C. §512(c)(3)(A)"
_DSA = "Regulation (EU) 2022/2065"

ELEMENTS: dict[NoticeForm, tuple[Element, ...]] = {
    NoticeForm.dmca: (
        Element("signature", "signature", f"{_DMCA}(i)"),
        Element("works", "identification of the copyrighted work", f"{_DMCA}(ii)"),
        Element(
            "locations",
            "identification of the infringing material and its exact locations",
            f"{_DMCA}(iii)",
        ),
        Element("contact", "contact details of the complaining party", f"{_DMCA}(iv)"),
        Element("good_faith", "good-faith statement", f"{_DMCA}(v)"),
        Element(
            "accuracy",
            "statement of accuracy and, under penalty of perjury, of authority to act "
            "for the owner",
            f"{_DMCA}(vi)",
        ),
    ),
    NoticeForm.dsa: (
        Element(
            "explanation",
            "substantiated explanation of why the content is illegal",
            f"{_DSA}, Art. 16(2)(a)",
        ),
        Element("locations", "exact electronic location (URLs)", f"{_DSA}, Art. 16(2)(b)"),
        Element("notifier", "name and e-mail address of the notifier", f"{_DSA}, Art. 16(2)(c)"),
        Element("bona_fide", "bona fide statement", f"{_DSA}, Art. 16(2)(d)"),
        Element("trusted_flagger", "trusted-flagger status", f"{_DSA}, Art. 22"),
    ),
}
"""The elements of each form, in the order the law lists them. The DSA's
``trusted_flagger`` applies only when the sender has that status."""

_STATEMENT_OF = {"good_faith": "good_faith", "accuracy": "accuracy", "bona_fide": "bona_fide"}


def element(form: NoticeForm, key: str) -> Element:
    """The element ``key`` of ``form``."""
    for found in ELEMENTS[form]:
        if found.key == key:
            return found
    raise KeyError(key)


def _refuse(
    doc: NoticeDocument, key: str, reason: str, template: str | None = None
) -> IncompleteNoticeError:
    found = element(doc.form, key)
    return IncompleteNoticeError(
        f"{doc.form.value.upper()} notice {doc.reference} lacks the {found.label} "
        f"({found.citation}): {reason}",
        form=doc.form.value,
        element=found.label,
        template=template,
    )


def _blank(value: str | None) -> bool:
    return value is None or not clean_text(value)


def _document_problem(doc: NoticeDocument, key: str) -> str | None:
    """Why the data of ``doc`` lacks element ``key``, or None."""
    sender = doc.sender
    work_ids = {work.id for work in doc.works}
    if key == "signature":
        if sender is None:
            return "no sender is configured ([notices.sender])"
        if _blank(sender.signature):
            return "the sender has no signature ([notices.sender] signature)"
    elif key == "works" or (key == "explanation" and not doc.works):
        if not doc.works:
            return "no copyrighted work is identified"
        for work in doc.works:
            if _blank(work.title):
                return f"work {work.id!r} has no title"
    elif key == "locations":
        if not doc.locations:
            return "no location (URL) is listed"
        for loc in doc.locations:
            if _blank(loc.url):
                return "a location has no URL"
            if loc.work_id is None and len(doc.works) != 1:
                return f"{clean_text(loc.url)}: which work it is a copy of is not said"
            if loc.work_id is not None and loc.work_id not in work_ids:
                return f"{clean_text(loc.url)}: its work {loc.work_id!r} is not identified"
    elif key == "contact":
        if sender is None:
            return "no sender is configured ([notices.sender])"
        for field in ("name", "address", "phone", "email"):
            if _blank(getattr(sender, field)):
                return f"the sender has no {field} ([notices.sender] {field})"
    elif key == "accuracy":
        if sender is None:
            return "no sender is configured ([notices.sender])"
        if _blank(sender.principal):
            return "the rights holder the sender acts for is not set ([notices.sender] principal)"
    elif key == "explanation":
        for loc in doc.locations:
            if _blank(loc.why):
                return f"{clean_text(loc.url)}: no explanation of why it is illegal"
    elif key == "notifier":
        if sender is None:
            return "no sender is configured ([notices.sender])"
        for field in ("name", "email"):
            if _blank(getattr(sender, field)):
                return f"the sender has no {field} ([notices.sender] {field})"
    return None


def check_document(doc: NoticeDocument) -> None:
    """Refuse ``doc`` when its data lacks an element of its form: no sender or an empty
    field of it, no work, no location, a DSA location without its explanation ... The
    statements are the template's business (:func:`check_rendered`)."""
    for found in ELEMENTS[doc.form]:
        problem = _document_problem(doc, found.key)
        if problem is not None:
            raise _refuse(doc, found.key, problem)


def _squash(text: str) -> str:
    return " ".join(text.split())


_BEFORE = frozenset("<([\"'")
_AFTER = frozenset(">])\"'")
_AFTER_AFTER = frozenset(".,;:")


def _has_url(text: str, url: str) -> bool:
    """``url`` stands in ``text`` as a whole (not as the start of a longer URL): after
    the start, a space or an opening bracket or quote; before the end, a space, or a
    closing bracket or quote followed by the end, a space or punctuation."""
    if not url:
        return False
    start = text.find(url)
    while start != -1:
        end = start + len(url)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isspace() or before in _BEFORE:
            if after.isspace():
                return True
            if after in _AFTER:
                next_char = text[end + 1] if end + 1 < len(text) else " "
                if next_char.isspace() or next_char in _AFTER_AFTER:
                    return True
        start = text.find(url, start + 1)
    return False


def _missing(doc: NoticeDocument, body: str, statements: dict[str, str], key: str) -> str | None:
    """What of element ``key`` is not in ``body`` (whitespace-squashed), or None."""
    sender = doc.sender

    def absent(value: str | None) -> bool:
        wanted = _squash(clean_text(value))
        return bool(wanted) and wanted not in body

    if key == "signature" and sender is not None and absent(sender.signature):
        return "the signature is not in the text"
    if key in ("works", "explanation"):
        for work in doc.works:
            if absent(work.title):
                return f"the work {clean_text(work.title)!r} is not named in the text"
    if key == "explanation":
        for loc in doc.locations:
            if absent(loc.why):
                return f"the explanation for {clean_text(loc.url)} is not in the text"
    if key == "locations":
        for loc in doc.locations:
            if not _has_url(body, clean_text(loc.url)):
                return f"the URL {clean_text(loc.url)} is not in the text"
    if key in ("contact", "notifier") and sender is not None:
        fields = ("name", "address", "phone", "email") if key == "contact" else ("name", "email")
        for field in fields:
            if absent(getattr(sender, field)):
                return f"the sender's {field} is not in the text"
    if key in _STATEMENT_OF:
        text = statements.get(_STATEMENT_OF[key])
        if not text:
            return f"the statements file has no {key!r} text"
        if absent(text):
            return "the statement is not in the text"
    if key == "accuracy" and sender is not None and absent(sender.principal):
        return "the rights holder the sender acts for is not named in the text"
    if key == "trusted_flagger" and sender is not None and not _blank(sender.trusted_flagger):
        text = statements.get("trusted_flagger")
        if not text:
            return "the statements file has no 'trusted_flagger' text"
        if absent(text):
            return "the trusted-flagger statement is not in the text"
        if absent(sender.trusted_flagger):
            return "the trusted-flagger status is not in the text"
    return None


def check_rendered(doc: NoticeDocument, rendered: RenderedNotice) -> None:
    """Refuse ``rendered`` when its body lacks an element of ``doc``'s form: each URL
    verbatim, each work's title, the signature, the contact details, every statement of
    the form in the notice's language (the ones it was rendered with, else the shipped
    ones), the trusted-flagger statement and status when the sender has one. Whitespace
    (line wrapping) does not matter; the subject does not count."""
    check_document(doc)
    statements = (
        dict(rendered.statements) if rendered.statements else statements_for(doc.form, doc.language)
    )
    body = _squash(rendered.body)
    for found in ELEMENTS[doc.form]:
        problem = _missing(doc, body, statements, found.key)
        if problem is not None:
            raise _refuse(doc, found.key, problem, template=rendered.template)
