"""`policy lock`: pin the config's remote packs (and their remote `extends`) in rulepack.lock.

Plain `lock` keeps every pinned version that still satisfies its range and
resolves only what is new or no longer allowed; `--upgrade` resolves every
remote pack again, to the newest tag its range allows. Either way every
pinned pack ends up in the cache, its digest checked, so that `policy eval`
and the pre-commit hook need no network afterwards.
"""

from __future__ import annotations

from pathlib import Path

from engine.config import load_repo_config
from engine.errors import InputError
from engine.packs.lock import LOCK_NAME, LockEntry, lock_text
from engine.packs.remote import RemotePacks
from engine.printable import echo, printable
from engine.snapshots import open_snapshot
from engine.workspace import load_packs


def run(path: Path, config_file: Path | None, upgrade: bool) -> int:
    """Resolve, fetch and write the lock beside the config; print what is pinned."""
    snapshot = open_snapshot(path)
    try:
        config = load_repo_config(snapshot, config_file)
        remote = RemotePacks.for_snapshot(snapshot, config_file, upgrade=upgrade, quiet=True)
        _, warnings, _ = load_packs(snapshot, config, (), {}, remote=remote)
    finally:
        snapshot.close()
    for warning in warnings:
        echo(f"policy: {printable(str(warning), newlines=False)}", err=True)
    target = (config_file.parent if config_file is not None else path) / LOCK_NAME
    entries = sorted(remote.used.values(), key=lambda e: (e.url, e.path, e.tag))
    if not entries and remote.lock is None:
        echo("no remote (git:) packs in the config: nothing to lock")
        return 0
    text = lock_text(entries)
    before = remote.lock.entries if remote.lock is not None else ()
    for entry in entries:
        echo(printable(pinned_line(entry, before), newlines=False))
    for entry in before:
        if all((e.url, e.path, e.tag) != (entry.url, entry.path, entry.tag) for e in entries):
            echo(printable(f"dropped {entry.pack} {entry.version} ({entry.url})", newlines=False))
    try:
        target.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    echo(f"wrote {target}")
    return 0


def pinned_line(entry: LockEntry, before: tuple[LockEntry, ...]) -> str:
    """`locked NAME VERSION (TAG COMMIT) from URL [PATH]`, saying what it replaced."""
    folder = f" {entry.path}" if entry.path else ""
    line = f"locked {entry.pack} {entry.version} ({entry.tag} {entry.commit[:12]}) from {entry.url}"
    earlier = [e for e in before if (e.url, e.path) == (entry.url, entry.path) and e != entry]
    same = any((e.url, e.path, e.tag) == (entry.url, entry.path, entry.tag) for e in before)
    note = "" if same or not earlier else f" (was {', '.join(e.version for e in earlier)})"
    return line + folder + note
