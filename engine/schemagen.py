"""The JSON Schemas' generated parts, written from the registries.

schemas/*.schema.json are committed (editors and `policy validate` read
them), but what a registry knows is never written there by hand: the check
kinds (`$defs.check` and each kind's `$defs.<key>Check`, from its fragment
engine/checks/<key>.schema.json), and the enums of formats, severities,
`--fail-on` levels, statuses and snapshot kinds. Everything else in those
files is written by hand. Run `python -m engine.schemagen` after changing a
registry or a fragment; a test fails while a committed schema is stale.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, get_args

from engine.checks import KINDS
from engine.formats import FORMATS
from engine.model.results import STATUSES
from engine.model.severity import FAIL_ON_LEVELS, SEVERITIES
from engine.model.snapshots import SnapshotKind
from engine.resources import schema_path

SCHEMAS = ("rulepack", "config", "report", "diff", "fixture", "lock")

#: `$defs` entries whose `enum` comes from the code, wherever a schema has them.
ENUMS: dict[str, Callable[[], list[Any]]] = {
    "severity": lambda: list(SEVERITIES),
    "failOn": lambda: list(FAIL_ON_LEVELS),
    "status": lambda: list(STATUSES),
    "statusOrAbsent": lambda: [*STATUSES, None],
    # `policy test` runs packs without a repo config: no rule of a case is ever waived.
    "caseStatus": lambda: [s for s in STATUSES if s != "waived"],
    "snapshotKind": lambda: list(get_args(SnapshotKind)),
    "format": lambda: list(FORMATS),
}


def _check_defs() -> dict[str, Any]:
    """`$defs.check` (one key of every kind) and each kind's own definition."""
    defs: dict[str, Any] = {
        "check": {
            "type": "object",
            "description": "A check: exactly one of the check kinds.",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {key: {"$ref": f"#/$defs/{key}Check"} for key in KINDS},
        }
    }
    for key, kind in KINDS.items():
        defs[f"{key}Check"] = kind.schema
    return defs


def generated(name: str) -> dict[str, Any]:
    """Schema `name` as committed, with its generated parts written afresh."""
    schema: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    defs = schema.get("$defs", {})
    if name == "rulepack":
        stale = [k for k in defs if k == "check" or (k.endswith("Check") and k[:-5] in KINDS)]
        for key in stale:
            del defs[key]
        defs = {**_check_defs(), **defs}
    for key, values in ENUMS.items():
        if key in defs:
            defs[key] = {**defs[key], "enum": values()}
    if defs:
        schema["$defs"] = defs
    return schema


def text(schema: dict[str, Any]) -> str:
    """A schema as its file holds it."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Rewrite every schema whose generated parts are out of date; print what changed."""
    for name in SCHEMAS:
        path = schema_path(name)
        fresh = text(generated(name))
        if path.read_text(encoding="utf-8") != fresh:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
