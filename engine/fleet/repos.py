"""The repositories of a fleet: a REPOS.yaml list, or every git repository in a folder.

REPOS.yaml (schemas/fleet.schema.json) is a top-level list of entries
`{name, path | url, ref, owner, tags}`. Every problem is an input error
located at its line and column; an entry with neither `path` nor `url` (or
with both) is one at the entry's own line. Paths are relative to the file's
folder. A folder given instead lists every git repository directly inside it
(a working copy, or a bare repository), named by its folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError, Location, Problem
from engine.model.located import LocatedData

#: The ref evaluated when an entry names none.
DEFAULT_REF = "HEAD"


@dataclass(frozen=True)
class FleetEntry:
    """One repository of the fleet, as REPOS.yaml (or the folder) gives it."""

    name: str
    path: str | None  # absolute; None when `url` is given
    url: str | None
    ref: str = DEFAULT_REF
    owner: str | None = None  # None: the CODEOWNERS owner of `/`, found at the ref
    tags: tuple[str, ...] = ()


def read_fleet(source: Path) -> tuple[FleetEntry, ...]:
    """The entries of REPOS.yaml at `source`, or the repositories directly inside the
    folder `source`; InputError (located) when there are none or the file is wrong."""
    if source.is_dir():
        return folder_fleet(source)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file or folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read it: {exc}") from None
    return parse_fleet(text, str(source), source.parent)


def folder_fleet(folder: Path) -> tuple[FleetEntry, ...]:
    """Every git repository directly inside `folder`, by name."""
    found = sorted(
        (child for child in folder.iterdir() if child.is_dir() and _is_repository(child)),
        key=lambda child: child.name,
    )
    if not found:
        raise InputError(f"{folder}: no git repository directly inside this folder")
    return tuple(
        FleetEntry(name=_default_name(child.name), path=str(child.absolute()), url=None)
        for child in found
    )


def _is_repository(folder: Path) -> bool:
    """A working copy (`.git` inside) or a bare repository (HEAD and objects/ inside)."""
    return (folder / ".git").exists() or (
        (folder / "HEAD").is_file() and (folder / "objects").is_dir()
    )


def parse_fleet(text: str, file: str, base: Path) -> tuple[FleetEntry, ...]:
    """Read REPOS.yaml text; relative paths are taken from `base`."""
    from engine.schemas import schema_problems
    from engine.yaml_located import load_input

    located, problems = load_input(text, file)
    if located.data is None or located.data == []:
        raise InputError(Problem("lists no repository", Location(file, 1, 1)))
    source_problems = _source_problems(located)
    for path, problem in schema_problems(located, "fleet"):
        entry_itself = len(path) == 1 and path[0] in source_problems
        if not (entry_itself and not problem.message.startswith("unknown key")):
            problems.append(problem)  # the entry's own `path`/`url` problem is said below
    problems += source_problems.values()
    if problems:
        raise InputError(sorted(problems, key=_place))
    entries = [_entry(item, base) for item in located.data]
    problems = _duplicate_names(entries, located)
    if problems:
        raise InputError(problems)
    return tuple(entries)


def _source_problems(located: LocatedData) -> dict[int, Problem]:
    """Entry index -> the problem of an entry with neither `path` nor `url`, or both."""
    found: dict[int, Problem] = {}
    items = located.data if isinstance(located.data, list) else []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        given = [key for key in ("path", "url") if key in item]
        label = f"repository {item['name']}" if isinstance(item.get("name"), str) else f"entry {i}"
        if not given:
            message = f"{label}: give `path` (a repository on disk) or `url` (one to clone)"
        elif len(given) == 2:
            message = f"{label}: give `path` or `url`, not both"
        else:
            continue
        found[i] = Problem(message, _at(located, (i,)))
    return found


def _entry(item: dict[str, object], base: Path) -> FleetEntry:
    path, url = item.get("path"), item.get("url")
    folder = str((base / Path(path).expanduser()).absolute()) if isinstance(path, str) else None
    where = str(path if path is not None else url)
    name = item.get("name")
    return FleetEntry(
        name=name if isinstance(name, str) else _default_name(where),
        path=folder,
        url=url if isinstance(url, str) else None,
        ref=str(item.get("ref") or DEFAULT_REF),
        owner=str(item["owner"]) if item.get("owner") is not None else None,
        tags=tuple(str(tag) for tag in item.get("tags") or ()),  # type: ignore[attr-defined]
    )


def _default_name(where: str) -> str:
    """The last part of a path or URL (`host:org/name.git` too), without `.git`."""
    last = re.split(r"[/:\\]", where.rstrip("/\\"))[-1]
    return last.removesuffix(".git") or where


def _duplicate_names(entries: list[FleetEntry], located: LocatedData) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, entry in enumerate(entries):
        if entry.name in seen:
            message = f"repository {entry.name}: the name is taken by entry {seen[entry.name]}"
            problems.append(Problem(message + " (give each a unique `name`)", _at(located, (i,))))
        seen.setdefault(entry.name, i)
    return problems


def _at(located: LocatedData, path: tuple[int, ...]) -> Location:
    position = located.position(path)
    return Location(located.file, *(position or ()))


def _place(problem: Problem) -> tuple[int, int]:
    where = problem.location
    return (where.line or 0, where.column or 0) if where is not None else (0, 0)
