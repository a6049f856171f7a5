"""Infrastructure: the servers behind a group, located and clustered, listed per country.

* :func:`~leaktrace.infra.collect.collect_hosts` — hosts from sightings and swarm peers;
* :func:`~leaktrace.infra.importer.import_hosts` — analysts' CSV/JSON host lists;
* :func:`~leaktrace.infra.enrich.enrich_hosts` — country, ASN, provider via :mod:`leaktrace.geo`
  (mmdb files, several at once; built-in data by default), each file's answer kept apart;
* :data:`~leaktrace.infra.model.SOURCE_PRECEDENCE` — whose country a host is listed under
  (analyst, GeoIP, DNS, certificate), every answer kept (``host_locations``);
* :func:`~leaktrace.infra.cluster.cluster_hosts` — servers tied together, with evidence;
* :func:`~leaktrace.infra.targets.build_targets` — action-day sheets, one per country and
  an ``unknown`` one (:func:`~leaktrace.infra.target_files.write_targets` writes them),
  their evidence in words
  (:mod:`leaktrace.infra.evidence_text`);
* :func:`~leaktrace.infra.worldmap.world_map_svg` — an inline SVG world map.

Import from the submodules (``leaktrace.store.infra`` uses :mod:`leaktrace.infra.model`,
so this package imports nothing itself).
"""
