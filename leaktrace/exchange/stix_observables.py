"""A host's value as the right STIX cyber-observable: ``ipv4-addr``, ``ipv6-addr``,
``domain-name`` or ``url``.

The kind is found by parsing, never guessed from the text's look: :mod:`ipaddress` for
addresses, :func:`urllib.parse.urlsplit` for URLs (a scheme and a host are required), and a
strict host-name check (IDNA-encoded labels of letters, digits and hyphens) for domains.
Anything else is refused with :class:`~leaktrace.errors.InputError` on ``field``, so outside
data never produces an observable a partner's tools would reject.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import stix2  # type: ignore[import-untyped]

from leaktrace.errors import InputError
from leaktrace.exchange.stix_extension import marking_refs

__all__ = ["Observable", "observable_of"]

Observable = Any
"""An ``ipv4-addr``, ``ipv6-addr``, ``domain-name`` or ``url`` (``stix2`` has no type hints)."""

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_TLD = re.compile(r"([a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z")
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_PATH = re.compile(rf"(?:{_PCHAR}|/)*\Z")
_QUERY = re.compile(rf"(?:{_PCHAR}|[/?])*\Z")
_NETLOC = re.compile(
    rf"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_PCT})*@)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?::[0-9]*)?\Z"
)
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "magnet"})
_MAX_URL = 2048


def _domain(text: str, field: str) -> str:
    """``text`` as a lower-case ASCII (IDNA) domain name, or :class:`InputError`."""
    name = text.rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InputError(f"not a domain name: {text!r}", field=field) from error
    labels = ascii_name.split(".")
    if (
        len(ascii_name) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not _TLD.match(labels[-1])
    ):
        raise InputError(f"not a domain name: {text!r}", field=field)
    return ascii_name


def _url(text: str, field: str) -> str:
    """``text`` if it is an absolute RFC 3986 URI with a known scheme and a valid host.

    Characters outside RFC 3986 (spaces, ``[`` in a path, non-ASCII) are refused rather than
    escaped: the value is evidence and is shared exactly as it was seen.
    """
    if len(text) > _MAX_URL or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise InputError(f"not a URL: {text!r}", field=field)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise InputError(f"not a URL: {text!r}", field=field) from error
    if parts.scheme.lower() not in _URL_SCHEMES:
        raise InputError(f"not a URL with a known scheme: {text!r}", field=field)
    if not (
        _PATH.match(parts.path)
        and _QUERY.match(parts.query)
        and _QUERY.match(parts.fragment)
        and (not parts.netloc or _NETLOC.match(parts.netloc))
    ):
        raise InputError(f"not an RFC 3986 URI: {text!r}", field=field)
    if parts.scheme.lower() == "magnet":
        if not parts.query:
            raise InputError(f"not a magnet link: {text!r}", field=field)
        return text
    if not host:
        raise InputError(f"URL without a host: {text!r}", field=field)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        _domain(host, field)
    return text


def observable_of(
    value: str, *, field: str = "value", object_marking_refs: Sequence[str] = ()
) -> Observable:
    """The observable for ``value`` (address, domain or URL), id derived from its value."""
    text = value.strip()
    if not text:
        raise InputError("empty host value", field=field)
    common: dict[str, Any] = marking_refs(object_marking_refs)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv4Address):
        return stix2.v21.IPv4Address(value=str(address), **common)
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise InputError(f"IPv6 address with a zone: {text!r}", field=field)
        return stix2.v21.IPv6Address(value=address.compressed, **common)
    if "://" in text or text.lower().startswith("magnet:"):
        return stix2.v21.URL(value=_url(text, field), **common)
    return stix2.v21.DomainName(value=_domain(text, field), **common)
