"""Safe XML parsing of outside replies, and the small element helpers every reader uses.

Parsing uses :mod:`defusedxml.ElementTree` only, with DTDs, entity declarations and
external references forbidden: such a document raises :class:`SourceError`
("unsafe XML ...") and nothing in it is ever expanded or fetched. Documents over
:data:`MAX_DOCUMENT` bytes are refused; bytes that are not valid UTF-8 (when the document
says it is UTF-8) are read again with replacement characters.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET

import defusedxml  # type: ignore[import-untyped, unused-ignore]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped, unused-ignore]

from leaktrace.formats.source_errors import SourceError

__all__ = ["MAX_DOCUMENT", "element_text", "local_name", "parse_xml"]

MAX_DOCUMENT = 64 * 1024 * 1024

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UNSAFE = (defusedxml.DefusedXmlException,)


def local_name(tag: object) -> str:
    """The tag without its namespace (``{uri}name`` or ``prefix:name`` gives ``name``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag.split(":")[-1]


def element_text(element: StdET.Element | None) -> str | None:
    """All the text inside ``element`` with whitespace collapsed; None when empty."""
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def parse_xml(
    data: bytes, *, source: str | None = None, forbid_dtd: bool = True, what: str = "reply"
) -> tuple[StdET.Element, bool]:
    """The root element of ``data`` parsed safely, and whether UTF-8 had to be repaired.

    Raises :class:`SourceError` for unsafe XML (DTD, entities, external references) and
    for bytes that are not XML.
    """
    if not isinstance(data, bytes | bytearray):
        raise SourceError(f"{what} must be bytes", source=source, transient=False)
    if len(data) > MAX_DOCUMENT:
        raise SourceError(
            f"{what} is larger than {MAX_DOCUMENT} bytes", source=source, transient=False
        )
    try:
        return _parse(bytes(data), forbid_dtd), False
    except _UNSAFE as exc:  # before _MALFORMED: defusedxml's refusals are ValueErrors
        raise _unsafe(what, exc, source) from None
    except _MALFORMED as exc:
        first = exc
    repaired = _repair_utf8(bytes(data))
    if repaired is not None:
        try:
            return _parse(repaired, forbid_dtd), True
        except _UNSAFE as exc:
            raise _unsafe(what, exc, source) from None
        except _MALFORMED:
            pass
    raise SourceError(f"{what} is not well-formed XML: {_reason(first)}", source=source) from None


_MALFORMED = (
    StdET.ParseError,
    ValueError,
    LookupError,
    UnicodeError,
    RecursionError,
    TypeError,
    OverflowError,
)
"""What the parser raises for bytes that are not (well-formed) XML."""


def _unsafe(what: str, exc: Exception, source: str | None) -> SourceError:
    return SourceError(
        f"unsafe XML refused in {what}: {type(exc).__name__}", source=source, transient=False
    )


def _parse(data: bytes, forbid_dtd: bool) -> StdET.Element:
    root = SafeET.fromstring(
        data, forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True
    )
    if not isinstance(root, StdET.Element):
        raise ValueError("no root element")
    return root


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


def _repair_utf8(data: bytes) -> bytes | None:
    """``data`` with invalid UTF-8 replaced, if it claims (or defaults to) UTF-8."""
    match = _XML_DECL.match(data[:200])
    if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    return data.decode("utf-8", "replace").encode("utf-8")
