"""Rendering notices from the shipped and the user's templates (leaktrace.notices.templates)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError, NoticeTemplateError
from leaktrace.notices import templates
from leaktrace.notices.model import LANGUAGES, NoticeForm, NoticeLocation, Recipient
from leaktrace.notices.templates import (
    RenderedNotice,
    available_languages,
    clean_text,
    render_notice,
    statements_for,
)

from .conftest import SENDER, make_doc

SHIPPED = Path(__file__).resolve().parents[2] / "leaktrace" / "notices" / "templates"
FORMS_LANGUAGES = [(form, lang) for form in NoticeForm for lang in LANGUAGES]


def test_every_form_ships_in_every_language() -> None:
    for form in NoticeForm:
        assert available_languages(form) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert (SHIPPED / f"statements.{lang}.toml").is_file()


@pytest.mark.parametrize(("form", "language"), FORMS_LANGUAGES)
def test_shipped_templates_render(form: NoticeForm, language: str) -> None:
    rendered = render_notice(make_doc(form, language))
    assert rendered.template == f"{form.value}.{language}.txt"
    assert "LT-N-000042" in rendered.subject and "\n" not in rendered.subject
    assert "The Silent Harbour (2026)" in rendered.subject
    assert not rendered.body.startswith(("Subject", "\n"))
    for loc in make_doc().locations:
        assert loc.url in rendered.body
    assert "https://www.imdb.com/title/tt9900001/" in rendered.body
    assert "1 Main Street, Springfield, IL 62701, USA" in rendered.body
    assert "/s/ Jane Roe" in rendered.body and "Example Films Ltd" in rendered.body
    assert "2026-12-01 14:03 UTC" in rendered.body
    statements = statements_for(form, language)
    assert dict(rendered.statements) == statements
    for text in statements.values():
        if "trusted" not in text and "attendibile" not in text and "confiance" not in text:
            assert text in rendered.body
    assert "{{" not in rendered.body and "{%" not in rendered.body
    if form is NoticeForm.dsa:
        for loc in make_doc().locations:
            assert loc.why and loc.why in rendered.body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["2 December 2026", "Digital Millennium Copyright Act", "under penalty of perjury"]),
        ("it", ["2 dicembre 2026", "sotto pena di spergiuro", "Testo originale inglese"]),
        ("fr", ["2 décembre 2026", "sous peine de parjure", "Texte original anglais"]),
    ],
)
def test_dmca_wording_per_language(language: str, words: list[str]) -> None:
    body = render_notice(make_doc(NoticeForm.dmca, language)).body
    for word in words:
        assert word in body
    if language != "en":  # the English statutory statements come with the translation
        for text in statements_for(NoticeForm.dmca, "en").values():
            assert text in body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Article 16(2)(a)", "Article 3(h)", "Directive 2001/29/EC", "bona fide"]),
        (
            "it",
            ["articolo 16, paragrafo 2, lettera a)", "legge 22 aprile 1941, n. 633", "buona fede"],
        ),
        (
            "fr",
            [
                "article 16, paragraphe 2, point a)",
                "code de la propriété intellectuelle",
                "bonne foi",
            ],
        ),
    ],
)
def test_dsa_wording_per_language(language: str, words: list[str]) -> None:
    body = render_notice(make_doc(NoticeForm.dsa, language)).body
    for word in words:
        assert word in body


def test_french_first_of_month() -> None:
    doc = make_doc(NoticeForm.dsa, "fr", day=make_doc().day.replace(day=1))
    assert "1er décembre 2026" in render_notice(doc).body


@pytest.mark.parametrize(("form", "language"), FORMS_LANGUAGES)
def test_trusted_flagger_only_when_the_sender_has_the_status(
    form: NoticeForm, language: str
) -> None:
    status = "awarded by AGCOM (IT) on 2024-05-02"
    plain = render_notice(make_doc(form, language))
    flagged = render_notice(
        make_doc(form, language, sender=replace(SENDER, trusted_flagger=status))
    )
    text = statements_for(form, language).get("trusted_flagger")
    if form is NoticeForm.dsa:
        assert text and text in flagged.body and status in flagged.body
        assert text not in plain.body
    else:
        assert status not in flagged.body


@pytest.mark.parametrize(("form", "language"), FORMS_LANGUAGES)
def test_renotice_names_the_previous_notice(form: NoticeForm, language: str) -> None:
    first = render_notice(make_doc(form, language))
    doc = make_doc(
        form, language, previous_reference="LT-N-000007", extra={"previous_sent": "2026-11-20"}
    )
    again = render_notice(doc)
    assert "LT-N-000007" not in first.body
    assert "LT-N-000007" in again.body
    assert {"en": "20 November 2026", "it": "20 novembre 2026", "fr": "20 novembre 2026"}[
        language
    ] in again.body


def test_agent_and_owner_are_worded_differently() -> None:
    agent = render_notice(make_doc()).body
    owner = render_notice(make_doc(sender=replace(SENDER, principal="Jane Roe"))).body
    assert "authorized agent of Example Films Ltd" in agent
    assert "authorized agent" not in owner and "on behalf of Jane Roe" in owner


def test_unknown_language_lists_the_available_ones() -> None:
    for language in ("de", "../../etc/passwd", "EN", ""):
        with pytest.raises(InputError) as caught:
            render_notice(make_doc(language=language))
        assert caught.value.field == "language"
        assert "en, fr, it" in caught.value.reason


def test_outside_values_lose_their_control_characters() -> None:
    doc = make_doc(
        recipient=Recipient("Abuse\r\nBcc: victim@example.org", "abuse@host.example"),
        locations=(
            replace(
                make_doc().locations[0], release="Evil\x1b[2J\x00Name\u202e", why="line\nbreak"
            ),
        ),
        works=make_doc().works[:1],
    )
    rendered = render_notice(doc)
    for text in (rendered.subject, rendered.body):
        assert (
            "\x1b" not in text and "\x00" not in text and "\u202e" not in text and "\r" not in text
        )
    assert "Abuse, Bcc: victim@example.org" in rendered.body
    assert "Evil[2JName" in rendered.body
    assert clean_text("a\r\n b\tc\x07") == "a, b c"


def _user_dir(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_user_template_replaces_the_shipped_one(tmp_path: Path) -> None:
    folder = _user_dir(
        tmp_path,
        "dmca.en.txt",
        "Subject: Takedown {{ notice.reference }}\n\nHello {{ recipient.name }}\n",
    )
    rendered = render_notice(make_doc(), templates_dir=folder)
    assert rendered == RenderedNotice(
        "Takedown LT-N-000042",
        "Hello Host Example Abuse\n",
        "dmca.en.txt",
        tuple(sorted(statements_for(NoticeForm.dmca, "en").items())),
    )
    assert (
        "Digital Millennium"
        in render_notice(make_doc(NoticeForm.dmca, "it"), templates_dir=folder).body
    )
    assert render_notice(make_doc(NoticeForm.dsa), templates_dir=folder).body.startswith("To:")


def test_a_user_language_needs_its_statements(tmp_path: Path) -> None:
    shutil.copy(SHIPPED / "dmca.en.txt", tmp_path / "dmca.de.txt")
    assert available_languages(NoticeForm.dmca, tmp_path) == ["de", "en", "fr", "it"]
    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(make_doc(language="de"), templates_dir=tmp_path)
    assert caught.value.file is not None and caught.value.file.endswith("statements.de.toml")
    shutil.copy(SHIPPED / "statements.en.toml", tmp_path / "statements.de.toml")
    assert (
        "penalty of perjury" in render_notice(make_doc(language="de"), templates_dir=tmp_path).body
    )


def test_user_statements_replace_the_shipped_ones(tmp_path: Path) -> None:
    text = (SHIPPED / "statements.en.toml").read_text(encoding="utf-8")
    text = text.replace(
        "I have a good faith belief", "I, the undersigned, have a good faith belief"
    )
    folder = _user_dir(tmp_path, "statements.en.toml", text)
    rendered = render_notice(make_doc(), templates_dir=folder)
    assert "I, the undersigned, have a good faith belief" in rendered.body
    assert dict(rendered.statements)["good_faith"].startswith("I, the undersigned")


SYNTAX_ERROR = "Subject: x\n\nline 3\nline 4\n{% if notice.reference %}\nno endif on line 6\n"
UNDEFINED = "Subject: x\n\nline 3\nline 4\nline 5\n{{ notice.reference }} {{ sender.fax_number }}\n"
UNDEFINED_NAME = "Subject: x\n\n{{ notice.reference }}\n{{ nosuchname }}\n"
BAD_FILTER = "Subject: x\n\n\n{{ works | sum }}\n"
UNSAFE = "Subject: x\n\n{{ notice.__class__.__mro__ }}\n{{ ''.__class__.__subclasses__() }}\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (SYNTAX_ERROR, 6, "end of template"),
        ("Subject: x\n\n{{ notice.reference \n", 3, "syntax"),
        (
            "Subject: x\n\n{% for x in works %}{{ x.title }}{% endfor %}\n{% endwhile %}\n",
            4,
            "syntax",
        ),
        (UNDEFINED, 6, "fax_number"),
        (UNDEFINED_NAME, 4, "nosuchname"),
        (BAD_FILTER, 4, "template error"),
        (UNSAFE, 3, "unsafe"),
        ("To: nobody\n\nbody\n", 1, "Subject"),
        ("Subject: x\nno blank line\n", 2, "blank line"),
        ("Subject:   \n\nbody\n", 1, "subject is empty"),
    ],
)
def test_template_errors_name_the_template_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    folder = _user_dir(tmp_path, "dsa.fr.txt", text)
    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(make_doc(NoticeForm.dsa, "fr"), templates_dir=folder)
    assert caught.value.file == "dsa.fr.txt"
    assert caught.value.line == line, caught.value.reason
    assert words in caught.value.reason


def test_unreadable_template_and_statements(tmp_path: Path) -> None:
    (tmp_path / "dmca.en.txt").write_bytes(b"Subject: \xff\xfe\n\nbody\n")
    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(make_doc(), templates_dir=tmp_path)
    assert caught.value.file == "dmca.en.txt" and "UTF-8" in caught.value.reason
    other = tmp_path / "other"
    other.mkdir()
    (other / "statements.en.toml").write_text(
        "[dmca]\ngood_faith = 'a'\n\naccuracy = \n", encoding="utf-8"
    )
    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(make_doc(), templates_dir=other)
    assert caught.value.file == str(other / "statements.en.toml") and caught.value.line == 4
    (other / "statements.en.toml").write_text("[dsa]\nbona_fide = 'x'\n", encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match=r"no \[dmca\] statements"):
        render_notice(make_doc(), templates_dir=other)


def test_edited_template_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "dmca.en.txt"
    path.write_text("Subject: one\n\nfirst\n", encoding="utf-8")
    assert render_notice(make_doc(), templates_dir=tmp_path).subject == "one"
    path.write_text("Subject: two, longer\n\nsecond\n", encoding="utf-8")
    os.utime(path, (path.stat().st_atime + 5, path.stat().st_mtime + 5))
    assert render_notice(make_doc(), templates_dir=tmp_path).subject == "two, longer"


def test_locations_without_a_known_work_show_the_only_work() -> None:
    doc = make_doc(
        works=make_doc().works[:1],
        locations=(NoticeLocation("https://x.example/a", "x.example", None, None, None, "why"),),
    )
    assert "Copy of: The Silent Harbour (2026)" in render_notice(doc).body


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_clean_text_fast_path_is_the_walk(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == templates._clean_walk(text)
    assert cleaned.isprintable() or all(c not in cleaned for c in "\r\n\x00\x1b\u202e")
    assert clean_text(cleaned) == cleaned


def test_a_statements_file_lacking_a_statement_is_named(tmp_path: Path) -> None:
    (tmp_path / "statements.en.toml").write_text(
        "[dmca]\ngood_faith = 'I believe in good faith.'\n[dsa]\nbona_fide = 'x'\n",
        encoding="utf-8",
    )
    for form, lacking in ((NoticeForm.dmca, "accuracy"), (NoticeForm.dsa, "trusted_flagger")):
        with pytest.raises(NoticeTemplateError) as caught:
            render_notice(make_doc(form), templates_dir=tmp_path)
        assert caught.value.file == str(tmp_path / "statements.en.toml")
        assert caught.value.reason.endswith("lacks " + lacking)


def test_an_unreadable_templates_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self == tmp_path:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(make_doc(), templates_dir=tmp_path)
    assert caught.value.file == str(tmp_path) and "Permission denied" in caught.value.reason


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_section_cites_the_provision_it_fulfils(language: str) -> None:
    dmca = render_notice(make_doc(NoticeForm.dmca, language)).body
    for part in ("(i)", "(ii)", "(iii)", "(iv)", "(v)"):
        assert f"17 U.S.C. §512(c)(3)(A){part}" in dmca
    assert "(A)(v) and (vi)" in dmca or "(A)(v) e (vi)" in dmca or "(A)(v) et (vi)" in dmca
    dsa = render_notice(
        make_doc(NoticeForm.dsa, language, sender=replace(SENDER, trusted_flagger="AGCOM"))
    ).body
    points = {
        "en": [
            "Article 16(2)(a)",
            "Article 16(2)(b)",
            "Article 16(2)(c)",
            "Article 16(2)(d)",
            "Article 22",
        ],
        "it": ["lettera a)", "lettera b)", "lettera c)", "lettera d)", "articolo 22"],
        "fr": ["point a)", "point b)", "point c)", "point d)", "article 22"],
    }[language]
    for point in points:
        assert point in dsa
