"""Rendering a notice's text from its template.

Templates are Jinja text files named ``<form>.<language>.txt`` (``dmca.en.txt``,
``dsa.it.txt`` ...) shipped in ``leaktrace/notices/templates/``; a file of the same name in
the user's ``notices.templates_dir`` is used instead (and a new language is added by adding
both files there). The first line of the rendered text is ``Subject: ...``, then a blank
line, then the body.

The statements each legal form requires (DMCA good faith and accuracy, DSA bona fide,
trusted flagger) are kept apart in ``statements.<language>.toml`` (overridable the same
way): the template inserts them as ``{{ statements.<key> }}`` and
:func:`leaktrace.notices.forms.check_rendered` looks for them verbatim in the body. The
DMCA templates in other languages than English also get ``{{ original.<key> }}``, the
English wording.

Values from outside (URLs, names, release names, explanations) are not HTML-escaped (the
text is plain text), but every control character is taken out of them and line breaks
become ``", "``, so a value cannot forge a header line or hide text. Undefined names are
errors. Any problem with a template (unreadable file, syntax error, undefined name, a
failing expression, no ``Subject:`` line) raises
:class:`~leaktrace.errors.NoticeTemplateError` naming the template and its line.

The context a template sees:

``notice``
    ``reference``, ``form``, ``language``, ``day`` (the date, written in the language),
    ``previous_reference`` and ``previous_sent`` (a re-notice: the notice it repeats and
    the day it was sent, from ``NoticeDocument.extra["previous_sent"]``), else empty.
``sender``
    ``name``, ``email``, ``address``, ``phone``, ``signature``, ``principal``,
    ``trusted_flagger`` (empty when none), ``is_agent``.
``recipient``
    ``name``, ``email``, ``country``, ``key`` (empty when unknown).
``works``
    each with ``id``, ``title``, ``label`` (title and year), ``year``, ``kind``,
    ``imdb_id``, ``url`` (a public page identifying it, or empty).
``locations``
    each with ``url``, ``host``, ``work`` (the label of the work it copies), ``release``,
    ``first_seen`` (``YYYY-MM-DD HH:MM UTC`` or empty), ``why``.
``statements``, ``original``
    the statements of the form in the notice's language, and in English.
``extra``
    ``NoticeDocument.extra``, cleaned.
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from leaktrace.errors import InputError, NoticeTemplateError
from leaktrace.notices.model import NoticeDocument, NoticeForm, NoticeWork

__all__ = [
    "REQUIRED_STATEMENTS",
    "RenderedNotice",
    "available_languages",
    "clean_text",
    "render_notice",
    "statements_for",
    "template_name",
]

_PACKAGE = "leaktrace.notices"
_FOLDER = "templates"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
_TEMPLATE_FILE = re.compile(r"^(dmca|dsa)\.([a-z]{2,3}(?:-[a-z0-9]{2,8})?)\.txt$")
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85|\x0b|\x0c")
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "it": (
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


REQUIRED_STATEMENTS: dict[NoticeForm, tuple[str, ...]] = {
    NoticeForm.dmca: ("good_faith", "accuracy"),
    NoticeForm.dsa: ("bona_fide", "trusted_flagger"),
}
"""The statements each form's file section must hold (§512(c)(3)(A)(v), (vi); Art.
16(2)(d), Art. 22)."""


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    """A notice's text as it will be sent: ``subject`` (one line), ``body``, and the
    ``template`` it came from (``dmca.en.txt``). ``statements`` are the statements the
    body had to contain when it was rendered (key, text); empty for a notice read back
    from storage, in which case :func:`~leaktrace.notices.forms.check_rendered` uses the
    shipped ones."""

    subject: str
    """One line, at most 300 characters (what ``notices.subject`` holds)."""
    body: str
    template: str
    statements: tuple[tuple[str, str], ...] = ()


def clean_text(value: object) -> str:
    """``value`` as text fit for a plain-text notice: line breaks become ``", "``, every
    other control or format character (NUL, ESC, bidi overrides ...) is dropped."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if text.isprintable():  # the usual case: no control, format or line-break character
        return text.strip()
    return _clean_walk(text)


def _clean_walk(text: str) -> str:
    lines = (
        "".join(
            " " if char == "\t" else char
            for char in line
            if char == "\t" or unicodedata.category(char) not in _DROPPED
        ).strip()
        for line in _NEWLINES.split(text)
    )
    return ", ".join(line for line in lines if line)


def template_name(form: NoticeForm | str, language: str) -> str:
    return f"{NoticeForm(form).value}.{language}.txt"


