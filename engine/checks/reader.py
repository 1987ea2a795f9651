"""Reading one pack document into model objects, collecting located problems.

`PackReader` is what each check kind's `parse` function receives: it turns
raw values into globs, regexes, JMESPath expressions and version ranges,
and records a `Problem` at the exact line and column of anything wrong,
so `policy validate` can report every problem in a file at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import versions
from engine.errors import Location, Problem
from engine.expressions import Expression, compile_expression, lint
from engine.globs import glob_problem
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.model.packs import Check, FileSet
from engine.regexes import Regex, compile_regex

#: How deep checks may nest inside each other (`all`, `any`, `not`), so that evaluating
#: them stays well inside Python's recursion limit.
MAX_CHECK_DEPTH = 20


@dataclass
class PackReader:
    """Context for parsing the checks of one pack file.

    `parse_check` is the check registry's parser (engine.checks.parse_check),
    handed in by the loader so that reading values does not depend on the kinds.
    """

    located: LocatedData
    problems: list[Problem]
    parse_check: Callable[[Any, KeyPath, PackReader], Check]
    filesets: Mapping[str, FileSet] = field(default_factory=dict)
    conditions: Mapping[str, Check] = field(default_factory=dict)
    read_sibling: Callable[[str], str] | None = None  # reads a file of the pack's own folder
    rule: str | None = None  # the rule being read, named in problems
    depth: int = 0  # how many checks the one being read is inside

    # -- problems ------------------------------------------------------------------

    def location(self, path: KeyPath, *, key: bool = False) -> Location:
        position = self.located.position(path, key=key)
        if position is None:
            return Location(self.located.file)
        return Location(self.located.file, position[0], position[1])

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(message, self.location(path, key=key), self.rule))

    def warning(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(message, self.location(path), self.rule, "warning"))

    # -- values --------------------------------------------------------------------

    def globs(self, value: Any, path: KeyPath, *, folders: bool = False) -> tuple[str, ...]:
        """A glob or list of globs; each must stay inside the snapshot root and be able
        to match a path (`folders`: a folder's, for `in_each`).

        A list item may be `{fileset: name}`: the include globs of a file set defined
        before it (one without `exclude`), so a list of folders that are not the
        service's own (rendered examples, fixtures, vendored code) is written once.
        """
        if isinstance(value, str):
            reason = glob_problem(value, folders=folders)
            if reason:
                self.problem(path, reason)
            return (value,)
        globs: list[str] = []
        for i, item in enumerate(value or []):
            if isinstance(item, Mapping):
                globs.extend(self._spliced(item, (*path, i)))
                continue
            reason = glob_problem(str(item), folders=folders)
            if reason:
                self.problem((*path, i), reason)
            globs.append(str(item))
        return tuple(globs)

    def _spliced(self, item: Mapping[str, Any], path: KeyPath) -> tuple[str, ...]:
        name = str(item.get("fileset"))
        named = self.filesets.get(name)
        if named is None:
            known = ", ".join(sorted(self.filesets)) or "none defined"
            self.problem((*path, "fileset"), f"unknown fileset {name!r} (known: {known})")
            return ()
        if named.exclude:
            self.problem(
                (*path, "fileset"),
                f"fileset {name!r} has `exclude`, so its globs cannot stand in a list of globs",
            )
        return named.include

    def fileset(self, files: Any, exclude: Any, path: KeyPath, exclude_path: KeyPath) -> FileSet:
        """`files`/`paths` (globs or `{fileset: name}`) plus a check's own `exclude`."""
        extra = self.globs(exclude, exclude_path) if exclude is not None else ()
        if isinstance(files, Mapping):
            name = files.get("fileset")
            named = self.filesets.get(str(name))
            if named is None:
                known = ", ".join(sorted(self.filesets)) or "none defined"
                self.problem((*path, "fileset"), f"unknown fileset {name!r} (known: {known})")
                return FileSet((), extra)
            return FileSet(named.include, (*named.exclude, *extra))
        return FileSet(self.globs(files, path), extra)

    def regex(self, value: Any, path: KeyPath) -> Regex:
        """A regex, read as Python's `re` reads it and run with a time limit."""
        try:
            compiled = compile_regex(str(value))
        except ValueError as exc:
            self.problem(path, f"invalid regex {value!r}: {exc}")
            return compile_regex("(?!)").regex
        for warning in compiled.warnings:
            self.warning(path, f"regex {value!r}: {warning}")
        return compiled.regex

    def expression(self, value: Any, path: KeyPath) -> Expression:
        try:
            expression = compile_expression(str(value))
        except ValueError as exc:
            self.problem(path, str(exc))
            return compile_expression("`false`")
        for warning in lint(expression):
            self.warning(path, warning)
        return expression

    def number(
        self, raw: Mapping[str, Any], key: str, path: KeyPath, default: float, maximum: float
    ) -> float:
        """`raw[key]`, a number above 0 and at most `maximum` (else `default`, and a problem).

        The schema says so for the packs it validates; built-in packs are read
        without it, with values a user's params may have set.
        """
        value = raw.get(key, default)
        if not _is_number(value) or not 0 < value <= maximum:
            self.problem(
                (*path, key),
                f"`{key}` must be a number above 0 and at most {maximum:,g}: {value!r}",
            )
            return default
        return float(value)

    def version_range(self, value: Any, path: KeyPath) -> str:
        text = str(value)
        reason = versions.range_problem(text)
        if reason:
            self.problem(path, reason)
        return text

    def relative_path(self, value: Any, path: KeyPath) -> str:
        """A folder or file path relative to the snapshot root (`cwd:` of a command)."""
        text = str(value)
        parts = text.split("/")
        if text.startswith("/") or ".." in parts:
            self.problem(path, f"path {text!r} must stay inside the snapshot root")
        return text

    def check(self, raw: Any, path: KeyPath) -> Check:
        """Any check, dispatched on its single key through the registry of kinds."""
        if self.depth == MAX_CHECK_DEPTH:  # once, where the limit is passed; YAML's own
            # nesting limit keeps reading what is deeper safe
            self.problem(path, f"checks nest more than {MAX_CHECK_DEPTH} deep (all, any, not)")
        self.depth += 1
        try:
            return self.parse_check(raw, path, self)
        finally:
            self.depth -= 1


def _is_number(value: Any) -> bool:
    import math

    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
