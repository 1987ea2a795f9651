"""Pack fixtures: a pack's own test cases, evaluated and compared with what they expect.

A pack folder holds its fixtures beside it:

    PACK_DIR/pack.yaml
    PACK_DIR/tests/<case>/expect.yaml   what each rule must end in (schemas/fixture.schema.json)
    PACK_DIR/tests/<case>/repo/         the repository tree of the case
    PACK_DIR/tests/<case>/bin/          stub programs, first (by default only) on PATH

A case may `extends` another case (a sibling's name, or a relative path to a
case of another pack): it starts from that case's repo/ and bin/ files, drops
those its `remove` globs match (`repo/SECURITY.md`, `bin/*`) and lays its own
files over them, so a non-compliant variant of a service shows only what differs.

Each case is built as a real git repository in a temporary folder (init, add,
commit with fixed identity and dates) and evaluated with the case's PATH, so
results depend neither on the machine's tools nor on the user's git config.
Rule coverage counts, per rule, whether some case expects it to pass and it
passes, some case expects it to fail and it fails, and, for a rule that has a
skip condition (a `when`, or a check that can skip on its own: no file to
read, a missing program), some case expects it to skip for that reason and
it does. A skip caused by the case's options (`no_commands: true`) proves
nothing about the rule and does not count.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from engine.context import EvaluationOptions
from engine.errors import InputError, Location, Problem
from engine.evaluator import evaluate
from engine.model.packs import Pack
from engine.model.results import RuleResult, Status
from engine.packs.finder import PackFinder, pack_file_from_disk
from engine.packs.load import PackLoader
from engine.yaml12 import YamlError
from engine.yaml_located import LocatedData, load_located

TESTS_DIR = "tests"
EXPECT_FILE = "expect.yaml"
REPO_DIR = "repo"
BIN_DIR = "bin"

#: Fixed identity and dates: a fixture's commit id is the same on every run.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "rulepack fixture",
    "GIT_AUTHOR_EMAIL": "fixture@rulepack.invalid",
    "GIT_COMMITTER_NAME": "rulepack fixture",
    "GIT_COMMITTER_EMAIL": "fixture@rulepack.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+0000",
}
#: Variables that point git at one particular repository (git sets them for its
#: hooks); a fixture is a repository of its own, so they must not reach it.
GIT_LOCATION_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)
#: Findings shown under a mismatch.
SHOWN_FINDINGS = 5


@dataclass(frozen=True)
class Expectation:
    """What one rule must end in for one case."""

    rule: str
    status: Status
    location: Location
    message: re.Pattern[str] | None = None
    finding: re.Pattern[str] | None = None


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
    default: Status | None = None
    default_location: Location | None = None
    expectations: tuple[Expectation, ...] = ()
    bases: tuple[FixtureCase, ...] = ()  # the cases it extends, bases first


@dataclass(frozen=True)
class Mismatch:
    """A rule that did not end as its case expects."""

    expectation: Expectation
    result: RuleResult | None  # None: the rule was not in the results (filtered, unknown)
    why: str


@dataclass(frozen=True)
class CaseOutcome:
    case: FixtureCase
    checked: int  # expectations compared (listed plus `default`)
    mismatches: tuple[Mismatch, ...]
    met: tuple[Expectation, ...]  # expectations that held, for coverage
    proven_skips: frozenset[str] = frozenset()  # rules skipped by their own condition


@dataclass(frozen=True)
class Coverage:
    """Which enabled rules some case proves passing, failing and (where they can) skipping."""

    rules: tuple[str, ...]
    passing: frozenset[str]
    failing: frozenset[str]
    skipping: frozenset[str] = frozenset()
    skippable: frozenset[str] = frozenset()  # rules with a skip condition to prove

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if not self.missing(r))

    @property
    def percent(self) -> float:
        if not self.rules:
            return 100.0
        return round(100.0 * len(self.covered) / len(self.rules), 2)

    def missing(self, rule: str) -> str:
        """What a rule lacks: 'never passes', 'never fails nor skips', ...; '' when covered."""
        lacks = []
        if rule not in self.passing:
            lacks.append("passes")
        if rule not in self.failing:
            lacks.append("fails")
        if rule in self.skippable and rule not in self.skipping:
            lacks.append("skips")
        return ("never " + " nor ".join(lacks)) if lacks else ""


@dataclass(frozen=True)
class PackTestReport:
    pack: Pack
    outcomes: tuple[CaseOutcome, ...]
    coverage: Coverage

    @property
    def mismatches(self) -> int:
        return sum(len(o.mismatches) for o in self.outcomes)


# -- reading cases -------------------------------------------------------------------


def pack_file_of(target: Path) -> Path:
    """The pack file `policy test` was pointed at: PACK_DIR/pack.yaml, the file itself,
    or the folder of a pack found by name on disk (`policy test production`)."""
    if target.is_dir():
        candidate = target / "pack.yaml"
        if not candidate.is_file():
            raise InputError(f"{target}: no pack.yaml in this folder")
        return candidate
    if target.is_file():
        return target
    if len(target.parts) == 1:
        from engine.packs.finder import DiskFolder

        for found in PackFinder.standard(None).candidates(target.name):
            if isinstance(found.folder, DiskFolder) and found.path.endswith("/pack.yaml"):
                return found.folder.root / found.path
    raise InputError(f"{target}: no such pack folder or file")


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
        located = load_located(expect.read_text(encoding="utf-8"), shown)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"cannot read: {exc}", Location(shown)))
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
        default=data.get("default"),
        default_location=_at(located, ("default",)) if "default" in data else None,
        expectations=tuple(expectations),
    )


def _expectation(located: LocatedData, rule: str, raw: Any, problems: list[Problem]) -> Expectation:
    path: tuple[str | int, ...] = ("rules", rule)
    location = _at(located, path, key=True)
    if isinstance(raw, str):
        return Expectation(rule, cast(Status, raw), location)

    def regex(key: str) -> re.Pattern[str] | None:
        if key not in raw:
            return None
        try:
            return re.compile(str(raw[key]))
        except re.error as exc:
            problems.append(
                Problem(f"invalid regex {raw[key]!r}: {exc.msg}", _at(located, (*path, key)), rule)
            )
            return None

    return Expectation(rule, raw["status"], location, regex("message"), regex("finding"))


def _at(located: LocatedData, path: tuple[str | int, ...], key: bool = False) -> Location:
    position = located.position(path, key=key)
    return Location(located.file, *(position or ()))


# -- building a case's repository ----------------------------------------------------


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


def _copy(files: Mapping[str, Path], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for relative, source in files.items():
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def build_case(case: FixtureCase, dest: Path) -> Path | None:
    """Write the case's repository to `dest/repo` (committed with git) and its stubs to
    `dest/bin`; returns the bin folder, or None when the case has no stubs."""
    files = case_files(case)
    repo = dest / REPO_DIR
    _copy(
        {p[len(REPO_DIR) + 1 :]: s for p, s in files.items() if p.startswith(REPO_DIR + "/")}, repo
    )
    _commit(repo)
    stubs = {p[len(BIN_DIR) + 1 :]: s for p, s in files.items() if p.startswith(BIN_DIR + "/")}
    if not stubs:
        return None
    bin_dir = dest / BIN_DIR
    _copy(stubs, bin_dir)
    for relative in stubs:  # checkouts and wheels do not always keep the executable bit
        stub = bin_dir / relative
        if not stub.is_symlink():
            stub.chmod(stub.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def _commit(repo: Path) -> None:
    if shutil.which("git") is None:
        return  # evaluated as a plain folder; the run says so
    environ = {k: v for k, v in os.environ.items() if k not in GIT_LOCATION_VARIABLES}
    environ.update(_GIT_ENV)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "--allow-empty", "--no-verify", "-m", "fixture"],
    ):
        done = subprocess.run(
            ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
            cwd=repo,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise InputError(f"git {args[0]} failed for fixture {repo}: {done.stderr.strip()}")


# -- running -------------------------------------------------------------------------


def load_pack_for(pack_file: Path, params: Mapping[str, Any]) -> Pack:
    """The pack with a case's params; every problem of the pack is an InputError."""
    loader = PackLoader(PackFinder.standard(None), params, validate_builtin=True)
    return loader.load_file(pack_file_from_disk(str(pack_file)))


