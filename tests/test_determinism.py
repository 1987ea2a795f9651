"""The same inputs give byte-identical JSON apart from `duration_ms`.

Each run is a real `policy eval` process with parsing forced onto worker
processes and its own hash seed, so that neither the order in which workers
finish nor the iteration order of sets and dicts can leak into the report;
and a rule reports the same whichever other rules run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_a_rule_says_the_same_whichever_rules_run_before_it(
    evaluate: Callable[..., Any], make_repo: Callable[..., Path], pack_text: Callable[..., str]
) -> None:
    repo = make_repo({"a.md": "x", "b.md": "x"})
    pack = pack_text(
        "- {id: read, title: T, category: general,"
        " check: {file: {paths: [b.md, a.md], contains: x}}}\n"
        "- {id: exists, title: T, category: general, check: {file: {exists: [b.md, a.md]}}}\n"
    )
    after_another = evaluate(repo, pack).result("exists")
    alone = evaluate(repo, pack, "--rule", "exists").result("exists")
    assert after_another["message"] == alone["message"] == "b.md exists"
