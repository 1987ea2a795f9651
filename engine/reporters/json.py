"""`--format json`: the report (or `policy diff`'s diff) as plain JSON data.

The data is engine/model/serialize.py's, which also reads a report back for
`--baseline`: schemas/report.schema.json and schemas/diff.schema.json
describe it. The same inputs give byte-identical output apart from timings. Control and
bidi characters are written as `\\uNNNN` escapes (engine/printable.py): the
same data, nothing raw for a terminal.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from engine.model.diff import Diff
from engine.model.results import Report
from engine.model.serialize import diff_to_data, report_to_data
from engine.printable import json_safe
from engine.reporters import ReportOptions


def _write(data: dict[str, Any], out: TextIO) -> None:
    out.write(json_safe(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    _write(report_to_data(report), out)


def render_diff(diff: Diff, out: TextIO, options: ReportOptions) -> None:
    _write(diff_to_data(diff), out)
