"""The parse cache: a file's bytes are parsed once, whichever commit or path holds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from engine.checks import evaluate_check
from engine.context import EvaluationContext, EvaluationOptions, ParsedFile
from engine.parse_cache import CachedParse, MemoryParseCache, ParseKey
from engine.snapshots import open_snapshot
from tests.conftest import git, unreadable_in_worktree, write_files

FILES: dict[str, str | bytes | None] = {
    "k8s/app.yaml": "kind: Deployment\nmetadata: {name: app}\n---\nkind: Service\n",
    "k8s/broken.yaml": "a: [1\n",
    "k8s/latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
    "k8s/binary.yaml": b"\x00\x01binary",
    "Cargo.toml": '[package]\nname = "a"\n',
}


class RecordingCache(MemoryParseCache):
    """A memory cache that remembers which keys were stored."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: list[ParseKey] = []

    def put_many(self, entries: Mapping[ParseKey, CachedParse]) -> None:
        self.stored.extend(entries)
        super().put_many(entries)


def format_of(path: str) -> str:
    return "toml" if path.endswith(".toml") else "yaml"


def parse_all(
    root: Path,
    ref: str | None,
    cache: MemoryParseCache | None,
    workers: int = 0,
    paths: Iterable[str] | None = None,
) -> dict[str, tuple[object, ...]]:
    """Every file of the snapshot parsed, as comparable tuples (path included)."""
    options = EvaluationOptions(parse_workers=workers, parallel_minimum=1, parse_cache=cache)
    snapshot = open_snapshot(root, ref)
    try:
        with EvaluationContext(snapshot, evaluate_check, options) as context:
            wanted = [(p, format_of(p)) for p in (paths or context.index.paths)]
            context.prefetch(wanted, max_bytes=1000)
            return {p: comparable(context.documents(p, f, 1000)) for p, f in wanted}
    finally:
        snapshot.close()


def comparable(parsed: ParsedFile) -> tuple[object, ...]:
    error = parsed.error
    where = (error.message, error.line, error.column) if error is not None else None
    return (parsed.path, parsed.documents, where, parsed.note, parsed.size)


def two_commits(make_repo: Callable[..., Path]) -> Path:
    """FILES committed, then a commit changing only k8s/app.yaml."""
    root = make_repo(FILES)
    write_files(root, {"k8s/app.yaml": "kind: Job\n"})
    git(root, "commit", "-q", "-am", "second")
    return root


@pytest.mark.parametrize("workers", [0, 2], ids=["one process", "workers"])
def test_a_blob_unchanged_between_commits_is_parsed_once(
    make_repo: Callable[..., Path], workers: int
) -> None:
    root = two_commits(make_repo)
    cache = RecordingCache()
    first = parse_all(root, "HEAD~1", cache, workers)
    assert len(cache.stored) == 4  # every file but the binary one
    second = parse_all(root, "HEAD", cache, workers)
    assert cache.stored[4:] == [(git(root, "rev-parse", "HEAD:k8s/app.yaml").strip(), "yaml")]
    assert first == parse_all(root, "HEAD~1", None, workers)
    assert second == parse_all(root, "HEAD", None, workers)


def test_kept_files_are_not_parsed_again(
    make_repo: Callable[..., Path], count_parses: list[str]
) -> None:
    root = two_commits(make_repo)
    cache = MemoryParseCache()
    parse_all(root, "HEAD~1", cache)
    assert sorted(count_parses) == ["toml", "yaml", "yaml", "yaml"]
    count_parses.clear()
    parse_all(root, "HEAD", cache)
    assert count_parses == ["yaml"]  # the changed k8s/app.yaml alone


def test_a_moved_file_is_reported_at_its_new_path(make_repo: Callable[..., Path]) -> None:
    """Entries hold no path: a parse error and a decoding note name where the bytes are now."""
    root = make_repo(FILES)
    git(root, "mv", "k8s", "deploy")
    git(root, "commit", "-q", "-m", "moved")
    cache = RecordingCache()
    parse_all(root, "HEAD~1", cache)
    moved = parse_all(root, "HEAD", cache)
    assert len(cache.stored) == 4  # nothing parsed for the second commit
    assert moved == parse_all(root, "HEAD", None)
    assert moved["deploy/broken.yaml"][0] == "deploy/broken.yaml"
    note = moved["deploy/latin1.yaml"][3]
    assert note is not None and note.path == "deploy/latin1.yaml"  # type: ignore[attr-defined]


