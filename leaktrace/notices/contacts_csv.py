"""The contacts file the user maintains: where notices for a host go.

A CSV file (UTF-8, a BOM allowed) with the columns ``host_or_domain,name,email,country``
and an optional ``form``; any order, header names in any case::

    host_or_domain,name,email,country,form
    filehost.example,FileHost Abuse Desk,abuse@filehost.example,NL,dsa
    203.0.113.0/24,Example Hosting,noc@hosting.example,US,dmca
    AS64500,Example Transit,abuse@transit.example,,

``host_or_domain`` is what the contact answers for, normalised:

* a domain (lower case, punycode, no trailing dot; ``*.`` in front is allowed and dropped:
  a domain covers its sub-domains anyway),
* an IP address (canonical form; an IPv4-mapped IPv6 address becomes the IPv4 one),
* a network in CIDR notation (canonical: ``192.0.2.7/24`` becomes ``192.0.2.0/24``; no
  wider than /8 for IPv4 and /16 for IPv6 — one abuse desk for a larger part of the
  Internet is a mistake),
* an autonomous system ``AS<number>`` (the provider of every host with that ASN).

``country`` is an ISO 3166-1 alpha-2 code (or empty), ``form`` ``dmca``, ``dsa`` or empty,
``email`` one address. Every problem of the file is collected: the first is raised (an
:class:`~leaktrace.errors.InputError` naming the file, line and field) with the others in
its ``.more``, and nothing is returned when there is any.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NoReturn

from leaktrace.errors import InputError
from leaktrace.formats.csvtable import open_csv
from leaktrace.formats.hostnames import LABEL, address_of, domain_named
from leaktrace.notices.locations import IDNA_DEVIATIONS

__all__ = ["COLUMNS", "ContactRecord", "normalise_match", "read_contacts"]

COLUMNS = ("host_or_domain", "name", "email", "country")
OPTIONAL = ("form",)
FORMS = ("dmca", "dsa")

_ASN = re.compile(r"^AS([0-9]{1,10})$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"\\]{1,64}@[^\s@<>()\[\],;:\"\\]{1,255}$")
_MIN_PREFIX = {4: 8, 6: 16}


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One row of a contacts file."""

    line: int
    match: str
    match_kind: str
    """``domain``, ``ip``, ``cidr`` or ``asn``."""
    name: str
    email: str
    country: str | None
    form: str | None


@cache
def _countries() -> frozenset[str]:
    path = resources.files("leaktrace").joinpath("data", "world", "iso_numeric.json")
    raw = json.loads(path.read_text("utf-8"))["countries"]
    return frozenset(str(v[0]) for v in raw.values()) | {"XK"}


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


def normalise_match(text: str) -> tuple[str, str]:
    """``(match_kind, match)`` for a domain, IP address, CIDR network or ``AS<n>``;
    ``ValueError`` saying why when it is none of them."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty: a domain, IP address, CIDR network or AS number is needed")
    if "://" in raw or raw.startswith("//"):
        raise ValueError(f"{raw!r} is a URL: give its host or domain only")
    if _has_control(raw) or any(c.isspace() for c in raw):
        raise ValueError("contains a space or a control character")
    asn = _ASN.match(raw)
    if asn:
        number = int(asn.group(1))
        if not 0 < number < 2**32:
            raise ValueError(f"{raw!r}: an AS number is between 1 and 4294967295")
        return "asn", f"AS{number}"
    if "/" in raw:
        try:
            network = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise ValueError(f"{raw!r} is not a CIDR network") from None
        if network.prefixlen < _MIN_PREFIX[network.version]:
            raise ValueError(
                f"{raw!r} is wider than /{_MIN_PREFIX[network.version]}: "
                "one abuse contact for so many addresses is a mistake"
            )
        return "cidr", network.compressed
    host = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
    address = address_of(host)
    if address is not None:
        return "ip", address.compressed
    name = raw.lower().rstrip(".")
    if name.startswith("*."):
        name = name[2:]
    if not IDNA_DEVIATIONS.isdisjoint(name):
        raise ValueError(
            f"{raw!r} has a character (ß, ς, zero-width joiner) that IDNA 2003 and 2008 "
            "read as two different domains: give its xn-- form"
        )
    return "domain", domain_named(name, raw)


def _email(text: str) -> str:
    if not text:
        raise ValueError("an e-mail address is needed")
    if len(text) > 320 or not _EMAIL.match(text):
        raise ValueError(f"{text!r} is not one e-mail address")
    local, _, domain = text.rpartition("@")
    if not IDNA_DEVIATIONS.isdisjoint(domain.lower()):
        raise ValueError(f"{text!r}: give its domain in its xn-- form (IDNA 2003 and 2008 differ)")
    try:
        domain = domain.rstrip(".").lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text!r} has an invalid domain") from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r} has an invalid domain")
    return f"{local}@{domain}"


def read_contacts(data: bytes, *, file: str) -> list[ContactRecord]:
    """The contacts of a CSV file's bytes (``file`` names it in errors)."""
    header, rows = open_csv(data, file, InputError)
    problems: list[InputError] = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS + OPTIONAL]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.append(
            InputError(
                "missing column(s) " + ", ".join(missing) + "; expected "
                + ",".join(COLUMNS) + " and optionally form",
                file=file, line=1, field=missing[0],
            )
        )  # fmt: skip
    if unknown:
        problems.append(
            InputError(
                "unknown column(s) " + ", ".join(repr(c) for c in unknown) + "; expected "
                + ",".join(COLUMNS) + " and optionally form",
                file=file, line=1, field=unknown[0],
            )
        )  # fmt: skip
    if repeated:
        problems.append(
            InputError(
                "column(s) given twice: " + ", ".join(repeated),
                file=file,
                line=1,
                field=repeated[0],
            )
        )
    if problems:
        _fail(problems)

    records: list[ContactRecord] = []
    seen: dict[str, int] = {}
    try:
        for line, row in rows:

            def bad(field: str, reason: str, line: int = line) -> None:
                problems.append(InputError(reason, file=file, line=line, field=field))

            try:
                kind, match = normalise_match(row.get("host_or_domain", ""))
            except ValueError as exc:
                bad("host_or_domain", str(exc))
                kind = match = ""
            if match and match in seen:
                bad("host_or_domain", f"{match} is given already on line {seen[match]}")
            elif match:
                seen[match] = line
            name = row.get("name", "")
            if not name:
                bad("name", "a name is needed (the abuse desk or provider)")
            elif len(name) > 200:
                bad("name", "longer than 200 characters")
            elif _has_control(name):
                bad("name", "contains a control character")
            email = ""
            try:
                email = _email(row.get("email", ""))
            except ValueError as exc:
                bad("email", str(exc))
            country = row.get("country", "").upper() or None
            if country is not None and country not in _countries():
                bad("country", f"{row.get('country')!r} is not an ISO 3166-1 alpha-2 code")
            form = row.get("form", "").lower() or None
            if form is not None and form not in FORMS:
                bad("form", f"{row.get('form')!r} is not dmca, dsa or empty")
            records.append(ContactRecord(line, match, kind, name, email, country, form))
    except InputError as exc:  # a malformed CSV row: nothing after it can be read
        problems.append(exc)
    if problems:
        _fail(problems)
    return records


def _fail(problems: list[InputError]) -> NoReturn:
    first = problems[0]
    first.more = problems[1:]
    raise first
