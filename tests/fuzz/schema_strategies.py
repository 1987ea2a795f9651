"""Hypothesis strategies for documents described by a JSON Schema (packs, configs).

hypothesis-jsonschema cannot generate from a recursive schema (a check holds
checks: `all`, `any`, `not`), so this walks the schema itself. It reads the
keywords our schemas use: `$ref` (into `$defs`, as deep as `max_depth`),
`const`, `enum`, `type`, `properties`, `required`, `additionalProperties`,
`propertyNames`, `minProperties`/`maxProperties`, `oneOf`/`anyOf`, `items`,
`minItems`, `minLength`, `minimum`/`maximum`, `pattern`.

A document generated this way has the schema's shape; whether it is also
valid depends on what the schema cannot say (an unknown category, two sources
in one check), which is the point: both the loader's errors and the
evaluation get exercised. `leaves` supplies the values that make a document
meet the repository (globs, regexes, JMESPath, harmless programs), keyed by
`format:NAME`, `$defs:NAME`, a property name (`DEF.NAME` for the property of
one definition, `root.NAME` of the root), or `NAME[key]` for the keys of the
object under property NAME.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

#: An optional property is written one time in OPTIONAL_ODDS: checks with
#: every optional key at once would almost never load.
OPTIONAL_ODDS = 3


@dataclass(frozen=True)
class SchemaStrategies:
    """Strategies for the sub-schemas of `root`, with `leaves` in place of some."""

    root: Mapping[str, Any]
    leaves: Mapping[str, st.SearchStrategy[Any]]
    #: Groups of keys of a `$defs` object that exclude one another (a check's
    #: sources): usually exactly one key of each group is written.
    exclusive: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: `$defs` that hold themselves (a check holds checks), nested at most `max_depth` deep.
    recursive: frozenset[str] = frozenset({"check"})
    max_depth: int = 3
    text: st.SearchStrategy[str] = field(default_factory=lambda: st.text(max_size=12))

    def document(self) -> st.SearchStrategy[Any]:
        """Documents of the root schema."""
        return self.of(self.root, 0, None, "root")

    def of(
        self, schema: Mapping[str, Any], depth: int, prop: str | None, where: str
    ) -> st.SearchStrategy[Any]:
        """Values of `schema`, met at property `prop` of the object at `where`
        (`DEF.NAME...`: a definition, then the properties leading into it)."""
        for key in (f"{where}.{prop}", prop):
            if prop is not None and key in self.leaves:
                return self.leaves[key]
        if "$ref" in schema:
            name = schema["$ref"].removeprefix("#/$defs/")
            if f"$defs:{name}" in self.leaves:
                return self.leaves[f"$defs:{name}"]
            deeper = depth + (name in self.recursive)
            if deeper > self.max_depth:
                return st.nothing()  # a branch too deep is left out of its oneOf/anyOf
            target = self.root["$defs"][name]
            return st.deferred(lambda: self.of(target, deeper, None, name))
        if "format" in schema and f"format:{schema['format']}" in self.leaves:
            return self.leaves[f"format:{schema['format']}"]
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema and "type" not in schema and "properties" not in schema:
                return st.one_of([self.of(s, depth, prop, where) for s in schema[combinator]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.of({**schema, "type": k}, depth, prop, where) for k in kind])
        inner = where if prop is None else f"{where}.{prop}"
        if kind == "object":
            return self._object(schema, depth, prop, where, inner)
        if kind == "array":
            items = self.of(schema.get("items", {}), depth, None, inner)
            return st.lists(items, min_size=schema.get("minItems", 0), max_size=3)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return st.integers(schema.get("minimum"), schema.get("maximum"))
        if kind == "number":
            low = schema.get("exclusiveMinimum", schema.get("minimum"))
            return st.floats(low, schema.get("maximum"), exclude_min="exclusiveMinimum" in schema)
        if kind == "boolean":
            return st.booleans()
        return st.none() | st.booleans() | st.integers() | self.text

    def _string(self, schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: len(s) < 20)
        return self.text.filter(lambda s: len(s) >= schema.get("minLength", 0))

    def _object(
        self, schema: Mapping[str, Any], depth: int, prop: str | None, where: str, inner: str
    ) -> st.SearchStrategy[dict[str, Any]]:
        properties = {
            key: self.of(sub, depth, key, inner)
            for key, sub in schema.get("properties", {}).items()
        }
        if schema.get("maxProperties") == 1 and not schema.get("required"):
            # exactly one key of several (a check): one strategy per key, so a
            # key whose value is too deep to generate drops out by itself
            return st.one_of([st.fixed_dictionaries({k: v}) for k, v in properties.items()])
        required = set(schema.get("required", ()))
        extra = schema.get("additionalProperties")
        values = (
            self.of(extra, depth, None, inner) if isinstance(extra, Mapping) and extra else None
        )
        keys = self._keys(schema, prop)
        is_definition = schema is self.root.get("$defs", {}).get(inner)
        groups = self.exclusive.get(inner, ()) if is_definition else ()

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            chosen = {k for k in properties if k in required or draw(_one_in(OPTIONAL_ODDS))}
            for group in groups:
                if not draw(_one_in(10)):  # now and then two, or none
                    chosen = (chosen - set(group)) | {draw(st.sampled_from(group))}
            document = {k: draw(properties[k]) for k in properties if k in chosen}
            if values is not None or (extra is None and "properties" not in schema):
                for key in draw(st.lists(keys, max_size=3, unique=True)):
                    document[key] = draw(
                        values if values is not None else self.of({}, 0, None, inner)
                    )
            return document

        return build()

    def _keys(self, schema: Mapping[str, Any], prop: str | None) -> st.SearchStrategy[str]:
        if prop is not None and f"{prop}[key]" in self.leaves:
            return self.leaves[f"{prop}[key]"]
        pattern = schema.get("propertyNames", {}).get("pattern")
        return self._string({"pattern": pattern}) if pattern else self.text


def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about one time in `n`."""
    return st.integers(0, n - 1).map(lambda i: i == 0)