def test_a_file_over_the_cap_is_not_read_from_the_cache(make_repo: Callable[..., Path]) -> None:
    """A parse kept from a run with a larger cap does not let a smaller cap read the file."""
    root = make_repo({"big.yaml": "x: " + "y" * 300 + "\n"})
    cache = MemoryParseCache()
    parse_all(root, "HEAD", cache)
    snapshot = open_snapshot(root, "HEAD")
    options = EvaluationOptions(parse_workers=0, parse_cache=cache)
    with EvaluationContext(snapshot, evaluate_check, options) as context:
        parsed = context.documents("big.yaml", "yaml", 100)
    snapshot.close()
    assert parsed.documents == ()
    assert parsed.note is not None
    assert parsed.note.message == "not read: 304 bytes is over the 100-byte cap"


def test_the_working_tree_keeps_tracked_files_git_knows_unchanged(
    make_repo: Callable[..., Path],
) -> None:
    """Git's index knows each tracked file's blob id and stat data; an edited or
    untracked file has no id yet, and is parsed every run."""
    root = make_repo(FILES)
    write_files(root, {"k8s/broken.yaml": "a: [2\n", "new.yaml": "kind: Pod\n"})
    cache = RecordingCache()
    first = parse_all(root, None, cache)
    blob = git(root, "rev-parse", "HEAD:k8s/app.yaml").strip()
    assert (blob, "yaml") in cache.stored
    assert len(cache.stored) == 3  # app.yaml, latin1.yaml, Cargo.toml
    again = parse_all(root, None, cache)
    assert len(cache.stored) == 3
    assert first == again == parse_all(root, None, None)


@pytest.mark.parametrize(
    "setting",
    [{".gitattributes": "*.yaml text eol=crlf\n"}, {"k8s/.gitattributes": "* -text\n"}],
    ids=["attributes", "attributes in a folder"],
)
def test_no_blob_id_is_trusted_where_git_may_convert_line_endings(
    make_repo: Callable[..., Path], setting: dict[str, str | bytes | None]
) -> None:
    root = make_repo({**FILES, **setting})
    cache = RecordingCache()
    parse_all(root, None, cache)
    assert cache.stored == []


def test_no_blob_id_is_trusted_with_autocrlf(make_repo: Callable[..., Path]) -> None:
    root = make_repo(FILES)
    git(root, "config", "core.autocrlf", "true")
    cache = RecordingCache()
    parse_all(root, None, cache)
    assert cache.stored == []


def read_texts(
    root: Path, ref: str, cache: MemoryParseCache | None, max_bytes: int = 1000
) -> tuple[dict[str, tuple[object, ...]], list[str]]:
    """Every file's text as content checks read it, and the paths read from git meanwhile."""
    options = EvaluationOptions(parse_workers=0, parse_cache=cache)
    snapshot = open_snapshot(root, ref)
    read: list[str] = []
    reader = snapshot.read_capped

    def counted(path: str, cap: int) -> bytes | int:
        read.append(path)
        return reader(path, cap)

    snapshot.read_capped = counted  # type: ignore[method-assign]
    try:
        with EvaluationContext(snapshot, evaluate_check, options) as context:
            texts = {}
            for path in context.index.paths:
                text = context.text(path, max_bytes)
                texts[path] = (text.path, text.text, text.note, text.size)
            return texts, read
    finally:
        snapshot.close()


def test_a_text_unchanged_between_commits_is_read_from_git_once(
    make_repo: Callable[..., Path],
) -> None:
    root = make_repo(FILES)
    git(root, "mv", "k8s/latin1.yaml", "latin1.yaml")
    write_files(root, {"k8s/app.yaml": "kind: Job\n"})
    git(root, "commit", "-q", "-am", "second")
    cache = MemoryParseCache()
    read_texts(root, "HEAD~1", cache)
    texts, read = read_texts(root, "HEAD", cache)
    # Only the changed file is asked of git (a binary file is kept as "not read: binary")
    assert read == ["k8s/app.yaml"]
    # and what is read from the cache names the path that holds the bytes now
    assert texts == read_texts(root, "HEAD", None)[0]
    assert texts["latin1.yaml"][2].path == "latin1.yaml"  # type: ignore[union-attr]
    # A smaller cap is not answered from a text kept under a larger one
    small, read = read_texts(root, "HEAD", cache, max_bytes=10)
    assert "Cargo.toml" in read and small["Cargo.toml"][1] is None


