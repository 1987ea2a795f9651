"""`rulepack.lock`: the exact remote packs a repository's config resolves to.

One entry per pack folder and tag: the URL and folder asked for, the tag
chosen, the commit it named and the digest of the pack folder's files. It
sits beside the config (`.rulepack.yaml` at the snapshot root, or beside
`--config FILE`) and is read from the same place, so `--ref` and `--staged`
are judged by the lock they hold. schemas/lock.schema.json describes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine import versions
from engine.errors import InputError, Location, Problem
from engine.snapshots.base import Snapshot
from engine.texts import MAX_INPUT_BYTES, BadText, input_text, read_input

LOCK_NAME = "rulepack.lock"
LOCK_VERSION = 1

_HEADER = """\
# rulepack.lock: the remote packs of this repository's config, pinned.
# Written by `policy lock` (`policy lock --upgrade` moves to the newest versions
# the config allows). Commit it; do not edit it by hand.
"""


@dataclass(frozen=True)
class LockEntry:
    """One remote pack folder at one tag."""

    pack: str  # the pack's name, for people reading the file
    url: str
    path: str  # the folder holding pack.yaml, "" for the repository's top
    tag: str
    commit: str
    sha256: str  # engine/packs/digest.py's digest of the folder's files

    @property
    def version(self) -> str:
        """The version the tag names (`v2.1.0` -> 2.1.0)."""
        return self.tag.removeprefix("v")


@dataclass(frozen=True)
class Lock:
    """A lock file as read: where it is, and its entries."""

    file: str
    entries: tuple[LockEntry, ...] = ()

    def find(self, url: str, path: str, version_range: str) -> LockEntry | None:
        """The entry of the highest locked tag of `url` `path` inside the range, if any."""
        found = [
            (parsed, entry)
            for entry in self.entries
            if entry.url == url
            and entry.path == path
            and (parsed := versions.coerce(entry.tag)) is not None
            and versions.satisfies(parsed, version_range)
        ]
        return max(found, key=lambda pair: pair[0])[1] if found else None


def parse_lock(text: str, file: str) -> Lock:
    """A lock file's entries; InputError, located, when it is not a valid lock."""
    from engine.yaml_located import load_input  # only when there is a lock file

    located, problems = load_input(text, file)
    if located.data is None:
        raise InputError(Problem("an empty lock file: run `policy lock`", Location(file, 1, 1)))
    from engine.schemas import schema_problems

    problems += [problem for _, problem in schema_problems(located, "lock")]
    if problems:
        raise InputError(problems)
    entries: list[LockEntry] = []
    for i, item in enumerate(located.data["packs"]):
        entry = LockEntry(**{key: str(item[key]) for key in LockEntry.__dataclass_fields__})
        if any((e.url, e.path, e.tag) == (entry.url, entry.path, entry.tag) for e in entries):
            where = Location(file, *(located.position(("packs", i)) or ()))
            problems.append(Problem(f"{entry.url} {entry.tag} is locked twice", where))
        entries.append(entry)
    if problems:
        raise InputError(problems)
    return Lock(file, tuple(entries))


def read_lock(snapshot: Snapshot, config_file: Path | None) -> Lock | None:
    """The lock beside the config: in the snapshot, or beside `--config FILE` on disk;
    None when there is none."""
    try:
        if config_file is not None:
            path = config_file.parent / LOCK_NAME
            if not path.is_file():
                return None
            return parse_lock(read_input(path), str(path))
        if LOCK_NAME not in snapshot.files():
            return None
        return parse_lock(input_text(snapshot.read_capped(LOCK_NAME, MAX_INPUT_BYTES)), LOCK_NAME)
    except BadText as exc:
        shown = str(config_file.parent / LOCK_NAME) if config_file else LOCK_NAME
        where = Location(shown, exc.line, exc.column)
        raise InputError(Problem(f"not a lock file: {exc.message}", where)) from None
    except OSError as exc:
        raise InputError(f"cannot read {LOCK_NAME}: {exc.strerror or exc}") from None


def lock_text(entries: list[LockEntry]) -> str:
    """The lock file holding `entries`, sorted, so that the same packs give the same bytes."""
    lines = [_HEADER, f"lockVersion: {LOCK_VERSION}\n", "packs:\n" if entries else "packs: []\n"]
    for entry in sorted(entries, key=lambda e: (e.url, e.path, e.tag)):
        for i, key in enumerate(LockEntry.__dataclass_fields__):
            value = _quoted(getattr(entry, key))
            lines.append(f"{'  - ' if i == 0 else '    '}{key}: {value}\n")
    return "".join(lines)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar on one line, escaped as PyYAML escapes it."""
    import yaml

    dumped: str = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=2**31)
    return dumped.rstrip("\n")
