"""The fleet's fixtures (tests/fleet/fixtures.py), for the tests of this folder."""

from tests.fleet.fixtures import dask_cluster, fleet_pack, write_fleet

__all__ = ["dask_cluster", "fleet_pack", "write_fleet"]
