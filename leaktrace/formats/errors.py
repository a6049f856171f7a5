"""Errors of the outside-data parsers (all :class:`~leaktrace.errors.InputError`).

::

    InputError
    └── FormatError        bytes or text in one of the formats below is wrong
        ├── BencodeError   not valid bencode (``offset`` = byte where it went wrong)
        ├── TorrentError   valid bencode, but not a usable .torrent
        └── MagnetError    not a magnet URI, or one without a usable ``xt``
"""

from __future__ import annotations

from leaktrace.errors import InputError

__all__ = ["BencodeError", "FormatError", "MagnetError", "TorrentError"]


class FormatError(InputError):
    """Outside data in a known format (bencode, .torrent, magnet) is malformed."""


class BencodeError(FormatError):
    """Bytes are not valid bencode, or exceed the decoder's bounds.

    ``offset`` is the 0-based byte where the problem is; ``field`` says the same as text
    (``"byte 12"``) so :attr:`InputError.location` shows it.
    """

    def __init__(self, reason: str, *, offset: int, file: str | None = None) -> None:
        super().__init__(reason, file=file, field=f"byte {offset}")
        self.offset = offset


class TorrentError(FormatError):
    """A .torrent file is not usable: not bencode, not a dict, no info, bad types ...

    ``field`` names the key path (``"info.piece length"``) when one is to blame.
    """


class MagnetError(FormatError):
    """A magnet URI is malformed or has no valid ``xt`` (``urn:btih:`` / ``urn:btmh:``)."""
