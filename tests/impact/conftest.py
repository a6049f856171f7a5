from tests.analytics.conftest import spark
from tests.swarm.conftest import _no_swarm_env, asn_db, geo

__all__ = ["_no_swarm_env", "asn_db", "geo", "spark"]
