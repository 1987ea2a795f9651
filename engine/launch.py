"""The `policy` program's entry point.

`policy --version` is answered before the command line is loaded: click, rich
and the engine take several times Python's own start-up to import, and a
version probe (editors, CI scripts, the pre-commit framework) needs none of
them. Anything else goes to cli.main, with the dataclass methods of the
engine compiled once and kept between runs (engine/dataclass_code.py).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run `policy` with the process's arguments."""
    if sys.argv[1:] == ["--version"]:
        from engine import __version__

        sys.stdout.write(f"rulepack, version {__version__}\n")
        return
    from engine import dataclass_code
    from engine.folders import cache_dir

    folder = cache_dir(dataclass_code.KIND)
    table = dataclass_code.load(folder)
    dataclass_code.install(table)
    from cli import main as cli_main

    try:
        cli_main()
    finally:  # click ends by SystemExit: the table is saved whatever the outcome
        dataclass_code.save(table, folder)
