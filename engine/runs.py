"""One run of the packs over a snapshot: what was asked (EvalRequest), the workspace it
loads (packs and config, warnings said), and the evaluation with waivers applied.

`policy eval` is its main user; `policy diff`, `policy history` (engine/commits.py,
one commit at a time) and `policy fleet` (one repository per task) judge snapshots
the same way through this module, so that a verdict never depends on the command
that asked for it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from engine.context import EvaluationOptions
from engine.errors import InputError
from engine.evaluator import Progress, Selection, evaluate
from engine.model.results import Report, Status
from engine.model.severity import FailOn
from engine.printable import echo, printable
from engine.reporters import DEFAULT_MAX_ANNOTATIONS, DEFAULT_MAX_CHARS
from engine.snapshots.base import Snapshot
from engine.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from engine.parse_cache import ParseCache


@dataclass(frozen=True)
class EvalRequest:
    """What `policy eval` was asked: the repository, snapshot, packs and options."""

    path: Path = Path(".")
    packs: tuple[str, ...] = ()
    ref: str | None = None
    staged: bool = False
    format: str | None = None  # eval: one format or several, separated by commas
    output: Path | None = None  # -o FILE (with several formats: the name each suffix extends)
    format_outputs: tuple[tuple[str, Path], ...] = ()  # -o FORMAT=FILE (eval)
    fail_on: FailOn | None = None
    show: frozenset[Status] | None = None  # the statuses the table lists (--show, -v)
    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    no_commands: bool = False
    jobs: int = 1
    trust_repo: bool = False  # the repository's own packs and choices of programs run
    results: tuple[Path, ...] = ()  # test reports (or folders of them) outside the snapshot
    config: Path | None = None
    max_chars: int = DEFAULT_MAX_CHARS  # markdown and the job summary: characters at most
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS  # github: annotations per severity
    baseline: Path | None = None  # a JSON report: only findings it lacks fail the run
    new_since: str | None = None  # a ref evaluated the same way, used as the baseline
    strict_waivers: bool = False  # unused and expired waivers fail the run
    today: date | None = None  # the day waivers are judged on; None: the local date

    @property
    def day(self) -> date:
        """The day waivers are judged on."""
        return self.today or date.today()

    min_level: str | None = None  # a level every pack that declares it must reach
    locked: bool = False  # remote packs only as the lock pins them
    # `--store [URL]`: record the run in the results store ("": RULEPACK_STORE, else the
    # default); None: do not record it
    store: str | None = None


def run_settings(request: EvalRequest) -> str:
    """What besides the commit and the packs decides a run's results, as the store keeps it:
    commands on or off, and the params and selection of the command line."""
    from engine.store.records import settings_of

    selection = (("category", request.categories), ("rule", request.rules), ("tag", request.tags))
    return settings_of(request.no_commands, request.params, selection)


def load_workspace(snapshot: Snapshot, request: EvalRequest) -> tuple[Workspace, FailOn]:
    """The packs and config for `snapshot` (warnings go to stderr), and the --fail-on level."""
    workspace = open_workspace(
        snapshot,
        request.packs,
        request.params,
        request.config,
        trust_repo=request.trust_repo,
        locked=request.locked,
    )
    for warning in workspace.warnings:
        echo(f"policy: {printable(str(warning), newlines=False)}", err=True)
    from engine.waivers import waiver_problems

    config = workspace.config
    rule_ids = (rule.id for pack in workspace.packs for rule in pack.rules)
    problems = waiver_problems(config.waivers, rule_ids, request.day, config.max_waiver_days)
    if problems:
        raise InputError(problems)
    return workspace, request.fail_on or config.fail_on or "error"


def evaluate_workspace(
    workspace: Workspace,
    snapshot: Snapshot,
    request: EvalRequest,
    fail_on: FailOn = "error",
    progress: Progress | None = None,
    format_name: str = "",
    parse_cache: ParseCache | None = None,
) -> Report:
    """Evaluate the workspace's packs and config over `snapshot` with the request's options.

    `parse_cache` is a cache the caller keeps open over several evaluations (`policy
    history`'s commits); without it the user's persistent cache is opened for this one.
    Static rules' outcomes are read from, and kept in, the user's verdict cache
    (engine/verdicts.py) unless the environment turns it off.

    Another snapshot than the workspace's own (the base of `--new-since` and
    of `policy diff`) is judged by the same rules, so that differences come
    from the files, not from changed packs or config. The table format
    announces the programs about to run on stderr (other formats are read
    by programs, and stdout holds the report).
    """
    from engine.levels import required_levels

    min_level = required_levels(workspace.packs, workspace.config, request.min_level)
    from engine.parse_cache import closing_cache
    from engine.parse_cache_disk import open_parse_cache
    from engine.verdicts import verdict_folder

    # Earlier runs' parses; one evaluation has no other to keep parts of files for.
    owned = None
    if parse_cache is None:
        owned = open_parse_cache(keeps_parts=False, place=snapshot.info.root)
        parse_cache = owned
    with no_cycle_collection(), closing_cache(owned):
        report = evaluate(
            workspace.packs,
            snapshot,
            selection=Selection(request.categories, request.rules, request.tags),
            options=EvaluationOptions(
                no_commands=request.no_commands,
                jobs=request.jobs,
                trust_repo=request.trust_repo,
                results=request.results,
                parse_cache=parse_cache,
                verdicts=verdict_folder(os.environ),
            ),
            exclude=workspace.config.exclude,
            progress=progress,
            announce=_announcer(snapshot) if format_name == "table" else None,
            fail_on=fail_on,
            min_level=min_level,
        )
    from engine.waivers import apply_waivers

    in_snapshot = request.config is None and workspace.config.file is not None
    if in_snapshot:
        report = replace(report, config_file=workspace.config.file)
    waivers = workspace.config.waivers
    return apply_waivers(report, waivers, request.day, strict=request.strict_waivers)


def shared_parse_cache() -> ParseCache:
    """One parse cache for several evaluations in one command (a history's commits, a
    snapshot and the one it is compared with): a blob they share is parsed once. The
    user's persistent cache, or one in memory when that is turned off."""
    from engine.parse_cache import MemoryParseCache
    from engine.parse_cache_disk import open_parse_cache

    return open_parse_cache() or MemoryParseCache()


def _announcer(snapshot: Snapshot) -> Callable[[int], None]:
    """Says on stderr how many programs are about to run in `snapshot`, and where."""

    def announce(programs: int) -> None:
        from engine.reporters.table import announcement

        echo(
            f"policy: {printable(announcement(programs, snapshot.info), newlines=False)}", err=True
        )

    return announce


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a run builds millions of parsed objects (and
    `policy eval`, from the listing of its snapshot on: a listing of 100,000 files
    builds as many entries, which the collector would scan several times).

    Parsed manifests hold no reference cycles, and the collector would scan
    them again and again as they grow: about a quarter of the run time on a
    100,000-file repository. What the run leaves is frozen (never scanned by
    the collector, still freed when no longer used), or the first collection
    after it, or the one at exit, would scan it all: a tenth of a warm run.
    Garbage cycles among what is frozen are never collected; runs make almost
    none (a 50-commit history, which runs this once per commit, peaks at the
    same memory as before).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
