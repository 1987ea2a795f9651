"""`policy fleet --format json`: the fleet report as data (schemas/fleet-report.schema.json)."""

from __future__ import annotations

from typing import TextIO

from engine.fleet.data import fleet_to_data
from engine.fleet.rollup import FleetReport
from engine.reporters import ReportOptions
from engine.reporters.json import _write


def render_fleet(report: FleetReport, out: TextIO, options: ReportOptions) -> None:
    _write(fleet_to_data(report), out)
