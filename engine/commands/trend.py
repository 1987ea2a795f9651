"""`policy trend`: what the store holds of a repository, per commit; nothing is evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.commands.eval import check_output, stdout_is_terminal, write_output
from engine.errors import InputError
from engine.reporters import ReportOptions, history_reporter


@dataclass(frozen=True)
class TrendRequest:
    repo: str | None = None  # the repository's name in the store
    pack: str | None = None  # only runs that evaluated this pack
    store: str | None = None
    format: str = "table"
    output: Path | None = None


def run(request: TrendRequest) -> int:
    from engine.history.model import History, latest_per_commit, level_ids_of, points_of
    from engine.store.database import open_store
    from engine.store.urls import shown

    check_output(request.output, [])
    with open_store(request.store) as store:
        where = shown(store.url)
        name = request.repo or _default_repository(store.repositories(), where)
        runs = latest_per_commit(store.runs(repository=name, pack=request.pack))
        if not runs:
            what = f" with pack {request.pack}" if request.pack else ""
            known = ", ".join(store.repositories()) or "none"
            raise InputError(
                f"--repo {name}: the store {where} has no runs of it{what} (repositories: {known})"
            )
    history = History(runs[-1].repository, None, points_of(runs), level_ids_of(runs))
    render = history_reporter(request.format)
    options = ReportOptions(color=request.output is None and stdout_is_terminal())
    write_output(lambda out: render(history, out, options), request.output)
    return 0


def _default_repository(names: list[str], url: str) -> str:
    """Without --repo: the repository of the current folder when the store has it, else the
    store's only repository."""
    from engine.git.repository import locate
    from engine.store.records import repository_of

    found = locate(Path.cwd())
    if found is not None:
        here = repository_of(found.cwd).name
        if here in names:
            return here
    if len(names) == 1:
        return names[0]
    if not names:
        raise InputError(f"the store {url} has no runs yet (policy eval --store records one)")
    raise InputError(
        f"the store {url} holds several repositories ({', '.join(names)}): choose one with --repo"
    )
