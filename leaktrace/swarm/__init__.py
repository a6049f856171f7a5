"""Swarm observations: peers seen in torrent swarms, imported with privacy by default.

Ordinary downloaders are stored only as a keyed hash (HMAC-SHA256) with country and ASN
(looked up offline with :class:`leaktrace.geo.GeoLookup`); addresses and ports in clear
only for infrastructure. See ``docs/swarm-format.md``.
"""

from leaktrace.swarm.clients import identify_client
from leaktrace.swarm.importer import SwarmImportReport, import_records, import_swarm_files
from leaktrace.swarm.keys import KEY_ENV, KEY_FILE_ENV, key_check, load_swarm_key, write_key_file
from leaktrace.swarm.model import INFRASTRUCTURE, PEER, SwarmError, SwarmRecord
from leaktrace.swarm.privacy import peer_key
from leaktrace.swarm.reader import parse_swarm, read_swarm
from leaktrace.swarm.retention import RetentionReport, apply_retention, retention_days

__all__ = [
    "INFRASTRUCTURE",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "PEER",
    "RetentionReport",
    "SwarmError",
    "SwarmImportReport",
    "SwarmRecord",
    "apply_retention",
    "import_records",
    "identify_client",
    "import_swarm_files",
    "key_check",
    "load_swarm_key",
    "parse_swarm",
    "peer_key",
    "read_swarm",
    "retention_days",
    "write_key_file",
]
