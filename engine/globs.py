"""Glob matching over a snapshot's file list.

Globs match whole POSIX paths relative to the root: `**` spans folders, `*`,
`?` and `[...]` stay within one name, `{a,b}` is either; names starting with
a dot are matched like any other (exclude `.github/**` explicitly). wcmatch
supplies the grammar. On a 100,000-file tree a regex per path per glob is too
slow, so `FileIndex` answers the common shapes from lookup tables:

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
from functools import cache

_MAGIC = re.compile(r"[*?\[{]")


class GlobError(ValueError):
    """A glob a pack may not use."""


def glob_problem(pattern: str) -> str | None:
    """Why `pattern` may not be used, or None when it is fine."""
    if not pattern:
        return "a glob may not be empty"
    if pattern.startswith("/"):
        return f"glob {pattern!r} is absolute; globs are relative to the snapshot root"
    if ".." in pattern.replace("\\", "/").split("/") or re.search(
        r"(^|[/{,])\.\.([/},]|$)", pattern
    ):
        return f"glob {pattern!r} leaves the snapshot root ('..' is not allowed)"
    if "\\" in pattern:
        return f"glob {pattern!r} uses a backslash; paths are POSIX, use '/'"
    try:
        expand_braces(pattern)
        _regex(pattern)
    except Exception as exc:  # wcmatch raises several types for bad patterns
        return f"glob {pattern!r} is not valid: {exc}"
    return None


# wcmatch is imported inside functions: `policy --version` should not pay for it.
@cache
def _wcmatch_flags() -> int:
    from wcmatch import glob

    return int(glob.GLOBSTAR | glob.DOTGLOB | glob.CASE)


def expand_braces(pattern: str) -> tuple[str, ...]:
    """`a/{b,c}/*.y{a,}ml` -> the four patterns it stands for."""
    if "{" not in pattern:
        return (pattern,)
    import bracex

    return tuple(dict.fromkeys(bracex.expand(pattern, limit=1000)))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """Compiled regex of one brace-free glob."""
    from wcmatch import glob

    positive, _ = glob.translate(pattern, flags=_wcmatch_flags())
    return re.compile(positive[0])


def escape(name: str) -> str:
    """A path that matches only itself when used as a glob."""
    from wcmatch import glob

    return str(glob.escape(name))


@dataclass(frozen=True)
class _Shape:
    """How one brace-free glob is answered from the index."""

    kind: str  # "exact" | "name" | "suffix" | "prefix" | "scan"
    key: str = ""
    regex: re.Pattern[str] | None = None


@cache
def _shape(pattern: str) -> _Shape:
    if not _MAGIC.search(pattern):
        return _Shape("exact", pattern)
    if pattern.startswith("**/"):
        rest = pattern[3:]
        if not _MAGIC.search(rest) and "/" not in rest:
            return _Shape("name", rest)
        if rest.startswith("*.") and not _MAGIC.search(rest[2:]) and "/" not in rest:
            return _Shape("suffix", rest[1:], _regex(pattern))
    head = _MAGIC.search(pattern)
    assert head is not None
    prefix = pattern[: head.start()].rpartition("/")[0]
    if prefix:
        return _Shape("prefix", prefix + "/", _regex(pattern))
    return _Shape("scan", "", _regex(pattern))


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
        start = bisect.bisect_left(self.paths, prefix)
        end = bisect.bisect_left(self.paths, prefix[:-1] + chr(ord(prefix[-1]) + 1))
        return self.paths[start:end]

    def _match_one(self, pattern: str) -> Iterable[str]:
        shape = _shape(pattern)
        if shape.kind == "exact":
            return (shape.key,) if shape.key in self._set else ()
        if shape.kind == "name":
            return self._by_name.get(shape.key, ())
        if shape.kind == "suffix":
            candidates: Sequence[str] = self._by_suffix.get(shape.key, ())
            if "." in shape.key[1:]:  # `**/*.tar.gz` is indexed under `.gz`
                candidates = self._by_suffix.get(shape.key[shape.key.rfind(".") :], ())
                return [p for p in candidates if p.endswith(shape.key)]
            return candidates
        assert shape.regex is not None
        candidates = self._under(shape.key) if shape.kind == "prefix" else self.paths
        match = shape.regex.match
        return [p for p in candidates if match(p)]

    def select(self, include: Sequence[str], exclude: Sequence[str] = ()) -> tuple[str, ...]:
        """Sorted paths matching any include glob and no exclude glob."""
        found: set[str] = set()
        for pattern in include:
            for expanded in expand_braces(pattern):
                found.update(self._match_one(expanded))
        if found and exclude:
            found.difference_update(matching(sorted(found), exclude))
        return tuple(sorted(found))


def matching(paths: Iterable[str], globs: Sequence[str]) -> set[str]:
    """The subset of `paths` that match any of `globs` (no index needed)."""
    regexes = [_regex(e) for g in globs for e in expand_braces(g)]
    return {p for p in paths if any(r.match(p) for r in regexes)}


def matches(path: str, globs: Sequence[str]) -> bool:
    """Whether one path matches any of `globs`."""
    return bool(matching((path,), globs))