def run_pack_tests(target: Path, only: Sequence[str] = ()) -> PackTestReport:
    """Evaluate every case of the pack at `target` and compare with its expectations."""
    pack_file = pack_file_of(target)
    tests_dir = pack_file.parent / TESTS_DIR
    pack = load_pack_for(pack_file, {})
    if not pack.rules and not tests_dir.is_dir():  # a pack of shared definitions only
        return PackTestReport(pack, (), Coverage((), frozenset(), frozenset()))
    all_cases = {c.name: c for c in read_cases(tests_dir)}
    unknown = [name for name in only if name not in all_cases]
    if unknown:
        raise InputError(f"no case {unknown[0]!r} (cases: {', '.join(all_cases)})")
    cases = [c for c in all_cases.values() if not only or c.name in only]
    _check_rules_and_params(pack, cases)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="rulepack-test-") as scratch:
        for case in cases:
            case_pack = load_pack_for(pack_file, case.params) if case.params else pack
            outcomes.append(_run_case(case, case_pack, Path(scratch) / case.name))
    enabled = [r for r in pack.rules if r.enabled]
    passing = {e.rule for o in outcomes for e in o.met if e.status == "pass"}
    failing = {e.rule for o in outcomes for e in o.met if e.status == "fail"}
    coverage = Coverage(
        tuple(r.id for r in enabled),
        frozenset(passing),
        frozenset(failing),
        frozenset(rule for o in outcomes for rule in o.proven_skips),
        frozenset(r.id for r in enabled if r.can_skip),
    )
    return PackTestReport(pack, tuple(outcomes), coverage)


