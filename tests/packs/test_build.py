"""Levels and weights in the pack format, through the real CLI: defaults, validation at
the offending line, inheritance through `extends`, and `overrides`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = "apiVersion: rulepack/v1\nname: test\nversion: 1.0.0\n"
CATEGORY = "categories:\n  - {id: general, title: General}\n"
LEVELS = (
    "levels:\n"
    "  - {id: bronze, title: Bronze, description: Safe to deploy}\n"
    "  - {id: silver, title: Silver}\n"
    "  - {id: gold, title: Gold}\n"
)
CHECK = "{file: {exists: [README.md]}}"


def rule(rule_id: str = "r", **fields: str) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return f"  - id: {rule_id}\n    title: T\n    category: general\n    check: {CHECK}\n" + extra


def at(text: str, needle: str) -> str:
    """`line:column` of `needle` in a pack's text."""
    start = text.index(needle)
    line = text.count("\n", 0, start) + 1
    return f"{line}:{start - (text.rfind(chr(10), 0, start) + 1) + 1}"


@pytest.fixture
def listed(policy: Callable[..., object], write_pack: Callable[..., Path]):
    """`policy rules --pack FILE --format json` of a pack: (id, level, weight) per rule."""

    def run(text: str, name: str = "pack.yaml") -> list[tuple[str, str | None, int]]:
        done = policy("rules", "--pack", write_pack(text, name=name), "--format", "json")
        assert done.exit_code == 0, done.stderr
        return [(r["id"], r["level"], r["weight"]) for r in json.loads(done.stdout)]

    return run


@pytest.fixture
def refused(policy: Callable[..., object], write_pack: Callable[..., Path]):
    """`policy validate` of a pack that must be refused: exit 2 and its stderr lines."""

    def run(text: str) -> tuple[Path, list[str]]:
        path = write_pack(text)
        done = policy("validate", path)
        assert done.exit_code == 2, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return path, done.stderr.splitlines()

    return run


def test_a_rule_is_at_the_lowest_level_with_weight_1_unless_it_says(listed) -> None:
    text = HEADER + CATEGORY + LEVELS + "rules:\n" + rule("a") + rule("b", level="gold", weight="5")
    assert listed(text) == [("a", "bronze", 1), ("b", "gold", 5)]


def test_without_levels_a_rule_has_no_level(listed) -> None:
    assert listed(HEADER + CATEGORY + "rules:\n" + rule("a", weight="2")) == [("a", None, 2)]


def test_the_rules_table_shows_levels_and_weights(policy, write_pack) -> None:
    text = HEADER + CATEGORY + LEVELS + "rules:\n" + rule("a") + rule("b", level="gold", weight="5")
    path = write_pack(text)
    done = policy("rules", "--pack", path)
    assert done.stdout.splitlines() == [
        f"test 1.0.0 (file: {path}), 2 rules",
        "levels: Bronze (bronze) < Silver (silver) < Gold (gold)",
        "",
        "General (general)",
        "  a  error    bronze  x1  T",
        "  b  error    gold    x5  T",
    ]


def test_a_rule_naming_an_unknown_level_is_refused_at_that_line(refused) -> None:
    text = HEADER + CATEGORY + LEVELS + "rules:\n" + rule("a", level="platinum")
    path, lines = refused(text)
    assert lines == [
        f"{path}:{at(text, 'platinum')}: error: rule a: unknown level 'platinum' "
        "(levels: bronze, silver, gold)"
    ]


def test_a_level_in_a_pack_without_levels_is_refused(refused) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("a", level="silver")
    path, lines = refused(text)
    assert lines == [
        f"{path}:{at(text, 'silver')}: error: rule a: unknown level 'silver' "
        "(the pack declares no levels)"
    ]


def test_level_ids_are_unique(refused) -> None:
    text = HEADER + CATEGORY + LEVELS + "  - {id: silver, title: Again}\nrules:\n" + rule("a")
    path, lines = refused(text)
    first = at(text, "silver").split(":")[0]
    assert lines == [
        f"{path}:{at(text, 'silver, title: Again')}: error: duplicate level id 'silver' "
        f"(first defined at line {first})"
    ]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("0", "0 is less than the minimum of 1"),
        ("-2", "-2 is less than the minimum of 1"),
        ('"3"', "'3' is not of type 'integer'"),
        ("1.5", "1.5 is not of type 'integer'"),
        ("true", "True is not of type 'integer'"),
    ],
)
def test_a_weight_is_a_positive_integer(refused, weight: str, message: str) -> None:
    text = HEADER + CATEGORY + LEVELS + "rules:\n" + rule("a", weight=weight)
    path, lines = refused(text)
    line = at(text, "weight: ").split(":")[0]
    assert lines == [f"{path}:{line}:13: error: rule a: weight: {message}"]  # at the value


BASE = HEADER.replace("name: test", "name: base") + CATEGORY + LEVELS + "rules:\n"


def child(body: str) -> str:
    return HEADER.replace("name: test", "name: child") + "extends: [{pack: ./base.yaml}]\n" + body


