"""`policy waive RULE --reason ... --owner ... --days N`: add a waiver to the repo config.

The entry is appended as text (engine/config_append.py), so the config keeps
its comments and layout, and nobody writes a date by hand: it expires N days
from today. It goes where the config keeps its waivers: the `waivers_file` it
names, else its own `waivers` list; a missing config is created. The rule must
belong to a pack the config evaluates, and the expiry stay within
`max_waiver_days`; the file is written only when reading it back gives the
same config plus this waiver.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.config import CONFIG_NAME, parse_config
from engine.errors import InputError, Problem, did_you_mean
from engine.model.waivers import Waiver
from engine.printable import echo, printable
from engine.snapshots import open_snapshot
from engine.texts import BadText, read_input
from engine.workspace import open_workspace


@dataclass(frozen=True)
class WaiveRequest:
    rule: str
    reason: str
    owner: str
    days: int
    paths: tuple[str, ...] = ()
    ticket: str | None = None
    path: Path = Path(".")  # the repository
    config: Path | None = None  # the config to add to; default PATH/.rulepack.yaml
    today: date | None = None


def _option_problems(request: WaiveRequest) -> list[str]:
    from engine.globs import glob_problem

    problems = [
        f"--{name} may not be blank"
        for name, value in (("reason", request.reason), ("owner", request.owner))
        if not value.strip()
    ]
    if request.ticket is not None and not request.ticket.strip():
        problems.append("--ticket may not be blank")
    problems += [f"--path {p}: {why}" for p in request.paths if (why := glob_problem(p))]
    return problems


def _entry(request: WaiveRequest, expires: date) -> dict[str, Any]:
    entry: dict[str, Any] = {"rule": request.rule}
    if request.paths:
        entry["paths"] = list(request.paths)
    entry.update(reason=request.reason.strip(), owner=request.owner.strip())
    entry["expires"] = expires.isoformat()
    if request.ticket:
        entry["ticket"] = request.ticket.strip()
    return entry


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return read_input(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except BadText as exc:
        raise InputError(f"{path}: {exc.message}") from None


def _holds(waivers: list[Waiver], entry: dict[str, Any]) -> bool:
    """Whether `waivers` (read back from the updated file) hold `entry`."""
    keys = ("rule", "paths", "reason", "owner", "expires", "ticket")
    wanted = {key: entry.get(key, [] if key == "paths" else None) for key in keys}
    return any(
        {
            "rule": w.rule,
            "paths": list(w.paths),
            "reason": w.reason,
            "owner": w.owner,
            "expires": w.expires.isoformat(),
            "ticket": w.ticket,
        }
        == wanted
        for w in waivers
    )


def run(request: WaiveRequest) -> int:
    """Append the waiver; 0 when it is written."""
    from engine.config_append import append_waiver
    from engine.waivers import read_waivers_file

    problems = _option_problems(request)
    if problems:
        raise InputError([Problem(p) for p in problems])
    snapshot = open_snapshot(request.path)
    try:
        workspace = open_workspace(snapshot, config_file=request.config)
    finally:
        snapshot.close()
    config = workspace.config
    known = sorted({rule.id for pack in workspace.packs for rule in pack.rules})
    if request.rule not in known:
        hint = did_you_mean(request.rule, known)
        packs = ", ".join(pack.name for pack in workspace.packs)
        raise InputError(
            f"unknown rule {request.rule!r}: the config's packs ({packs}) lack it{hint}"
        )
    if request.days > config.max_waiver_days:
        raise InputError(
            f"--days {request.days}: a waiver may not expire later than max_waiver_days "
            f"({config.max_waiver_days}) from today"
        )
    expires = (request.today or date.today()) + timedelta(days=request.days)
    entry = _entry(request, expires)
    config_path = request.config or request.path / CONFIG_NAME
    in_file = config.waivers_file is not None
    target = (
        request.path / posixpath.normpath(config.waivers_file[0])
        if config.waivers_file
        else config_path
    )
    text = _read(target)
    updated = append_waiver(text, entry, top_level_list=in_file)
    written = (
        read_waivers_file(updated, str(target))
        if in_file
        else list(parse_config(updated, str(target)).waivers)
    )
    if not _holds(written, entry):  # never write a file that says something else
        raise InputError(f"cannot add the waiver to {target} as text; add it by hand")
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            out.write(updated)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    echo(
        f"policy: waived {printable(request.rule, newlines=False)} until {expires.isoformat()} "
        f"in {printable(str(target), newlines=False)}"
    )
    return 0
