"""A deterministic, SYNTHETIC leak scenario for ``leaktrace demo``.

Modelled on the "Sparks" case (a group posing as disc retailers to obtain Blu-rays before
their street date), but every title, group, site and URL here is FICTIONAL: invented by
this generator, with sites under the reserved ``.example`` domain.

:func:`generate` writes into a directory:

* ``catalog.csv``: the catalogue of protected works (LeakTrace CSV contract);
* ``predb.jsonl``: a pre-database log (predb.ovh-style rows: ``preAt`` Unix seconds,
  ``size`` in MB) of scene releases;
* ``trackers.jsonl`` and ``indexer.jsonl``: LeakTrace feed rows (``name``, ``time``,
  ``group``, ``size`` bytes, ``url``, ``site``) for P2P releases and re-sightings of scene
  releases on several sites; ``trackers.jsonl`` holds a few malformed lines on purpose;
* ``SCENARIO.txt``: what the scenario contains, and the fictional-data notice.

It returns a :class:`ScenarioFiles` with the paths and the facts planted (which release
names are leaks of which window, by which group), computed from what was generated with
LeakTrace's own detection rules, so tests can check the pipeline finds them.

This module is the entry point; the parts live beside it: the premise
(:mod:`~leaktrace.demo.premise`), the fictional cast (:mod:`~leaktrace.demo.cast`), the
catalogue and the release generators (:mod:`~leaktrace.demo.catalogue`,
:mod:`~leaktrace.demo.film_releases`, :mod:`~leaktrace.demo.disc_releases`,
:mod:`~leaktrace.demo.tv_releases`, :mod:`~leaktrace.demo.noise_releases`), the files'
writer (:mod:`~leaktrace.demo.writer`) and the result types (:mod:`~leaktrace.demo.results`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from leaktrace.demo.builder import ScenarioBuilder
from leaktrace.demo.cast import _SCREENER_FILM, P2P_FOLLOWERS, SITES
from leaktrace.demo.catalogue import build_catalogue
from leaktrace.demo.film_releases import add_films, add_specials
from leaktrace.demo.infra import write_infrastructure
from leaktrace.demo.naming import p2p_name, scene_name
from leaktrace.demo.noise_releases import add_noise
from leaktrace.demo.premise import (
    DEFAULT_SEED,
    FICTIONAL_NOTICE,
    SCENARIO_END,
    SCENARIO_START,
    SUPPLY_CHAIN_GROUP,
)
from leaktrace.demo.results import PlantedRelease, ScenarioFiles, planted_release
from leaktrace.demo.supply import write_shipments
from leaktrace.demo.tv_releases import add_shows
from leaktrace.demo.writer import write_catalog, write_feeds, write_readme

__all__ = [
    "DEFAULT_SEED",
    "FICTIONAL_NOTICE",
    "P2P_FOLLOWERS",
    "SCENARIO_END",
    "SCENARIO_START",
    "SITES",
    "SUPPLY_CHAIN_GROUP",
    "PlantedRelease",
    "ScenarioFiles",
    "generate",
    "p2p_name",
    "scene_name",
]


def _build(seed: int) -> tuple[ScenarioBuilder, str, str, list[str]]:
    """Generate the catalogue and every release, in the order that fixes the random
    draws; returns the builder, the workprint and screener leaks and the pre-air leaks."""
    builder = ScenarioBuilder(seed)
    films = build_catalogue(builder)
    works = builder.works
    rng = builder.rng
    with_theatrical = sorted(
        w.id
        for w in works
        if w.kind == "movie"
        and w.theatrical
        and w.theatrical >= SCENARIO_START + timedelta(days=10)
    )
    with_digital = sorted(
        w.id
        for w in works
        if w.kind == "movie"
        and w.digital
        and w.digital >= SCENARIO_START + timedelta(days=7)
        and w.id in films
        and w.id != _SCREENER_FILM
    )
    builder.premiere_leaks = set(rng.sample(with_theatrical, 4))
    builder.platform_leaks = set(rng.sample(with_digital, 3))
    workprint, screener = add_specials(builder)
    add_films(builder, films)
    pre_air = add_shows(builder)
    add_noise(builder)
    return builder, workprint, screener, pre_air


def generate(directory: Path, seed: int = DEFAULT_SEED) -> ScenarioFiles:
    """Write the synthetic scenario into ``directory`` (created if needed); same seed,
    same files, byte for byte."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    builder, workprint, screener, pre_air = _build(seed)

    catalog = directory / "catalog.csv"
    write_catalog(catalog, builder.works, builder.csv_titles)

    releases = sorted(builder.releases.values(), key=lambda r: (r.first, r.name))
    feeds = write_feeds(directory, releases, seed)

    planted = {r.name: planted_release(r) for r in releases}
    first_leaks: dict[str, datetime] = {}
    for p in planted.values():
        if p.group == SUPPLY_CHAIN_GROUP and p.window == "physical" and p.work_id:
            seen = first_leaks.get(p.work_id)
            first_leaks[p.work_id] = p.first_seen if seen is None else min(seen, p.first_seen)
    supply = write_shipments(directory / "shipments.csv", builder.works, first_leaks, seed)
    torrents = {r.name for r in releases for x in r.sightings if x.feed != "predb" and x.site}
    infra = write_infrastructure(
        directory,
        [
            (p.name, p.first_seen)
            for p in planted.values()
            if p.group == SUPPLY_CHAIN_GROUP and p.status == "leak"
        ],
        [
            (p.name, p.first_seen)
            for p in planted.values()
            if p.status == "leak" and p.window == "physical" and p.name in torrents
        ],
        seed,
    )
    files = ScenarioFiles(
        directory=directory,
        catalog=catalog,
        feeds=feeds.paths,
        readme=directory / "SCENARIO.txt",
        seed=seed,
        supply_chain_group=SUPPLY_CHAIN_GROUP,
        works=len(builder.works),
        films=sum(1 for w in builder.works if w.kind == "movie"),
        seasons=sum(1 for w in builder.works if w.kind == "season"),
        sightings=feeds.sightings,
        malformed_lines=feeds.malformed_lines,
        planted=planted,
        workprint_release=workprint,
        screener_release=screener,
        pre_air_releases=tuple(pre_air),
        supply=supply,
        infra=infra,
    )
    write_readme(files)
    return files