def test_levels_are_inherited_and_a_pack_may_add_levels_above(listed, write_pack) -> None:
    write_pack(BASE + rule("a") + rule("b", level="silver"), name="base.yaml")
    text = child(
        "levels:\n  - {id: platinum, title: Platinum}\n"
        "rules:\n" + rule("c", level="platinum") + rule("d")
    )
    assert listed(text) == [
        ("a", "bronze", 1),
        ("b", "silver", 1),
        ("c", "platinum", 1),
        ("d", "bronze", 1),
    ]


def test_overrides_move_a_rule_and_change_its_weight(listed, write_pack) -> None:
    write_pack(BASE + rule("a") + rule("b", level="silver", weight="2"), name="base.yaml")
    text = child(
        "overrides:\n  - {rule: a, level: gold, weight: 4}\n  - {rule: b, level: bronze}\n"
    )
    assert listed(text) == [("a", "gold", 4), ("b", "bronze", 2)]


def test_an_override_to_an_unknown_level_is_refused_at_the_override(refused, write_pack) -> None:
    write_pack(BASE + rule("a"), name="base.yaml")
    text = child("overrides:\n  - {rule: a, level: diamond}\n")
    path, lines = refused(text)
    assert lines == [
        f"{path}:{at(text, 'diamond')}: error: rule a: unknown level 'diamond' "
        "(levels: bronze, silver, gold)"
    ]


def test_an_extending_pack_may_not_reorder_inherited_levels(refused, write_pack) -> None:
    write_pack(BASE + rule("a"), name="base.yaml")
    text = child("levels:\n  - {id: gold, title: Gold}\n  - {id: bronze, title: Bronze}\n")
    path, lines = refused(text)
    assert lines == [
        f"{path}:{at(text, '- {id: gold')}: error: levels keep the order of the "
        "extended pack's levels (bronze, silver, gold); new levels come after them"
    ]


def test_an_extending_pack_may_retitle_an_inherited_level(evaluate, make_repo, write_pack) -> None:
    write_pack(BASE + rule("a"), name="base.yaml")
    text = child("levels:\n  - {id: silver, title: Operable, description: On call}\n")
    run = evaluate(make_repo({"README.md": "x"}), write_pack(text))
    assert run.report["packs"][0]["levels"] == [
        {"id": "bronze", "title": "Bronze", "description": "Safe to deploy"},
        {"id": "silver", "title": "Operable", "description": "On call"},
        {"id": "gold", "title": "Gold", "description": ""},
    ]


# -- the pack's digest ----------------------------------------------------------------------

DIGEST_CHECK = "{manifest: {files: ['*.yaml'], schema: schemas/deploy.json}}"


def _schema_pack_folder(folder: Path, check_pack, deploy: object, defs: object) -> Path:
    """A pack whose rule checks *.yaml against schemas/deploy.json, which refers to defs.json."""
    (folder / "schemas").mkdir(parents=True)
    (folder / "schemas/deploy.json").write_text(json.dumps(deploy))
    (folder / "schemas/defs.json").write_text(json.dumps(defs))
    (folder / "pack.yaml").write_text(check_pack(DIGEST_CHECK))
    return folder / "pack.yaml"


def _digest(evaluate, make_repo, pack: Path) -> str:
    run = evaluate(make_repo({"a.yaml": "x: 1\n"}), pack)
    assert run.report is not None, run.stderr
    return str(run.report["packs"][0]["digest"])


def test_a_pack_has_the_same_digest_in_any_folder_and_another_when_a_schema_changes(
    evaluate, make_repo, check_pack, tmp_path: Path
) -> None:
    deploy = {"$ref": "defs.json#/$defs/thing"}
    defs = {"$defs": {"thing": {"type": "object"}}}
    here = _schema_pack_folder(tmp_path / "here", check_pack, deploy, defs)
    there = _schema_pack_folder(tmp_path / "elsewhere/deep", check_pack, deploy, defs)
    digest = _digest(evaluate, make_repo, here)
    assert digest == _digest(evaluate, make_repo, there)  # no folder in what it covers
    (tmp_path / "here/unrelated.txt").write_text("not read")
    assert _digest(evaluate, make_repo, here) == digest
    (tmp_path / "here/schemas/defs.json").write_text(json.dumps({"$defs": {"thing": {}}}))
    assert _digest(evaluate, make_repo, here) != digest  # a file a $ref reads counts


def test_the_digest_covers_the_packs_a_pack_extends(
    evaluate, make_repo, check_pack, write_pack, tmp_path: Path
) -> None:
    base = write_pack(check_pack("{file: {exists: [README.md]}}"), name="base.yaml")
    child = write_pack(
        "apiVersion: rulepack/v1\nname: child\nversion: 1.0.0\nextends: [{pack: ./base.yaml}]\n"
        "rules: []\n",
        name="child.yaml",
    )
    digest = _digest(evaluate, make_repo, child)
    base.write_text(base.read_text() + "\n# changed\n")
    assert _digest(evaluate, make_repo, child) != digest
