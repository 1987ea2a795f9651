"""Loading packs: files -> located YAML -> params applied -> validated -> model.

`load_pack` resolves a pack by name or path, follows `extends` (detecting
cycles and checking version ranges), merges params (pack defaults, then the
repo config, then `--param`), substitutes `{{ name }}` placeholders, validates
user packs against schemas/rulepack.schema.json, and builds the model with
every semantic problem located to its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine import __version__, versions
from engine.checks import ALL_FACTS, message_template, parse_check
from engine.checks.combinators import AllCheck
from engine.checks.reader import PackReader
from engine.errors import InputError, Location, Problem
from engine.model.documents import KeyPath
from engine.model.packs import Category, Check, FileSet, Pack, Rule
from engine.model.severity import SEVERITIES
from engine.packs.finder import PackFile, PackFinder, is_file_spec, pack_file_from_disk
from engine.yaml12 import YamlError
from engine.yaml_located import LocatedData, load_located

API_VERSION = "rulepack/v1"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass
class _Layer:
    """One pack file of an `extends` chain, as read."""

    file: PackFile
    located: LocatedData

    @property
    def data(self) -> dict[str, Any]:
        data = self.located.data
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))


@dataclass
class PackLoader:
    """Loads packs; collects problems from every file it reads.

    `validate_builtin` also schema-validates built-in packs (the test suite and
    `policy validate` do; a normal run trusts what shipped).
    """

    finder: PackFinder
    params: Mapping[str, Any] = field(default_factory=dict)
    validate_builtin: bool = False
    problems: list[Problem] = field(default_factory=list)
    _read: dict[str, _Layer] = field(default_factory=dict)

    # -- public ----------------------------------------------------------------------

    def load(self, spec: str, version_range: str | None = None) -> Pack:
        """A pack by name (on the pack path) or by file path; raises InputError."""
        start = len(self.problems)  # finding a pack reads it: its problems count too
        pack_file = self._find(spec, version_range, None, None)
        return self._load(pack_file, start)

    def load_file(self, pack_file: PackFile, version_range: str | None = None) -> Pack:
        """A pack from a known file; raises InputError on any error-level problem."""
        pack = self._load(pack_file, len(self.problems))
        version = versions.coerce(pack.version)
        if version_range is not None and (
            version is None or not versions.satisfies(version, version_range)
        ):
            raise InputError(
                f"pack {pack.name!r} at {pack_file.display} is version {pack.version}, "
                f"which does not satisfy {version_range}"
            )
        return pack

    def _load(self, pack_file: PackFile, start: int) -> Pack:
        layer = self._layer(pack_file)
        chain = self._chain(layer, [])
        pack = self._build(chain)
        errors = [p for p in self.problems[start:] if p.level == "error"]
        if errors:
            raise InputError(sorted(errors, key=_problem_order))
        return pack

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    # -- finding and reading -------------------------------------------------------------

    def _find(
        self, spec: str, version_range: str | None, origin: _Layer | None, at: KeyPath | None
    ) -> PackFile:
        if is_file_spec(spec):
            candidates = [origin.file.sibling(spec) if origin else pack_file_from_disk(spec)]
        else:
            candidates = list(self.finder.candidates(spec))
        if not candidates:
            self._fail(origin, at, f"unknown pack {spec!r}" + self._known_hint())
        found_versions = []
        for candidate in candidates:
            layer = self._layer(candidate, origin, at)
            version = str(layer.data.get("version", ""))
            if version_range is None:
                return candidate
            parsed = versions.coerce(version)
            if parsed is not None and versions.satisfies(parsed, version_range):
                return candidate
            found_versions.append(f"{version} at {candidate.display}")
        self._fail(
            origin,
            at,
            f"no version of pack {spec!r} satisfies {version_range} "
            f"(found {', '.join(found_versions)})",
        )
        raise AssertionError  # unreachable: _fail raises

    def _known_hint(self) -> str:
        names = sorted({f.path.split("/")[0].rsplit(".", 1)[0] for f in self.finder.all_files()})
        return f" (available: {', '.join(names)})" if names else ""

    def _fail(self, origin: _Layer | None, at: KeyPath | None, message: str) -> None:
        location = None
        if origin is not None and at is not None:
            position = origin.located.position(at)
            location = Location(origin.file.display, *(position or ()))
        raise InputError([*self._errors(), Problem(message, location)])

    def _errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def _layer(
        self, pack_file: PackFile, origin: _Layer | None = None, at: KeyPath | None = None
    ) -> _Layer:
        key = pack_file.identity()
        if key in self._read:
            return self._read[key]
        try:
            text = pack_file.read()
        except UnicodeDecodeError:
            self._fail(origin, at, f"{pack_file.display}: not a UTF-8 text file")
            raise AssertionError from None
        except OSError as exc:
            self._fail(origin, at, f"cannot read pack {pack_file.display}: {exc.strerror or exc}")
            raise AssertionError from None
        try:
            located = load_located(text, pack_file.display)
        except YamlError as exc:
            raise InputError(
                [
                    *self._errors(),
                    Problem(
                        f"not valid YAML: {exc.message}",
                        Location(pack_file.display, exc.line, exc.column),
                    ),
                ]
            ) from None
        layer = _Layer(pack_file, located)
        for dup_path, line, column in located.duplicates:
            self.problems.append(
                Problem(
                    f"duplicate key {dup_path[-1]!r} (YAML would silently keep the last one)",
                    Location(pack_file.display, line, column),
                    self._rule_at(layer, dup_path),
                )
            )
        for cut_path, (line, column) in located.comment_cuts.items():
            if _is_text(cut_path):
                self.problems.append(
                    Problem(
                        f"{cut_path[-1]} stops at ` #`: YAML reads the rest of the line as a "
                        "comment; quote the text (or move the comment to a line of its own)",
                        Location(pack_file.display, line, column),
                        self._rule_at(layer, cut_path),
                        "warning",
                    )
                )
        if not isinstance(located.data, dict):
            raise InputError(
                [
                    *self._errors(),
                    Problem(
                        "a pack is a YAML mapping with apiVersion, name, version and rules",
                        Location(pack_file.display, 1, 1),
                    ),
                ]
            )
        self._read[key] = layer
        return layer

    def _chain(
        self, layer: _Layer, stack: list[str], origin: _Layer | None = None, at: KeyPath = ()
    ) -> list[_Layer]:
        """The layer and everything it extends, bases first, each once.

        `origin` and `at` name the `extends` entry that led here, so a cycle is
        reported where it closes.
        """
        identity = layer.file.identity()
        if identity in stack:
            cycle = " -> ".join([*(s.split(":", 1)[1] for s in stack), layer.file.display])
            self._fail(origin, at, f"extends cycle: {cycle}")
        chain: list[_Layer] = []
        extends = layer.data.get("extends") or []
        for i, entry in enumerate(extends if isinstance(extends, list) else []):
            if not isinstance(entry, dict) or "pack" not in entry:
                continue  # the schema reports it
            at = ("extends", i, "pack")
            version_range = entry.get("version")
            if version_range is not None and versions.range_problem(str(version_range)):
                self._problem(
                    layer,
                    ("extends", i, "version"),
                    versions.range_problem(str(version_range)) or "",
                )
                version_range = None
            base_file = self._find(str(entry["pack"]), version_range, layer, at)
            base_layer = self._layer(base_file, layer, at)
            for base in self._chain(base_layer, [*stack, identity], layer, at):
                if all(base is not known for known in chain):
                    chain.append(base)
        chain.append(layer)
        return chain

    # -- building ---------------------------------------------------------------------------

    def _problem(self, layer: _Layer, path: KeyPath, message: str, *, key: bool = False) -> None:
        position = layer.located.position(path, key=key)
        self.problems.append(
            Problem(
                message, Location(layer.file.display, *(position or ())), self._rule_at(layer, path)
            )
        )

    @staticmethod
    def _rule_at(layer: _Layer, path: KeyPath) -> str | None:
        if len(path) >= 2 and path[0] in ("rules", "overrides"):
            items = layer.data.get(path[0])
            if isinstance(items, list) and isinstance(path[1], int) and path[1] < len(items):
                item = items[path[1]]
                if isinstance(item, dict):
                    rule_id = item.get("id" if path[0] == "rules" else "rule")
                    return str(rule_id) if rule_id is not None else None
        return None

    def _merged_params(self, chain: list[_Layer]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for layer in chain:
            own = layer.data.get("params") or {}
            if isinstance(own, dict):
                params.update(own)
        params.update({k: v for k, v in self.params.items() if k in params})
        return params

    def _substitute(self, layer: _Layer, params: Mapping[str, Any]) -> dict[str, Any]:
        """The layer's data with `{{ name }}` replaced; unknown names are problems."""

        def value(item: Any, path: KeyPath) -> Any:
            if isinstance(item, dict):
                return {k: value(v, (*path, k)) for k, v in item.items()}
            if isinstance(item, list):
                return [value(v, (*path, i)) for i, v in enumerate(item)]
            if not isinstance(item, str) or "{{" not in item:
                return item
            # inside a `message:`, a fact's name is filled per finding, not at load time
            facts = ALL_FACTS if path and path[-1] == "message" else frozenset()
            whole = _PLACEHOLDER.fullmatch(item.strip())
            if whole and whole.group(1) in params and whole.group(1) not in facts:
                return params[whole.group(1)]

            def text(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in facts:
                    return match.group(0)
                if name not in params:
                    known = ", ".join(sorted(params)) or "none declared"
                    self._problem(layer, path, f"unknown parameter {name!r} (declared: {known})")
                    return match.group(0)
                return _as_text(params[name])

            return _PLACEHOLDER.sub(text, item)

        return {k: (v if k == "params" else value(v, (k,))) for k, v in layer.data.items()}

    def _validate(self, layer: _Layer, data: dict[str, Any]) -> set[KeyPath] | None:
        """Schema-check a user pack: paths of the rule parts it breaks; None if more broke."""
        if layer.file.source == "builtin" and not self.validate_builtin:
            return set()
        from engine.schemas import schema_problems

        checked = LocatedData(
            layer.located.file, data, layer.located.positions, layer.located.key_positions
        )

        def where(path: KeyPath) -> tuple[str | None, KeyPath]:
            rule = self._rule_at(layer, path)
            return rule, (path[2:] if rule is not None else path)

        found = schema_problems(checked, "rulepack", where)
        self.problems.extend(problem for _, problem in found)
        broken: set[KeyPath] = set()
        for path, _ in found:
            if len(path) < 2 or path[0] != "rules" or not isinstance(path[1], int):
                return None
            # only a broken check or condition keeps the rule from being read further;
            # a broken category is not looked up again (one message per mistake)
            partial = len(path) >= 3 and path[2] in ("check", "when", "category")
            broken.add(path[:3] if partial else path[:2])
        return broken

    def _build(self, chain: list[_Layer]) -> Pack:
        top = chain[-1]
        params = self._merged_params(chain)
        datas = [self._substitute(layer, params) for layer in chain]
        broken_rules = [
            self._validate(layer, data) for layer, data in zip(chain, datas, strict=True)
        ]
        if any(broken is None for broken in broken_rules):  # too broken to read rules from
            return Pack(
                top.name, str(top.data.get("version", "")), top.file.source, top.file.display
            )
        for layer, data in zip(chain, datas, strict=True):
            self._check_header(layer, data)

        # Categories, filesets and conditions first, from every layer: a pack that
        # extends another may redefine a fileset its base's rules use.
        categories: dict[str, Category] = {}
        filesets: dict[str, FileSet] = {}
        conditions: dict[str, Check] = {}
        readers = [
            PackReader(
                layer.located,
                self.problems,
                parse_check,
                filesets,
                conditions,
                read_sibling=_sibling_reader(layer.file),
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

        rules: list[Rule] = []
        rule_sites: dict[str, Location] = {}
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
                rules.append(rule)
            rules = self._apply_overrides(layer, data, rules)
        return Pack(
            name=top.name,
            version=str(top.data.get("version", "")),
            source=top.file.source,
            path=top.file.display,
            description=str(top.data.get("description", "")),
            requires=str(top.data.get("requires", "")),
            categories=tuple(categories.values()),
            rules=tuple(rules),
            params=params,
            extends=tuple(layer.name for layer in reversed(chain[:-1])),
            definitions={
                key: top.data[key]
                for key in ("filesets", "conditions")
                if isinstance(top.data.get(key), dict)
            },
        )

    def _check_header(self, layer: _Layer, data: dict[str, Any]) -> None:
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
        layer: _Layer,
        pack_name: str,
        broken: set[KeyPath],
    ) -> Rule:
        rule_id = str(raw.get("id", f"#{path[-1]}"))

        def check(key: str) -> Check | None:
            if key not in raw or (*path, key) in broken:
                return None  # the schema problem was reported; reading it would only guess
            return reader.check(raw[key], (*path, key))

        reader.rule = rule_id
        try:
            when = check("when")
            main = check("check") or AllCheck(())
            message = (
                message_template(raw["message"], path, reader, main) if "message" in raw else None
            )
        finally:
            reader.rule = None
        position = layer.located.position((*path, "id"))
        return Rule(
            id=rule_id,
            title=str(raw.get("title", "")),
            category=str(raw.get("category", "")),
            severity=raw.get("severity", "error"),
            check=main,
            when=when,
            pack=pack_name,
            location=Location(layer.file.display, *(position or ())),
            tags=tuple(str(t) for t in raw.get("tags", ())),
            description=str(raw.get("description", "")),
            remediation=str(raw.get("remediation", "")).strip(),
            docs=str(raw.get("docs", "")),
            message=message,
            source=raw,
        )

    def _apply_overrides(
        self, layer: _Layer, data: dict[str, Any], rules: list[Rule]
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
            rules[target] = rule
        return rules


def _is_text(path: KeyPath) -> bool:
    """A title, description or remediation of the pack, a category or a rule."""
    if path[-1] not in ("title", "description", "remediation"):
        return False
    return len(path) == 1 or (len(path) == 3 and path[0] in ("categories", "rules"))


def _sibling_reader(pack_file: PackFile) -> Callable[[str], str]:
    """Reads files named relative to a pack file (JSON Schemas of manifest checks)."""
    return lambda relative: pack_file.sibling(relative).read()


def _problem_order(problem: Problem) -> tuple[str, int, int]:
    where = problem.location
    if where is None:
        return ("", 0, 0)
    return (where.file, where.line or 0, where.column or 0)


def _as_text(value: Any) -> str:
    """A parameter inside a longer string: JSON for anything but a string."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)
