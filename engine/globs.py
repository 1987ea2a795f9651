"""Glob matching over a snapshot's file list.

Globs match whole POSIX paths relative to the root: `**` spans folders, `*`,
`?` and `[...]` stay within one name, `{a,b}` is either; names starting with
a dot are matched like any other (exclude `.github/**` explicitly). wcmatch
supplies the grammar (imported on first use: `policy --version` does not pay
for it). On a 100,000-file tree a regex per path per glob is too slow, so
`FileIndex` answers the common shapes from lookup tables and string tests,
without a regex (translating and compiling one costs about 0.3 ms, and a pack
of 90 rules holds hundreds of globs, most never used by a run):

    Cargo.toml           one exact path
    **/Cargo.toml        every file with that name
    **/*.yaml            every file with that extension
    deploy/**/*.yaml     those of them under `deploy/`
    deploy/*.yaml        ... directly in `deploy/`
    deploy/*/x.yaml      the paths under `deploy/` named x.yaml go through a regex,
                         translated the first time a path is matched against it

`check_glob` refuses, before anything is matched, a glob written in a way no
snapshot path is written (`vendor/`, `./deploy/*.yaml`): it would select
nothing, silently.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

_MAGIC = re.compile(r"[*?\[{\\]")


@dataclass(frozen=True)
class GlobProblem:
    """Why a glob is refused. `never_matches`: no path of a snapshot can match it
    (tests hold wcmatch to that claim); the other problems are ambiguous or invalid."""

    message: str
    never_matches: bool


def glob_problem(pattern: str, *, folders: bool = False) -> str | None:
    """Why `pattern` may not be used in a pack or config, or None when it is fine.

    `folders` is for `in_each`, whose glob matches folders rather than files.
    """
    found = check_glob(pattern, folders=folders)
    return found.message if found is not None else None


def check_glob(pattern: str, *, folders: bool = False) -> GlobProblem | None:
    """`glob_problem`, saying also whether the glob could never match a path."""
    if not pattern:
        return GlobProblem("a glob may not be empty", True)
    if "\\" in pattern:
        return GlobProblem(f"glob {pattern!r} uses a backslash; paths are POSIX, use '/'", False)
    try:
        alternatives = expand_braces(pattern)
    except Exception as exc:  # bracex raises several types for bad braces
        return GlobProblem(f"glob {pattern!r} is not valid: {exc}", False)
    flawed = [(text, flaw) for text in alternatives if (flaw := _flaw(text, folders))]
    if not flawed:
        return None
    # One dead alternative is a mistake too, but the others may still match.
    never = len(flawed) == len(alternatives) and all(flaw.never for _, flaw in flawed)
    own = _flaw(pattern, folders)  # the text as written, braces and all: the clearest message
    if own is not None:
        return GlobProblem(own.message(repr(pattern), pattern, folders), never)
    text, flaw = flawed[0]
    subject = f"{pattern!r} (its alternative {text!r})"
    return GlobProblem(flaw.message(subject, pattern, folders, text), never)


@dataclass(frozen=True)
class _Flaw:
    """What makes one form of a glob name no path of a snapshot."""

    before: str  # text before the glob in the message
    after: str  # ... and after it
    never: bool  # no path can match (an empty name is only ambiguous: wcmatch reads `//` as `/`)
    mendable: bool = True  # dropping `.` and empty names mends it

    def message(self, subject: str, pattern: str, folders: bool, alternative: str = "") -> str:
        fix = None
        if self.mendable:
            fix = _fix(pattern, folders)
            if fix is None and alternative:
                fix = _fix(alternative, folders, " for that alternative")
        return f"{self.before}{subject}{self.after}" + (f": {fix}" if fix else "")


def _flaw(text: str, folders: bool) -> _Flaw | None:
    """What is wrong with `text` (a glob as written, or one brace expansion of it).

    Snapshot paths have no leading `/` or `./`, no `.`, `..` or empty names,
    and no trailing `/`.
    """
    names = text.split("/")
    if text.startswith("/"):
        return _Flaw("glob ", " is absolute; globs are relative to the snapshot root", True, False)
    if ".." in names:
        return _Flaw("glob ", " leaves the snapshot root ('..' is not allowed)", True, False)
    if names[-1] == "":
        if folders:
            return _Flaw("", " can never match a folder (folder paths have no trailing '/')", True)
        return _Flaw("", " can never match a file (paths name files, not folders)", True)
    if names[0] == "." and len(names) > 1:
        return _Flaw("", ": paths have no leading './'", True)
    if "." in names:
        return _Flaw("", ": paths have no '.' folders", True)
    if "" in names:
        return _Flaw("", ": paths have no empty folder names ('//')", False)
    return None


def _fix(text: str, folders: bool, where: str = "") -> str | None:
    """`write ...`: `text` without its `.` and empty names, or None if that does not mend it."""
    names = text.split("/")
    kept = "/".join(name for name in names if name not in ("", "."))
    if names[-1] not in ("", ".") or kept.endswith("**"):
        fixes = [kept]  # a file, or every path under a folder already
    elif folders:  # `in_each: services/`: the folder itself, or each folder in it?
        fixes = [kept, f"{kept}/*"]
    else:
        fixes = [f"{kept}/**" if kept else "**"]
    if not all(fix and check_glob(fix, folders=folders) is None for fix in fixes):
        if folders and not kept:
            return "in_each matches folders below the root; leave it out to check the root"
        return None
    if len(fixes) == 2:
        return f"write {fixes[0]!r} for that folder or {fixes[1]!r} for each folder in it"
    return f"write {fixes[0]!r}{where}"


def expand_braces(pattern: str) -> tuple[str, ...]:
    """`a/{b,c}/*.y{a,}ml` -> the four patterns it stands for."""
    if "{" not in pattern:
        return (pattern,)
    import bracex

    return tuple(dict.fromkeys(bracex.expand(pattern, limit=1000)))


def literal_paths(patterns: Iterable[str]) -> tuple[str, ...]:
    """The paths `patterns` name outright, braces expanded: `{SECURITY,security}.md` names
    two, `docs/*.md` none."""
    named = (p for pattern in patterns for p in expand_braces(pattern) if not _MAGIC.search(p))
    return tuple(dict.fromkeys(named))


def _regex(pattern: str) -> re.Pattern[str]:
    """Compiled regex of one brace-free glob."""
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.DOTGLOB | glob.CASE
    positive, _ = glob.translate(pattern, flags=flags)
    return re.compile(positive[0])


def _star_pieces(name: str) -> tuple[str, ...] | None:
    """A glob name whose only wildcard is `*`, as the literal pieces between its stars
    (`README*` -> ("README", "")); None for any other name."""
    if "**" in name or _MAGIC.search(name.replace("*", "")):
        return None
    return tuple(name.split("*"))


def _name_matches(pieces: tuple[str, ...], name: str) -> bool:
    """Whether a file name matches a `*`-only glob name, given as its pieces."""
    if len(pieces) == 1:
        return name == pieces[0]
    first, last = pieces[0], pieces[-1]
    end = len(name) - len(last)
    if end < len(first) or not name.startswith(first) or not name.endswith(last):
        return False
    at = len(first)
    for piece in pieces[1:-1]:  # the leftmost place of each piece leaves the most room
        at = name.find(piece, at, end)
        if at < 0:
            return False
        at += len(piece)
    return True


def _ordinary(path: str) -> bool:
    """Whether a path is written the way snapshots write them (no leading `/`, no empty,
    `.` or `..` names): string tests answer globs for those; wcmatch decides the others
    (entries refused as unsafe are matched too, to say which were passed over)."""
    if path.startswith("/") or "//" in path:
        return False
    return "/." not in f"/{path}" or all(name not in (".", "..") for name in path.split("/"))


@dataclass(frozen=True)
class _Shape:
    """One brace-free glob, taken apart so the index can answer it cheaply.

    `prefix` is its leading literal folders; `name_kind` how the index looks
    its last component up (an exact file name, an extension, a scan of the
    distinct file names, or not at all); `needles` are literal folder names
    every match contains. Most globs are matched with string tests alone:

        by name:   PREFIX NAME, PREFIX**/NAME, PREFIX**/DIR/.../NAME or
                   PREFIX**/DIR/**/NAME, NAME with no wildcard but `*`
        by folder: PREFIX** or PREFIX**/FOLDER/**

    Any other glob is matched by `regex`, the whole glob, compiled on first use.
    """

    text: str
    prefix: str = ""  # "deploy/" for deploy/**/*.yaml
    name_kind: str = "any"  # "exact" | "suffix" | "pattern" | "any"
    name: str = ""
    needles: tuple[str, ...] = ()
    form: str = "literal"  # "literal" | "name" | "folder" | "regex"
    deep: bool = False  # by name: `**/` before the name (any folder may follow the prefix)
    pieces: tuple[str, ...] = ()  # by name: the name's pieces between stars
    parents: tuple[str, ...] = ()  # by name: the DIR/... of PREFIX**/DIR/.../NAME
    within: str = ""  # by name: the DIR of PREFIX**/DIR/**/NAME
    folder: str = ""  # by folder: the FOLDER of PREFIX**/FOLDER/** ("" for PREFIX**)

    @classmethod
    def of(cls, pattern: str) -> _Shape:
        if not _MAGIC.search(pattern):
            return cls(pattern)
        parts = pattern.split("/")
        literal = 0
        while literal < len(parts) - 1 and not _MAGIC.search(parts[literal]):
            literal += 1
        prefix = "".join(part + "/" for part in parts[:literal])
        last = parts[-1]
        if not _MAGIC.search(last):
            name_kind, name = "exact", last
        elif last.startswith("*.") and not _MAGIC.search(last[1:]):
            name_kind, name = "suffix", last[1:]
        elif "**" not in last:
            name_kind, name = "pattern", last
        else:
            name_kind, name = "any", ""
        middle = parts[literal:-1]
        needles = tuple(f"/{part}/" for part in middle if part and not _MAGIC.search(part))
        shape = cls(pattern, prefix, name_kind, name, needles, "regex")
        pieces = _star_pieces(last)
        if pieces is not None and middle in ([], ["**"]):
            return replace(shape, form="name", deep=bool(middle), pieces=pieces)
        plain = [part for part in middle[1:] if part and not _MAGIC.search(part)]
        if pieces is not None and middle[:1] == ["**"] and middle[1:] == plain:
            return replace(shape, form="name", deep=True, pieces=pieces, parents=tuple(plain))
        if pieces is not None and len(middle) == 3 and middle[::2] == ["**", "**"] and needles:
            return replace(shape, form="name", deep=True, pieces=pieces, within=middle[1])
        if last == "**" and (not middle or (len(middle) == 2 and needles and middle[0] == "**")):
            return replace(shape, form="folder", folder=middle[1] if middle else "")
        return shape

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The whole glob as a regex (not for a literal glob)."""
        return _regex(self.text)

    @cached_property
    def _name_regex(self) -> re.Pattern[str]:
        return _regex(self.name)

    def name_matches(self, name: str) -> bool:
        """Whether a file name matches the glob's last component (a `pattern` name)."""
        if self.pieces:
            return _name_matches(self.pieces, name)
        return self._name_regex.match(name) is not None

    def matches_oddly_written(self, path: str) -> bool:
        """`matches` for a path that is not `_ordinary`, left to the glob's regex (a
        literal glob too: `a/a` matches `a//a`, as wcmatch has it)."""
        return bool(self.regex.match(path))

    def matches(self, path: str) -> bool:
        """Whether one path (relative to where the glob applies, written as snapshots
        write paths: `_ordinary`) matches."""
        form = self.form
        if form == "literal":
            return path == self.text
        if form == "regex":
            return self.regex.match(path) is not None
        if not path.startswith(self.prefix):
            return False
        rest = path[len(self.prefix) :]
        if form == "folder":
            return f"/{rest}".find(f"/{self.folder}/") >= 0 if self.folder else rest != ""
        if self.parents or self.within:
            *folders, name = rest.split("/")
            if self.within:
                return self.within in folders and _name_matches(self.pieces, name)
            parents = self.parents
            return tuple(folders[-len(parents) :]) == parents and _name_matches(self.pieces, name)
        if self.deep:
            rest = rest.rpartition("/")[2]
        elif "/" in rest:
            return False
        return _name_matches(self.pieces, rest)


