"""Infrastructure: the servers behind a group, located and clustered, listed per country.

* :func:`~leaktrace.infra.collect.collect_hosts` — hosts from sightings and swarm peers;
* :func:`~leaktrace.infra.importer.import_hosts` — analysts' CSV/JSON host lists;
* :func:`~leaktrace.infra.enrich.enrich_hosts` — country, ASN, provider via :mod:`leaktrace.geo`
  (mmdb files; DB-IP Country/ASN Lite built in);
* :func:`~leaktrace.infra.cluster.cluster_hosts` — servers tied together, with evidence;
* :func:`~leaktrace.infra.targets.build_targets` / ``write_targets`` — action-day sheets;
* :func:`~leaktrace.infra.worldmap.world_map_svg` — an inline SVG world map.

Import from the submodules (``leaktrace.store.infra`` uses :mod:`leaktrace.infra.model`,
so this package imports nothing itself).
"""
