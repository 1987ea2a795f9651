"""Parsing in worker processes gives exactly what parsing in one process gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.checks import evaluate_check
from engine.context import EvaluationContext, EvaluationOptions, ParsedFile
from engine.snapshots import open_snapshot
from engine.snapshots.worktree import WorktreeSnapshot

FILES: dict[str, str | bytes | None] = {
    **{
        f"k8s/app{i}.yaml": f"kind: Deployment\nmetadata: {{name: app{i}}}\n---\nkind: Service\n"
        for i in range(12)
    },
    "k8s/anchors.yaml": "base: &b {x: 1}\nuse: *b\nself: &s [1, *b]\n",
    "k8s/broken.yaml": "a: [1\n",
    "k8s/binary.yaml": b"\x00\x01binary",
    "k8s/latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
    "k8s/big.yaml": "x: " + "y" * 300 + "\n",
    "Cargo.toml": '[package]\nname = "a"\n',
}


def parsed_files(
    root: Path, workers: int, ref: str | None = None
) -> dict[tuple[str, str], ParsedFile]:
    options = EvaluationOptions(parse_workers=workers, parallel_minimum=2)
    snapshot = WorktreeSnapshot(root) if ref is None else open_snapshot(root, ref)
    with EvaluationContext(snapshot, evaluate_check, options) as context:
        wanted = [(p, "toml" if p.endswith(".toml") else "yaml") for p in context.index.paths]
        context.prefetch(wanted, max_bytes=200)
        return {item: context.documents(item[0], item[1], 200) for item in wanted}


def comparable(parsed: ParsedFile) -> tuple[object, ...]:
    error = parsed.error
    where = (error.message, error.line, error.column) if error is not None else None
    return (parsed.documents, where, parsed.note, parsed.size)


@pytest.mark.parametrize("ref", [None, "HEAD"], ids=["worktree", "ref"])
def test_workers_parse_like_this_process(make_repo: Callable[..., Path], ref: str | None) -> None:
    root = make_repo(FILES)
    alone = parsed_files(root, workers=0)
    shared = parsed_files(root, workers=2, ref=ref)
    assert {k: comparable(v) for k, v in shared.items()} == {
        k: comparable(v) for k, v in alone.items()
    }
    broken = shared[("k8s/broken.yaml", "yaml")].error
    assert broken is not None and broken.line == 2
    assert str(shared[("k8s/binary.yaml", "yaml")].note).endswith("'not read: binary file')")
    big = shared[("k8s/big.yaml", "yaml")].note
    assert big is not None and "over the 200-byte cap" in big.message
    latin1 = shared[("k8s/latin1.yaml", "yaml")]
    assert latin1.documents[0].data == {"name": "caf\ufffd"}
    assert latin1.note is not None and "not valid UTF-8" in latin1.note.message
    assert shared[("k8s/app3.yaml", "yaml")].documents[1].data == {"kind": "Service"}


def test_a_parallel_minimum_that_is_not_a_number(
    policy: Callable[..., Any],
    make_repo: Callable[..., Path],
    check_pack: Callable[..., str],
    write_pack: Callable[..., Path],
) -> None:
    pack = write_pack(check_pack("{file: {exists: [a]}}"))
    done = policy("eval", make_repo({}), "--pack", pack, env={"RULEPACK_PARALLEL_MINIMUM": "many"})
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: RULEPACK_PARALLEL_MINIMUM must be a whole number, not 'many'\n",
    )
