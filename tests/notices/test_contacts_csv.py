"""The contacts file (leaktrace.notices.contacts_csv)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.notices.contacts_csv import ContactRecord, normalise_match, read_contacts

GOOD = """\ufeffHost_Or_Domain, Name ,email,country,form
FileHost.Example.,FileHost Abuse Desk,abuse@FileHost.Example,nl,DSA
*.cdn.example,CDN Abuse,abuse@cdn.example,,
203.0.113.7/24,Example Hosting,noc@hosting.example,US,dmca
198.51.100.9,One Server,root@server.example,DE,
[::ffff:198.51.100.10],Mapped Server,root@server.example,,
2001:DB8:0:0::/48,V6 Hosting,abuse@v6.example,FR,
as64500,Example Transit,abuse@transit.example,IT,dsa
bücher.example,Bücher Hosting,abuse@bücher.example,AT,

"""


def test_a_good_file() -> None:
    records = read_contacts(GOOD.encode(), file="contacts.csv")
    assert records == [
        ContactRecord(
            2,
            "filehost.example",
            "domain",
            "FileHost Abuse Desk",
            "abuse@filehost.example",
            "NL",
            "dsa",
        ),
        ContactRecord(3, "cdn.example", "domain", "CDN Abuse", "abuse@cdn.example", None, None),
        ContactRecord(
            4, "203.0.113.0/24", "cidr", "Example Hosting", "noc@hosting.example", "US", "dmca"
        ),
        ContactRecord(5, "198.51.100.9", "ip", "One Server", "root@server.example", "DE", None),
        ContactRecord(6, "198.51.100.10", "ip", "Mapped Server", "root@server.example", None, None),
        ContactRecord(7, "2001:db8::/48", "cidr", "V6 Hosting", "abuse@v6.example", "FR", None),
        ContactRecord(8, "AS64500", "asn", "Example Transit", "abuse@transit.example", "IT", "dsa"),
        ContactRecord(
            9,
            "xn--bcher-kva.example",
            "domain",
            "Bücher Hosting",
            "abuse@xn--bcher-kva.example",
            "AT",
            None,
        ),
    ]


def test_form_column_is_optional_and_header_only_is_empty() -> None:
    data = b"email,country,name,host_or_domain\nabuse@a.example,,A,a.example\n"
    assert read_contacts(data, file="c.csv") == [
        ContactRecord(2, "a.example", "domain", "A", "abuse@a.example", None, None)
    ]
    assert read_contacts(b"host_or_domain,name,email,country\n", file="c.csv") == []


def test_every_problem_is_collected_and_nothing_returned() -> None:
    data = (
        b"host_or_domain,name,email,country,form\n"
        b"a.example,A,abuse@a.example,NL,dsa\n"
        b"https://b.example/x,B,abuse@b.example,NL,\n"
        b"c.example,,abuse@c.example,,\n"
        b"d.example,D,not-an-address,,\n"
        b"e.example,E,abuse@e.example,UK,\n"
        b"f.example,F,abuse@f.example,,ecommerce\n"
        b"A.example,A again,abuse@a.example,,\n"
        b"0.0.0.0/0,Everyone,x@y.example,,\n"
        b"AS0,Nobody,x@y.example,,\n"
        b"localhost,Local,x@y.example,,\n"
        b"g.example,G,a@x.example, b@y.example,\n"
    ) + "h.example,H,abuse@straße.example,,\n".encode()
    with pytest.raises(InputError) as caught:
        read_contacts(data, file="contacts.csv")
    found = [(e.file, e.line, e.field) for e in [caught.value, *caught.value.more]]
    assert found == [
        ("contacts.csv", 3, "host_or_domain"),
        ("contacts.csv", 4, "name"),
        ("contacts.csv", 5, "email"),
        ("contacts.csv", 6, "country"),
        ("contacts.csv", 7, "form"),
        ("contacts.csv", 8, "host_or_domain"),
        ("contacts.csv", 9, "host_or_domain"),
        ("contacts.csv", 10, "host_or_domain"),
        ("contacts.csv", 11, "host_or_domain"),
        ("contacts.csv", 12, "country"),
        ("contacts.csv", 13, "email"),
    ]
    reasons = [e.reason for e in [caught.value, *caught.value.more]]
    assert "is a URL" in reasons[0]
    assert "line 2" in reasons[5]
    assert "wider than /8" in reasons[6]
    assert "'UK' is not an ISO 3166-1 alpha-2 code" in reasons[3]


@pytest.mark.parametrize(
    ("header", "field", "words"),
    [
        ("host_or_domain,name,email", "country", "missing column"),
        ("host,name,email,country", "host_or_domain", "missing column"),
        ("host_or_domain,name,email,country,notes", "notes", "unknown column"),
        ("host_or_domain,name,email,country,name", "name", "given twice"),
    ],
)
def test_bad_headers(header: str, field: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        read_contacts((header + "\na.example,A,a@a.example,NL\n").encode(), file="c.csv")
    assert (caught.value.line, caught.value.field) == (1, field)
    assert words in caught.value.reason


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"host_or_domain,name,email,country\n\xff\xfe,x\n", 2),
        (b"host_or_domain,name,email,country\na.example,A,a@a.example,NL,dsa,extra\n", 2),
    ],
)
def test_unreadable_files(data: bytes, line: int) -> None:
    with pytest.raises(InputError) as caught:
        read_contacts(data, file="c.csv")
    assert (caught.value.file, caught.value.line) == ("c.csv", line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as064500", ("asn", "AS64500")),
        ("As4294967295", ("asn", "AS4294967295")),
        ("10.0.0.0/8", ("cidr", "10.0.0.0/8")),
        ("192.0.2.255/32", ("cidr", "192.0.2.255/32")),
        ("2001:db8::1", ("ip", "2001:db8::1")),
        ("xn--bcher-kva.example", ("domain", "xn--bcher-kva.example")),
    ],
)
def test_normalise_match(text: str, expected: tuple[str, str]) -> None:
    assert normalise_match(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "AS4294967296",
        "10.0.0.0/7",
        "::/15",
        "a b.example",
        "example",
        "a..example",
        "1.2.3.4/33",
    ],
)
def test_normalise_match_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        normalise_match(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_after_the_header(body: bytes) -> None:
    try:
        records = read_contacts(b"host_or_domain,name,email,country,form\n" + body, file="c.csv")
    except InputError as exc:
        assert exc.file == "c.csv" and exc.line is not None
        assert all(isinstance(more, InputError) for more in exc.more)
        return
    assert all(isinstance(r, ContactRecord) and r.match and r.email for r in records)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=6), max_size=6))
def test_any_cells(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["host_or_domain", "name", "email", "country", "form"])
    writer.writerows(rows)
    try:
        records = read_contacts(buffer.getvalue().encode(), file="c.csv")
    except InputError as exc:
        assert exc.line is not None and exc.line >= 2
        return
    for record in records:
        assert normalise_match(record.match) == (record.match_kind, record.match)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_at_all(data: bytes) -> None:
    try:
        read_contacts(data, file="c.csv")
    except InputError as exc:
        assert exc.file == "c.csv"
