"""What every command that evaluates packs needs: a snapshot, its config, the packs.

`open_workspace` is the one place that decides which packs run and with
which params: `--pack` over the config's `packs` over `production`, and
`--param` over the config's `params` over the packs' defaults.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine import versions
from engine.config import PackRequest, RepoConfig, apply_config, load_repo_config
from engine.errors import InputError, Problem
from engine.model.packs import Pack
from engine.packs.finder import PACK_FILE, PackFile, PackFinder, SnapshotFolder, is_file_spec
from engine.packs.load import PackLoader
from engine.packs.remote import RemotePacks, RemoteRequest
from engine.snapshots.base import Snapshot

DEFAULT_PACK = "production"


@dataclass
class Workspace:
    """What a run evaluates: the snapshot, its config and the packs loaded for it."""

    snapshot: Snapshot
    config: RepoConfig
    packs: list[Pack]
    warnings: list[Problem] = field(default_factory=list)
    # The config and pack files read from disk, each with what it is (`-o` may name none).
    inputs: tuple[tuple[Path, str], ...] = ()


def parse_params(items: Sequence[str]) -> dict[str, Any]:
    """`--param key=value` options into typed values (YAML 1.2 scalars)."""
    params: dict[str, Any] = {}
    if not items:
        return params
    from engine.yaml12 import parse_scalar  # only with --param

    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {item!r}: expected KEY=VALUE")
        params[key.strip()] = parse_scalar(value)
    return params


def load_packs(
    snapshot: Snapshot | None,
    config: RepoConfig,
    pack_specs: Sequence[str],
    cli_params: Mapping[str, Any],
    *,
    validate_builtin: bool = False,
    trust_repo: bool = False,
    remote: RemotePacks | None = None,
) -> tuple[list[Pack], list[Problem], tuple[Path, ...]]:
    """Load the packs a run asked for; returns them with the loader's warnings and
    the pack files it read from disk.

    Unless `trust_repo`, a pack name resolves to the repository's own pack files
    only when no other pack has that name (engine/packs/finder.py). `remote`
    resolves `git:` packs (by default from the network, without a lock)."""
    finder = PackFinder.standard(snapshot, config.pack_path, trust_repo=trust_repo)
    params = {**config.params, **cli_params}
    sites = {name: at for name, at in config.param_locations.items() if name not in cli_params}
    remote = remote or RemotePacks()
    loader = PackLoader(
        finder, params, validate_builtin=validate_builtin, param_sites=sites, remote=remote
    )
    requests = [PackRequest(spec) for spec in pack_specs] or list(config.packs)
    if not requests:
        requests = [PackRequest(DEFAULT_PACK)]
    packs = []
    for request in requests:
        try:
            packs.append(_load_request(loader, snapshot, request, from_config=not pack_specs))
        except InputError as exc:
            if request.location is None:
                raise
            # a config entry that names a bad pack: say which entry
            raise InputError(
                replace(p, location=p.location or request.location) for p in exc.problems
            ) from None
    declared = {name for pack in packs for name in pack.params}
    unknown = [name for name in cli_params if name not in declared]
    problems = [
        Problem(
            f"--param {name}: no evaluated pack declares this parameter"
            f" (declared: {', '.join(sorted(declared)) or 'none'})"
        )
        for name in unknown
    ]
    problems += [
        Problem(
            f"unknown parameter {name!r}: no evaluated pack declares it"
            f" (declared: {', '.join(sorted(declared)) or 'none'})",
            config.param_locations.get(name),
        )
        for name in config.params
        if name not in declared
    ]
    if remote.locked and not pack_specs and remote.unused():  # `--pack` leaves pins unused
        problems += [
            Problem(
                f"--locked: {remote.lock.file if remote.lock else ''} is stale: it pins "
                f"{entry.url} {entry.tag} ({entry.pack}), which no pack uses any more: "
                "run `policy lock`"
            )
            for entry in remote.unused()
        ]
    if problems:
        raise InputError(problems)
    warnings = [*loader.warnings, *remote.warnings]
    return apply_config(packs, config), warnings, loader.files_on_disk


def _load_request(
    loader: PackLoader, snapshot: Snapshot | None, request: PackRequest, *, from_config: bool
) -> Pack:
    if request.version is not None:
        problem = versions.range_problem(request.version)
        if problem:
            raise InputError(problem)
    if request.git is not None:
        remote = RemoteRequest(request.spec, request.git, request.path, request.version or "*")
        return loader.load_remote(remote)
    if from_config and snapshot is not None and is_file_spec(request.spec):
        spec = posixpath.normpath(request.spec)
        if f"{spec}/{PACK_FILE}" in snapshot.files():  # a pack folder
            spec = f"{spec}/{PACK_FILE}"
        folder, name = posixpath.split(spec)
        pack_file = PackFile(SnapshotFolder(snapshot, folder), name)
        return loader.load_file(pack_file, request.version)
    return loader.load(request.spec, request.version)


def open_workspace(
    snapshot: Snapshot,
    pack_specs: Sequence[str] = (),
    params: Sequence[str] = (),
    config_file: Path | None = None,
    *,
    trust_repo: bool = False,
    locked: bool = False,
    fetch: bool = True,
) -> Workspace:
    """Read the config from the snapshot (or `config_file`) and load the packs; remote
    packs by the lock beside the config (`locked`: only by it; `fetch`: the working
    tree's may be fetched)."""
    config = load_repo_config(snapshot, config_file)
    remote = RemotePacks.for_snapshot(snapshot, config_file, locked=locked, fetch=fetch)
    packs, warnings, pack_files = load_packs(
        snapshot, config, pack_specs, parse_params(params), trust_repo=trust_repo, remote=remote
    )
    found = snapshot.disk_path(config.file) if config_file is None and config.file else None
    config_read = config_file or (Path(found) if found is not None else None)
    inputs = [(path, "a pack file this run reads") for path in pack_files]
    if config_read is not None:
        inputs.insert(0, (config_read, "the config this run reads"))
    return Workspace(snapshot, config, packs, warnings, tuple(inputs))
