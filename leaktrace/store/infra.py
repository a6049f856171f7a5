"""Every SQL statement of the infrastructure part, by concept:

* :mod:`leaktrace.store.host_sources` — sightings and swarm rows hosts are found in;
* :mod:`leaktrace.store.hosts` — stored hosts, their evidence and notes;
* :mod:`leaktrace.store.host_locations` — each source's answer to where a host is;
* :mod:`leaktrace.store.notices` — the abuse contacts a host list's columns give.

This module re-exports them (the import path the infrastructure modules use).
"""

from __future__ import annotations

from leaktrace.store.host_locations import (
    EnrichmentUpdate,
    drop_locations,
    load_locations,
    put_locations,
    refresh_countries,
    set_enrichment,
)
from leaktrace.store.host_sources import (
    SightingHostRow,
    SwarmHostRow,
    find_release_ids,
    iter_sightings,
    load_infra_swarm,
)
from leaktrace.store.hosts import (
    SWARM_PREFIX,
    UNKNOWN,
    EvidenceDetail,
    EvidenceRef,
    add_note_lines,
    insert_evidence,
    load_evidence_details,
    load_evidence_refs,
    load_hosts,
    upsert_hosts,
)
from leaktrace.store.notices import ContactInput, put_contacts

__all__ = [
    "SWARM_PREFIX",
    "ContactInput",
    "UNKNOWN",
    "EnrichmentUpdate",
    "EvidenceDetail",
    "EvidenceRef",
    "SightingHostRow",
    "SwarmHostRow",
    "add_note_lines",
    "drop_locations",
    "find_release_ids",
    "insert_evidence",
    "iter_sightings",
    "load_evidence_details",
    "load_evidence_refs",
    "load_hosts",
    "load_infra_swarm",
    "load_locations",
    "put_contacts",
    "put_locations",
    "refresh_countries",
    "set_enrichment",
    "upsert_hosts",
]
