"""Each legal form's completeness, checked element by element (leaktrace.notices.forms).

Every element is taken away in turn (from the sender settings, the works, the locations or
the template text) and the refusal must name exactly that element."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import IncompleteNoticeError, InputError
from leaktrace.notices import forms
from leaktrace.notices.forms import ELEMENTS, check_document, check_rendered, element
from leaktrace.notices.model import LANGUAGES, NoticeDocument, NoticeForm, NoticeLocation
from leaktrace.notices.templates import RenderedNotice, render_notice

from .conftest import LOCATIONS, SENDER, WORKS, make_doc

SHIPPED = Path(__file__).resolve().parents[2] / "leaktrace" / "notices" / "templates"
DMCA, DSA = NoticeForm.dmca, NoticeForm.dsa
FLAGGER = "designated by AGCOM (Italy) on 2 May 2024"


def test_the_forms_list_the_laws_elements_in_order() -> None:
    assert [(e.key, e.citation) for e in ELEMENTS[DMCA]] == [
        ("signature", "17 U.S.C. §512(c)(3)(A)(i)"),
        ("works", "17 U.S.C. §512(c)(3)(A)(ii)"),
        ("locations", "17 U.S.C. §512(c)(3)(A)(iii)"),
        ("contact", "17 U.S.C. §512(c)(3)(A)(iv)"),
        ("good_faith", "17 U.S.C. §512(c)(3)(A)(v)"),
        ("accuracy", "17 U.S.C. §512(c)(3)(A)(vi)"),
    ]
    assert [(e.key, e.citation) for e in ELEMENTS[DSA]] == [
        ("explanation", "Regulation (EU) 2022/2065, Art. 16(2)(a)"),
        ("locations", "Regulation (EU) 2022/2065, Art. 16(2)(b)"),
        ("notifier", "Regulation (EU) 2022/2065, Art. 16(2)(c)"),
        ("bona_fide", "Regulation (EU) 2022/2065, Art. 16(2)(d)"),
        ("trusted_flagger", "Regulation (EU) 2022/2065, Art. 22"),
    ]
    assert element(DMCA, "good_faith").label == "good-faith statement"
    assert element(DMCA, "signature").label == "signature"


@pytest.mark.parametrize("form", list(NoticeForm))
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("flagger", [None, FLAGGER])
def test_complete_notices_pass(form: NoticeForm, language: str, flagger: str | None) -> None:
    doc = make_doc(form, language, sender=replace(SENDER, trusted_flagger=flagger))
    check_document(doc)
    check_rendered(doc, render_notice(doc))


def _refused(check: Any, *args: Any) -> IncompleteNoticeError:
    with pytest.raises(IncompleteNoticeError) as caught:
        check(*args)
    assert isinstance(caught.value, InputError)
    return caught.value


# -- the data: sender settings, works, locations ----------------------------------------

DATA_CASES: list[tuple[NoticeForm, str, dict[str, Any], str]] = [
    (DMCA, "signature", {"sender": None}, "no sender is configured"),
    (DMCA, "signature", {"sender": replace(SENDER, signature="  ")}, "signature"),
    (DMCA, "works", {"works": ()}, "no copyrighted work"),
    (DMCA, "works", {"works": (replace(WORKS[0], title=""), WORKS[1])}, "no title"),
    (DMCA, "locations", {"locations": ()}, "no location"),
    (DMCA, "locations", {"locations": (replace(LOCATIONS[0], url=""),)}, "no URL"),
    (DMCA, "locations", {"locations": (replace(LOCATIONS[0], work_id="w-9"),)}, "'w-9'"),
    (DMCA, "locations", {"locations": (replace(LOCATIONS[0], work_id=None),)}, "which work"),
    (DMCA, "contact", {"sender": replace(SENDER, name="")}, "no name"),
    (DMCA, "contact", {"sender": replace(SENDER, address="\n")}, "no address"),
    (DMCA, "contact", {"sender": replace(SENDER, phone="")}, "no phone"),
    (DMCA, "contact", {"sender": replace(SENDER, email=" ")}, "no email"),
    (DMCA, "accuracy", {"sender": replace(SENDER, principal="")}, "principal"),
    (DSA, "explanation", {"works": ()}, "no copyrighted work"),
    (DSA, "explanation", {"locations": (LOCATIONS[0], replace(LOCATIONS[1], why=None))}, "abc1:"),
    (DSA, "explanation", {"locations": (replace(LOCATIONS[0], why=" \x00 "),)}, "abc123:"),
    (DSA, "locations", {"locations": ()}, "no location"),
    (DSA, "locations", {"locations": (replace(LOCATIONS[0], work_id="w-9"),)}, "'w-9'"),
    (DSA, "notifier", {"sender": None}, "no sender is configured"),
    (DSA, "notifier", {"sender": replace(SENDER, name="")}, "no name"),
    (DSA, "notifier", {"sender": replace(SENDER, email="")}, "no email"),
]


@pytest.mark.parametrize(("form", "key", "changes", "words"), DATA_CASES)
def test_missing_data_is_refused_naming_the_element(
    form: NoticeForm, key: str, changes: dict[str, Any], words: str
) -> None:
    doc = make_doc(form, **changes)
    error = _refused(check_document, doc)
    wanted = element(form, key)
    assert (error.form, error.element, error.field) == (form.value, wanted.label, wanted.label)
    assert error.template is None
    assert words in error.reason and wanted.citation in error.reason
    assert "LT-N-000042" in error.reason
    # check_rendered refuses the same notice for the same element
    rendered = RenderedNotice("s", "b", f"{form.value}.en.txt")
    assert _refused(check_rendered, doc, rendered).element == wanted.label


def test_every_data_element_of_each_form_is_covered() -> None:
    covered = {(form, key) for form, key, _, _ in DATA_CASES}
    statements_only = {(DMCA, "good_faith"), (DSA, "bona_fide"), (DSA, "trusted_flagger")}
    assert covered | statements_only == {(f, e.key) for f in NoticeForm for e in ELEMENTS[f]}


def test_dsa_data_does_not_need_dmca_contact_details() -> None:
    check_document(make_doc(DSA, sender=replace(SENDER, phone="", address="", signature="")))


# -- the template text ------------------------------------------------------------------

TEXT_CASES: list[tuple[NoticeForm, str, tuple[str, ...], str | None]] = [
    (DMCA, "signature", ("{{ sender.signature }}",), None),
    (DMCA, "works", ("{{ work.label }}", "{{ loc.work }}"), None),
    (DMCA, "locations", ("{{ loc.url }}",), None),
    (DMCA, "contact", ("{{ sender.phone }}",), None),
    (DMCA, "contact", ("{{ sender.address }}",), None),
    (DMCA, "contact", ("{{ sender.email }}",), None),
    (DMCA, "good_faith", ("{{ statements.good_faith }}",), None),
    (DMCA, "accuracy", ("{{ statements.accuracy }}",), None),
    (DSA, "explanation", ("{{ loc.why }}",), None),
    (DSA, "explanation", ("{{ work.label }}", "{{ loc.work }}"), None),
    (DSA, "locations", ("{{ loc.url }}",), None),
    (DSA, "notifier", ("{{ sender.email }}",), None),
    (DSA, "bona_fide", ("{{ statements.bona_fide }}",), None),
    (DSA, "trusted_flagger", ("{{ statements.trusted_flagger }}",), FLAGGER),
    (DSA, "trusted_flagger", ("{{ sender.trusted_flagger }}",), FLAGGER),
]


def _without(tmp_path: Path, name: str, snippets: tuple[str, ...]) -> Path:
    text = (SHIPPED / name).read_text(encoding="utf-8")
    for snippet in snippets:
        assert snippet in text, (name, snippet)
        text = text.replace(snippet, "")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("form", "key", "snippets", "flagger"), TEXT_CASES)
def test_an_element_missing_from_the_text_is_refused_naming_it(
    tmp_path: Path,
    form: NoticeForm,
    key: str,
    snippets: tuple[str, ...],
    flagger: str | None,
    language: str,
) -> None:
    doc = make_doc(form, language, sender=replace(SENDER, trusted_flagger=flagger))
    name = f"{form.value}.{language}.txt"
    rendered = render_notice(doc, templates_dir=_without(tmp_path, name, snippets))
    check_document(doc)  # the data is complete: only the text lacks the element
    error = _refused(check_rendered, doc, rendered)
    assert (error.form, error.element) == (form.value, element(form, key).label)
    assert error.template == name and error.file == name


def test_every_element_is_checked_in_the_text() -> None:
    assert {(form, key) for form, key, _, _ in TEXT_CASES} == {
        (f, e.key) for f in NoticeForm for e in ELEMENTS[f]
    }


def test_a_url_that_is_only_the_start_of_a_longer_one_does_not_count() -> None:
    doc = make_doc(locations=(LOCATIONS[1],), works=WORKS)
    body = render_notice(make_doc(locations=(LOCATIONS[0], LOCATIONS[1]))).body
    body = body.replace(LOCATIONS[1].url + "\n", "x\n")
    assert LOCATIONS[1].url in body  # as the start of abc123
    rendered = RenderedNotice("s", body, "dmca.en.txt")
    assert _refused(check_rendered, doc, rendered).element == element(DMCA, "locations").label


def test_urls_in_brackets_and_wrapped_statements_count() -> None:
    doc = make_doc()
    rendered = render_notice(doc)
    body = rendered.body.replace(LOCATIONS[0].url, f"<{LOCATIONS[0].url}>")
    body = body.replace("not authorized by the", "not authorized\n   by the")
    check_rendered(doc, replace(rendered, body=body))


def test_edited_statements_are_the_ones_looked_for(tmp_path: Path) -> None:
    text = (SHIPPED / "statements.it.toml").read_text(encoding="utf-8")
    (tmp_path / "statements.it.toml").write_text(
        text.replace(
            "Confermo la mia convinzione", "Il sottoscritto conferma la propria convinzione"
        ),
        encoding="utf-8",
    )
    doc = make_doc(DSA, "it")
    rendered = render_notice(doc, templates_dir=tmp_path)
    check_rendered(doc, rendered)
    # read back from storage (no statements kept): the shipped wording is required
    stored = RenderedNotice(rendered.subject, rendered.body, rendered.template)
    assert _refused(check_rendered, doc, stored).element == "bona fide statement"


def test_the_subject_does_not_count(tmp_path: Path) -> None:
    shutil.copy(SHIPPED / "dmca.en.txt", tmp_path / "dmca.en.txt")
    text = (tmp_path / "dmca.en.txt").read_text(encoding="utf-8")
    text = text.replace("{{ sender.signature }}\n", "", 1)
    text = text.replace("Subject: ", "Subject: {{ sender.signature }} ", 1)
    (tmp_path / "dmca.en.txt").write_text(text, encoding="utf-8")
    doc = make_doc()
    rendered = render_notice(doc, templates_dir=tmp_path)
    assert "/s/ Jane Roe" in rendered.subject
    assert _refused(check_rendered, doc, rendered).element == "signature"


def test_first_missing_element_is_named() -> None:
    doc: NoticeDocument = make_doc(sender=None, works=(), locations=())
    assert _refused(check_document, doc).element == "signature"
    doc = make_doc(
        DSA, sender=None, locations=(NoticeLocation("https://a.example/x", "a.example"),)
    )
    assert _refused(check_document, doc).element == element(DSA, "explanation").label


def _has_url_by_regex(text: str, url: str) -> bool:
    pattern = re.escape(url) + r"(?=$|\s|[>\]\"')](?:$|\s|[.,;:]))"
    return re.search(r"(?:^|(?<=[\s<(\[\"']))" + pattern, text) is not None


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="ab/:.<>()[]\"' \n,;x", max_size=30),
    st.text(alphabet="ab/:.x", min_size=1, max_size=6),
)
def test_whole_url_search(text: str, url: str) -> None:
    assert forms._has_url(text, url) == _has_url_by_regex(text, url)


values = st.text(min_size=1, max_size=30).filter(lambda t: bool(t.strip()) and t.isprintable())
wild = st.text(min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(list(NoticeForm)),
    st.sampled_from(LANGUAGES),
    values,
    values,
    wild,
    wild,
    st.lists(st.sampled_from(["a", "b/c", "x?y=1", "é", "%20", "a.mkv"]), min_size=1, max_size=4),
)
def test_any_complete_notice_renders_and_passes(
    form: NoticeForm,
    language: str,
    name: str,
    title: str,
    release: str,
    why: str,
    paths: list[str],
) -> None:
    sender = replace(SENDER, name=name, principal=name + " Ltd")
    work = replace(WORKS[0], title=title)
    locations = tuple(
        replace(LOCATIONS[0], url=f"https://h.example/{i}/{p}", release=release, why=why + "!")
        for i, p in enumerate(paths)
    )
    doc = make_doc(form, language, sender=sender, works=(work,), locations=locations)
    check_document(doc)
    rendered = render_notice(doc)
    check_rendered(doc, rendered)
    assert "\x00" not in rendered.body and "\r" not in rendered.body
