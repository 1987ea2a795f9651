"""`policy validate FILE...`: every schema and semantic problem of each pack file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.errors import InputError, Problem
from engine.packs.finder import PackFinder, pack_file_from_disk
from engine.packs.load import PackLoader
from engine.printable import echo, printable


def problems_of(path: Path) -> list[Problem]:
    """Errors and warnings of one pack file (and the packs it extends)."""
    loader = PackLoader(PackFinder.standard(None), validate_builtin=True)
    try:
        loader.load_file(pack_file_from_disk(str(path)))
    except InputError as exc:
        return [*exc.problems, *loader.warnings]
    return loader.warnings


def run(files: Sequence[Path]) -> int:
    """Print one line per problem; exit 2 when any file has an error."""
    errors = warnings = 0
    for path in files:
        problems = problems_of(path)
        for problem in problems:
            echo(printable(str(problem), newlines=False), err=problem.level == "error")
        errors += sum(p.level == "error" for p in problems)
        warnings += sum(p.level == "warning" for p in problems)
        if not problems:
            echo(f"{path}: ok")
    echo(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)")
    return 2 if errors else 0
