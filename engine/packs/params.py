"""Parameters: their values merged and type-checked, and filled into a pack's strings.

Values come from the packs' defaults (bases first), then the repo config and
`--param`; a value given from outside must have the type of its default (a
number stays a number), so a config cannot hand a text to a comparison.

Each `{{ name }}` is filled by the kind of field it stands in (engine/packs/
fill.py says how). The kind comes from the JSON Schema of packs: a field's
`format` there (`jmespath`, `python-regex`, `shell-command`, `argv`) is
written once, in the check kind's fragment engine/checks/<kind>.schema.json;
every other field is text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from engine.model.documents import KeyPath
from engine.packs import fill

FieldKind = Literal["text", "jmespath", "regex", "shell", "argv"]
#: The schema's `format` of a field -> how a parameter is filled into it.
FORMATS: dict[str, FieldKind] = {
    "jmespath": "jmespath",
    "python-regex": "regex",
    "shell-command": "shell",
    "argv": "argv",
}

Report = Callable[[KeyPath, str], None]
#: What a field holds when a value could not be filled in: the problem is reported
#: once, and this reads without a second one.
_NEUTRAL: dict[FieldKind, str] = {"jmespath": "`null`", "regex": "(?!)"}


# -- values ------------------------------------------------------------------------------


def merged(defaults: Iterable[Mapping[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults of each pack of a chain (bases first), then the given values they declare."""
    params: dict[str, Any] = {}
    for own in defaults:
        params.update(own)
    params.update({name: value for name, value in given.items() if name in params})
    return params


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null"


def _shown(value: Any, limit: int = 60) -> str:
    text = fill.as_text(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def type_problem(value: Any, default: Any, pack: str) -> str | None:
    """Why a given value cannot replace the default of `pack`: another type (None: it can)."""
    expected, given = _type_name(default), _type_name(value)
    if default is None or given == expected:
        return None
    shown = "null" if value is None else f"{given} {_shown(value)}"
    return f"must be {expected} like its default {_shown(default)} (pack {pack}), not {shown}"


# -- field kinds -------------------------------------------------------------------------


def field_kind(path: KeyPath) -> FieldKind:
    """What the field at `path` of a pack holds, by the pack schema's `format` there."""
    from engine.schemas import load_schema

    root = load_schema("rulepack")
    nodes = _expand(root, root)
    for part in path:
        nodes = [
            e for node in nodes for child in _children(node, part) for e in _expand(child, root)
        ]
    kinds = {FORMATS[node["format"]] for node in nodes if node.get("format") in FORMATS}
    return kinds.pop() if len(kinds) == 1 else "text"


def _expand(schema: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """`schema` with its `$ref` followed and its anyOf/oneOf/allOf branches beside it."""
    if not isinstance(schema, dict):
        return []
    found = [schema]
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        found += _expand(target, root)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, ()):
            found += _expand(branch, root)
    return found


def _children(schema: dict[str, Any], part: str | int) -> list[Any]:
    if isinstance(part, int):
        return [schema["items"]] if "items" in schema else []
    properties = schema.get("properties", {})
    if part in properties:
        return [properties[part]]
    extra = schema.get("additionalProperties")
    return [extra] if isinstance(extra, dict) else []


# -- filling -----------------------------------------------------------------------------


def substitute(
    data: Mapping[str, Any], params: Mapping[str, Any], facts: frozenset[str], report: Report
) -> dict[str, Any]:
    """A pack file's data with every `{{ name }}` filled (`params:` itself excepted).

    `facts` are the names a `message:` fills per finding, left there as written;
    `report(path, message)` receives each problem: an unknown name, a value
    that cannot be written where it stands.
    """
    filler = _Filler(params, facts, report)
    return {k: (v if k == "params" else filler.value(v, (k,))) for k, v in data.items()}


class _Filler:
    """One pack file's walk: the params, the facts to keep, where problems go."""

    def __init__(self, params: Mapping[str, Any], facts: frozenset[str], report: Report) -> None:
        self.params = params
        self.facts = facts
        self.report = report

    def value(self, item: Any, path: KeyPath) -> Any:
        if isinstance(item, dict):
            return self._mapping(item, path)
        if isinstance(item, list):
            return self._list(item, path)
        if isinstance(item, str) and "{{" in item:
            return self._string(item, path, field_kind(path))
        return item

    def _mapping(self, item: dict[str, Any], path: KeyPath) -> dict[str, Any]:
        filled: dict[str, Any] = {}
        variables: dict[str, str] = {}
        for key, value in item.items():
            at = (*path, key)
            if not (isinstance(value, str) and "{{" in value):
                filled[key] = self.value(value, at)
                continue
            kind = field_kind(at)
            if kind != "shell":
                filled[key] = self._string(value, at, kind)
            elif self._known(value, at):
                try:
                    filled[key], named = fill.shell(value, self.params)
                    variables.update(named)
                except fill.FillError as exc:
                    self.report(at, str(exc))
                    filled[key] = value
            else:
                filled[key] = value
        if variables:  # the shell reads the values from the check's environment
            env = filled.get("env")
            env = dict(env) if isinstance(env, dict) else {}
            for name, text in variables.items():
                if name in env and env[name] != text:
                    self.report((*path, "env", name), f"{name} is set by a parameter in `shell:`")
                env[name] = text
            filled["env"] = env
        return filled

    def _list(self, item: list[Any], path: KeyPath) -> list[Any]:
        if not any(isinstance(v, str) and "{{" in v for v in item) or field_kind(path) != "argv":
            return [self.value(v, (*path, i)) for i, v in enumerate(item)]
        for i, v in enumerate(item):
            if isinstance(v, str):
                self._known(v, (*path, i))
        first = item[0] if item else None
        if isinstance(first, str) and any(
            name in self.params for name in fill.PLACEHOLDER.findall(first)
        ):
            self.report(
                (*path, 0),
                "the program to run cannot come from a parameter (whoever sets it would "
                "choose what runs); name the program and pass the parameter as an argument",
            )
        return fill.argv(item, self.params)

    def _string(self, item: str, path: KeyPath, kind: FieldKind) -> Any:
        # inside a `message:`, a fact's name is filled per finding, not at load time
        keep = self.facts if path[-1] == "message" else frozenset()
        self._known(item, path, keep)
        try:
            if kind == "jmespath":
                return fill.jmespath(item, self.params)
            if kind == "regex":
                return fill.regex(item, self.params)
        except fill.FillError as exc:
            self.report(path, str(exc))
            return _NEUTRAL[kind]
        return fill.text(item, self.params, keep)

    def _known(self, item: str, path: KeyPath, keep: frozenset[str] = frozenset()) -> bool:
        """Report each placeholder naming no parameter; True when there is none."""
        unknown = [
            name
            for name in fill.PLACEHOLDER.findall(item)
            if name not in self.params and name not in keep
        ]
        for name in unknown:
            known = ", ".join(sorted(self.params)) or "none declared"
            self.report(path, f"unknown parameter {name!r} (declared: {known})")
        return not unknown