def _shipped_dir() -> Path:
    return Path(str(resources.files(_PACKAGE) / _FOLDER))


def available_languages(form: NoticeForm | str, templates_dir: Path | None = None) -> list[str]:
    """The languages a ``form`` template exists in, shipped or in ``templates_dir``."""
    wanted = NoticeForm(form).value
    found: set[str] = set()
    for folder in (_shipped_dir(), templates_dir):
        if folder is None or not folder.is_dir():
            continue
        try:
            names = [path.name for path in folder.iterdir()]
        except OSError as exc:
            raise NoticeTemplateError(
                f"cannot read the templates folder: {exc.strerror or exc}", file=str(folder)
            ) from None
        for name in names:
            match = _TEMPLATE_FILE.match(name)
            if match and match.group(1) == wanted:
                found.add(match.group(2))
    return sorted(found)


def _finalize(value: object) -> str:
    return clean_text(value)


@lru_cache(maxsize=16)
def _environment(templates_dir: Path | None) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir), encoding="utf-8"))
    loaders.append(jinja2.FileSystemLoader(str(_shipped_dir()), encoding="utf-8"))
    return SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
        auto_reload=True,
    )


_STATEMENTS_LOCK = threading.Lock()
_STATEMENTS_CACHE: dict[tuple[str, int, int], dict[str, dict[str, str]]] = {}


def _statements_file(language: str, templates_dir: Path | None) -> Path:
    name = f"statements.{language}.toml"
    if templates_dir is not None and (templates_dir / name).is_file():
        return templates_dir / name
    return _shipped_dir() / name


