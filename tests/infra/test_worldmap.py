"""The world map SVG: no inline style, every text escaped, and per-country marks (a
caller's attributes and tooltip) that cannot break out of their attribute or title."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.infra.worldmap import CountryMark, world_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def _paths(svg: str) -> dict[str, ET.Element]:
    """The countries' paths of a map, by ISO code (the markup must be well-formed XML)."""
    root = ET.fromstring(svg)
    return {p.attrib["data-iso"]: p for p in root.iter(f"{SVG}path") if p.get("data-iso")}


def _title(path: ET.Element) -> str | None:
    title = path.find(f"{SVG}title")
    return None if title is None else title.text


def test_the_map_has_no_style_attribute() -> None:
    """Pages forbid inline styles (Content-Security-Policy): the map carries none."""
    svg = world_map_svg({"DE": 3, "NL": 1}, "Servers <per> country", unit="servers")
    assert " style=" not in svg and "<style" not in svg
    assert "Servers &lt;per&gt; country" in svg


def test_marks_add_attributes_and_a_tooltip_to_their_country_only() -> None:
    values = {"DE": 2, "NL": 1}
    plain = world_map_svg(values, "Targets", unit="targets")
    assert world_map_svg(values, "Targets", unit="targets", marks={}) == plain
    assert world_map_svg(values, "Targets", unit="targets", marks=None) == plain
    marked = world_map_svg(
        values,
        "Targets",
        unit="targets",
        marks={
            "de": CountryMark(
                attributes={"data-state": 'in "progress" <&>', "class": "hot", "aria-label": "x"},
                title="Germany: <b>2</b> & 'targets'",
            ),
            "FR": CountryMark(attributes={"data-state": "planned"}),  # no value, no title
            "SG": CountryMark(attributes={"data-state": "done"}),  # not drawn: left out
        },
    )
    before, after = _paths(plain), _paths(marked)
    germany = after["DE"]
    assert germany.get("data-state") == 'in "progress" <&>'
    assert germany.get("class") == "hot" and germany.get("aria-label") == "x"
    assert germany.get("data-value") == "2" and germany.get("fill") == before["DE"].get("fill")
    assert _title(germany) == "Germany: <b>2</b> & 'targets'"
    # the extra attributes follow the map's own, in the order given
    assert 'data-iso="DE" data-value="2" data-state="in &quot;progress&quot;' in marked
    assert after["FR"].get("data-state") == "planned"
    assert _title(after["FR"]) == _title(before["FR"]) == "France: none"
    assert "SG" not in after and "not on the map" not in marked  # SG has no value either
    # every other country as it was
    for code, path in before.items():
        if code not in ("DE", "FR"):
            assert after[code].attrib == path.attrib and _title(after[code]) == _title(path)


@pytest.mark.parametrize(
    "name",
    [
        "style",
        "onclick",
        "onload",
        "fill",
        "d",
        "href",
        "xlink:href",
        "data-iso",
        "data-value",
        "Data-State",
        "data-",
        "data-a b",
        'data-x" onload="alert(1)',
        "data-x=1",
        "",
    ],
)
def test_marks_refuse_attributes_they_may_not_set(name: str) -> None:
    with pytest.raises(ValueError, match="cannot set the attribute"):
        world_map_svg({"DE": 1}, "Targets", marks={"DE": CountryMark(attributes={name: "x"})})


_XML_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=60)
"""Text XML can carry as it is (no control characters, surrogates or non-characters)."""


@settings(max_examples=40, deadline=None)
@given(state=_XML_TEXT, title=_XML_TEXT)
def test_any_text_of_a_mark_stays_text(state: str, title: str) -> None:
    """Whatever the text, the map stays well-formed and reads back exactly that text: in
    the attribute and in the tooltip, with no extra attribute or element."""
    svg = world_map_svg(
        {"NL": 1},
        "Targets",
        marks={"NL": CountryMark(attributes={"data-state": state}, title=title)},
    )
    netherlands = _paths(svg)["NL"]
    assert netherlands.get("data-state") == state
    assert set(netherlands.attrib) == {"d", "fill", "data-iso", "data-value", "data-state"}
    assert (_title(netherlands) or "") == title
    assert [child.tag for child in netherlands] == [f"{SVG}title"]
