"""Each pluggable part is registered once; schemas, CLI choices and docs follow the registry.

A check kind, a manifest format, a reporter or a snapshot source added to its
registry and nowhere else makes one of these tests fail and say what to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import click
import pytest

from cli import main
from engine import schemagen
from engine.checks import KINDS
from engine.formats import FORMATS, format_for
from engine.model.snapshots import SnapshotKind
from engine.options import FormatList
from engine.reporters import DIFF_FORMATS, REPORTERS, diff_reporter, reporter
from engine.snapshots import SOURCES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACK_FORMAT = (ROOT / "docs" / "pack-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", schemagen.SCHEMAS)
def test_the_committed_schemas_are_generated_from_the_registries(name: str) -> None:
    committed = (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schemagen.text(schemagen.generated(name)), (
        f"schemas/{name}.schema.json is stale: run `python -m engine.schemagen`"
    )


def _defs(name: str) -> dict[str, Any]:
    defs: dict[str, Any] = schemagen.generated(name)["$defs"]
    return defs


def test_the_rulepack_schema_knows_every_check_kind_and_format() -> None:
    defs = _defs("rulepack")
    assert list(defs["check"]["properties"]) == list(KINDS)
    for key, kind in KINDS.items():
        assert defs[f"{key}Check"] == kind.schema
    assert defs["format"]["enum"] == list(FORMATS)


def test_the_report_and_diff_schemas_know_every_snapshot_kind() -> None:
    assert list(SOURCES) == list(get_args(SnapshotKind))
    for name in ("report", "diff"):
        assert _defs(name)["snapshotKind"]["enum"] == list(SOURCES)


def _choices(command: click.Command, option: str) -> list[str]:
    (param,) = [p for p in command.params if p.name == option]
    assert isinstance(param.type, click.Choice | FormatList)
    return list(param.type.choices)


def test_the_cli_format_choices_are_the_reporters() -> None:
    assert isinstance(main, click.Group)
    assert _choices(main.commands["eval"], "format_name") == list(REPORTERS)
    assert _choices(main.commands["diff"], "format_name") == list(DIFF_FORMATS)


def test_every_registered_part_is_importable_and_callable() -> None:
    for name in REPORTERS:
        assert callable(reporter(name))
    for name in DIFF_FORMATS:
        assert callable(diff_reporter(name))
    for name, fmt in FORMATS.items():
        for file_name in fmt.names:
            assert format_for(f"deploy/{file_name}") == name
        for suffix in fmt.suffixes:
            assert format_for(f"deploy/x{suffix}") == name


def test_the_docs_describe_every_registered_part() -> None:
    headings = " ".join(re.findall(r"^### (.*)$", PACK_FORMAT, re.M))
    for key in KINDS:
        assert f"`{key}`" in headings, f"docs/pack-format.md has no section on check kind {key}"
    for name in FORMATS:
        assert f"\n| `{name}` |" in PACK_FORMAT, f"docs/pack-format.md: format {name} not in table"
    section = README.split("## Report formats", 1)[1].split("\n## ", 1)[0]
    for name in REPORTERS:
        assert f"\n- `{name}`:" in section, f"README's Report formats do not list {name}"
    for kind, source in SOURCES.items():
        assert f"`{kind}`" in README, f"README does not name the snapshot kind {kind}"
        if source.option:
            assert f"`{source.option}" in README
