"""`version`: a version, from a program or from manifests, satisfies an npm range.

version:
  command: ["rustc", "--version"]       # from a program's output
  file: rust-toolchain.toml             # or from one manifest ...
  files: ["**/Cargo.toml"]              # ... or from every matching manifest
  query: "toolchain.channel"            # JMESPath into the manifest
  pattern: "rustc (\\S+)"               # optional; default: first version-like token,
                                        # pre-release included (`1.80.0-nightly`)
  satisfies: ">=1.75.0"
  satisfies_from:                       # or: the range from manifests of the snapshot
    file: Cargo.toml                    # (or files: [...]: every file that sets it counts)
    query: 'package."rust-version"'
    as: minimum                         # `>=` the version read (default); `range`: it is a range
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from engine import versions
from engine.checks.command import ProgramSpec, parse_program, run_program
from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.expressions import Expression, ExpressionError
from engine.formats import format_for
from engine.model.documents import KeyPath
from engine.model.messages import facts_of
from engine.model.packs import Check, Effect, FileSet
from engine.model.results import Finding, Note, Outcome, errored, failed, passed, skipped
from engine.regexes import Regex

if TYPE_CHECKING:
    import semver


@dataclass(frozen=True)
class RangeFrom:
    """`satisfies_from`: the range comes from manifests of the snapshot.

    `minimum` reads a version and requires at least it (Cargo's rust-version);
    otherwise the value is an npm range itself (package.json's engines.node).
    With `files`, every file whose query is set counts: the tool must satisfy
    all of them (the highest minimum of a workspace's members, say).
    """

    files: FileSet
    query: Expression
    format: str | None = None
    minimum: bool = True
    every_file: bool = False  # `files`: every file that sets the value; `file`: the first


@dataclass(frozen=True)
class VersionCheck(Check):
    """`version`: a version, from a program or from manifests, satisfies a range."""

    kind: ClassVar[str] = "version"
    satisfies: str
    program: ProgramSpec | None = None
    files: FileSet | None = None
    query: Expression | None = None
    format: str | None = None
    pattern: Regex | None = None
    satisfies_from: RangeFrom | None = None

    @property
    def effects(self) -> frozenset[Effect]:
        return frozenset({"runs-programs" if self.program is not None else "parses-files"})

    @property
    def can_skip(self) -> bool:
        return True  # the program is missing, or no file holds a version

    def named_files(self) -> tuple[str, ...]:
        return self.files.named_paths() if self.files is not None else ()


def parse(raw: Any, path: KeyPath, reader: PackReader) -> VersionCheck:
    raw = raw if isinstance(raw, Mapping) else {}
    # `command` and `shell` are one source (a program), which parse_program checks.
    sources = [key for key in ("command", "file", "files") if key in raw]
    if "shell" in raw and "command" not in raw:
        sources.append("shell")
    satisfies = reader.version_range(raw.get("satisfies", "*"), (*path, "satisfies"))
    satisfies_from = None
    if "satisfies_from" in raw:
        if "satisfies" in raw:
            reader.problem(path, "use either `satisfies` or `satisfies_from`, not both")
        satisfies_from = _parse_range_from(raw["satisfies_from"], (*path, "satisfies_from"), reader)
    if len(sources) != 1:  # one message; guessing a source would only add wrong ones
        reader.problem(
            path, "a version check takes exactly one of: command (or shell), file, files"
        )
        return VersionCheck(satisfies, satisfies_from=satisfies_from)
    pattern = reader.regex(raw["pattern"], (*path, "pattern")) if "pattern" in raw else None
    if "command" in raw or "shell" in raw:
        return VersionCheck(
            satisfies,
            program=parse_program(raw, path, reader, "command"),
            pattern=pattern,
            satisfies_from=satisfies_from,
        )
    if "query" not in raw:
        reader.problem(path, "a version check that reads files needs `query`")
    key = "file" if "file" in raw else "files"
    files = reader.fileset(raw.get(key, []), raw.get("exclude"), (*path, key), (*path, "exclude"))
    return VersionCheck(
        satisfies,
        files=files,
        query=reader.expression(raw.get("query", "@"), (*path, "query")),
        format=raw.get("format"),
        pattern=pattern,
        satisfies_from=satisfies_from,
    )


def _parse_range_from(raw: Any, path: KeyPath, reader: PackReader) -> RangeFrom:
    raw = raw if isinstance(raw, Mapping) else {}
    sources = [key for key in ("file", "files") if key in raw]
    if len(sources) != 1:
        reader.problem(path, "`satisfies_from` needs exactly one of `file`, `files`")
    if "query" not in raw:
        reader.problem(path, "`satisfies_from` needs `query`")
    mode = raw.get("as", "minimum")
    if mode not in ("minimum", "range"):
        reader.problem((*path, "as"), f"`as` is minimum or range, not {mode!r}")
    key = sources[0] if sources else "file"
    return RangeFrom(
        files=reader.fileset(
            raw.get(key, []), raw.get("exclude"), (*path, key), (*path, "exclude")
        ),
        every_file=key == "files",
        query=reader.expression(raw.get("query", "@"), (*path, "query")),
        format=raw.get("format"),
        minimum=mode != "range",
    )


def _version_from(value: Any, check: VersionCheck) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    return versions.extract(value, check.pattern)


def _judge(
    text: str | None, check: VersionCheck, where: str, path: str | None, line: int | None = None
) -> Finding | None:
    """None when the version satisfies the range; else the finding that says why not."""
    facts = facts_of(version=text, range=check.satisfies, source=where)
    if text is None:
        return Finding(f"{where}: no version found", path, line, facts=facts)
    version = versions.coerce(text)
    if version is None:
        return Finding(f"{where}: {text!r} is not a version", path, line, facts=facts)
    if versions.satisfies(version, check.satisfies):
        return None
    note = versions.prerelease_note(version, check.satisfies)
    why = f" ({note})" if note else ""
    message = f"{where}: {version} does not satisfy {check.satisfies}{why}"
    return Finding(message, path, line, facts={**facts, "version": str(version)})


def evaluate(check: VersionCheck, context: EvaluationContext) -> Outcome:
    if check.satisfies_from is not None:
        found = _range_from(check.satisfies_from, context)
        if isinstance(found, Outcome):
            return found
        check = replace(check, satisfies=found)
    if check.program is not None:
        return _from_program(check, check.program, context)
    return _from_files(check, context)


def _from_program(check: VersionCheck, program: ProgramSpec, context: EvaluationContext) -> Outcome:
    result = run_program(program, context)
    if isinstance(result, Outcome):
        return result
    if result.exit_code != 0:
        return errored(
            f"{program.display} exited {result.exit_code}: "
            f"{(result.stderr or result.stdout).strip()[:200]}"
        )
    text = versions.extract(result.stdout + "\n" + result.stderr, check.pattern)
    finding = _judge(text, check, program.display, None)
    if finding is not None:
        return failed(finding.message, [finding])
    return passed(f"{program.display}: {versions.coerce(text or '')} satisfies {check.satisfies}")


def _from_files(check: VersionCheck, context: EvaluationContext) -> Outcome:
    assert check.files is not None and check.query is not None
    paths = context.select(check.files)
    if not paths:
        return skipped(context.no_file_matches(check.files))
    findings: list[Finding] = []
    notes: list[Note] = []
    judged = 0
    for path in paths:
        parsed = context.documents(path, check.format or format_for(path))
        if parsed.note is not None:
            notes.append(parsed.note)
        if parsed.error is not None:
            return errored(
                f"{path}:{parsed.error.line or '?'}: does not parse: {parsed.error.message}",
                [Finding(parsed.error.message, path, parsed.error.line)],
                notes,
            )
        for doc in parsed.documents:
            try:
                value = check.query.search(doc.data)
            except ExpressionError as exc:
                return errored(f"{path}: {exc}", [Finding(str(exc), path, doc.line)], notes)
            judged += 1
            finding = _judge(
                _version_from(value, check), check, f"{check.query.text}", path, doc.line
            )
            if finding is not None:
                findings.append(finding)
    if findings:
        return failed(
            findings[0].message
            if len(findings) == 1
            else f"{len(findings)} versions do not satisfy {check.satisfies}",
            findings,
            notes,
        )
    if not judged:
        return skipped("no document to read a version from", notes)
    return passed(f"{judged} version(s) satisfy {check.satisfies}", notes)


def _range_from(source: RangeFrom, context: EvaluationContext) -> str | Outcome:
    """The range `satisfies_from` names: from the first matching file whose query is set,
    or (with `files`) what every such file requires at once."""
    paths = context.select(source.files)
    if not paths:
        return skipped(f"{context.no_file_matches(source.files)} to read the range from")
    ranges: list[str] = []
    minimums: list[semver.Version] = []
    for path in paths if source.every_file else paths[:1]:
        found = _range_in(source, context, path)
        if isinstance(found, Outcome):
            return found
        if isinstance(found, str):
            ranges.append(found)
        elif found is not None:
            minimums.append(found)
    if minimums:
        ranges.append(f">={max(minimums)}")
    if not ranges:
        where = paths[0] if len(paths) == 1 and not source.every_file else "any matching file"
        return skipped(f"{where}: `{source.query.text}` is not set")
    return versions.intersect(ranges)


def _range_in(
    source: RangeFrom, context: EvaluationContext, path: str
) -> str | semver.Version | Outcome | None:
    """What one file requires: a minimum version, a range, None when the query is unset
    (or, reading several files, set to something else, such as `{workspace = true}`)."""
    parsed = context.documents(path, source.format or format_for(path))
    if parsed.error is not None:
        return errored(
            f"{path}:{parsed.error.line or '?'}: does not parse: {parsed.error.message}",
            [Finding(parsed.error.message, path, parsed.error.line)],
        )
    where = f"{path}: `{source.query.text}`"
    for doc in parsed.documents:
        try:
            value = source.query.search(doc.data)
        except ExpressionError as exc:
            return errored(f"{path}: {exc}", [Finding(str(exc), path, doc.line)])
        if value is None:
            continue
        scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
        if not scalar and source.every_file:
            continue  # a member that inherits the value (`rust-version.workspace = true`)
        text = str(value) if scalar else ""
        if source.minimum:
            version = versions.coerce(text)
            if version is None:
                return errored(f"{where} is {value!r}, not a version", [Finding(where, path)])
            return version
        problem = versions.range_problem(text)
        if problem:
            return errored(f"{where}: {problem}", [Finding(where, path)])
        return text
    return None


#: version: the version found (empty when none was); range: what it must satisfy;
#: source: the program or the query it was read from.
FACTS = ("version", "range", "source")
KIND = CheckKind(VersionCheck, parse, evaluate, FACTS)
