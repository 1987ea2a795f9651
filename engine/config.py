"""The repository config, `.rulepack.yaml` at the snapshot root (or `--config FILE`).

It is read from the snapshot, so `--staged` and `--ref` are judged by the
config they contain, and an unstaged edit never changes a pre-commit verdict.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.errors import InputError, Location, Problem, did_you_mean
from engine.model.located import LocatedData
from engine.model.packs import Pack
from engine.model.severity import FailOn
from engine.model.waivers import Waiver
from engine.snapshots.base import Snapshot
from engine.texts import MAX_INPUT_BYTES, BadText, input_text, read_input

CONFIG_NAME = ".rulepack.yaml"


@dataclass(frozen=True)
class PackRequest:
    """A pack to evaluate: a name or a path, an optional version range; with `git`, a
    remote pack in that repository's folder `path` (engine/packs/remote.py)."""

    spec: str
    version: str | None = None
    location: Location | None = None
    git: str | None = None
    path: str = ""


@dataclass(frozen=True)
class RepoConfig:
    """A repository's `.rulepack.yaml`: packs, params, disabled rules, excludes, waivers."""

    file: str | None = None
    packs: tuple[PackRequest, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    fail_on: FailOn | None = None
    disable: tuple[tuple[str, Location], ...] = ()
    severity: tuple[tuple[str, str, Location], ...] = ()
    pack_path: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    param_locations: Mapping[str, Location] = field(default_factory=dict)  # each key's place
    waivers: tuple[Waiver, ...] = ()  # `waivers`, then those of `waivers_file`
    max_waiver_days: int = 365
    waivers_file: tuple[str, Location] | None = None  # the path as written, and where
    # pack name -> (the level it must reach, where its key is, where its value is)
    min_level: tuple[tuple[str, str, Location, Location], ...] = ()


def parse_config(text: str, file: str) -> RepoConfig:
    """Read and validate a config; raises InputError with every problem located."""
    from engine.yaml_located import load_input  # only when there is a config to read

    located, problems = load_input(text, file)
    if located.data is None:
        return RepoConfig(file=file)
    data = located.data
    from engine.schemas import schema_problems

    problems += [problem for _, problem in schema_problems(located, "config")]
    problems += _exclude_problems(located)
    if problems:
        raise InputError(problems)
    from engine.waivers import DEFAULT_MAX_WAIVER_DAYS, read_waivers

    waivers, problems = read_waivers(located, ("waivers",)) if "waivers" in data else ([], [])
    waivers_file = data.get("waivers_file")
    if waivers_file is not None:
        problem = _waivers_file_problem(waivers_file)
        if problem:
            problems.append(Problem(problem, _at(located, ("waivers_file",))))
    if problems:
        raise InputError(problems)
    packs = []
    for i, entry in enumerate(data.get("packs") or []):
        if isinstance(entry, str):
            packs.append(PackRequest(entry, None, _at(located, ("packs", i))))
            continue
        git, path = entry.get("git"), ""
        if git is not None:
            from engine.packs.remote import entry_problems, request_of

            found = entry_problems(entry)
            problems += [Problem(text, _at(located, ("packs", i, key))) for key, text in found]
            path = "" if found else request_of(entry).path
        at = _at(located, ("packs", i))
        packs.append(PackRequest(entry["pack"], entry.get("version"), at, git, path))
    if problems:
        raise InputError(problems)
    return RepoConfig(
        file=file,
        packs=tuple(packs),
        params=data.get("params") or {},
        fail_on=data.get("fail_on"),
        disable=tuple(
            (rule, _at(located, ("disable", i))) for i, rule in enumerate(data.get("disable") or [])
        ),
        severity=tuple(
            (rule, level, _at(located, ("severity", rule), key=True))
            for rule, level in (data.get("severity") or {}).items()
        ),
        pack_path=tuple(data.get("pack_path") or ()),
        exclude=tuple(data.get("exclude") or ()),
        param_locations={
            name: _at(located, ("params", name), key=True) for name in data.get("params") or {}
        },
        waivers=tuple(waivers),
        max_waiver_days=data.get("max_waiver_days", DEFAULT_MAX_WAIVER_DAYS),
        waivers_file=(
            (waivers_file, _at(located, ("waivers_file",))) if waivers_file is not None else None
        ),
        min_level=tuple(
            (
                pack,
                level,
                _at(located, ("min_level", pack), key=True),
                _at(located, ("min_level", pack)),
            )
            for pack, level in (data.get("min_level") or {}).items()
        ),
    )


def _waivers_file_problem(path: str) -> str | None:
    """Why `waivers_file` cannot name a file of the snapshot, or None."""
    if path.startswith("/") or "\\" in path:
        return f"waivers_file {path!r}: give a POSIX path relative to the repository root"
    if posixpath.normpath(path).split("/")[0] == "..":
        return f"waivers_file {path!r} leaves the repository root ('..' is not allowed)"
    return None


def _exclude_problems(located: LocatedData) -> list[Problem]:
    """`exclude:` globs that could never match a file (or leave the root), located."""
    from engine.globs import glob_problem

    data = located.data if isinstance(located.data, Mapping) else {}
    globs = data.get("exclude")
    if not isinstance(globs, list):
        return []  # the schema has said what is wrong
    return [
        Problem(reason, _at(located, ("exclude", i)))
        for i, glob in enumerate(globs)
        if isinstance(glob, str) and glob and (reason := glob_problem(glob))
    ]


def _at(located: LocatedData, path: tuple[Any, ...], key: bool = False) -> Location:
    position = located.position(path, key=key)
    return Location(located.file, *(position or ()))


def load_repo_config(snapshot: Snapshot, explicit: Path | None = None) -> RepoConfig:
    """`--config FILE` from disk, else `.rulepack.yaml` from the snapshot, else defaults."""
    if explicit is not None:
        try:
            text = read_input(explicit)
        except OSError as exc:
            raise InputError(f"cannot read config {explicit}: {exc.strerror or exc}") from None
        except BadText as exc:
            raise InputError(_not_a_config(exc, str(explicit))) from None
        return with_waivers_file(parse_config(text, str(explicit)), snapshot)
    if CONFIG_NAME not in snapshot.files():
        return RepoConfig()
    try:
        text = input_text(snapshot.read_capped(CONFIG_NAME, MAX_INPUT_BYTES))
    except BadText as exc:
        raise InputError(_not_a_config(exc, CONFIG_NAME)) from None
    return with_waivers_file(parse_config(text, CONFIG_NAME), snapshot)


def with_waivers_file(config: RepoConfig, snapshot: Snapshot) -> RepoConfig:
    """`config` with the waivers of its `waivers_file`, read from `snapshot`, added."""
    if config.waivers_file is None:
        return config
    from engine.waivers import read_waivers_file

    name, location = config.waivers_file
    path = posixpath.normpath(name)
    if path not in snapshot.files():
        raise InputError(Problem(f"waivers_file {name!r}: there is no such file", location))
    try:
        text = input_text(snapshot.read_capped(path, MAX_INPUT_BYTES))
    except BadText as exc:
        raise InputError(
            Problem(f"not a waivers file: {exc.message}", Location(path, exc.line, exc.column))
        ) from None
    return replace(config, waivers=(*config.waivers, *read_waivers_file(text, path)))


def _not_a_config(exc: BadText, file: str) -> Problem:
    return Problem(f"not a config: {exc.message}", Location(file, exc.line, exc.column))


def apply_config(packs: Sequence[Pack], config: RepoConfig) -> list[Pack]:
    """Packs with the config's `disable` and `severity` applied to their rules."""
    known = sorted({rule.id for pack in packs for rule in pack.rules})

    def unknown(rule_id: str, key: str, location: Location) -> Problem:
        hint = did_you_mean(rule_id, known)
        return Problem(f"unknown rule {rule_id!r} in {key}{hint}", location)

    problems = [
        unknown(rule_id, "disable", location)
        for rule_id, location in config.disable
        if rule_id not in known
    ] + [
        unknown(rule_id, "severity", location)
        for rule_id, _, location in config.severity
        if rule_id not in known
    ]
    if problems:
        raise InputError(problems)
    disabled = {rule_id for rule_id, _ in config.disable}
    levels = {rule_id: level for rule_id, level, _ in config.severity}
    where = config.file or CONFIG_NAME
    changed = []
    for pack in packs:
        rules = []
        for rule in pack.rules:
            if rule.id in levels:
                rule = replace(rule, severity=levels[rule.id])  # type: ignore[arg-type]
            if rule.id in disabled:
                rule = replace(rule, enabled=False, disabled_by=f"disabled in {where}")
            rules.append(rule)
        changed.append(replace(pack, rules=tuple(rules)))
    return changed


def base_waivers(snapshot: Snapshot, config_file: Path | None = None) -> tuple[Waiver, ...]:
    """The waivers of the config a base snapshot has (or of `config_file`, with the base's
    `waivers_file`). A base whose config cannot be read has none: every waiver of the
    head then shows as added, so that a reviewer misses none."""
    try:
        return load_repo_config(snapshot, config_file).waivers
    except InputError:
        return ()