@dataclass(frozen=True)
class GlobSet:
    """Compiled include and exclude globs."""

    include: tuple[_Shape, ...]
    exclude: tuple[_Shape, ...] = ()

    @classmethod
    def compile(
        cls,
        include: Sequence[str],
        exclude: Sequence[str] = (),
        known: dict[str, _Shape] | None = None,
    ) -> GlobSet:
        """Compile globs; `known` keeps shapes already compiled (translating is slow)."""
        known = {} if known is None else known

        def shape(pattern: str) -> _Shape:
            found = known.get(pattern)
            if found is None:
                found = known[pattern] = _Shape.of(pattern)
            return found

        def shapes(globs: Sequence[str]) -> tuple[_Shape, ...]:
            return tuple(shape(e) for g in globs for e in expand_braces(g))

        return cls(shapes(include), shapes(exclude))

    def excluded(self, path: str) -> bool:
        return any(shape.matches(path) for shape in self.exclude)

    def matches(self, path: str) -> bool:
        return any(s.matches(path) for s in self.include) and not self.excluded(path)

    def matches_any_path(self, path: str) -> bool:
        """`matches` for a path however written (`../x`, `/abs`): wcmatch decides the
        paths no snapshot lists."""
        if _ordinary(path):
            return self.matches(path)
        return any(s.matches_oddly_written(path) for s in self.include) and not any(
            s.matches_oddly_written(path) for s in self.exclude
        )


