"""`policy packs`: the packs available by name, in search order, then the config's
remote packs with the version the lock pins and where they come from."""

from __future__ import annotations

import json
from pathlib import Path

from engine.config import RepoConfig, load_repo_config
from engine.errors import InputError
from engine.packs.finder import PackFinder
from engine.packs.load import PackLoader
from engine.printable import echo
from engine.snapshots import open_snapshot
from engine.snapshots.base import Snapshot


def run(path: Path, format_name: str, trust_repo: bool = False) -> int:
    snapshot = open_snapshot(path)
    config = load_repo_config(snapshot)
    finder = PackFinder.standard(snapshot, config.pack_path, trust_repo=trust_repo)
    rows = []
    seen: set[str] = set()
    for pack_file in finder.all_files():
        loader = PackLoader(finder)
        try:
            pack = loader.load_file(pack_file)
            row = {
                "name": pack.name,
                "version": pack.version,
                "source": pack.source,
                "rules": len(pack.rules),
                "path": pack.path,
                "problem": None,
            }
        except InputError as exc:
            row = {
                "name": pack_file.name,
                "version": "?",
                "source": pack_file.source,
                "rules": 0,
                "path": pack_file.display,
                "problem": str(exc.problems[0]),
            }
        row["shadowed"] = row["name"] in seen
        seen.add(str(row["name"]))
        rows.append(row)
    rows += remote_rows(snapshot, config)
    if format_name == "json":
        echo(json.dumps(rows, indent=2))
        return 0
    width = max((len(str(r["name"])) for r in rows), default=4)
    echo(f"{'NAME':<{width}}  {'VERSION':<9}  {'SOURCE':<8}  {'RULES':>5}  PATH")
    for row in rows:
        note = "  (shadowed by an earlier pack of the same name)" if row["shadowed"] else ""
        if row["problem"]:
            note += f"  (invalid: {row['problem']})"
        echo(
            f"{row['name']!s:<{width}}  {row['version']!s:<9}  {row['source']!s:<8}  "
            f"{row['rules']!s:>5}  {row['path']}{note}"
        )
    return 0


def remote_rows(snapshot: Snapshot, config: RepoConfig) -> list[dict[str, object]]:
    """A row for each remote pack the lock pins, and for each `git:` pack of the config it
    does not pin (version `unlocked`); read from the cache, never from the network."""
    from engine.packs.lock import read_lock
    from engine.packs.remote import ANY_VERSION, RemotePacks, RemoteRequest

    lock = read_lock(snapshot, None)
    entries = list(lock.entries) if lock is not None else []
    rows: list[dict[str, object]] = []
    for entry in entries:
        remote = RemotePacks(lock, network=False)
        pinned = RemoteRequest(entry.pack, entry.url, entry.path, entry.version)
        row: dict[str, object] = {
            "name": entry.pack,
            "version": entry.version,
            "source": "git",
            "rules": 0,
            "path": f"{entry.url}@{entry.tag}/{entry.path}".rstrip("/"),
            "problem": None,
            "shadowed": False,
            "url": entry.url,
            "tag": entry.tag,
            "commit": entry.commit,
        }
        try:
            row["rules"] = len(PackLoader(PackFinder([]), remote=remote).load_remote(pinned).rules)
        except InputError as exc:
            row["problem"] = str(exc.problems[0])
        rows.append(row)
    for request in config.packs:
        if request.git is None:
            continue
        version = request.version or ANY_VERSION
        if lock is not None and lock.find(request.git, request.path, version) is not None:
            continue
        rows.append(
            {
                "name": request.spec,
                "version": "unlocked",
                "source": "git",
                "rules": 0,
                "path": f"{request.git} {request.path}".rstrip(),
                "problem": "not pinned by rulepack.lock: run `policy lock`",
                "shadowed": False,
                "url": request.git,
                "tag": None,
                "commit": None,
            }
        )
    return rows
