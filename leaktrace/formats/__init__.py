"""Parsers of outside data: bencode, .torrent metadata, magnet URIs and NFO files.

All are pure (bytes or text in, frozen dataclasses out) and raise only the typed errors of
:mod:`leaktrace.formats.errors`, which are :class:`~leaktrace.errors.InputError`.
"""

from leaktrace.formats.bencode import Decoded, decode, decode_document, encode
from leaktrace.formats.errors import BencodeError, FormatError, MagnetError, TorrentError
from leaktrace.formats.magnet import Magnet, parse_magnet
from leaktrace.formats.nfo import NfoInfo, read_nfo
from leaktrace.formats.torrent import TorrentFile, TorrentMeta, read_torrent

__all__ = [
    "BencodeError",
    "Decoded",
    "FormatError",
    "Magnet",
    "MagnetError",
    "NfoInfo",
    "TorrentError",
    "TorrentFile",
    "TorrentMeta",
    "decode",
    "decode_document",
    "encode",
    "parse_magnet",
    "read_nfo",
    "read_torrent",
]
