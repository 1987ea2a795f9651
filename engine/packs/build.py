"""Building the pack model from an `extends` chain of read pack files.

Params are merged (the packs' defaults, bases first, then the repo config and
`--param`), `{{ name }}` placeholders filled as values (packs/params.py), user
packs validated against schemas/rulepack.schema.json, and each rule read by
the check kinds' parsers, with every semantic problem located to its line and
column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine import __version__, versions
from engine.checks import ALL_FACTS, message_template, parse_check
from engine.checks.combinators import AllCheck
from engine.checks.reader import PackReader
from engine.errors import Location, Problem
from engine.model.documents import KeyPath
from engine.model.levels import Level
from engine.model.located import LocatedData
from engine.model.packs import OUTSIDE_EFFECTS, STATIC_TAG, Category, Check, FileSet, Pack, Rule
from engine.model.severity import SEVERITIES
from engine.packs.digest import files_digest
from engine.packs.finder import PackFile
from engine.packs.layers import Layer
from engine.packs.params import merged, substitute, type_problem

API_VERSION = "rulepack/v1"


@dataclass
class PackBuilder:
    """Builds packs into `problems`; `validate_builtin` also schema-checks built-in packs.

    `params` are the values given from outside the packs (the repo config, `--param`).
    """

    problems: list[Problem]
    params: Mapping[str, Any]
    validate_builtin: bool = False
    #: where each given param was set (a config's line); not there: `--param`
    param_sites: Mapping[str, Location] = field(default_factory=dict)

    def _problem(self, layer: Layer, path: KeyPath, message: str, *, key: bool = False) -> None:
        self.problems.append(layer.problem(path, message, key=key))

    def _merged_params(self, chain: list[Layer]) -> dict[str, Any]:
        """The chain's defaults with the given values; a given value of another type
        than its default is a problem where it was given."""
        defaults = merged(
            (own for layer in chain if isinstance(own := layer.data.get("params"), dict)), {}
        )
        for name, value in self.params.items():
            if name not in defaults:
                continue  # the workspace says no pack declares it
            problem = type_problem(value, defaults[name], chain[-1].name)
            if problem is None:
                continue
            site = self.param_sites.get(name)
            if site is None:
                self.problems.append(Problem(f"--param {name}: {problem}"))
            else:
                self.problems.append(Problem(f"parameter {name!r} {problem}", site))
        return merged([defaults], self.params)

    def _substitute(self, layer: Layer, params: Mapping[str, Any]) -> dict[str, Any]:
        """The layer's data with `{{ name }}` filled; unknown names are problems."""
        return substitute(
            layer.data, params, ALL_FACTS, lambda path, message: self._problem(layer, path, message)
        )

    def _validate(self, layer: Layer, data: dict[str, Any]) -> set[KeyPath] | None:
        """Schema-check a user pack: paths of the rule parts it breaks; None if more broke."""
        if layer.file.source == "builtin" and not self.validate_builtin:
            return set()
        from engine.schemas import schema_problems

        checked = LocatedData(
            layer.located.file, data, layer.located.positions, layer.located.key_positions
        )

        def where(path: KeyPath) -> tuple[str | None, KeyPath]:
            rule = layer.rule_at(path)
            return rule, (path[2:] if rule is not None else path)

        found = schema_problems(checked, "rulepack", where)
        self.problems.extend(problem for _, problem in found)
        broken: set[KeyPath] = set()
        for path, _ in found:
            if len(path) < 2 or path[0] != "rules" or not isinstance(path[1], int):
                return None
            # the field that broke is not read (a check is not parsed, a category not
            # looked up again: one message per mistake); the rest of the rule is
            broken.add(path[:3] if len(path) >= 3 else path[:2])
        return broken

    def build(self, chain: list[Layer]) -> Pack:
        """The model of the pack at the top of `chain` (bases first)."""
        top = chain[-1]
        params = self._merged_params(chain)
        datas = [self._substitute(layer, params) for layer in chain]
        broken_rules = [
            self._validate(layer, data) for layer, data in zip(chain, datas, strict=True)
        ]
        from_repository = any(layer.file.folder.from_repository for layer in chain)
        if any(broken is None for broken in broken_rules):  # too broken to read rules from
            return Pack(
                top.name,
                str(top.data.get("version", "")),
                top.file.source,
                top.file.display,
                from_repository=from_repository,
            )
        for layer, data in zip(chain, datas, strict=True):
            self._check_header(layer, data)

        # Categories, filesets and conditions first, from every layer: a pack that
        # extends another may redefine a fileset its base's rules use.
        categories: dict[str, Category] = {}
        filesets: dict[str, FileSet] = {}
        conditions: dict[str, Check] = {}
        files_read = [(layer.file.digest_key(), layer.text.encode()) for layer in chain]
        readers = [
            PackReader(
                layer.located,
                self.problems,
                parse_check,
                filesets,
                conditions,
                read_sibling=_sibling_reader(layer.file, files_read),
            )
            for layer in chain
        ]
        for reader, data in zip(readers, datas, strict=True):
            for raw in data.get("categories") or []:
                categories[raw["id"]] = Category(
                    raw["id"], raw["title"], raw.get("description", "")
                )
            for name, raw in (data.get("filesets") or {}).items():
                filesets[name] = FileSet(
                    reader.globs(raw.get("include", []), ("filesets", name, "include")),
                    reader.globs(raw.get("exclude", []), ("filesets", name, "exclude")),
                )
        for reader, data in zip(readers, datas, strict=True):
            for name, raw in (data.get("conditions") or {}).items():
                conditions[name] = reader.check(raw, ("conditions", name))
        levels = self._levels(chain, datas)

        rules: list[Rule] = []
        rule_sites: dict[str, Location] = {}
        level_sites: dict[str, tuple[Layer, KeyPath]] = {}  # where each rule's level was set
        for layer, reader, data, broken in zip(chain, readers, datas, broken_rules, strict=True):
            for i, raw in enumerate(data.get("rules") or []):
                if not isinstance(raw, dict):
                    continue
                rule = self._rule(raw, ("rules", i), reader, layer, top.name, broken or set())
                if (
                    "category" in raw
                    and rule.category not in categories
                    and ("rules", i, "category") not in (broken or set())
                ):
                    known = ", ".join(sorted(categories)) or "none defined"
                    self._problem(
                        layer,
                        ("rules", i, "category"),
                        f"unknown category {rule.category!r} (categories: {known})",
                    )
                first = rule_sites.get(rule.id)
                if first is not None:
                    self._problem(
                        layer,
                        ("rules", i, "id"),
                        f"duplicate rule id {rule.id!r} (first defined at {first})",
                    )
                    continue
                rule_sites[rule.id] = rule.location
                if "level" in raw:
                    level_sites[rule.id] = (layer, ("rules", i, "level"))
                rules.append(rule)
            rules = self._apply_overrides(layer, data, rules, level_sites)
        rules = self._place_on_levels(rules, levels, level_sites)
        return Pack(
            name=top.name,
            version=str(top.data.get("version", "")),
            source=top.file.source,
            path=top.file.display,
            description=str(top.data.get("description", "")),
            requires=str(top.data.get("requires", "")),
            categories=tuple(categories.values()),
            levels=levels,
            rules=tuple(rules),
            params=params,
            extends=tuple(layer.name for layer in reversed(chain[:-1])),
            definitions={
                key: top.data[key]
                for key in ("filesets", "conditions")
                if isinstance(top.data.get(key), dict)
            },
            from_repository=from_repository,
            digest=_digest(files_read),
        )

    def _check_header(self, layer: Layer, data: dict[str, Any]) -> None:
        if data.get("apiVersion") != API_VERSION:
            self._problem(layer, ("apiVersion",), f"apiVersion must be {API_VERSION}")
        version = str(data.get("version", ""))
        if not versions.is_semver(version):
            self._problem(
                layer,
                ("version",),
                f"version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)",
            )
        requires = data.get("requires")
        if requires is not None:
            problem = versions.range_problem(str(requires))
            engine = versions.coerce(__version__)
            if problem:
                self._problem(layer, ("requires",), problem)
            elif engine is not None and not versions.satisfies(engine, str(requires)):
                self._problem(
                    layer,
                    ("requires",),
                    f"pack {layer.name!r} requires rulepack "
                    f"{requires}, but this is rulepack {__version__}",
                )

    def _rule(
        self,
        raw: dict[str, Any],
        path: KeyPath,
        reader: PackReader,
        layer: Layer,
        pack_name: str,
        broken: set[KeyPath],
    ) -> Rule:
        def field(key: str, default: Any) -> Any:
            """The rule's `key`; `default` where the schema rejected it (reported already:
            reading it would only guess)."""
            return default if (*path, key) in broken else raw.get(key, default)

        rule_id = str(field("id", f"#{path[-1]}"))

        def check(key: str) -> Check | None:
            value = field(key, None)
            return None if value is None else reader.check(value, (*path, key))

        reader.rule = rule_id
        try:
            when = check("when")
            main = check("check") or AllCheck(())
            untrusted_when = check("untrusted_when")
            if untrusted_when is not None and untrusted_when.effects & OUTSIDE_EFFECTS:
                reader.problem(
                    (*path, "untrusted_when"),
                    "untrusted_when may only read files: it decides whether programs run",
                )
            tags = field("tags", [])
            for i, tag in enumerate(tags):
                if tag == STATIC_TAG:
                    reader.problem(
                        (*path, "tags", i),
                        f"tag {STATIC_TAG!r} is the engine's: it is given to every rule "
                        "that runs no program (--tag static selects them)",
                    )
            template = field("message", None)
            message = None if template is None else message_template(template, path, reader, main)
        finally:
            reader.rule = None
        position = layer.located.position((*path, "id"))
        return Rule(
            id=rule_id,
            title=str(field("title", "")),
            category=str(field("category", "")),
            severity=field("severity", "error"),
            check=main,
            when=when,
            pack=pack_name,
            location=Location(layer.file.display, *(position or ())),
            tags=tuple(str(t) for t in tags),
            description=str(field("description", "")),
            remediation=str(field("remediation", "")).strip(),
            docs=str(field("docs", "")),
            message=message,
            untrusted_when=untrusted_when,
            level=str(raw["level"]) if "level" in raw else None,
            weight=_weight(raw),
            source=raw,
        )

    def _levels(self, chain: list[Layer], datas: list[dict[str, Any]]) -> tuple[Level, ...]:
        """The levels of the chain, lowest first: a base's, then those each pack adds (a
        pack may retitle an inherited level, not reorder them); ids unique in each file."""
        merged: dict[str, Level] = {}
        for layer, data in zip(chain, datas, strict=True):
            inherited = list(merged)
            first: dict[str, int] = {}
            for i, raw in enumerate(data.get("levels") or []):
                if not isinstance(raw, dict) or "id" not in raw:
                    continue  # the schema reports it
                level_id = str(raw["id"])
                if level_id in first:
                    where = layer.located.position(("levels", first[level_id], "id"))
                    line = f" (first defined at line {where[0]})" if where else ""
                    self._problem(
                        layer, ("levels", i, "id"), f"duplicate level id {level_id!r}{line}"
                    )
                    continue
                first[level_id] = i
                merged[level_id] = Level(
                    level_id, str(raw.get("title", level_id)), str(raw.get("description", ""))
                )
            kept = [level_id for level_id in first if level_id in inherited]
            if kept != [level_id for level_id in inherited if level_id in first]:
                self._problem(
                    layer,
                    ("levels",),
                    "levels keep the order of the extended pack's levels "
                    f"({', '.join(inherited)}); new levels come after them",
                )
        return tuple(merged.values())

    def _place_on_levels(
        self,
        rules: list[Rule],
        levels: tuple[Level, ...],
        sites: Mapping[str, tuple[Layer, KeyPath]],
    ) -> list[Rule]:
        """Rules with their level: the pack's lowest unless set; one naming a level the
        pack does not declare is a problem where it was set."""
        known = [level.id for level in levels]
        placed = []
        for rule in rules:
            if rule.level is None:
                rule = replace(rule, level=known[0] if known else None)
            elif rule.level not in known:
                layer, path = sites[rule.id]
                declared = f"levels: {', '.join(known)}" if known else "the pack declares no levels"
                self._problem(layer, path, f"unknown level {rule.level!r} ({declared})")
            placed.append(rule)
        return placed

    def _apply_overrides(
        self,
        layer: Layer,
        data: dict[str, Any],
        rules: list[Rule],
        level_sites: dict[str, tuple[Layer, KeyPath]],
    ) -> list[Rule]:
        by_id = {rule.id: i for i, rule in enumerate(rules)}
        for i, override in enumerate(data.get("overrides") or []):
            target = by_id.get(str(override.get("rule")))
            if target is None:
                self._problem(
                    layer,
                    ("overrides", i, "rule"),
                    f"override of unknown rule {override.get('rule')!r}",
                )
                continue
            rule = rules[target]
            if "severity" in override and override["severity"] in SEVERITIES:
                rule = replace(rule, severity=override["severity"])
            if override.get("enabled") is False:
                rule = replace(rule, enabled=False, disabled_by=f"disabled by pack {layer.name}")
            elif override.get("enabled") is True:
                rule = replace(rule, enabled=True, disabled_by="")
            if "level" in override:
                rule = replace(rule, level=str(override["level"]))
                level_sites[rule.id] = (layer, ("overrides", i, "level"))
            if "weight" in override:
                rule = replace(rule, weight=_weight(override))
            rules[target] = rule
        return rules


def _weight(raw: Mapping[str, Any]) -> int:
    """A rule's (or an override's) `weight`: 1 by default; the schema rejects any but a
    positive integer (a built-in pack is checked by the test suite)."""
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 1:
        return 1
    return int(weight)


def _sibling_reader(
    pack_file: PackFile, files_read: list[tuple[str, bytes]]
) -> Callable[[str], str]:
    """Reads files of the pack file's own folder (JSON Schemas of manifest checks), adding
    each to `files_read`, which the pack's digest covers."""

    def read(relative: str) -> str:
        text = pack_file.read_in_own_folder(relative)
        files_read.append((pack_file.digest_key(relative), text.encode()))
        return text

    return read


def _digest(files_read: list[tuple[str, bytes]]) -> str:
    """The pack's digest: a file read twice (a schema two checks use) counts once."""
    return files_digest(dict(files_read).items())
