"""Verdicts kept between runs (engine/verdicts.py): a run over the same files reads the
outcomes an earlier run judged, and never reports anything a fresh judgement would not.

The differential test edits a repository at random (files written, rewritten at the
same size, removed, staged, committed, ignored, symlinked) and after every edit
compares each snapshot's report through the kept verdicts with a report judged from
scratch (`RULEPACK_VERDICT_CACHE=0`).
"""

from __future__ import annotations

import json
import os
import pickle
import site
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import engine.evaluator
import engine.snapshots.worktree
import engine.verdicts
from engine import parse_cache_disk, regexes
from engine.code_version import code_version
from engine.config import RepoConfig
from engine.folders import cache_dir
from engine.model.packs import Rule
from engine.verdicts import KIND, READS_FOLDER, rule_key
from engine.workspace import load_packs
from tests.conftest import EvalRun, commit_all, git, repository_examples, unreadable_in_worktree

PACK = """\
apiVersion: rulepack/v1
name: kept
version: 1.0.0
categories:
  - {id: c, title: C}
filesets:
  k8s: {include: ["**/*.yaml"]}
rules:
  - {id: replicas, title: t, category: c, check: {manifest: {files: {fileset: k8s},
      where: "kind == 'Deployment'", assert: "spec.replicas >= `2`"}}}
  - {id: budget, title: t, category: c, check: {manifest: {files: {fileset: k8s},
      on_parse_error: skip, assert_all: "length([?kind=='PodDisruptionBudget']) > `0`"}}}
  - {id: readme, title: t, category: c, check: {file: {exists: [README.md, docs/README.md]}}}
  - {id: no-keys, title: t, category: c, check: {file: {absent: ["**/*.pem"]}}}
  - {id: no-todo, title: t, category: c, check: {file: {paths: ["**/*.md"],
      not_contains: "TODO"}}}
  - {id: each, title: t, category: c, check: {file: {in_each: "svc/*", exists: [README.md]}}}
  - {id: when, title: t, category: c, when: {file: {exists: ["svc/*/deploy.yaml"]}},
      check: {file: {paths: ["svc/**/*.md"], contains: "owner"}}}
  - {id: program-when, title: t, category: c, when: {file: {exists: ["top.yaml"]}},
      check: {command: {run: [git, --version]}}}
  - {id: program-beside, title: t, category: c, check: {all: [
      {file: {absent: ["**/*.pem"]}}, {command: {run: [git, --version]}}]}}
"""

PATHS = ["README.md", "svc/a/deploy.yaml", "svc/a/README.md", "svc/b/README.md"]
PATHS += ["svc/b/deploy.yaml", "top.yaml", "key.pem", ".gitignore"]
TEXTS = {
    ".yaml": [
        b"kind: Deployment\nspec: {replicas: 1}\n",
        b"kind: Deployment\nspec: {replicas: 3}\n",  # the same size as the one above
        b"kind: PodDisruptionBudget\n",
        b"kind: [Deployment\n",  # does not parse
    ],
    ".md": [b"# owner: me\n", b"# TODO: you\n", b"no title\n"],  # the first two: one size
    ".pem": [b"-----BEGIN-----\n"],
    ".gitignore": [b"", b"*.pem\n", b"svc/b/\n", b"*.md\n!README.md\n"],
}


def texts(path: str) -> list[bytes]:
    return TEXTS[path[path.rfind(".") :]] if path != ".gitignore" else TEXTS[".gitignore"]


EDIT = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(PATHS), st.integers(0, 3)),
    # The other text of the same size (the first two of each kind): only the stat data's
    # times and inode tell an edited or untracked file's two versions apart.
    st.tuples(st.just("flip"), st.sampled_from(PATHS[:5]), st.just(0)),
    st.tuples(st.just("remove"), st.sampled_from(PATHS), st.just(0)),
    st.tuples(st.just("link"), st.sampled_from(["svc/c/README.md", "svc/a/README.md"]), st.just(0)),
    st.tuples(st.just("stage"), st.just(""), st.just(0)),
    st.tuples(st.just("commit"), st.just(""), st.just(0)),
)


