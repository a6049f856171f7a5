"""Where an address is and who runs it: country, ASN and organisation, offline.

* :mod:`leaktrace.geo.mmdb` — a MaxMind DB file the user points to, read with ``maxminddb``;
* :mod:`leaktrace.geo.bundled` — the default: ip-location-db country and ASN data (CC BY
  4.0: NRO, RouteViews, DB-IP) shipped in ``leaktrace/data/geo`` with pinned SHA-256
  hashes, or newer files installed by ``leaktrace geo update``;
* :mod:`leaktrace.geo.install` — checking and installing those newer files;
* :mod:`leaktrace.geo.records` — country/ASN/organisation out of the usual record layouts;
* :mod:`leaktrace.geo.lookup` — :class:`GeoLookup`, the two files together, with sources.

Used by host enrichment (:mod:`leaktrace.infra.enrich`) and swarm import
(:mod:`leaktrace.swarm.importer`).
"""

from leaktrace.geo.bundled import (
    ATTRIBUTION,
    DBIP_ATTRIBUTION,
    BundledDataset,
    bundled_dataset,
    open_bundled,
)
from leaktrace.geo.lookup import ASN_MISSING, COUNTRY_MISSING, GeoLookup, GeoResult, open_lookup
from leaktrace.geo.mmdb import MmdbFile, open_mmdb

__all__ = [
    "ASN_MISSING",
    "ATTRIBUTION",
    "COUNTRY_MISSING",
    "DBIP_ATTRIBUTION",
    "BundledDataset",
    "GeoLookup",
    "GeoResult",
    "MmdbFile",
    "bundled_dataset",
    "open_bundled",
    "open_lookup",
    "open_mmdb",
]
