"""`file` checks end to end: exists, absent, contents, in_each, and what the snapshot offers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


def findings(run) -> list[tuple[str | None, int | None, str]]:
    return [(f["path"], f["line"], f["message"]) for f in run.result()["findings"]]


def notes(run) -> list[tuple[str, str]]:
    return [(n["path"], n["message"]) for n in run.result()["notes"]]


# -- exists / absent --------------------------------------------------------------------------


def test_exists_passes_when_any_glob_matches(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"README.rst": "x"}), check_pack("{file: {exists: [README.md, README.rst]}}")
    )
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        0,
        "pass",
        "README.rst exists",
    )


def test_exists_fails_naming_the_globs(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"docs/x": "x"}), check_pack("{file: {exists: [README.md, README.rst]}}")
    )
    assert (run.exit_code, run.status()) == (1, "fail")
    assert findings(run) == [(None, None, "none of README.md, README.rst exists")]


def test_absent_fails_with_every_matching_path(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.pem": "k", "deep/er/b.pem": "k", ".hidden/c.pem": "k", "ok.txt": "x"})
    run = evaluate(repo, check_pack('{file: {absent: ["**/*.pem", "**/.env"]}}'))
    assert run.status() == "fail"
    assert findings(run) == [
        (".hidden/c.pem", None, "should not exist"),
        ("a.pem", None, "should not exist"),
        ("deep/er/b.pem", None, "should not exist"),
    ]


def test_absent_passes_when_nothing_matches(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({"ok.txt": "x"}), check_pack('{file: {absent: ["**/*.pem"]}}'))
    assert run.status() == "pass"


def test_exclude_removes_matches(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.pem": "k", "tests/fixtures/b.pem": "k"})
    pack = check_pack('{file: {absent: ["**/*.pem"], exclude: ["tests/**"]}}')
    assert findings(evaluate(repo, pack)) == [("a.pem", None, "should not exist")]


def test_brace_and_character_class_globs(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {"k8s/app.yml": "a", "k8s/app.yaml": "a", "k8s/app.json": "a", "k8s/b1.yaml": "a"}
    )
    pack = check_pack('{file: {absent: ["k8s/app.y{a,}ml", "k8s/b[0-9].*"]}}')
    assert [f[0] for f in findings(evaluate(repo, pack))] == [
        "k8s/app.yaml",
        "k8s/app.yml",
        "k8s/b1.yaml",
    ]


def test_named_fileset_with_its_exclude_and_the_checks_exclude(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo(
        {
            "deploy/a.yaml": "x",
            "deploy/templates/b.yaml": "x",
            "deploy/c.yaml": "x",
            "other/d.yaml": "x",
        }
    )
    head = 'filesets:\n  k8s: {include: ["deploy/**/*.yaml"], exclude: ["**/templates/**"]}\n'
    pack = check_pack('{file: {absent: {fileset: k8s}, exclude: ["deploy/c.yaml"]}}', head)
    assert findings(evaluate(repo, pack)) == [("deploy/a.yaml", None, "should not exist")]


# -- contents ------------------------------------------------------------------------------------


def test_contains_every_matched_file_must_match(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"src/a.rs": "//! doc\nfn a() {}\n", "src/b.rs": "fn b() {}\n"})
    run = evaluate(repo, check_pack('{file: {paths: ["src/**/*.rs"], contains: "(?m)^//! "}}'))
    assert run.status() == "fail"
    assert findings(run) == [("src/b.rs", None, "does not match /(?m)^//! /")]


def test_contains_passes_when_every_file_matches(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"src/a.rs": "//! doc\n", "src/b.rs": "//! doc\n"})
    run = evaluate(repo, check_pack('{file: {paths: ["src/**/*.rs"], contains: "(?m)^//! "}}'))
    assert (run.status(), run.result()["message"]) == ("pass", "2 file(s) checked")


def test_contains_with_no_matched_file_fails_with_nothing_to_check(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(
        make_repo({"a.py": "x"}), check_pack('{file: {paths: ["**/*.rs"], contains: x}}')
    )
    assert run.status() == "fail"
    assert findings(run) == [(None, None, "nothing to check: no file matches **/*.rs")]


def test_nothing_to_check_names_the_excludes_that_left_files_out(
    evaluate, make_repo, check_pack
) -> None:
    check = '{file: {paths: ["**/*.rs"], exclude: ["target/**"], contains: x}}'
    run = evaluate(make_repo({"target/a.rs": "x", "target/b.rs": "x"}), check_pack(check))
    assert run.status() == "fail"
    assert findings(run) == [
        (
            None,
            None,
            "nothing to check: no file matches **/*.rs (2 files left out by exclude: target/**)",
        )
    ]


def test_not_contains_with_no_matched_file_passes(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"a.py": "x"}), check_pack('{file: {paths: ["**/*.rs"], not_contains: x}}')
    )
    assert run.status() == "pass"


def test_not_contains_findings_carry_path_and_line(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {
            # written in two parts, so that this repository does not hold a key header itself
            "keys/id": "line one\n-----BEGIN RSA " + "PRIVATE KEY-----\nabc\n",
            "notes.md": "BEGIN RSA PRIVATE KEY\n\n\nBEGIN RSA PRIVATE KEY\n",
            "clean.txt": "nothing\n",
        }
    )
    run = evaluate(
        repo, check_pack('{file: {paths: ["**/*"], not_contains: "BEGIN RSA PRIVATE KEY"}}')
    )
    assert (run.exit_code, run.status()) == (1, "fail")
    assert findings(run) == [
        ("keys/id", 2, "matches /BEGIN RSA PRIVATE KEY/"),
        ("notes.md", 1, "matches /BEGIN RSA PRIVATE KEY/"),
        ("notes.md", 4, "matches /BEGIN RSA PRIVATE KEY/"),
    ]


def test_not_contains_keeps_fifty_findings_per_file_and_counts_the_rest(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"log.txt": "TODO\n" * 53})
    run = evaluate(repo, check_pack("{file: {paths: [log.txt], not_contains: TODO}}"))
    found = findings(run)
    assert len(found) == 51
    assert found[49] == ("log.txt", 50, "matches /TODO/")
    assert found[50] == ("log.txt", None, "3 more matches of /TODO/")


def test_match_any_passes_when_one_file_matches(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.md": "license: MIT", "b.md": "nothing"})
    run = evaluate(repo, check_pack('{file: {paths: ["*.md"], contains: "license", match: any}}'))
    assert run.status() == "pass"


def test_match_any_fails_when_no_file_matches(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.md": "x", "b.md": "y"})
    run = evaluate(repo, check_pack('{file: {paths: ["*.md"], contains: "license", match: any}}'))
    assert run.status() == "fail"
    assert findings(run) == [(None, None, "none of 2 file(s) matches /license/")]


def test_a_file_over_the_size_cap_is_reported_not_read(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"big.txt": "SECRET " * 20, "small.txt": "fine"})
    run = evaluate(
        repo, check_pack('{file: {paths: ["*.txt"], not_contains: SECRET, max_bytes: 100}}')
    )
    assert run.status() == "pass"
    assert notes(run) == [("big.txt", "not read: 140 bytes is over the 100-byte cap")]


def test_the_default_size_cap_is_one_mebibyte(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"big.txt": "x" * (1024 * 1024 + 1), "edge.txt": "y" * (1024 * 1024)})
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], contains: "[xy]"}}'))
    assert run.status() == "pass"
    assert notes(run) == [("big.txt", "not read: 1,048,577 bytes is over the 1,048,576-byte cap")]


def test_contains_when_no_matched_file_could_be_read(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"big.txt": "x" * 50})
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], contains: x, max_bytes: 10}}'))
    assert run.status() == "fail"
    assert findings(run) == [(None, None, "nothing to check: no matched file could be read *.txt")]


def test_a_binary_file_is_skipped_by_content_checks(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00SECRET", "a.txt": "clean"})
    run = evaluate(repo, check_pack('{file: {paths: ["*"], not_contains: SECRET}}'))
    assert run.status() == "pass"
    assert notes(run) == [("logo.png", "not read: binary file")]


def test_a_non_utf8_file_is_read_with_replacement_and_noted(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"latin1.txt": "café\nSECRET\n".encode("latin-1")})
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], not_contains: SECRET}}'))
    assert run.status() == "fail"
    assert findings(run) == [("latin1.txt", 2, "matches /SECRET/")]
    assert notes(run) == [
        ("latin1.txt", "not valid UTF-8 (byte 3); read with replacement characters")
    ]


# -- in_each ---------------------------------------------------------------------------------------


def test_in_each_one_finding_per_folder_that_falls_short(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {
            "services/api/Dockerfile": "FROM x",
            "services/web/index.js": "x",
            "services/worker/src/main.rs": "x",
            "services/README.md": "x",
        }
    )
    run = evaluate(repo, check_pack('{file: {in_each: "services/*", exists: [Dockerfile]}}'))
    assert run.status() == "fail"
    assert run.result()["message"] == "2 of 3 folders matching services/* fall short"
    assert findings(run) == [
        ("services/web", None, "none of Dockerfile exists in services/web"),
        ("services/worker", None, "none of Dockerfile exists in services/worker"),
    ]


def test_in_each_passes_when_every_folder_complies(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"services/a/Dockerfile": "x", "services/b/Dockerfile": "x"})
    run = evaluate(repo, check_pack('{file: {in_each: "services/*", exists: [Dockerfile]}}'))
    assert (run.status(), run.result()["message"]) == (
        "pass",
        "all 2 folders matching services/* comply",
    )


def test_in_each_with_contents_and_absent(evaluate, make_repo, pack_text) -> None:
    repo = make_repo(
        {
            "crates/a/Cargo.toml": "[package]\nedition = '2021'\n",
            "crates/b/Cargo.toml": "[package]\n",
            "crates/b/secret.pem": "k",
        }
    )
    pack = pack_text("""\
        - id: edition
          title: T
          category: general
          check: {file: {in_each: "crates/*", paths: [Cargo.toml], contains: edition}}
        - id: pem
          title: T
          category: general
          check: {file: {in_each: "crates/*", absent: ["**/*.pem"]}}
    """)
    run = evaluate(repo, pack)
    assert [(f["path"], f["message"]) for f in run.result("edition")["findings"]] == [
        ("crates/b/Cargo.toml", "does not match /edition/")
    ]
    assert [(f["path"], f["message"]) for f in run.result("pem")["findings"]] == [
        ("crates/b/secret.pem", "should not exist")
    ]


def test_in_each_with_no_matching_folder_skips(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"a.txt": "x"}),
        check_pack('{file: {in_each: "services/*", exists: [Dockerfile]}}'),
    )
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "no folder matches services/*",
    )


def test_in_each_globs_are_relative_to_each_folder(evaluate, make_repo, check_pack) -> None:
    # a Dockerfile in a sibling folder does not count for this one
    repo = make_repo({"svc/a/Dockerfile": "x", "svc/a-b/readme": "x"})
    run = evaluate(repo, check_pack('{file: {in_each: "svc/*", exists: ["**/Dockerfile"]}}'))
    assert findings(run) == [("svc/a-b", None, "none of **/Dockerfile exists in svc/a-b")]


# -- the file set the worktree snapshot offers ----------------------------------------------------


def test_untracked_files_count_and_ignored_files_do_not(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({".gitignore": "build/\n*.log\n", "tracked.pem": "k"})
    (repo / "untracked.pem").write_text("k")
    (repo / "build").mkdir()
    (repo / "build" / "ignored.pem").write_text("k")
    (repo / "debug.log").write_text("k")
    run = evaluate(repo, check_pack('{file: {absent: ["**/*.pem", "**/*.log"]}}'))
    assert [f[0] for f in findings(run)] == ["tracked.pem", "untracked.pem"]


def test_a_tracked_file_deleted_from_disk_is_gone(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"old.pem": "k", "README.md": "x"})
    (repo / "old.pem").unlink()
    assert evaluate(repo, check_pack('{file: {absent: ["*.pem"]}}')).status() == "pass"


def test_outside_git_every_file_counts(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({".gitignore": "*.pem\n", "a.pem": "k", "sub/b.pem": "k"}, git_init=False)
    run = evaluate(repo, check_pack('{file: {absent: ["**/*.pem"]}}'))
    assert [f[0] for f in findings(run)] == ["a.pem", "sub/b.pem"]
    assert run.report["snapshot"]["commit"] is None


def test_an_empty_repository(evaluate, make_repo, pack_text) -> None:
    repo = make_repo({}, commit=False)
    pack = pack_text("""\
        - {id: exists, title: T, category: general, check: {file: {exists: [README.md]}}}
        - {id: absent, title: T, category: general, check: {file: {absent: ["**/*"]}}}
        - {id: contains, title: T, category: general, check: {file: {paths: ["**/*"], contains: x}}}
        - id: manifest
          title: T
          category: general
          check: {manifest: {files: ["**/*.yaml"], assert: a}}
    """)
    run = evaluate(repo, pack)
    assert run.exit_code == 1
    assert [r["status"] for r in run.report["results"]] == ["fail", "pass", "fail", "skip"]
    assert run.result("manifest")["reason"] == "no file matches **/*.yaml"
    assert run.report["snapshot"]["commit"] is None


def test_a_symlink_leaving_the_root_is_not_followed(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET\n")
    repo = make_repo({"a.txt": "clean\n"})
    os.symlink(outside, repo / "link.txt")
    os.symlink("../outside.txt", repo / "relative.txt")
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], not_contains: SECRET}}'))
    assert (run.exit_code, run.status()) == (0, "pass")
    assert notes(run) == [
        ("link.txt", "not read: symlink leaves the snapshot root (absolute target)"),
        ("relative.txt", "not read: symlink leaves the snapshot root"),
    ]


def test_a_symlink_leaving_the_root_does_not_exist_for_exists(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    (tmp_path / "README.md").write_text("x")
    repo = make_repo({"a.txt": "x"})
    os.symlink(tmp_path / "README.md", repo / "README.md")
    subprocess.run(["git", "add", "README.md"], cwd=repo, check=True)
    run = evaluate(repo, check_pack("{file: {exists: [README.md]}}"))
    assert run.status() == "fail"
    assert notes(run) == [
        ("README.md", "not read: symlink leaves the snapshot root (absolute target)")
    ]


def test_absolute_targets_and_loops_are_not_followed_as_in_git_snapshots(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"a.md": "SECRET\n"})
    os.symlink(repo / "a.md", repo / "absolute.md")  # points inside, but absolutely
    os.symlink("loop2.md", repo / "loop1.md")
    os.symlink("loop1.md", repo / "loop2.md")
    run = evaluate(repo, check_pack('{file: {paths: ["*.md"], not_contains: SECRET}}'))
    assert findings(run) == [("a.md", 1, "matches /SECRET/")]
    assert notes(run) == [
        ("absolute.md", "not read: symlink leaves the snapshot root (absolute target)"),
        ("loop1.md", "not read: symlink loop"),
        ("loop2.md", "not read: symlink loop"),
    ]


def test_a_symlink_inside_the_root_is_followed(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"docs/real.md": "SECRET\n"})
    os.symlink("docs/real.md", repo / "alias.md")
    run = evaluate(repo, check_pack('{file: {paths: ["*.md"], not_contains: SECRET}}'))
    assert findings(run) == [("alias.md", 1, "matches /SECRET/")]


@pytest.mark.parametrize("use_git", [True, False])
def test_a_symlinked_folder_is_not_walked(
    evaluate, make_repo, check_pack, tmp_path, use_git
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "key.pem").write_text("k")
    repo = make_repo({"a.txt": "x"}, git_init=use_git)
    os.symlink(elsewhere, repo / "linked")
    run = evaluate(repo, check_pack('{file: {absent: ["**/*.pem"]}}'))
    assert run.status() == "pass"


def test_paths_are_reported_relative_and_posix(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a b/ü.pem": "k"})
    run = evaluate(repo, check_pack('{file: {absent: ["**/*.pem"]}}'))
    assert findings(run) == [("a b/ü.pem", None, "should not exist")]


def test_evaluating_a_path_that_is_not_a_folder(
    policy, tmp_path: Path, write_pack, check_pack
) -> None:
    done = policy(
        "eval", tmp_path / "nope", "--pack", write_pack(check_pack("{file: {exists: [a]}}"))
    )
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: {tmp_path / 'nope'}: not a folder\n",
    )


# -- regexes: read as `re` reads them, bounded ------------------------------------------------


def test_a_regex_that_backtracks_without_end_makes_the_rule_error(
    evaluate, make_repo, check_pack, monkeypatch
) -> None:
    from engine import regexes

    monkeypatch.setattr(regexes, "TIME_LIMIT", 0.2)  # the run takes this long, not a minute
    repo = make_repo({"a.txt": "a" * 65 + "!", "b.txt": "fine"})
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], contains: "(a|aa)+$"}}'))
    expected = (
        "regex /(a|aa)+$/ gave up after 0.2 s: it backtracks too much on this text "
        "(avoid a repeat inside a repeat, such as (a+)+ or (a|aa)*)"
    )
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        1,
        "error",
        f"a.txt: {expected}",
    )
    assert findings(run) == [("a.txt", None, expected)]


def test_a_regex_that_gives_up_on_one_file_is_not_tried_on_the_files_after_it(
    evaluate, make_repo, check_pack, monkeypatch
) -> None:
    from engine import regexes

    monkeypatch.setattr(regexes, "TIME_LIMIT", 0.2)
    searched: list[str] = []
    search = regexes.Regex.search

    def counting(self: regexes.Regex, text: str) -> object:
        searched.append(text)
        return search(self, text)

    monkeypatch.setattr(regexes.Regex, "search", counting)
    slow = "a" * 65 + "!"
    repo = make_repo({"a.txt": slow, "b.txt": slow, "c.txt": slow})
    run = evaluate(repo, check_pack('{file: {paths: ["*.txt"], contains: "(a|aa)+$"}}'))
    assert (run.status(), run.result()["message"].split(":")[0]) == ("error", "a.txt")
    assert len(searched) == 1  # each further file would cost the time limit again


def test_nested_quantifiers_that_do_not_backtrack_run(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"a.txt": "a" * 65 + "!"}),
        check_pack('{file: {paths: ["*.txt"], not_contains: "(a+)+$"}}'),
    )
    assert (run.exit_code, run.status()) == (0, "pass")


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        ("(a", "invalid regex '(a': missing ), unterminated subpattern at position 0"),
        (
            "(a)" * 101,
            "invalid regex '" + "(a)" * 19 + "(a…(306 characters)…" + "(a)" * 6 + "': has 101 "
            "groups; a regex may have at most 100",
        ),
        (
            "x" * 5000,
            "invalid regex '" + "x" * 59 + "…(5,003 characters)…" + "x" * 18 + "': is 5,000 "
            "characters long; a regex may have at most 4,096",
        ),
        (
            "(" * 2000 + ")" * 2000,
            "invalid regex '"
            + "(" * 59
            + "…(4,003 characters)…"
            + ")" * 18
            + "': nests more than 50 levels deep",
        ),
    ],
)
def test_a_regex_past_the_bounds_is_a_located_pack_error(
    policy, make_repo, check_pack, write_pack, regex, message
) -> None:
    pack = write_pack(check_pack(f"{{file: {{paths: [a], contains: '{regex}'}}}}"))
    done = policy("eval", make_repo(), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr == f"policy: {pack}:10:42: error: rule r: {message}\n"


def test_a_set_that_python_warns_about_is_a_located_warning(
    policy, make_repo, check_pack, write_pack
) -> None:
    pack = write_pack(check_pack("{file: {paths: [a.txt], contains: '[[:alpha:]]'}}"))
    done = policy("eval", make_repo({"a.txt": "x"}), "--pack", pack, "--format", "json")
    assert done.exit_code == 1  # the set is `[:alph` and then `]`, as Python reads it
    assert done.stderr == (
        f"policy: {pack}:10:46: warning: rule r: regex '[[:alpha:]]': Possible nested set at "
        "position 1 (a later Python may read it differently; escape `[`, `&`, `-`, `|` or "
        "`~` inside a set with a backslash)\n"
    )


@pytest.mark.parametrize(
    ("max_bytes", "message"),
    [
        ("1e30", "check.file.max_bytes: 1e+30 is greater than the maximum of 1073741824"),
        (".inf", "check.file.max_bytes: inf is not a number (NaN and infinities are not)"),
        ("0", "check.file.max_bytes: 0 is less than the minimum of 1"),
    ],
)
def test_max_bytes_is_bounded(
    policy, make_repo, check_pack, write_pack, max_bytes, message
) -> None:
    pack = write_pack(check_pack(f"{{file: {{paths: [a], contains: x, max_bytes: {max_bytes}}}}}"))
    done = policy("eval", make_repo(), "--pack", pack)
    assert (done.exit_code, done.stderr) == (2, f"policy: {pack}:10:56: error: rule r: {message}\n")
