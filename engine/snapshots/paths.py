"""Which paths of a snapshot are safe to read and to write: what git itself refuses.

A repository's tree or index can hold names git never checks out (trees
made with `git mktree` or `git hash-object --literally`, an index written by
hand): `..`, `.`, absolute paths, empty names, and `.git` in any spelling a
case-insensitive or Windows file system takes for `.git`. Written into a
folder, such a path lands outside it or inside a `.git` folder, where git
would then read a configuration the repository chose. `path_problem` refuses
every path git's own `verify_path` refuses with `core.protectNTFS` and
`core.protectHFS` both on (a test checks this against git), and a little
more: `\\` also separates names (as on Windows) and a drive letter
(`C:...`) is an absolute path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

#: Code points HFS+ ignores in names, so `.g\u200cit` is `.git` there (git's list).
_HFS_IGNORED = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)
#: A path with none of these (after a leading `/`) needs no closer look: a name that
#: starts with `.`, `g`, `~` or an ignored code point, an empty name, a drive letter, `\\`.
_SUSPECT = re.compile("/(?:[.gG~\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff/]|[A-Za-z]:|$)|\\\\")
_SEPARATORS = re.compile(r"[/\\]")
#: NTFS: `.git` or its short name `git~1`, then only spaces and periods (dropped by
#: Windows), then the end or an alternate data stream (`.git::$INDEX_ALLOCATION`).
_NTFS_DOTGIT = re.compile(r"(?:\.git|git~1)[. ]*(?::.*)?", re.IGNORECASE | re.ASCII | re.DOTALL)
_NTFS_DOTGITMODULES = re.compile(
    r"(?:\.gitmodules|gitmod~[1-4])[. ]*(?::.*)?", re.IGNORECASE | re.ASCII | re.DOTALL
)
_TAIL = re.compile(r"[. ]*(?::.*)?", re.DOTALL)  # what NTFS drops after a name
_SHORT_NAME_PREFIX = "gi7eba"  # NTFS's fall-back short name of `.gitmodules`


def refused_paths(
    paths: Iterable[str], is_symlink: Callable[[str], bool] = lambda path: False
) -> dict[str, str]:
    """The paths among `paths` that `path_problem` refuses, with its reason.

    For a whole listing at once: most paths are told safe by a few substring
    searches of the whole listing, without a function call each (`_suspects`).
    """
    refused = {}
    for path in _suspects(list(paths)):
        problem = path_problem(path, symlink=is_symlink(path))
        if problem is not None:
            refused[path] = problem
    return refused


#: What `_SUSPECT` looks for, as plain text in a listing of `/`-prefixed paths: a name
#: starting with `.`, `g`, `G` or `~`, an empty name (`//`, a trailing `/`), a `\\`, and
#: every `:` (a superset of drive letters).
_SUSPECT_TEXTS = ("/.", "/g", "/G", "/~", "//", "/\0", "\\", ":")


def _suspects(paths: list[str]) -> list[str]:
    """The paths `_SUSPECT` may match, each once, in order: a superset found by searching
    one joined text with `str.find` (in C), then told apart by `path_problem`. A listing
    with any character beyond ASCII (the code points HFS+ ignores) is tested path by path."""
    if not paths:
        return []
    listing = "/" + "\0/".join(paths) + "\0"
    if not listing.isascii():
        suspect = _SUSPECT.search
        return [p for p in paths if suspect("/" + p)]
    starts = set()
    for text in _SUSPECT_TEXTS:
        at = listing.find(text)
        while at != -1:
            starts.add(listing.rfind("\0", 0, at) + 1)  # where its record (its `/`) starts
            # on from the record's end: the rest of the record is a candidate already
            at = listing.find(text, listing.index("\0", at))
    return [listing[start + 1 : listing.index("\0", start)] for start in sorted(starts)]


def path_problem(path: str, *, symlink: bool = False) -> str | None:
    """Why `path` (POSIX, relative to the snapshot root) must never be read or written;
    None when it is safe. `symlink`: the entry is a symlink (git also refuses a
    symlinked `.gitmodules`)."""
    if not _SUSPECT.search("/" + path):
        return None
    if not path:
        return "an empty path"
    if path[0] in "/\\" or re.match("[A-Za-z]:", path):
        return "an absolute path"
    start = 0
    for name in _SEPARATORS.split(path):
        problem = _name_problem(name, path[start:], symlink)
        if problem is not None:
            return problem
        start += len(name) + 1
    return None


def _name_problem(name: str, rest: str, symlink: bool) -> str | None:
    """Why one name of a path is refused; `rest` is the path from that name on."""
    if not name:
        return "an empty name in the path"
    if name in (".", ".."):
        return f"`{name}` in the path"
    hfs = name.translate(_HFS_IGNORED)
    if _NTFS_DOTGIT.fullmatch(name) or hfs.lower() == ".git":
        return f"`{name}` names git's own folder"
    if symlink and (
        hfs.lower() == ".gitmodules"
        or _NTFS_DOTGITMODULES.fullmatch(rest)
        or _ntfs_short_name(rest)
    ):
        return f"a symlink named `{name}` (git refuses a symlinked .gitmodules)"
    return None


def _ntfs_short_name(rest: str) -> bool:
    """Whether `rest` starts with a fall-back NTFS short name of `.gitmodules`
    (`gi7eba~1`, `gi~12345`: part of the prefix, `~`, digits, eight characters
    in all), as git's `is_ntfs_dot_generic` reads it."""
    if len(rest) < 8:
        return False
    i = 0
    saw_tilde = False
    while i < 8:
        c = rest[i]
        if saw_tilde:
            if not "0" <= c <= "9":
                return False
        elif c == "~":
            i += 1
            if i >= len(rest) or not "1" <= rest[i] <= "9":
                return False
            saw_tilde = True
        elif i >= 6 or c.lower() != _SHORT_NAME_PREFIX[i] or not c.isascii():
            return False
        i += 1
    return _TAIL.fullmatch(rest, i) is not None


def folder_inside(root: Path, relative: str) -> Path | str:
    """The real folder `relative` names under `root` (symlinks resolved), or why it
    cannot be used: missing, or leading through a symlink outside `root` or into
    its `.git`. Where a command runs (`cwd:`)."""
    folder = root / relative
    if not folder.is_dir():
        return "is not a folder of the snapshot"
    real, top = os.path.realpath(folder), os.path.realpath(root)
    if real == top:
        return Path(real)
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return "leads outside the snapshot (through a symlink)"
    problem = path_problem(os.path.relpath(real, top).replace(os.sep, "/"))
    if problem is not None:
        return f"leads to an unsafe path: {problem}"
    return Path(real)
