"""Loaded packs kept between runs, so that a run whose packs did not change skips
building them (params, schema validation, regexes, JMESPath), which costs a
small repository's run more than evaluating it. Each pack file read with
positions is kept too (by its name and text), since finding the `extends`
chain, which the key needs, reads every file of it.

An entry is keyed by everything a build reads: the digest of the `extends`
chain's files (engine/packs/digest.py: each file's place in the chain, where it
was found and its text), the params and where they were set, whether built-in
packs are validated, and the engine's code version (engine/code_version.py),
so no engine trusts another's entries. A pack that reads a file beside itself
(a manifest `schema:`) is not kept: that file is not part of the key.

Entries are pickles of the built pack and the warnings its build gave, in the
user cache folder (`loaded-packs/`), which only the user can write, as with
any cache of theirs (engine/entry_folder.py: written whole, a corrupt entry is
a miss); the folder keeps at most MAX_ENTRIES entries, the least recently
written going first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import entry_folder
from engine.entry_folder import load as load  # the same reader, for this cache
from engine.errors import Location, Problem
from engine.model.packs import Pack, walk
from engine.packs.digest import files_digest

#: The cache folder's kind (engine/folders.py).
KIND = "loaded-packs"
#: Entries kept; past it, the least recently written are removed.
MAX_ENTRIES = 128


@dataclass(frozen=True)
class CachedPack:
    """A built pack and the problems (warnings) its build added."""

    pack: Pack
    problems: tuple[Problem, ...]


def cache_key(
    files: Sequence[tuple[str, str]],
    params: Mapping[str, Any],
    param_sites: Mapping[str, Location],
    validate_builtin: bool,
    version: str,
) -> str:
    """The key of a build: `files` are (where the file was found, its text), bases first."""
    digest = files_digest(
        (f"{place}\0{where}", text.encode("utf-8", "surrogateescape"))
        for place, (where, text) in enumerate(files)
    )
    inputs = repr(
        (version, digest, sorted(params.items()), sorted(param_sites.items()), validate_builtin)
    )
    return hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()


def file_key(display: str, text: str, version: str) -> str:
    """The key of one pack file read with positions: its name in messages and its text."""
    inputs = f"{version}\0{display}\0{text}".encode("utf-8", "surrogateescape")
    return "file-" + hashlib.sha256(inputs).hexdigest()


def keepable(pack: Pack) -> bool:
    """Whether the build read nothing but the chain's files (no manifest `schema:`)."""
    return not any(
        getattr(check, "schema", None) is not None
        for rule in pack.rules
        for check in walk(rule.check)
    )


def store(folder: Path, key: str, entry: object) -> None:
    """Keep `entry` under `key`; a folder that cannot be written keeps nothing."""
    entry_folder.store(folder, key, entry, MAX_ENTRIES)
