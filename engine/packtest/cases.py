"""Reading fixture cases: each case's expect.yaml, the cases it extends, its files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from engine.errors import InputError, Location, Problem, YamlError
from engine.model.located import LocatedData
from engine.model.results import Status
from engine.regexes import Regex, compile_regex
from engine.texts import BadText, read_input
from engine.yaml_located import load_located

TESTS_DIR = "tests"
EXPECT_FILE = "expect.yaml"
REPO_DIR = "repo"
BIN_DIR = "bin"
#: `level: none` in an expect.yaml: the repository reaches no level of the pack.
NO_LEVEL = "none"


@dataclass(frozen=True)
class Expectation:
    """What one rule must end in for one case."""

    rule: str
    status: Status
    location: Location
    message: Regex | None = None
    finding: Regex | None = None


@dataclass(frozen=True)
class FixtureCase:
    """One folder under tests/, as its expect.yaml describes it."""

    name: str
    folder: Path
    expect_file: str  # as named in messages
    description: str = ""
    extends: str | None = None
    remove: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    no_commands: bool = False
    inherit_path: bool = False
    results: tuple[str, ...] = ()  # test reports beside repo/, given as --results gives them
    default: Status | None = None
    default_location: Location | None = None
    level: str | None = None  # the level the repository must reach exactly; NO_LEVEL: none
    level_location: Location | None = None
    expectations: tuple[Expectation, ...] = ()
    bases: tuple[FixtureCase, ...] = ()  # the cases it extends, bases first


def read_cases(tests_dir: Path) -> list[FixtureCase]:
    """Every case under `tests_dir`, sorted by name, with the cases it extends resolved.

    Raises InputError with every problem found, each located to its expect.yaml.
    """
    if not tests_dir.is_dir():
        raise InputError(
            f"{tests_dir}: no fixtures (expected {TESTS_DIR}/<case>/{EXPECT_FILE} beside the pack)"
        )
    problems: list[Problem] = []
    read: dict[Path, FixtureCase | None] = {}
    folders = sorted(p for p in tests_dir.iterdir() if p.is_dir())
    for folder in folders:
        if not (folder / EXPECT_FILE).is_file():
            problems.append(Problem(f"case {folder.name!r} has no {EXPECT_FILE}", _loc(folder)))
            continue
        _case_at(folder, read, problems)
    cases = [c for f in folders if (c := read.get(f.resolve())) is not None]
    cases = [replace(c, bases=_bases(c, read, problems)) for c in cases]
    if problems:
        raise InputError(problems)
    if not cases:
        raise InputError(f"{tests_dir}: no fixture cases (expected <case>/{EXPECT_FILE})")
    return cases


def _case_at(
    folder: Path, read: dict[Path, FixtureCase | None], problems: list[Problem]
) -> FixtureCase | None:
    """The case in `folder`, read once (None when its expect.yaml has problems)."""
    key = folder.resolve()
    if key not in read:
        read[key] = _read_case(folder, folder / EXPECT_FILE, problems)
    return read[key]


def _bases(
    case: FixtureCase, read: dict[Path, FixtureCase | None], problems: list[Problem]
) -> tuple[FixtureCase, ...]:
    """The cases `case` extends, bases first; a missing base or a cycle is a problem."""
    chain: list[FixtureCase] = []
    seen = [case.folder.resolve()]
    current = case
    while current.extends is not None:
        folder = current.folder.parent / current.extends
        where = Location(current.expect_file)
        if not (folder / EXPECT_FILE).is_file():
            problems.append(
                Problem(f"extends {current.extends!r}: no case there ({_display(folder)})", where)
            )
            return ()
        if folder.resolve() in seen:
            names = " -> ".join([*(c.name for c in [case, *reversed(chain)]), folder.name])
            problems.append(Problem(f"extends cycle: {names}", where))
            return ()
        seen.append(folder.resolve())
        base = _case_at(folder, read, problems)
        if base is None:
            return ()
        chain.insert(0, base)
        current = base
    return tuple(chain)


def _loc(path: Path) -> Location:
    return Location(_display(path))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_case(folder: Path, expect: Path, problems: list[Problem]) -> FixtureCase | None:
    shown = _display(expect)
    try:
        located = load_located(read_input(expect), shown)
    except OSError as exc:
        problems.append(Problem(f"cannot read: {exc.strerror or exc}", Location(shown)))
        return None
    except BadText as exc:
        problems.append(
            Problem(f"not an expect.yaml: {exc.message}", Location(shown, exc.line, exc.column))
        )
        return None
    except YamlError as exc:
        problems.append(
            Problem(f"not valid YAML: {exc.message}", Location(shown, exc.line, exc.column))
        )
        return None
    data = located.data if located.data is not None else {}
    found = [
        Problem(f"duplicate key {path[-1]!r}", Location(shown, line, column))
        for path, line, column in located.duplicates
    ]
    if not isinstance(data, dict):
        problems.append(Problem("expect.yaml is a mapping (see `rules:`)", Location(shown, 1, 1)))
        return None
    from engine.globs import glob_problem
    from engine.schemas import schema_problems

    found += [problem for _, problem in schema_problems(located, "fixture")]
    for i, pattern in enumerate(data.get("remove") or []):
        reason = glob_problem(str(pattern)) if isinstance(pattern, str) else None
        if reason:
            found.append(Problem(reason, _at(located, ("remove", i))))
    if found:
        problems.extend(found)
        return None
    expectations = [
        _expectation(located, str(rule), raw, problems)
        for rule, raw in (data.get("rules") or {}).items()
    ]
    return FixtureCase(
        name=folder.name,
        folder=folder,
        expect_file=shown,
        description=str(data.get("description", "")),
        extends=data.get("extends"),
        remove=tuple(data.get("remove") or ()),
        params=data.get("params") or {},
        no_commands=bool(data.get("no_commands", False)),
        inherit_path=bool(data.get("inherit_path", False)),
        results=tuple(str(r) for r in data.get("results") or ()),
        default=data.get("default"),
        default_location=_at(located, ("default",)) if "default" in data else None,
        level=data.get("level"),
        level_location=_at(located, ("level",)) if "level" in data else None,
        expectations=tuple(expectations),
    )


def _expectation(located: LocatedData, rule: str, raw: Any, problems: list[Problem]) -> Expectation:
    path: tuple[str | int, ...] = ("rules", rule)
    location = _at(located, path, key=True)
    if isinstance(raw, str):
        return Expectation(rule, cast(Status, raw), location)

    def regex(key: str) -> Regex | None:
        if key not in raw:
            return None
        try:
            return compile_regex(str(raw[key])).regex
        except ValueError as exc:
            problems.append(
                Problem(f"invalid regex {raw[key]!r}: {exc}", _at(located, (*path, key)), rule)
            )
            return None

    return Expectation(rule, raw["status"], location, regex("message"), regex("finding"))


def _at(located: LocatedData, path: tuple[str | int, ...], key: bool = False) -> Location:
    position = located.position(path, key=key)
    return Location(located.file, *(position or ()))


def _tree(folder: Path) -> dict[str, Path]:
    """Relative path -> source file of every file under `folder`."""
    if not folder.is_dir():
        return {}
    return {
        source.relative_to(folder).as_posix(): source
        for source in sorted(folder.rglob("*"))
        if source.is_file() or source.is_symlink()
    }


def case_files(case: FixtureCase) -> dict[str, Path]:
    """`repo/...` and `bin/...` paths of the case -> their source files.

    Bases come first; each case drops what its `remove` globs match among the
    files it inherits, then lays its own files over them.
    """
    from engine.globs import matching

    files: dict[str, Path] = {}
    for link in (*case.bases, case):
        if link.remove:
            for dropped in matching(list(files), link.remove):
                del files[dropped]
        for sub in (REPO_DIR, BIN_DIR):
            files.update({f"{sub}/{p}": s for p, s in _tree(link.folder / sub).items()})
    return files
