"""Parsing in worker processes gives exactly what parsing in one process gives."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.checks import evaluate_check
from engine.context import EvaluationContext, EvaluationOptions, ParsedFile
from engine.formats import MAX_DEPTH
from engine.model.documents import Document
from engine.parse_pool import Broken, NotParsed, Parsed, ParseJob, parse_chunk, received
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
    anchors = shared[("k8s/anchors.yaml", "yaml")].documents[0].data  # parsed by a worker
    assert anchors["use"] is anchors["base"] and anchors["self"][1] is anchors["base"]


def nested_xml(depth: int) -> str:
    return "<a>" * depth + "</a>" * depth


def depth_of(data: Any) -> int:
    """How deep `{"a": {"a": ...}}` goes, without recursion."""
    depth = 0
    while isinstance(data, dict):
        data, depth = data["a"], depth + 1
    return depth


def test_data_nested_past_the_limit_is_the_same_parse_error_in_a_worker(
    make_repo: Callable[..., Path],
) -> None:
    # xmltodict nests without recursion, deeper than marshal (or pickle) could send
    root = make_repo({f"cov/{name}.xml": nested_xml(3000) for name in ("a", "b", "c")})
    options = EvaluationOptions(parse_workers=2, parallel_minimum=2)
    with EvaluationContext(WorktreeSnapshot(root), evaluate_check, options) as context:
        wanted = [(path, "xml") for path in context.index.paths]
        context.prefetch(wanted, max_bytes=1 << 20)
        parsed = [context.documents(path, "xml") for path, _ in wanted]
    assert [(p.error and (p.error.message, p.error.line), p.documents) for p in parsed] == [
        ((f"nested deeper than {MAX_DEPTH} levels", 1), ())
    ] * 3


def test_data_nested_to_the_limit_is_sent_back(make_repo: Callable[..., Path]) -> None:
    root = make_repo({f"cov/{name}.xml": nested_xml(MAX_DEPTH) for name in ("a", "b", "c")})
    options = EvaluationOptions(parse_workers=2, parallel_minimum=2)
    with EvaluationContext(WorktreeSnapshot(root), evaluate_check, options) as context:
        wanted = [(path, "xml") for path in context.index.paths]
        context.prefetch(wanted, max_bytes=1 << 20)
        parsed = [context.documents(path, "xml") for path, _ in wanted]
    assert [(p.error, depth_of(p.documents[0].data)) for p in parsed] == [(None, MAX_DEPTH)] * 3


def sent_back(tmp_path: Path, name: str, content: str | bytes, fmt: str) -> object:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    [blob] = parse_chunk([ParseJob(name, fmt, str(path))], max_bytes=20_000)
    return received(blob)


def test_each_outcome_comes_back_typed(tmp_path: Path) -> None:
    text = "a: &x {k: 1}\nb: *x\n---\nc: [1, 2.5, true, null, 'it && that']\n"
    parsed = sent_back(tmp_path, "a.yaml", text, "yaml")
    assert parsed == Parsed(
        len(text),
        text,
        None,
        (
            Document(1, 1, {"a": {"k": 1}, "b": {"k": 1}}),
            Document(2, 4, {"c": [1, 2.5, True, None, "it && that"]}),
        ),
    )
    assert isinstance(parsed, Parsed)
    assert parsed.documents[0].data["a"] is parsed.documents[0].data["b"]
    assert sent_back(tmp_path, "b.toml", "a = 1\na = 2\n", "toml") == Broken(
        12, "a = 1\na = 2\n", None, "Cannot overwrite a value", 2, 6
    )
    latin1 = sent_back(tmp_path, "c.json", '"caf\xe9"'.encode("latin-1"), "json")
    assert latin1 == Parsed(
        6,
        '"caf\ufffd"',
        "not valid UTF-8 (byte 4); read with replacement characters",
        (Document(1, 1, "caf\ufffd"),),
    )
    assert sent_back(tmp_path, "d.yaml", b"\0binary", "yaml") == NotParsed("binary file")
    assert sent_back(tmp_path, "e.yaml", "x" * 20_001, "yaml") == NotParsed("over the size cap")
    [missing] = parse_chunk([ParseJob("gone.yaml", "yaml", str(tmp_path / "gone"))], 10)
    assert received(missing) == NotParsed("not read: No such file or directory")
    deep = nested_xml(2500)
    assert sent_back(tmp_path, "f.xml", deep, "xml") == Broken(
        len(deep), deep, None, f"nested deeper than {MAX_DEPTH} levels", 1, None
    )


def every_format() -> dict[str, str | bytes | None]:
    """Several files of each format, so that workers and this process each parse some."""
    files: dict[str, str | bytes | None] = {}
    for i in range(4):
        files[f"k8s/app{i}.yaml"] = (
            f"labels: &labels {{app: app{i}, note: 'a && b'}}\n---\n"
            f"kind: Deployment\nmetadata: {{name: app{i}, labels: &l {{app: app{i}}}}}\n"
            f"spec: {{replicas: {i}, template: {{metadata: {{labels: *l}}}}}}\n"
        )
        files[f"pkg/p{i}/package.json"] = json.dumps({"name": f"p{i}", "engines": {"node": i}})
        files[f"crates/c{i}/Cargo.toml"] = (
            f'[package]\nname = "c{i}"\nreleased = 2024-01-0{i + 1}\n'
            f"built = 1979-05-27T07:32:0{i}Z\nlocal = 1979-05-27 07:32:00\n"
            f"offset = 1979-05-27T00:32:00.5-07:00\nat = 07:32:00\n"
        )
        files[f"svc{i}/Dockerfile"] = f"FROM rust:1.8{i} AS build\nFROM debian:12\nUSER u{i}\n"
        files[f"cfg/s{i}.cfg"] = f"[options]\npython_requires = >=3.{8 + i}\n"
        files[f"cov/c{i}.xml"] = f'<coverage line-rate="0.{i}5"><p n="{i}"/></coverage>'
        files[f"docs/d{i}.md"] = f"# Doc {i}\nowner: @team{i % 2}\n"
    files["cov/a-deep.xml"] = nested_xml(MAX_DEPTH)  # sorts first: a worker's share
    files["bad/broken.yaml"] = "a: [1\n"
    files["bad/binary.yaml"] = b"\x00\x01binary"
    files["bad/latin1.yaml"] = "name: caf\xe9\n".encode("latin-1")
    files["bad/big.yaml"] = "name: " + "y" * 300 + "\n"
    files["bad/fine.yaml"] = "name: fine\n"
    return files


EVERY_FORMAT_RULES = {
    "yaml": "{files: 'k8s/*.yaml', where: kind == 'Deployment', assert: 'spec.replicas >= `2`'}",
    "yaml-aliases": (
        "{files: 'k8s/*.yaml',"
        " assert: 'labels.app || spec.template.metadata.labels.app == metadata.name'}"
    ),
    "yaml-bad": "{files: 'bad/*.yaml', max_bytes: 200, on_parse_error: skip, assert: name}",
    "json": "{files: '**/package.json', assert: 'engines.node >= `2`'}",
    "toml": "{files: '**/Cargo.toml', assert: \"package.released >= '2024-01-03'\"}",
    "toml-times": (
        "{files: '**/Cargo.toml', assert: \"package.local == '1979-05-27T07:32:00'"
        " && package.offset == '1979-05-27T00:32:00.500000-07:00' && package.at == '07:32:00'"
        " && package.built < '1979-05-27T07:32:02Z'\"}"
    ),
    "dockerfile": "{files: '**/Dockerfile', assert: \"instructions[-1].value == 'u1'\"}",
    "ini": "{files: 'cfg/*.cfg', assert: \"options.python_requires == '>=3.9'\"}",
    "xml": "{files: 'cov/*.xml', assert: 'to_number(coverage.\"@line-rate\") >= `0.3`'}",
    "text": "{files: 'docs/*.md', format: text, assert: \"contains(content, '@team1')\"}",
}


def without_durations(report: dict[str, Any]) -> dict[str, Any]:
    for result in report["results"]:
        del result["duration_ms"]
    return report


def test_every_format_reports_the_same_in_parallel(
    evaluate: Callable[..., Any], make_repo: Callable[..., Path], pack_text: Callable[..., str]
) -> None:
    repo = make_repo(every_format())
    rules = EVERY_FORMAT_RULES
    pack = pack_text(
        "".join(
            f"- {{id: {name}, title: T, category: general, check: {{manifest: {check}}}}}\n"
            for name, check in rules.items()
        )
    )
    alone = evaluate(repo, pack, env={"RULEPACK_PARALLEL_MINIMUM": "1000000"})
    shared = evaluate(repo, pack, env={"RULEPACK_PARALLEL_MINIMUM": "1"})
    assert shared.exit_code == alone.exit_code == 1
    assert without_durations(shared.report) == without_durations(alone.report)
    failing = {rule: [f["path"] for f in shared.result(rule)["findings"]] for rule in rules}
    assert failing == {
        "yaml": ["k8s/app0.yaml", "k8s/app1.yaml"],
        "yaml-aliases": [],
        "yaml-bad": [],
        "json": ["pkg/p0/package.json", "pkg/p1/package.json"],
        "toml": ["crates/c0/Cargo.toml", "crates/c1/Cargo.toml"],
        "toml-times": ["crates/c2/Cargo.toml", "crates/c3/Cargo.toml"],
        "dockerfile": ["svc0/Dockerfile", "svc2/Dockerfile", "svc3/Dockerfile"],
        "ini": ["cfg/s0.cfg", "cfg/s2.cfg", "cfg/s3.cfg"],
        "xml": ["cov/a-deep.xml", "cov/c0.xml", "cov/c1.xml", "cov/c2.xml"],
        "text": ["docs/d0.md", "docs/d2.md"],
    }
    assert [f["message"] for f in shared.result("toml")["findings"]] == [
        'package.released is "2024-01-01", expected >= "2024-01-03"',
        'package.released is "2024-01-02", expected >= "2024-01-03"',
    ]
    assert [n["path"] for n in shared.result("yaml-bad")["notes"]] == [
        "bad/big.yaml",
        "bad/binary.yaml",
        "bad/latin1.yaml",
        "bad/broken.yaml",
    ]


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


def test_workers_that_cannot_start_leave_the_parsing_to_this_process(
    make_repo: Callable[..., Path],
    check_pack: Callable[..., str],
    write_pack: Callable[..., Path],
    policy_exe: str,
    tmp_path: Path,
) -> None:
    """Workers meet through a socket in TMPDIR: a TMPDIR too long for a socket's name
    (over 107 bytes on Linux) makes starting them fail, which must not fail the rule."""
    temp = tmp_path / ("t" * 110)
    temp.mkdir()
    repo = make_repo({f"k8s/app{i}.yaml": f"replicas: {i}\n" for i in range(4)})
    pack = write_pack(check_pack("{manifest: {files: ['k8s/*.yaml'], assert: 'replicas > `0`'}}"))
    done = subprocess.run(
        [policy_exe, "eval", str(repo), "--pack", str(pack), "--format", "json"],
        env={**os.environ, "TMPDIR": str(temp), "RULEPACK_PARALLEL_MINIMUM": "1"},
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)["results"][0]
    assert (done.returncode, result["status"], [f["path"] for f in result["findings"]]) == (
        1,
        "fail",
        ["k8s/app0.yaml"],
    )
    assert list(temp.iterdir()) == []
