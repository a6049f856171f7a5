"""Host names and addresses in the one form LeakTrace stores them: an IP address in its
compressed canonical form (an IPv4-mapped IPv6 address becomes the IPv4 one) or a domain
name in lower case, IDNA/punycode, without a trailing dot.

Pure functions on the standard library alone, shared by :mod:`leaktrace.infra.domains`
(hosts of sightings and host lists) and :mod:`leaktrace.notices` (locations and contacts),
which may not import :mod:`leaktrace.infra` (it builds on the store, which builds on
:mod:`leaktrace.notices`). Punycode comes from Python's IDNA codec (IDNA 2003); the
notices refuse on top of this the characters IDNA 2003 and IDNA 2008 read differently.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = [
    "LABEL",
    "DomainError",
    "address_of",
    "ascii_domain",
    "domain_named",
    "normalise_host",
]

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
"""One label of a host name: letters, digits and inner hyphens, at most 63."""
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


class DomainError(ValueError):
    """A name that is no domain: ``no_dot`` when it is too long or has a single label
    (callers word the two cases differently)."""

    def __init__(self, *, no_dot: bool) -> None:
        super().__init__("no domain name with a dot" if no_dot else "no valid domain name")
        self.no_dot = no_dot


def address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``text`` is (without brackets; an IPv4-mapped IPv6 address is the
    IPv4 one), None when it is not an address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ascii_domain(name: str) -> str:
    """``name`` (already lower case, without its trailing dot) in punycode, checked: at
    most 253 characters, two labels or more, each of :data:`LABEL`, the last alphabetic
    or ``xn--``. :class:`DomainError` otherwise."""
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainError(no_dot=False) from None
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2:
        raise DomainError(no_dot=True)
    if not all(LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise DomainError(no_dot=False)
    return name


def normalise_host(text: str) -> tuple[str, str]:
    """``(kind, value)`` for an IP address (``"ip"``) or a domain name (``"domain"``);
    ``ValueError`` if neither. IPv6 may come in brackets."""
    raw = text.strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    address = address_of(raw)
    if address is not None:
        return "ip", address.compressed
    name = raw.rstrip(".").lower()
    if not name:
        raise ValueError("empty host name")
    return "domain", domain_named(name, text)


def domain_named(name: str, given: str) -> str:
    """:func:`ascii_domain`, its ``ValueError`` naming ``given`` (what the user wrote)."""
    try:
        return ascii_domain(name)
    except DomainError as exc:
        if exc.no_dot:
            raise ValueError(
                f"{given!r} is neither an IP address nor a domain name with a dot"
            ) from None
        raise ValueError(f"{given!r} is not a valid domain name") from None
