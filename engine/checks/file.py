"""`file`: files exist, are absent, contain or do not contain a regex.

file: {exists: ["README.md", "README.rst"]}          # any glob matches a file
file: {absent: ["**/*.pem"]}                          # no glob matches a file
file: {paths: ["src/**/*.rs"], contains: "(?m)^//! "}  # each matched file matches
file: {paths: ["**/*"], not_contains: "PRIVATE KEY"}   # no matched file matches
file: {in_each: "services/*", exists: ["Dockerfile"]}  # inside every such folder
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.kept_errors import without_frames
from engine.model.documents import KeyPath
from engine.model.messages import facts_of
from engine.model.packs import Check, FileSet
from engine.model.results import (
    Finding,
    Note,
    Outcome,
    errored,
    failed,
    failed_with,
    passed,
    skipped,
)
from engine.regexes import Regex, RegexTimeout
from engine.texts import DEFAULT_MAX_BYTES, MAX_BYTES_CAP

Mode = Literal["exists", "absent", "contents"]
#: Findings kept per file for `not_contains`; the rest are counted in one finding.
MAX_FINDINGS_PER_FILE = 50


@dataclass(frozen=True)
class FileCheck(Check):
    """`file`: files exist, are absent, or their contents match or do not match."""

    kind: ClassVar[str] = "file"
    mode: Mode
    files: FileSet
    contains: Regex | None = None
    not_contains: Regex | None = None
    match: Literal["all", "any"] = "all"
    in_each: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def can_skip(self) -> bool:
        return self.in_each is not None  # no folder matches

    def named_files(self) -> tuple[str, ...]:
        # Only `exists` expects its files; `paths` reads those there are, `absent` forbids them.
        return self.files.named_paths() if self.mode == "exists" else ()


def parse(raw: Any, path: KeyPath, reader: PackReader) -> FileCheck:
    raw = raw if isinstance(raw, Mapping) else {}
    modes = [key for key in ("exists", "absent", "paths") if key in raw]
    if len(modes) != 1:
        reader.problem(path, "a file check takes exactly one of: exists, absent, paths")
        return FileCheck("exists", FileSet(()))
    key = modes[0]
    mode: Mode = "contents" if key == "paths" else key  # type: ignore[assignment]
    files = reader.fileset(raw[key], raw.get("exclude"), (*path, key), (*path, "exclude"))
    has_content = "contains" in raw or "not_contains" in raw
    if mode == "contents" and not has_content:
        reader.problem(path, "`paths` needs `contains` or `not_contains`")
    if mode != "contents" and (has_content or "match" in raw):
        reader.problem(path, f"`contains`, `not_contains` and `match` go with `paths`, not `{key}`")
    in_each = raw.get("in_each")
    if in_each is not None:
        reader.globs(in_each, (*path, "in_each"), folders=True)
    return FileCheck(
        mode=mode,
        files=files,
        contains=reader.regex(raw["contains"], (*path, "contains")) if "contains" in raw else None,
        not_contains=(
            reader.regex(raw["not_contains"], (*path, "not_contains"))
            if "not_contains" in raw
            else None
        ),
        match=raw.get("match", "all"),
        in_each=str(in_each) if in_each is not None else None,
        max_bytes=int(reader.number(raw, "max_bytes", path, DEFAULT_MAX_BYTES, MAX_BYTES_CAP)),
    )


def evaluate(check: FileCheck, context: EvaluationContext) -> Outcome:
    if check.in_each is None:
        matched: tuple[str, ...]
        if check.mode == "exists":  # one file is enough: do not list them all
            first = context.first(check.files)
            matched = (first,) if first is not None else ()
        else:
            matched = context.select(check.files)
        return _evaluate_files(check, context, matched, context.unreadable_notes(check.files), "")
    return _evaluate_in_each(check, context, check.in_each)


def _evaluate_in_each(check: FileCheck, context: EvaluationContext, pattern: str) -> Outcome:
    folders = context.folders(pattern)
    if not folders:
        return skipped(f"no folder matches {pattern}")
    outcomes = [
        _evaluate_files(check, context, matched, [], folder)
        for folder, matched in context.select_in(folders, check.files).items()
    ]
    findings = tuple(f for o in outcomes for f in o.findings)
    notes = tuple(n for o in outcomes for n in o.notes)
    errors = [o for o in outcomes if o.status == "error"]
    if errors:
        return errored(errors[0].message, findings, notes)
    short = [o for o in outcomes if o.status == "fail"]
    if short:
        return failed(
            f"{len(short)} of {len(folders)} folders matching {pattern} fall short", findings, notes
        )
    return passed(f"all {len(folders)} folders matching {pattern} comply", notes)


def _evaluate_files(
    check: FileCheck,
    context: EvaluationContext,
    matched: tuple[str, ...],
    unreadable: list[Note],
    folder: str,
) -> Outcome:
    where = f" in {folder}" if folder else ""
    if check.mode == "exists":
        if matched:
            return passed(f"{matched[0]} exists")
        message = f"none of {check.files.describe()} exists{where}"
        facts = facts_of(globs=check.files.describe(), folder=folder or None)
        return failed(message, [Finding(message, folder or None, facts=facts)], unreadable)
    if check.mode == "absent":
        if not matched:
            return passed(f"no file matches {check.files.describe()}{where}")
        return failed(
            f"{len(matched)} file(s) match {check.files.describe()}",
            [
                Finding("should not exist", path, facts=facts_of(globs=check.files.describe()))
                for path in matched
            ],
        )
    return _evaluate_contents(check, context, matched, unreadable, where)


def _evaluate_contents(
    check: FileCheck,
    context: EvaluationContext,
    matched: tuple[str, ...],
    unreadable: list[Note],
    where: str,
) -> Outcome:
    notes: list[Note] = list(unreadable)
    findings: list[Finding] = []
    read = 0
    containing = 0
    # The parts stop at the first that timed out, as this loop does.
    for path, part in zip(matched, _text_parts(check, context, matched), strict=False):
        if part.note is not None:
            notes.append(part.note)
        if not part.read:
            continue
        if part.timeout is not None:
            context.unsettled = True  # given more time, it may not give up
            return errored(f"{path}: {part.timeout}", [Finding(str(part.timeout), path)], notes)
        read += 1
        containing += part.contains
        findings.extend(part.findings)
    if check.contains is not None and read == 0:
        if matched:
            reason = f"no matched file could be read {check.files.describe()}{where}"
        elif where:  # in each folder of `in_each`
            reason = f"no file matches {check.files.describe()}{where}"
        else:
            reason = context.no_file_matches(check.files)
        message = f"nothing to check: {reason}"
        facts = facts_of(globs=check.files.describe(), folder=where[4:] or None)
        return failed(message, [Finding(message, facts=facts)], notes)
    if check.contains is not None and check.match == "any" and containing == 0:
        message = f"none of {read} file(s) matches /{check.contains.pattern}/"
        findings.insert(0, Finding(message, facts=facts_of(pattern=check.contains.pattern)))
    if findings:
        return failed_with(findings, notes)
    return passed(f"{read} file(s) checked", notes)


@dataclass(frozen=True)
class _TextPart:
    """What one file's text gives a content check, kept by the file's path and content:
    across the evaluations that share a parse cache (a history's commits), and between
    runs (engine/kept_parts.py)."""

    note: Note | None  # not valid UTF-8, or not read (binary, over the size cap)
    read: bool = False
    contains: bool = False  # `contains` matches
    findings: tuple[Finding, ...] = ()  # not matching `contains` (match: all), `not_contains`
    timeout: RegexTimeout | None = None  # a regex gave up on this text


def _text_parts(
    check: FileCheck, context: EvaluationContext, paths: tuple[str, ...]
) -> list[_TextPart]:
    """Each file's part, in order, up to the first whose regex timed out (each costs the
    time limit): those kept by an evaluation sharing this run's parse cache looked up,
    the others read (in one batch) and searched."""
    shelf = context.file_parts(_text_part_key(check), paths, lasting=True)
    kept: list[_TextPart | None] = [None] * len(paths) if shelf is None else shelf.kept()
    todo = [path for path, part in zip(paths, kept, strict=True) if part is None]
    context.prefetch_texts(todo, check.max_bytes)
    parts: list[_TextPart] = []
    found: list[tuple[int, _TextPart, bool]] = []
    for i, part in enumerate(kept):
        if part is None:
            part = _text_part(check, context, paths[i])
            found.append((i, part, part.timeout is None))
        parts.append(part)
        if part.timeout is not None:
            break
    if shelf is not None:
        shelf.keep(found)
    return parts


def _text_part_key(check: FileCheck) -> tuple[Any, ...]:
    """Everything of the check a `_TextPart` depends on, besides the file: plain data,
    whose repr names the parts kept between runs."""
    patterns = (r.pattern if r is not None else None for r in (check.contains, check.not_contains))
    return ("file contents", *patterns, check.match, check.max_bytes)


def _text_part(check: FileCheck, context: EvaluationContext, path: str) -> _TextPart:
    text_file = context.text(path, check.max_bytes)
    text = text_file.text
    if text is None:
        return _TextPart(text_file.note)
    findings: list[Finding] = []
    contains = False
    try:
        if check.contains is not None:
            if check.contains.search(text):
                contains = True
            elif check.match == "all":
                findings.append(
                    Finding(
                        f"does not match /{check.contains.pattern}/",
                        path,
                        facts=facts_of(pattern=check.contains.pattern),
                    )
                )
        if check.not_contains is not None:
            findings.extend(_matches(check.not_contains, text, path))
    except RegexTimeout as exc:  # kept, maybe for a whole history: without its frames
        return _TextPart(text_file.note, True, contains, timeout=without_frames(exc))
    return _TextPart(text_file.note, True, contains, tuple(findings))


def _matches(pattern: Regex, text: str, path: str) -> list[Finding]:
    findings: list[Finding] = []
    total = 0
    for match in pattern.finditer(text):
        total += 1
        if total <= MAX_FINDINGS_PER_FILE:
            line = text.count("\n", 0, match.start()) + 1
            facts = facts_of(pattern=pattern.pattern, match=match.group(0))
            findings.append(Finding(f"matches /{pattern.pattern}/", path, line, facts=facts))
    if total > MAX_FINDINGS_PER_FILE:
        findings.append(
            Finding(
                f"{total - MAX_FINDINGS_PER_FILE} more matches of /{pattern.pattern}/",
                path,
                facts=facts_of(pattern=pattern.pattern),
            )
        )
    return findings


#: globs: the file set as messages name it; folder: the `in_each` folder that falls short;
#: pattern: the regex; match: the text `not_contains` found.
FACTS = ("globs", "folder", "pattern", "match")
KIND = CheckKind(FileCheck, parse, evaluate, FACTS)