def _read_statements(path: Path) -> dict[str, dict[str, str]]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise NoticeTemplateError(
            f"cannot read the statements file: {exc.strerror or exc}", file=str(path)
        ) from None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _STATEMENTS_LOCK:
        cached = _STATEMENTS_CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NoticeTemplateError(
            f"cannot read the statements file: {exc.strerror or exc}", file=str(path)
        ) from None
    except UnicodeDecodeError:
        raise NoticeTemplateError("the statements file is not UTF-8", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        found = re.search(r"line (\d+)", str(exc))
        if line is None and found:
            line = int(found.group(1))
        raise NoticeTemplateError(f"not valid TOML: {exc}", file=str(path), line=line) from None
    table: dict[str, dict[str, str]] = {}
    for form, section in data.items():
        if not isinstance(section, dict) or not all(
            isinstance(v, str) and v.strip() for v in section.values()
        ):
            raise NoticeTemplateError(
                f"[{form}] must be a table of non-empty texts", file=str(path)
            )
        table[form] = {k: clean_text(v) for k, v in section.items()}
    with _STATEMENTS_LOCK:
        if len(_STATEMENTS_CACHE) > 64:
            _STATEMENTS_CACHE.clear()
        _STATEMENTS_CACHE[key] = table
    return table


def statements_for(
    form: NoticeForm | str, language: str, templates_dir: Path | None = None
) -> dict[str, str]:
    """The statements of ``form`` in ``language`` (key → text), the user's file first."""
    path = _statements_file(language, templates_dir)
    table = _read_statements(path)
    found = table.get(NoticeForm(form).value)
    if not found:
        raise NoticeTemplateError(
            f"no [{NoticeForm(form).value}] statements in {path.name}", file=str(path)
        )
    lacking = [key for key in REQUIRED_STATEMENTS[NoticeForm(form)] if key not in found]
    if lacking:
        raise NoticeTemplateError(
            f"[{NoticeForm(form).value}] in {path.name} lacks " + ", ".join(lacking),
            file=str(path),
        )
    return dict(found)


def _day(value: date, language: str) -> str:
    months = _MONTHS.get(language.split("-")[0])
    if months is None:
        return value.isoformat()
    if language.startswith("en"):
        return f"{value.day} {months[value.month - 1]} {value.year}"
    first = "1er" if language.startswith("fr") and value.day == 1 else str(value.day)
    return f"{first} {months[value.month - 1]} {value.year}"


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _work(work: NoticeWork) -> dict[str, Any]:
    return {
        "id": clean_text(work.id),
        "title": clean_text(work.title),
        "label": clean_text(work.label),
        "year": work.year,
        "kind": clean_text(work.kind),
        "imdb_id": clean_text(work.imdb_id),
        "url": clean_text(work.copyrighted_url),
    }


def _context(
    doc: NoticeDocument, statements: dict[str, str], original: dict[str, str]
) -> dict[str, Any]:
    labels = {work.id: clean_text(work.label) for work in doc.works}
    only = clean_text(doc.works[0].label) if len(doc.works) == 1 else ""
    sender = doc.sender
    previous_sent = doc.extra.get("previous_sent", "")
    try:
        previous_sent = _day(date.fromisoformat(previous_sent[:10]), doc.language)
    except ValueError:
        previous_sent = clean_text(previous_sent)
    return {
        "notice": {
            "reference": clean_text(doc.reference),
            "form": doc.form.value,
            "language": doc.language,
            "day": _day(doc.day, doc.language),
            "previous_reference": clean_text(doc.previous_reference),
            "previous_sent": previous_sent if doc.previous_reference else "",
        },
        "sender": {
            "name": clean_text(sender.name if sender else ""),
            "email": clean_text(sender.email if sender else ""),
            "address": clean_text(sender.address if sender else ""),
            "phone": clean_text(sender.phone if sender else ""),
            "signature": clean_text(sender.signature if sender else ""),
            "principal": clean_text(sender.principal if sender else ""),
            "trusted_flagger": clean_text(sender.trusted_flagger if sender else ""),
            "is_agent": bool(sender and sender.is_agent),
        },
        "recipient": {
            "name": clean_text(doc.recipient.name),
            "email": clean_text(doc.recipient.email),
            "country": clean_text(doc.recipient.country),
            "key": clean_text(doc.recipient.key),
        },
        "works": [_work(work) for work in doc.works],
        "locations": [
            {
                "url": clean_text(loc.url),
                "host": clean_text(loc.host),
                "work": labels.get(loc.work_id or "", only),
                "release": clean_text(loc.release),
                "first_seen": _moment(loc.first_seen),
                "why": clean_text(loc.why),
            }
            for loc in doc.locations
        ],
        "statements": statements,
        "original": original,
        "extra": {clean_text(k): clean_text(v) for k, v in doc.extra.items()},
    }


def _template_line(tb: TracebackType | None, filename: str | None) -> int | None:
    """The template line of the innermost traceback frame in ``filename`` (Jinja
    rewrites tracebacks so that template frames carry the template's file and line)."""
    line: int | None = None
    while tb is not None:
        if filename is not None and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _load(env: SandboxedEnvironment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise NoticeTemplateError(
            f"template syntax error: {exc.message}", file=exc.name or name, line=exc.lineno
        ) from None
    except jinja2.TemplateNotFound:
        raise NoticeTemplateError("template not found", file=name) from None
    except UnicodeDecodeError:
        raise NoticeTemplateError("the template is not UTF-8", file=name) from None
    except OSError as exc:
        raise NoticeTemplateError(
            f"cannot read the template: {exc.strerror or exc}", file=name
        ) from None


def render_notice(doc: NoticeDocument, *, templates_dir: Path | None = None) -> RenderedNotice:
    """The text of ``doc`` from the template of its form and language."""
    languages = available_languages(doc.form, templates_dir)
    if not _LANGUAGE.match(doc.language) or doc.language not in languages:
        raise InputError(
            f"no {doc.form.value} template in language {doc.language!r}; available: "
            + ", ".join(languages),
            field="language",
        )
    name = template_name(doc.form, doc.language)
    env = _environment(templates_dir)
    template = _load(env, name)
    statements = statements_for(doc.form, doc.language, templates_dir)
    original = statements_for(doc.form, "en", templates_dir) if doc.language != "en" else statements
    try:
        text = template.render(_context(doc, statements, original))
    except jinja2.TemplateSyntaxError as exc:  # in an included template
        raise NoticeTemplateError(
            f"template syntax error: {exc.message}", file=exc.name or name, line=exc.lineno
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
        line = _template_line(exc.__traceback__, template.filename)
        message = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
        raise NoticeTemplateError(
            f"template error: {message or type(exc).__name__}", file=name, line=line
        ) from None
    head, newline, rest = text.partition("\n")
    if not head.startswith("Subject:") or not newline:
        raise NoticeTemplateError(
            "the first line must be 'Subject: ...' followed by a blank line", file=name, line=1
        )
    if rest.startswith("\r\n"):
        rest = rest[2:]
    elif rest.startswith("\n"):
        rest = rest[1:]
    elif rest.strip():
        raise NoticeTemplateError(
            "the 'Subject:' line must be followed by a blank line", file=name, line=2
        )
    subject = clean_text(head[len("Subject:") :])
    if not subject:
        raise NoticeTemplateError("the subject is empty", file=name, line=1)
    body = rest.rstrip() + "\n"
    return RenderedNotice(
        subject=subject[:300],
        body=body,
        template=name,
        statements=tuple(sorted(statements.items())),
    )
