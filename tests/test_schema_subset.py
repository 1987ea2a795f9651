"""engine/schema_subset.py held to jsonschema: the same answer, valid or not, for
documents generated from each of our schemas and then broken a little."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.schema_subset import conforms, equal, is_type, supported
from engine.schemas import load_schema, validator
from engine.yaml_located import load_located
from tests.conftest import ROOT
from tests.fuzz.mutations import mutated_data
from tests.fuzz.schema_strategies import SchemaStrategies

SCHEMAS = sorted(p.name.removesuffix(".schema.json") for p in (ROOT / "schemas").glob("*.json"))
#: Real documents of some schemas, read as the engine reads them.
EXAMPLES = {
    "rulepack": [*ROOT.glob("rulepacks/*/pack.yaml"), *ROOT.glob("benchmarks/*.yaml")],
    "fixture": list(ROOT.glob("rulepacks/*/tests/*/expect.yaml")),
}


def jsonschema_says(document: Any, name: str) -> bool:
    """Whether jsonschema (with the engine's finite numbers) finds `document` valid."""
    return not any(validator(name).iter_errors(document))


def strategy(name: str) -> st.SearchStrategy[Any]:
    documents = SchemaStrategies(load_schema(name), {}, max_depth=2).document()
    return documents.flatmap(lambda d: st.just(d) | mutated_data(d))


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_is_judged_here_whole(name: str) -> None:
    # a keyword added to a schema that this module does not read sends every file of
    # that kind to jsonschema: correct, but slow; this says so first
    assert supported(load_schema(name))


@pytest.mark.parametrize("name", SCHEMAS)
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_answer_is_jsonschemas(name: str, data: st.DataObject) -> None:
    document = data.draw(strategy(name))
    found = conforms(document, load_schema(name))
    if found is None:  # only arrays of other values than strings under `uniqueItems`
        assert name == "fleet"
        return
    assert found == jsonschema_says(document, name)


@pytest.mark.parametrize(
    ("path", "name"),
    [(path, name) for name, paths in EXAMPLES.items() for path in sorted(paths)],
    ids=lambda value: str(value.relative_to(ROOT)) if isinstance(value, Path) else value,
)
def test_real_documents_are_judged_as_jsonschema_does(path: Path, name: str) -> None:
    # as written, before `{{ params }}` are filled: some are valid only after
    data = load_located(path.read_text(encoding="utf-8"), str(path)).data
    assert conforms(data, load_schema(name)) is jsonschema_says(data, name)


PACK = {"apiVersion": "rulepack/v1", "name": "p", "version": "1.0.0", "rules": []}
RULE = {"id": "r", "title": "R", "category": "c", "check": {"file": {"exists": "README.md"}}}


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"name": "p\n"}, True),  # Python's `$` matches before a last newline, as jsonschema's
        ({"name": "p\nq"}, False),
        ({"name": "P"}, False),
        ({"name": ""}, False),
        ({"rules": {}}, False),
        ({"extra": 1}, False),
        ({"apiVersion": "rulepack/v2"}, False),
        ({"params": {"n": float("nan")}}, True),  # a param may be anything
        ({"rules": [{**RULE, "weight": 2}]}, True),
        ({"rules": [{**RULE, "weight": 2.0}]}, True),  # an integer, to JSON Schema
        ({"rules": [{**RULE, "weight": 2**70}]}, True),
        ({"rules": [{**RULE, "weight": 0}]}, False),
        ({"rules": [{**RULE, "weight": True}]}, False),
        ({"rules": [{**RULE, "weight": 2.5}]}, False),
        ({"rules": [{**RULE, "weight": float("inf")}]}, False),
        ({"rules": [{**RULE, "weight": float("nan")}]}, False),
        ({"rules": [{**RULE, "check": {"files": {"exists": "a"}}}]}, False),
    ],
)
def test_examples_of_packs(change: dict[str, Any], valid: bool) -> None:
    document = {**PACK, **change}
    assert conforms(document, load_schema("rulepack")) is valid
    assert jsonschema_says(document, "rulepack") is valid


@pytest.mark.parametrize(
    ("one", "two", "same"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ([1, True], [1.0, True], True),
        ({"a": [0]}, {"a": [False]}, False),
        ("1", 1, False),
        (None, None, True),
        (float("nan"), float("nan"), False),
    ],
)
def test_equality_is_jsonschemas(one: Any, two: Any, same: bool) -> None:
    from jsonschema._utils import equal as reference

    assert equal(one, two) is same
    assert bool(reference(one, two)) is same


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        (1, {"integer", "number"}),
        (1.0, {"integer", "number"}),
        (1.5, {"number"}),
        (True, {"boolean"}),
        (float("nan"), set()),
        (float("inf"), set()),
        (None, {"null"}),
        ([], {"array"}),
        ({}, {"object"}),
        ("", {"string"}),
    ],
)
def test_types_are_the_engines(value: Any, kinds: set[str]) -> None:
    every = ("array", "boolean", "integer", "null", "number", "object", "string")
    assert {kind for kind in every if is_type(value, kind)} == kinds
    document = {"apiVersion": "rulepack/v1", "name": "p", "version": "1", "params": {}}
    document["params"]["n"] = {"default": value}
    assert conforms(document, load_schema("rulepack")) == jsonschema_says(document, "rulepack")


def test_values_that_are_not_json_are_left_to_jsonschema() -> None:
    schema = load_schema("rulepack")
    from decimal import Decimal

    for odd in ((), Decimal(1), b"x"):
        assert conforms({**PACK, "name": odd}, schema) is None
    assert conforms({**PACK, 1: "x"}, schema) is None  # a key that is not a string
    assert conforms({"$ref": "#/$defs/missing"}, schema) is not None  # data, not a schema
    assert conforms({}, {"$ref": "#/$defs/missing"}) is None
    assert conforms({}, {"if": {}}) is None  # a keyword it does not read
