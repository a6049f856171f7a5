"""formats.hostnames: the one normalisation of hosts, shared by infra and the notices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.formats.hostnames import DomainError, address_of, ascii_domain, normalise_host
from leaktrace.infra import domains
from leaktrace.notices.contacts_csv import normalise_match
from leaktrace.notices.locations import ParsedLocation, parse_location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" Files.Example. ", ("domain", "files.example")),
        ("bücher.example", ("domain", "xn--bcher-kva.example")),
        ("[2001:DB8::1]", ("ip", "2001:db8::1")),
        ("::ffff:192.0.2.7", ("ip", "192.0.2.7")),
        ("192.0.2.7", ("ip", "192.0.2.7")),
    ],
)
def test_normalise_host(text: str, expected: tuple[str, str]) -> None:
    assert normalise_host(text) == expected
    assert domains.normalise_host is normalise_host  # infra uses this one


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty host name"),
        ("localhost", "neither an IP address nor a domain name with a dot"),
        ("a" * 64 + ".example", "not a valid domain name"),
        ("files.example1", "not a valid domain name"),
        ("-x.example", "not a valid domain name"),
    ],
)
def test_normalise_host_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_host(text)


def test_ascii_domain_says_which_problem() -> None:
    assert ascii_domain("faß.example") == "fass.example"  # IDNA 2003, as infra stores it
    with pytest.raises(DomainError) as one_label:
        ascii_domain("example")
    assert one_label.value.no_dot
    with pytest.raises(DomainError) as bad_label:
        ascii_domain("a_b.example")
    assert not bad_label.value.no_dot
    assert address_of("[::1]") is None  # brackets are the caller's to remove
    assert str(address_of("::ffff:10.0.0.1")) == "10.0.0.1"


def test_the_notices_refuse_idna_deviations_on_top() -> None:
    """infra stores ß as IDNA 2003 does (ss); a notice or a contact refuses it, since a
    browser (IDNA 2008) goes to another domain."""
    assert normalise_host("faß.example") == ("domain", "fass.example")
    with pytest.raises(ValueError, match="xn-- form"):
        normalise_match("faß.example")
    refused = parse_location("https://faß.example/x")
    assert not isinstance(refused, ParsedLocation) and "xn-- form" in refused.detail


@given(st.text(max_size=80))
def test_any_text_is_a_host_or_a_value_error(text: str) -> None:
    try:
        kind, value = normalise_host(text)
    except ValueError:
        return
    assert normalise_host(value) == (kind, value)  # normal forms stay as they are
    if kind == "domain":
        assert normalise_match(value) == ("domain", value)