LINED_PACK = """\
apiVersion: rulepack/v1
name: lined
version: 1.0.0
categories: [{id: general, title: General}]
rules:
  - id: replicas
    title: Two replicas at least
    category: general
    check:
      manifest:
        files: ["**/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `2`"
"""


def test_the_lines_of_findings_are_built_once_for_a_blob_many_commits_hold(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.yaml_located
    from engine.commits import commit_workspace
    from engine.runs import EvalRequest

    manifest = "kind: Deployment\nmetadata: {name: app}\nspec:\n  replicas: 1\n"
    root = make_repo({"k8s/app.yaml": manifest, "other.txt": "1"})
    git(root, "mv", "k8s/app.yaml", "app.yaml")  # the same blob, at a new path
    git(root, "commit", "-q", "-m", "moved")
    (tmp_path / "lined.yaml").write_text(LINED_PACK)
    request = EvalRequest(packs=(str(tmp_path / "lined.yaml"),))
    built: list[int] = []
    real = engine.yaml_located.load_lined_documents

    def counting(text: str) -> object:
        built.append(1)
        return real(text)

    monkeypatch.setattr(engine.yaml_located, "load_lined_documents", counting)

    def findings(rev: str, cache: MemoryParseCache | None) -> list[tuple[str | None, int | None]]:
        with commit_workspace(root, rev, request) as commit:
            report = commit.evaluate(cache)
        return [(f.path, f.line) for r in report.results for f in r.findings]

    cache = MemoryParseCache()
    assert findings("HEAD~1", cache) == [("k8s/app.yaml", 4)]
    assert findings("HEAD", cache) == [("app.yaml", 4)]  # the line is the field's
    assert len(built) == 1
    assert findings("HEAD", None) == [("app.yaml", 4)]


def test_lines_worked_out_while_a_file_could_not_be_read_are_not_kept_for_its_blob(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `policy diff HEAD` judges the working tree, then HEAD, through one cache. The
    # working tree's parse of app.yaml comes from the cache (its blob is unchanged), but
    # its text cannot be read to find the lines of a finding: HEAD must still find them.
    from engine.commits import commit_workspace
    from engine.runs import EvalRequest, evaluate_workspace, load_workspace

    monkeypatch.setenv("RULEPACK_VERDICT_CACHE", "0")  # each evaluation judges
    manifest = "kind: Deployment\nmetadata: {name: app}\nspec:\n  replicas: 1\n"
    root = make_repo({"k8s/app.yaml": manifest})
    (tmp_path / "lined.yaml").write_text(LINED_PACK)
    request = EvalRequest(path=root, packs=(str(tmp_path / "lined.yaml"),), no_commands=True)
    parsed_before = MemoryParseCache()
    with commit_workspace(root, "HEAD", request) as commit:
        commit.evaluate(parsed_before)
    key: ParseKey = (git(root, "rev-parse", "HEAD:k8s/app.yaml").strip(), "yaml")
    found = parsed_before.get(key)
    assert found is not None
    cache = MemoryParseCache()
    cache.put(key, found)  # as a persistent parse cache would hold it

    with unreadable_in_worktree("k8s/app.yaml"):
        snapshot = open_snapshot(root)
        workspace, fail_on = load_workspace(snapshot, request)
        report = evaluate_workspace(workspace, snapshot, request, fail_on, parse_cache=cache)
    lines = [(f.path, f.line) for r in report.results for f in r.findings]
    assert lines == [("k8s/app.yaml", 1)]  # the document's: its fields could not be read
    with commit_workspace(root, "HEAD", request) as commit:
        report = commit.evaluate(cache)
    assert [(f.path, f.line) for r in report.results for f in r.findings] == [("k8s/app.yaml", 4)]
