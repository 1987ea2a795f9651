"""The `policy` program's entry point.

`policy --version` is answered before the command line is loaded: click, rich
and the engine take several times Python's own start-up to import, and a
version probe (editors, CI scripts, the pre-commit framework) needs none of
them. Anything else goes to cli.main.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run `policy` with the process's arguments."""
    if sys.argv[1:] == ["--version"]:
        from engine import __version__

        sys.stdout.write(f"rulepack, version {__version__}\n")
        return
    from cli import main as cli_main

    cli_main()