class FileIndex:
    """A snapshot's file list, indexed for glob lookups."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(sorted(paths))
        self._set = frozenset(self.paths)
        self._folders: tuple[str, ...] | None = None
        self._shapes: dict[str, _Shape] = {}  # each glob is translated once per index
        # The paths each exclude glob matches: rules mostly share their excludes, and
        # one lookup per glob costs less than matching it against every selected path.
        self._matching: dict[str, frozenset[str]] = {}

    # The lookup tables are built on first use: many runs need one of them, or none.

    @cached_property
    def _names(self) -> list[str]:
        """The file name of each path, in the order of `paths`."""
        return [path.rpartition("/")[2] for path in self.paths]

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for name, path in zip(self._names, self.paths, strict=True):
            table.setdefault(name, []).append(path)
        return table

    @cached_property
    def _by_suffix(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for name, path in zip(self._names, self.paths, strict=True):
            dot = name.rfind(".")
            if dot >= 0:
                table.setdefault(name[dot:], []).append(path)
        return table

    def compile(self, include: Sequence[str], exclude: Sequence[str] = ()) -> GlobSet:
        """Globs compiled for this index, reusing the shapes of globs seen before."""
        return GlobSet.compile(include, exclude, self._shapes)

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

    def _candidates(self, shape: _Shape) -> Sequence[str]:
        """A cheap superset of the paths `shape` can match, from the lookup tables.

        With both a literal folder prefix and a name lookup, whichever gives
        fewer candidates is used (counting a prefix range is a binary search).
        """
        under = self._under(shape.prefix) if shape.prefix else self.paths
        if shape.name_kind == "exact":
            named: Sequence[str] = self._by_name.get(shape.name, ())
        elif shape.name_kind == "suffix":
            last = shape.name[shape.name.rfind(".") :]  # `*.tar.gz` is indexed under `.gz`
            named = self._by_suffix.get(last, ())
        elif shape.name_kind == "pattern" and not shape.prefix:
            match = shape.name_matches
            named = [p for name, ps in self._by_name.items() if match(name) for p in ps]
        else:
            return under
        if not shape.prefix:
            return named
        if len(under) <= len(named):
            return under
        return [p for p in named if p.startswith(shape.prefix)]

    def _everywhere(self, shape: _Shape) -> list[str]:
        if shape.form == "literal":
            return [shape.text] if shape.text in self._set else []
        candidates = self._candidates(shape)
        needles = shape.needles
        if len(needles) == 1:  # the usual case (`**/k8s/**`), without a generator per path
            needle = needles[0]
            candidates = [p for p in candidates if needle in "/" + p]
        elif needles:
            candidates = [p for p in candidates if all(n in "/" + p for n in needles)]
        matches = shape.matches
        return [p for p in candidates if matches(p)]

    def first(self, globs: GlobSet) -> str | None:
        """One path the globs select (stopping at the first), or None: for `exists`."""
        for shape in globs.include:
            if shape.form == "literal":
                hits: Iterable[str] = [shape.text] if shape.text in self._set else []
            else:
                needles, matches = shape.needles, shape.matches
                hits = (
                    p
                    for p in self._candidates(shape)
                    if all(n in "/" + p for n in needles) and matches(p)
                )
            for path in hits:
                if not globs.excluded(path):
                    return path
        return None

    def select(self, include: Sequence[str], exclude: Sequence[str] = ()) -> tuple[str, ...]:
        """Sorted paths matching any include glob and no exclude glob."""
        return self.select_compiled(self.compile(include, exclude))

    def select_compiled(self, globs: GlobSet) -> tuple[str, ...]:
        found: set[str] = set()
        for shape in globs.include:
            found.update(self._everywhere(shape))
        for shape in globs.exclude if found else ():
            if shape.text in self._matching or len(found) * 8 >= len(self.paths):
                found -= self._paths_matching(shape)
            else:  # a few paths: matching them costs less than a lookup over the index
                found = {p for p in found if not shape.matches(p)}
        return tuple(sorted(found))

    def _paths_matching(self, shape: _Shape) -> frozenset[str]:
        """Every path one glob matches, worked out once per index."""
        found = self._matching.get(shape.text)
        if found is None:
            found = self._matching[shape.text] = frozenset(self._everywhere(shape))
        return found

    def select_in(self, folders: Iterable[str], globs: GlobSet) -> dict[str, tuple[str, ...]]:
        """For each folder, the paths under it whose path relative to it matches `globs`."""
        selected: dict[str, tuple[str, ...]] = {}
        for folder in folders:
            prefix = folder.rstrip("/") + "/"
            cut = len(prefix)
            found: set[str] = set()
            for shape in globs.include:
                if shape.form == "literal":  # a literal path: one lookup
                    if prefix + shape.text in self._set:
                        found.add(prefix + shape.text)
                    continue
                matches = shape.matches
                found.update(p for p in self._under(prefix + shape.prefix) if matches(p[cut:]))
            if found and globs.exclude:
                found = {p for p in found if not globs.excluded(p[cut:])}
            selected[folder] = tuple(sorted(found))
        return selected


def matching(paths: Iterable[str], globs: Sequence[str]) -> set[str]:
    """The subset of `paths` that match any of `globs` (no index needed)."""
    compiled = GlobSet.compile(globs)
    return {p for p in paths if compiled.matches_any_path(p)}
