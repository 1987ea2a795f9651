"""`policy packs`: the packs available by name, in search order."""

from __future__ import annotations

import json
from pathlib import Path

from engine.config import load_repo_config
from engine.errors import InputError
from engine.packs.finder import PackFinder
from engine.packs.load import PackLoader
from engine.printable import echo
from engine.snapshots import open_snapshot


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
