"""Glob matching over a snapshot's file list.

Globs match whole POSIX paths relative to the root: `**` spans folders, `*`,
`?` and `[...]` stay within one name, `{a,b}` is either; names starting with
a dot are matched like any other (exclude `.github/**` explicitly). wcmatch
supplies the grammar (imported on first use: `policy --version` does not pay
for it). On a 100,000-file tree a regex per path per glob is too slow, so
`FileIndex` answers the common shapes from lookup tables:

    Cargo.toml           one exact path
    **/Cargo.toml        every file with that name
    **/*.yaml            every file with that extension
    deploy/**/*.yaml     only the paths under `deploy/` go through the regex
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_MAGIC = re.compile(r"[*?\[{\\]")


def glob_problem(pattern: str) -> str | None:
    """Why `pattern` may not be used in a pack, or None when it is fine."""
    if not pattern:
        return "a glob may not be empty"
    if pattern.startswith("/"):
        return f"glob {pattern!r} is absolute; globs are relative to the snapshot root"
    if re.search(r"(^|[/{,])\.\.([/},]|$)", pattern):
        return f"glob {pattern!r} leaves the snapshot root ('..' is not allowed)"
    if "\\" in pattern:
        return f"glob {pattern!r} uses a backslash; paths are POSIX, use '/'"
    try:
        GlobSet.compile((pattern,))
    except Exception as exc:  # wcmatch raises several types for bad patterns
        return f"glob {pattern!r} is not valid: {exc}"
    return None


def expand_braces(pattern: str) -> tuple[str, ...]:
    """`a/{b,c}/*.y{a,}ml` -> the four patterns it stands for."""
    if "{" not in pattern:
        return (pattern,)
    import bracex

    return tuple(dict.fromkeys(bracex.expand(pattern, limit=1000)))


def _regex(pattern: str) -> re.Pattern[str]:
    """Compiled regex of one brace-free glob."""
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.DOTGLOB | glob.CASE
    positive, _ = glob.translate(pattern, flags=flags)
    return re.compile(positive[0])


@dataclass(frozen=True)
class _Shape:
    """How one brace-free glob is answered from the index."""

    kind: str  # "exact" | "name" | "suffix" | "prefix" | "scan"
    key: str = ""
    regex: re.Pattern[str] | None = None

    @classmethod
    def of(cls, pattern: str) -> _Shape:
        if not _MAGIC.search(pattern):
            return cls("exact", pattern)
        if pattern.startswith("**/"):
            rest = pattern[3:]
            if "/" not in rest and not _MAGIC.search(rest):
                return cls("name", rest)
            if "/" not in rest and rest.startswith("*.") and not _MAGIC.search(rest[2:]):
                return cls("suffix", rest[1:])
        head = _MAGIC.search(pattern)
        assert head is not None
        prefix = pattern[: head.start()].rpartition("/")[0]
        return cls("prefix" if prefix else "scan", prefix + "/" if prefix else "", _regex(pattern))

    def matches(self, path: str) -> bool:
        """Whether one path (relative to where the glob applies) matches."""
        if self.kind == "exact":
            return path == self.key
        if self.kind == "name":
            return path == self.key or path.endswith("/" + self.key)
        if self.kind == "suffix":
            return path.endswith(self.key)
        assert self.regex is not None
        return self.regex.match(path) is not None


@dataclass(frozen=True)
class GlobSet:
    """Compiled include and exclude globs."""

    include: tuple[_Shape, ...]
    exclude: tuple[_Shape, ...] = ()

    @classmethod
    def compile(cls, include: Sequence[str], exclude: Sequence[str] = ()) -> GlobSet:
        def shapes(globs: Sequence[str]) -> tuple[_Shape, ...]:
            return tuple(_Shape.of(e) for g in globs for e in expand_braces(g))

        return cls(shapes(include), shapes(exclude))

    def excluded(self, path: str) -> bool:
        return any(shape.matches(path) for shape in self.exclude)

    def matches(self, path: str) -> bool:
        return any(s.matches(path) for s in self.include) and not self.excluded(path)


class FileIndex:
    """A snapshot's file list, indexed for glob lookups."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(sorted(paths))
        self._set = frozenset(self.paths)
        self._by_name: dict[str, list[str]] = {}
        self._by_suffix: dict[str, list[str]] = {}
        for path in self.paths:
            name = path.rpartition("/")[2]
            self._by_name.setdefault(name, []).append(path)
            dot = name.rfind(".")
            if dot >= 0:
                self._by_suffix.setdefault(name[dot:], []).append(path)
        self._folders: tuple[str, ...] | None = None

    def __contains__(self, path: object) -> bool:
        return path in self._set

    def folders(self) -> tuple[str, ...]:
        """Every folder that holds a file, at any depth, sorted."""
        if self._folders is None:
            found: set[str] = set()
            for path in self.paths:
                folder = path.rpartition("/")[0]
                while folder and folder not in found:
                    found.add(folder)
                    folder = folder.rpartition("/")[0]
            self._folders = tuple(sorted(found))
        return self._folders

    def _under(self, prefix: str) -> Sequence[str]:
        """The sorted paths that start with `prefix` (which ends with '/')."""
        start = bisect.bisect_left(self.paths, prefix)
        end = bisect.bisect_left(self.paths, prefix[:-1] + chr(ord(prefix[-1]) + 1))
        return self.paths[start:end]

    def _everywhere(self, shape: _Shape) -> Iterable[str]:
        if shape.kind == "exact":
            return (shape.key,) if shape.key in self._set else ()
        if shape.kind == "name":
            return self._by_name.get(shape.key, ())
        if shape.kind == "suffix":
            last = shape.key[shape.key.rfind(".") :]  # `**/*.tar.gz` is indexed under `.gz`
            return [p for p in self._by_suffix.get(last, ()) if p.endswith(shape.key)]
        assert shape.regex is not None
        candidates = self._under(shape.key) if shape.kind == "prefix" else self.paths
        match = shape.regex.match
        return [p for p in candidates if match(p)]

    def select(self, include: Sequence[str], exclude: Sequence[str] = ()) -> tuple[str, ...]:
        """Sorted paths matching any include glob and no exclude glob."""
        return self.select_compiled(GlobSet.compile(include, exclude))

    def select_compiled(self, globs: GlobSet) -> tuple[str, ...]:
        found: set[str] = set()
        for shape in globs.include:
            found.update(self._everywhere(shape))
        if found and globs.exclude:
            found = {p for p in found if not globs.excluded(p)}
        return tuple(sorted(found))

    def select_in(self, folders: Iterable[str], globs: GlobSet) -> dict[str, tuple[str, ...]]:
        """For each folder, the paths under it whose path relative to it matches `globs`."""
        selected: dict[str, tuple[str, ...]] = {}
        for folder in folders:
            prefix = folder.rstrip("/") + "/"
            cut = len(prefix)
            selected[folder] = tuple(
                path for path in self._under(prefix) if globs.matches(path[cut:])
            )
        return selected


def matching(paths: Iterable[str], globs: Sequence[str]) -> set[str]:
    """The subset of `paths` that match any of `globs` (no index needed)."""
    compiled = GlobSet.compile(globs)
    return {p for p in paths if compiled.matches(p)}