def _check_rules_and_params(pack: Pack, cases: Sequence[FixtureCase]) -> None:
    known = {r.id for r in pack.rules}
    problems = []
    for case in cases:
        for expectation in case.expectations:
            if expectation.rule not in known:
                import difflib

                close = difflib.get_close_matches(expectation.rule, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    Problem(
                        f"pack {pack.name} has no rule {expectation.rule!r}{hint}",
                        expectation.location,
                    )
                )
        for name in case.params:
            if name not in pack.params:
                declared = ", ".join(sorted(pack.params)) or "none"
                problems.append(
                    Problem(
                        f"params: pack {pack.name} declares no parameter {name!r} "
                        f"(declared: {declared})",
                        Location(case.expect_file),
                    )
                )
    if problems:
        raise InputError(problems)


def case_environ(bin_dir: Path | None, inherit_path: bool) -> dict[str, str]:
    """The environment command rules see: the case's stubs first (or alone) on PATH."""
    parts = [str(bin_dir)] if bin_dir is not None else []
    if inherit_path:
        parts.append(os.environ.get("PATH", os.defpath))
    return {**os.environ, "PATH": os.pathsep.join(parts)}


def _run_case(case: FixtureCase, pack: Pack, dest: Path) -> CaseOutcome:
    from engine.snapshots.worktree import WorktreeSnapshot

    bin_dir = build_case(case, dest)
    snapshot = WorktreeSnapshot(dest / REPO_DIR)
    try:
        report = evaluate(
            [pack],
            snapshot,
            options=EvaluationOptions(
                no_commands=case.no_commands, environ=case_environ(bin_dir, case.inherit_path)
            ),
        )
    finally:
        snapshot.close()
    results = {r.rule: r for r in report.results}
    expectations = list(case.expectations)
    listed = {e.rule for e in expectations}
    if case.default is not None:
        where = case.default_location or Location(case.expect_file)
        expectations += [
            Expectation(r.id, case.default, where)
            for r in pack.rules
            if r.id not in listed and r.enabled
        ]
    mismatches = []
    met = []
    proven_skips = set()
    for expectation in expectations:
        result = results.get(expectation.rule)
        why = _compare(expectation, result)
        if why:
            mismatches.append(Mismatch(expectation, result, why))
            continue
        met.append(expectation)
        if result is not None and result.status == "skip" and not _skipped_by_options(result):
            proven_skips.add(expectation.rule)
    return CaseOutcome(
        case, len(expectations), tuple(mismatches), tuple(met), frozenset(proven_skips)
    )


def _skipped_by_options(result: RuleResult) -> bool:
    """A skip that the case's options caused (`no_commands`), not the rule's own condition."""
    return result.skip == "commands-disabled"


def finding_text(result: RuleResult) -> Iterator[str]:
    """Each finding of a result as `path:line: message`."""
    for finding in result.findings:
        where = finding.path or ""
        if finding.path and finding.line:
            where += f":{finding.line}"
        yield f"{where}: {finding.message}" if where else finding.message


def _compare(expectation: Expectation, result: RuleResult | None) -> str:
    """Why the result does not meet the expectation; '' when it does."""
    if result is None:
        return "no result"
    if result.status != expectation.status:
        return f"expected {expectation.status}, got {result.status}"
    if expectation.message is not None and not expectation.message.search(result.message):
        return f"message does not match /{expectation.message.pattern}/"
    if expectation.finding is not None and not any(
        expectation.finding.search(text) for text in finding_text(result)
    ):
        return f"no finding matches /{expectation.finding.pattern}/"
    return ""
