"""The synthetic demo scenario behind ``leaktrace demo`` (all titles and groups fictional)."""

from leaktrace.demo.run import DemoResult, run_demo
from leaktrace.demo.scenario import (
    DEFAULT_SEED,
    FICTIONAL_NOTICE,
    SUPPLY_CHAIN_GROUP,
    PlantedRelease,
    ScenarioFiles,
    generate,
)

__all__ = [
    "DEFAULT_SEED",
    "FICTIONAL_NOTICE",
    "SUPPLY_CHAIN_GROUP",
    "DemoResult",
    "PlantedRelease",
    "ScenarioFiles",
    "generate",
    "run_demo",
]