def apply(repo: Path, edit: tuple[str, str, int]) -> None:
    action, name, choice = edit
    path = repo / name
    if action == "flip":
        options = texts(name)
        was = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        action, choice = "write", 1 if was == options[0] else 0
    if action in ("write", "remove", "link") and (path.is_symlink() or path.exists()):
        path.unlink()
    if action == "write":
        options = texts(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(options[choice % len(options)])
    elif action == "link":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(os.path.relpath(repo / "README.md", path.parent))
    elif action == "stage":
        git(repo, "add", "-A")
    elif action == "commit":
        commit_all(repo, "edit")


def without_durations(run: EvalRun) -> str:
    assert run.report is not None, run.stderr
    results = [{k: v for k, v in r.items() if k != "duration_ms"} for r in run.report["results"]]
    return json.dumps({**run.report, "results": results}, sort_keys=True)


def assert_kept_as_afresh(
    evaluate: Callable[..., EvalRun], repo: Path, pack: Path, args: list[str], edit: Any
) -> None:
    """The run through the kept verdicts (and the parse cache, with the parts of files
    kept between runs) reports what a run judging afresh, reading every file, reports."""
    kept = evaluate(repo, pack, *args)
    afresh = evaluate(
        repo, pack, *args, env={"RULEPACK_VERDICT_CACHE": "0", "RULEPACK_PARSE_CACHE_MIB": "0"}
    )
    assert kept.exit_code == afresh.exit_code
    assert without_durations(kept) == without_durations(afresh), (edit, args)


SNAPSHOTS: list[list[str]] = [[], ["--staged"], ["--ref", "HEAD"]]
# Under --no-commands the rules that run programs are kept too (their programs do not run).
RUNS: list[list[str]] = [*SNAPSHOTS, ["--staged", "--no-commands"], ["--no-commands"]]


@repository_examples(25)
@given(edits=st.lists(EDIT, min_size=1, max_size=6))
# The same files, and a broken symlink more: only what is not read tells them apart.
@example(edits=[("remove", "README.md", 0), ("link", "svc/c/README.md", 0)])
# An untracked file rewritten at the same size.
@example(edits=[("write", "top.yaml", 0), ("flip", "top.yaml", 0)])
def test_kept_verdicts_report_what_judging_afresh_reports(
    tmp_path_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    evaluate: Callable[..., EvalRun],
    edits: list[tuple[str, str, int]],
) -> None:
    # Stat data vouches for a file at once: edits follow each other within milliseconds,
    # each a whole run apart, so that edited files are kept (and must be told apart).
    monkeypatch.setattr(engine.snapshots.worktree, "STAT_SETTLED_NS", 0)
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    (repo / "README.md").write_bytes(b"# owner: me\n")
    commit_all(repo, "start")
    pack = tmp_path_factory.mktemp("pack") / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    for edit in [*edits, *edits[-1:]]:  # the last edit's snapshots twice: all kept
        apply(repo, edit)
        for snapshot in RUNS:
            assert_kept_as_afresh(evaluate, repo, pack, snapshot, edit)


# -- what is kept, and what is judged again ------------------------------------------


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rules this process judges (rather than reads from kept verdicts)."""
    found: list[str] = []
    real = engine.evaluator.evaluate_rule

    def counting(rule: Rule, *args: Any, **kwargs: Any) -> Any:
        found.append(rule.id)
        return real(rule, *args, **kwargs)

    monkeypatch.setattr(engine.evaluator, "evaluate_rule", counting)
    return found


FILES: dict[str, str | bytes | None] = {
    "README.md": "# owner: me\n",
    "svc/a/deploy.yaml": "kind: Deployment\nspec: {replicas: 1}\n",
    "svc/a/README.md": "# owner: TODO\n",
}
STATIC = ["replicas", "budget", "readme", "no-keys", "no-todo", "each", "when"]
RULES = [*STATIC, "program-when", "program-beside"]


def entries() -> list[Path]:
    """The entries kept by snapshot fingerprint."""
    return sorted(cache_dir(KIND).glob("*.pickle"))


def read_entries() -> list[Path]:
    """The entries kept by listing, each rule's outcome with the files it read."""
    return sorted((cache_dir(KIND) / READS_FOLDER).glob("*.pickle"))


@pytest.mark.parametrize(
    ("snapshot", "every_run"),
    [
        ([], ["program-beside"]),  # its program runs (the other's `when` does not hold)
        (["--staged"], ["program-beside"]),
        (["--ref", "HEAD"], ["program-beside"]),
        (["--no-commands"], []),  # no program runs: what the files decide is kept
    ],
)
def test_a_second_run_over_the_same_files_judges_nothing_and_reports_the_same(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
    snapshot: list[str],
    every_run: list[str],
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    first = evaluate(repo, pack, *snapshot)
    once = STATIC if every_run else RULES
    assert sorted(judged) == sorted([*once, *every_run])
    assert first.report is not None
    assert {r["rule"]: r["status"] for r in first.report["results"]} == {
        "replicas": "fail",
        "budget": "fail",
        "readme": "pass",
        "no-keys": "pass",
        "no-todo": "fail",
        "each": "pass",
        "when": "pass",
        "program-when": "skip",
        "program-beside": "skip" if "--no-commands" in snapshot else "pass",
    }
    judged.clear()
    second = evaluate(repo, pack, *snapshot)
    assert judged == every_run
    assert without_durations(second) == without_durations(first)
    assert len(entries()) == 1


def test_a_changed_file_is_judged_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine.snapshots.worktree, "STAT_SETTLED_NS", 0)
    repo, pack = make_repo(FILES), write_pack(PACK)
    assert evaluate(repo, pack).status("replicas") == "fail"
    edited = repo / "svc/a/deploy.yaml"
    edited.write_text("kind: Deployment\nspec: {replicas: 2}\n")  # known by its stat data now
    assert evaluate(repo, pack).status("replicas") == "pass"
    # The same size again: only the stat data's times and inode tell the two apart.
    edited.write_text("kind: Deployment\nspec: {replicas: 0}\n")
    assert evaluate(repo, pack).status("replicas") == "fail"
    edited.unlink()
    assert evaluate(repo, pack).status("replicas") == "skip"


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_a_file_git_does_not_look_at_is_judged_again_when_edited(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
) -> None:
    # git lists it as unchanged whatever the disk holds: its stat data names its bytes
    monkeypatch.setattr(engine.snapshots.worktree, "STAT_SETTLED_NS", 0)
    repo, pack = make_repo(FILES), write_pack(PACK)
    git(repo, "update-index", flag, "svc/a/deploy.yaml")
    assert evaluate(repo, pack).status("replicas") == "fail"
    (repo / "svc/a/deploy.yaml").write_text("kind: Deployment\nspec: {replicas: 2}\n")
    assert git(repo, "diff-files", "--name-only") == ""  # git does not see the edit
    assert evaluate(repo, pack).status("replicas") == "pass"


@pytest.mark.parametrize("put_back", ["after the run", "by git while it runs"])
def test_a_file_edited_while_the_run_reads_it_keeps_nothing(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    check_pack: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    put_back: str,
) -> None:
    # A tracked file git's listing found unchanged (known by its blob id) is saved with a
    # TODO by an editor before the run reads it, then put back as committed.
    repo = make_repo({"a.md": "ok\n"})
    pack = check_pack('{file: {paths: [a.md], not_contains: "TODO"}}')
    snapshot_class = engine.snapshots.worktree.WorktreeSnapshot
    real = snapshot_class.read_capped

    def edited(self: Any, path: str, max_bytes: int) -> bytes | int:
        (repo / "a.md").write_text("TODO\n")
        data = real(self, path, max_bytes)
        if put_back == "by git while it runs":
            git(repo, "checkout", "--", "a.md")
        return data

    with monkeypatch.context() as patched:
        patched.setattr(snapshot_class, "read_capped", edited)
        assert evaluate(repo, pack).status() == "fail"  # what it read
    git(repo, "checkout", "--", "a.md")  # the files the run listed, as git's index knows them
    assert entries() == []
    assert evaluate(repo, pack).status() == "pass"


@pytest.mark.parametrize("parser", ["this process", "a parse worker"])
def test_a_manifest_edited_while_the_run_reads_it_is_not_kept_as_the_committed_one(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    check_pack: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    parser: str,
) -> None:
    # Enough manifests for the parse cache to keep them: the edited one's parse must not
    # be kept under its committed blob id, read back once it is put back as committed.
    repo = make_repo({f"m{i:02}.json": f'{{"n": 2, "i": {i}}}\n' for i in range(40)})
    pack = check_pack('{manifest: {files: ["*.json"], assert: "n == `2`"}}')
    snapshot_class = engine.snapshots.worktree.WorktreeSnapshot
    read = "read_capped" if parser == "this process" else "disk_path"
    real = getattr(snapshot_class, read)

    def edited(self: Any, path: str, *rest: Any) -> Any:
        if path == "m00.json":
            (repo / path).write_text('{"n": 3, "i": 0}\n')
        return real(self, path, *rest)

    with monkeypatch.context() as patched:
        patched.setattr(snapshot_class, read, edited)
        if parser == "a parse worker":
            patched.setenv("RULEPACK_PARALLEL_MINIMUM", "1")
        assert evaluate(repo, pack).status() == "fail"  # what it read
    git(repo, "checkout", "--", "m00.json")
    assert entries() == []
    assert evaluate(repo, pack).status() == "pass"
    assert evaluate(repo, pack).status() == "pass"  # kept, as committed


def test_a_file_changed_just_before_the_run_keeps_nothing_of_the_rules_that_read_it(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    (repo / "NOTES.md").write_text("untracked, written now\n")  # its stat data is not settled
    evaluate(repo, pack, "--no-commands")
    judged.clear()
    evaluate(repo, pack, "--no-commands")
    # The snapshot cannot vouch for its files: nothing is kept by its fingerprint. Kept by
    # what they read, the rules that did not read NOTES.md (which has no blob id) are not
    # judged again.
    assert judged == ["no-todo"]
    assert entries() == []
    assert evaluate(repo, pack, "--ref", "HEAD").exit_code == 1  # git's blob ids vouch at once
    assert len(entries()) == 1


def test_an_edited_rule_is_judged_again_and_a_retitled_one_is_not(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
) -> None:
    repo = make_repo(FILES)
    evaluate(repo, write_pack(PACK), "--no-commands")
    judged.clear()
    retitled = PACK.replace("{id: readme, title: t,", "{id: readme, title: the README,")
    assert evaluate(repo, write_pack(retitled), "--no-commands").status("readme") == "pass"
    assert judged == []
    edited = PACK.replace("exists: [README.md, docs/README.md]", "exists: [docs/README.md]")
    assert evaluate(repo, write_pack(edited), "--no-commands").status("readme") == "fail"
    assert judged == ["readme"]


def test_errors_are_judged_every_run(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
) -> None:
    repo = make_repo({**FILES, "svc/a/deploy.yaml": "kind: [Deployment\n"})
    pack = write_pack(PACK)
    for _ in range(2):
        assert evaluate(repo, pack).status("replicas") == "error"
    assert judged.count("replicas") == 2
    assert judged.count("readme") == 1


def test_a_file_that_could_not_be_read_keeps_nothing_it_says(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    with unreadable_in_worktree("svc/a/README.md"):
        unreadable = evaluate(repo, pack)
    assert unreadable.status("no-todo") == "pass"
    assert unreadable.result("no-todo")["notes"] == [
        {"path": "svc/a/README.md", "message": "not read: Permission denied"}
    ]
    assert evaluate(repo, pack).status("no-todo") == "fail"  # read now: its TODO is found


# A file read for a part of a rule whose outcome says nothing of it: an `any` that passes
# on another alternative, a `when` that does not hold, the file `satisfies_from` reads.
UNSAID = {
    "any": (
        '{any: [{file: {paths: [a.md], contains: "ok"}}, {file: {exists: [b.md]}}]}',
        None,
        "1 file(s) checked",
    ),
    "when": ("{file: {exists: [b.md]}}", '{file: {paths: [a.md], contains: "ok"}}', "b.md exists"),
    "satisfies_from": (
        "{version: {file: c.yaml, query: v, satisfies_from: {file: a.yaml, query: min}}}",
        None,
        "1 version(s) satisfy >=1.0.0",
    ),
}


@pytest.mark.parametrize("shape", UNSAID)
def test_a_file_that_could_not_be_read_keeps_nothing_even_when_the_outcome_does_not_say_it(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    check_pack: Callable[..., str],
    shape: str,
) -> None:
    check, when, message = UNSAID[shape]
    repo = make_repo({"a.md": "ok\n", "b.md": "", "a.yaml": "min: 1.0.0\n", "c.yaml": "v: 2.0.0\n"})
    pack = check_pack(check, **({"when": when} if when else {}))
    with unreadable_in_worktree("a.md", "a.yaml"):
        unreadable = evaluate(repo, pack)
    assert unreadable.result()["message"] != message
    assert unreadable.result()["notes"] == []  # the outcome does not say a file went unread
    assert entries() == []
    readable = evaluate(repo, pack)
    assert (readable.status(), readable.result()["message"]) == ("pass", message)


@pytest.mark.parametrize("check", ["file", "manifest"])
def test_a_file_the_working_tree_could_not_read_is_read_again_for_the_base_of_a_diff(
    make_repo: Callable[..., Path],
    policy: Callable[..., Any],
    evaluate: Callable[..., EvalRun],
    check_pack: Callable[..., str],
    write_pack: Callable[..., Path],
    check: str,
) -> None:
    # `policy diff HEAD` judges the working tree, then HEAD through the same cache: a.md,
    # unchanged, is one blob in both, which the working tree could not read.
    repo = make_repo({"a.md": "ok\n", "a.yaml": "ok: true\n", "b.md": ""})
    alternative = {
        "file": '{file: {paths: [a.md], contains: "ok"}}',
        "manifest": "{manifest: {files: [a.yaml], assert: ok}}",
    }[check]
    pack = write_pack(check_pack(f"{{any: [{alternative}, {{file: {{exists: [b.md]}}}}]}}"))
    with unreadable_in_worktree("a.md", "a.yaml"):
        done = policy("diff", "-C", repo, "HEAD", "--pack", pack, "--format", "json")
    (rule,) = json.loads(done.stdout)["rules"]
    assert (rule["before"], rule["after"]) == ("pass", "pass")
    at_head = evaluate(repo, pack, "--ref", "HEAD")
    message = {"file": "1 file(s) checked", "manifest": "1 checked"}[check]
    assert at_head.result()["message"] == message  # the alternative HEAD's a.md satisfies


def test_a_regex_that_gave_up_keeps_nothing_of_the_run(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    pack_text: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(regexes, "TIME_LIMIT", 0.2)
    repo = make_repo({"a.txt": "a" * 65 + "!"})
    pack = write_pack(
        pack_text(
            """
            - {id: slow, title: t, category: general, check: {any: [
                {file: {paths: ["a.txt"], contains: "(a|aa)+$"}},
                {file: {exists: [a.txt]}}]}}
            """
        )
    )
    assert evaluate(repo, pack).status("slow") == "pass"  # `any` passes on its second check
    assert entries() == []


def test_verdicts_kept_with_other_libraries_installed_are_judged_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # What judges a rule besides the engine's own files: globs (wcmatch), expressions
    # (jmespath), regexes (regex), parsers. `pip install -U jmespath` leaves the engine's
    # files as they were; its outcomes may change.
    site_packages = tmp_path / "site-packages"
    (site_packages / "jmespath-1.0.1.dist-info").mkdir(parents=True)
    monkeypatch.setattr(site, "getsitepackages", lambda *args, **kwargs: [str(site_packages)])
    monkeypatch.setattr(site, "ENABLE_USER_SITE", False)
    repo, pack = make_repo(FILES), write_pack(PACK)
    code_version.cache_clear()
    try:
        evaluate(repo, pack, "--no-commands")
        (site_packages / "jmespath-1.0.1.dist-info").rename(
            site_packages / "jmespath-1.1.0.dist-info"
        )
        code_version.cache_clear()  # another process, after the upgrade
        evaluate(repo, pack, "--no-commands")
    finally:
        code_version.cache_clear()
    assert len(judged) == 2 * len(RULES)


def test_the_environment_can_turn_the_cache_off(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    for _ in range(2):
        evaluate(repo, pack, "--no-commands", env={"RULEPACK_VERDICT_CACHE": "0"})
    assert len(judged) == 2 * len(RULES)
    assert not cache_dir(KIND).exists()


@pytest.mark.parametrize(("corrupt", "judged_again"), [("both", RULES), ("snapshot's", [])])
def test_a_corrupt_entry_is_judged_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
    corrupt: str,
    judged_again: list[str],
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    first = evaluate(repo, pack, "--no-commands")
    judged.clear()
    (entry,) = entries()
    (by_reads,) = read_entries()
    for cut in [entry, by_reads] if corrupt == "both" else [entry]:
        cut.write_bytes(cut.read_bytes()[:40])
    assert without_durations(evaluate(repo, pack, "--no-commands")) == without_durations(first)
    assert judged == judged_again  # the listing's entry still holds what each rule read


# -- rule keys -------------------------------------------------------------------------


def rules_of(write_pack: Callable[..., Path], text: str) -> dict[str, Rule]:
    (pack,), _, _ = load_packs(None, RepoConfig(), [str(write_pack(text))], {})
    return {rule.id: rule for rule in pack.rules}


def test_a_rule_key_changes_with_the_check_and_not_with_what_the_report_says_of_it(
    write_pack: Callable[..., Path],
) -> None:
    base = rules_of(write_pack, PACK)
    keys = {rule.id: rule_key(rule) for rule in base.values()}
    assert None not in keys.values()
    assert len(set(keys.values())) == len(keys)  # no two rules of the pack share a key
    described = PACK.replace(
        "{id: no-keys, title: t, category: c,",
        "{id: no-keys, title: u, category: c, severity: info,",
    )
    assert described != PACK
    assert rule_key(rules_of(write_pack, described)["no-keys"]) == keys["no-keys"]
    changes = {
        "replicas": ("`2`", "`3`"),
        "budget": ("on_parse_error: skip", "on_parse_error: error"),
        "no-todo": ('not_contains: "TODO"', 'not_contains: "FIXME"'),
        "each": ('in_each: "svc/*"', 'in_each: "svc/*/*"'),
        "when": ('exists: ["svc/*/deploy.yaml"]', 'exists: ["svc/*/deploy.yml"]'),
    }
    for rule_id, (old, new) in changes.items():
        assert old in PACK, old
        changed = rules_of(write_pack, PACK.replace(old, new))
        assert rule_key(changed[rule_id]) != keys[rule_id], rule_id


def test_a_rule_whose_schema_file_the_key_cannot_see_has_no_key(
    write_pack: Callable[..., Path], pack_text: Callable[..., str]
) -> None:
    assert rule_key(schema_rule(write_pack, pack_text)) is None


def schema_rule(write_pack: Callable[..., Path], pack_text: Callable[..., str]) -> Rule:
    """A manifest rule with a `schema:` file, whose contents its key cannot read."""
    write_pack('{"type": "object"}', name="app.schema.json")
    text = pack_text(
        """
        - {id: schema, title: t, category: general,
           check: {manifest: {files: ["*.yaml"], schema: app.schema.json}}}
        """
    )
    return rules_of(write_pack, text)["schema"]


def test_rule_keys_worked_out_together_are_each_rules_own(
    write_pack: Callable[..., Path], pack_text: Callable[..., str]
) -> None:
    # a run learns each dataclass's fields once (`shapes`), in whatever order its rules
    # come, a rule with no key among them: the keys are those of each rule alone
    rules = [schema_rule(write_pack, pack_text), *rules_of(write_pack, PACK).values()]
    packs, _, _ = load_packs(None, RepoConfig(), ["production"], {})
    rules += [rule for pack in packs for rule in pack.rules]
    alone = [rule_key(rule) for rule in rules]
    assert alone[0] is None and None not in alone[1:]
    for order in (rules, rules[::-1]):
        shapes: engine.verdicts.Shapes = {}
        assert {id(r): rule_key(r, shapes) for r in order} == {
            id(r): key for r, key in zip(rules, alone, strict=True)
        }


def test_an_entry_past_its_bound_keeps_only_the_rules_its_last_run_asked_about(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine.verdicts, "MAX_OUTCOMES", len(RULES))
    repo = make_repo(FILES)
    evaluate(repo, write_pack(PACK), "--no-commands")
    edited = PACK.replace("exists: [README.md, docs/README.md]", "exists: [docs/README.md]")
    evaluate(repo, write_pack(edited), "--no-commands")  # one more outcome: over the bound
    (entry,) = entries()
    kept = pickle.loads(entry.read_bytes()).outcomes
    assert len(kept) == len(RULES)  # the first `readme`'s outcome went
    assert sorted(o.status for o in kept.values()).count("fail") == 4  # and the edited one's


# -- outcomes kept by what each rule read ----------------------------------------------

READS_PACK = """\
apiVersion: rulepack/v1
name: reads
version: 1.0.0
categories:
  - {id: c, title: C}
conditions:
  deployed: {manifest: {files: ["svc/*.yaml"], where: "kind == 'Deployment'",
    assert: "spec.replicas >= `1`"}}
rules:
  - {id: replicas, title: t, category: c, check: {manifest: {files: ["svc/*.yaml"],
      where: "kind == 'Deployment'", each: "spec.containers[]", assert: "limits"}}}
  - {id: budget, title: t, category: c, check: {manifest: {files: ["svc/*.yaml"],
      on_parse_error: skip, assert_all: "length([?kind=='PodDisruptionBudget']) > `0`"}}}
  # A named condition is evaluated once: the rule that asks second read its files too.
  - {id: owned, title: t, category: c, when: {condition: deployed},
      check: {file: {paths: [README.md], contains: "owner"}}}
  - {id: deployed, title: t, category: c, check: {condition: deployed}}
  - {id: either, title: t, category: c, check: {any: [
      {file: {paths: [NOTES.md], contains: "ready"}},
      {not: {manifest: {files: [svc/a.yaml], assert: "kind == 'Service'"}}}]}}
  - {id: each-readme, title: t, category: c, check: {file: {in_each: "svc/*",
      paths: [README.md], contains: "owner"}}}
  - {id: edition, title: t, category: c, check: {version: {file: tool.toml,
      query: tool.version, satisfies_from: {file: min.toml, query: min}}}}
  - {id: tests-pass, title: t, category: c, check: {tests: {reports: ["reports/*.xml"],
      min_tests: 1, min_pass_rate: 100}}}
  - {id: no-secret, title: t, category: c, check: {file: {absent: ["**/*.pem"]}}}
"""


def junit(failures: int) -> bytes:
    failed = "<failure message='no'/>" if failures else ""
    return (
        f"<testsuite name='s' tests='1' failures='{failures}'>"
        f"<testcase name='t' classname='c'>{failed}</testcase></testsuite>\n"
    ).encode()


READS_TEXTS: dict[str, list[bytes]] = {
    "svc/a.yaml": [
        b"kind: Deployment\nspec: {replicas: 1, containers: [{limits: 1}]}\n",
        b"kind: Deployment\nspec: {replicas: 0, containers: [{name: c}]}\n",
        b"kind: Service\n",
        b"kind: [Deployment\n",
    ],
    "svc/b.yaml": [b"kind: PodDisruptionBudget\n", b"kind: ConfigMap\n"],
    "README.md": [b"# owner: me\n", b"# nobody\n"],
    "NOTES.md": [b"ready\n", b"draft\n", b"\xff\xfe not text\n"],
    "svc/x/README.md": [b"owner: x\n", b"none: x\n"],
    "tool.toml": [b"[tool]\nversion = '1.2.0'\n", b"[tool]\nversion = '0.9.0'\n"],
    "min.toml": [b"min = '1.0.0'\n", b"min = '1.5.0'\n", b"min = [\n"],
    "reports/unit.xml": [junit(0), junit(1), b"<testsuite"],
    "key.pem": [b"-----BEGIN-----\n"],
}
READS_PATHS = list(READS_TEXTS)
READS_EDIT = st.one_of(
    # Most edits keep the listing (the outcomes kept by what was read serve those).
    st.tuples(st.just("write"), st.sampled_from(READS_PATHS), st.integers(0, 3)),
    st.tuples(st.just("write"), st.sampled_from(READS_PATHS), st.integers(0, 3)),
    st.tuples(st.just("remove"), st.sampled_from(READS_PATHS), st.just(0)),
    st.tuples(st.just("stage"), st.just(""), st.just(0)),
)


@repository_examples(20)
@given(edits=st.lists(READS_EDIT, min_size=1, max_size=8))
# Only the condition's file changes: the rule that asked for the condition second must
# be judged again as well as the first.
@example(edits=[("stage", "", 0), ("write", "svc/a.yaml", 1), ("stage", "", 0)])
def test_outcomes_kept_by_what_rules_read_report_what_judging_afresh_reports(
    tmp_path_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    evaluate: Callable[..., EvalRun],
    edits: list[tuple[str, str, int]],
) -> None:
    # Parsed files come from the parse cache from the second run on, as in a large
    # repository: then no text is read, and the parse alone must say which file it was.
    monkeypatch.setattr(parse_cache_disk, "MIN_BATCH", 1)
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    for name, options in READS_TEXTS.items():
        if name != "key.pem":
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(options[0])
    commit_all(repo, "start")
    pack = tmp_path_factory.mktemp("pack") / "pack.yaml"
    pack.write_text(READS_PACK, encoding="utf-8")
    for edit in edits:
        action, name, choice = edit
        if action == "write":
            options = READS_TEXTS[name]
            (repo / name).write_bytes(options[choice % len(options)])
        elif action == "remove":
            (repo / name).unlink(missing_ok=True)
        else:
            git(repo, "add", "-A")
        for snapshot in (["--staged", "--no-commands"], ["--no-commands"]):
            assert_kept_as_afresh(evaluate, repo, pack, snapshot, edit)


def test_a_staged_change_judges_again_only_the_rules_that_read_the_changed_file(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    judged: list[str],
) -> None:
    files: dict[str, str | bytes | None] = {
        name: options[0] for name, options in READS_TEXTS.items() if name != "key.pem"
    }
    repo, pack = make_repo(files), write_pack(READS_PACK)
    first = evaluate(repo, pack, "--staged", "--no-commands")
    assert first.report is not None
    rules = [r["rule"] for r in first.report["results"]]
    assert sorted(judged) == sorted(rules)
    assert first.exit_code == 0, first.report
    # What a commit's index is: one file edited and staged, the same listing.
    (repo / "svc/a.yaml").write_bytes(READS_TEXTS["svc/a.yaml"][1])
    git(repo, "add", "svc/a.yaml")
    judged.clear()
    second = evaluate(repo, pack, "--staged", "--no-commands")
    # The rules that read svc/a.yaml, the condition's user that asked second among them;
    # not `either`, whose `any` passed on NOTES.md before reading svc/a.yaml.
    assert sorted(judged) == ["budget", "deployed", "owned", "replicas"]
    assert {r["rule"]: r["status"] for r in second.report["results"]} == {  # type: ignore[index]
        "replicas": "fail",
        "budget": "pass",
        "owned": "skip",
        "deployed": "fail",
        "either": "pass",
        "each-readme": "pass",
        "edition": "pass",
        "tests-pass": "pass",
        "no-secret": "pass",
    }
    # A file more: another listing, which nothing was kept for.
    (repo / "key.pem").write_bytes(READS_TEXTS["key.pem"][0])
    git(repo, "add", "key.pem")
    judged.clear()
    assert evaluate(repo, pack, "--staged", "--no-commands").status("no-secret") == "fail"
    assert sorted(judged) == sorted(rules)
    assert len(read_entries()) == 2  # one entry per listing
