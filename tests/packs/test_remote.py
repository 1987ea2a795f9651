"""Remote (`git:`) packs through `policy eval`: resolution by tag, the lock, the cache,
trust, snapshots, and every bad input named where it is."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InputError
from engine.folders import cache_dir
from engine.packs.remote import RemoteRequest, highest_tag
from engine.packs.remote_cache import folder_digest
from tests.conftest import git

RULE = "  - {id: readme, title: README, category: general, check: {file: {exists: [README.md]}}}\n"


def remote_pack(
    name: str = "base", version: str = "1.0.0", head: str = "", rules: str = RULE
) -> str:
    """A pack file with one rule (`readme`, unless `rules` says otherwise)."""
    return (
        f"apiVersion: rulepack/v1\nname: {name}\nversion: {version}\n"
        "categories:\n  - {id: general, title: General}\n"
        + textwrap.dedent(head)
        + "rules:\n"
        + rules
    )


def config(url: str, version: str = "^1.0", path: str = "packs/base", name: str = "base") -> str:
    return f'packs:\n  - {{pack: {name}, git: "{url}", version: "{version}", path: {path}}}\n'


@pytest.fixture
def released(pack_repository):
    """A pack repository with base 1.0.0, 1.1.0 (an annotated tag) and 2.0.0."""
    repository = pack_repository()
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        files = {"packs/base/pack.yaml": remote_pack(version=version)}
        repository.release(f"v{version}", files, annotated=version == "1.1.0")
    return repository


def rejected(policy, repo: Path, *args: str, command: str = "eval") -> str:
    """What a run that must be an input error (exit 2) says, one line per problem."""
    done = policy(command, repo, *args)
    assert done.exit_code == 2, done.stdout
    assert "Traceback" not in done.stderr
    return done.stderr


def eval_json(policy, repo: Path, *args: str):
    done = policy("eval", repo, "--format", "json", *args)
    report = json.loads(done.stdout) if done.exit_code in (0, 1) else None
    return done, report


def test_the_highest_tag_inside_the_range_is_evaluated(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url), "README.md": "hi"})
    done, report = eval_json(policy, repo)
    assert done.exit_code == 0, done.stderr
    assert report["packs"][0]["name"] == "base"
    assert report["packs"][0]["version"] == "1.1.0"  # ^1.0 stops below 2.0.0
    assert report["packs"][0]["source"] == "git"
    assert report["packs"][0]["path"] == f"{released.url}@v1.1.0/packs/base/pack.yaml"
    assert [r["status"] for r in report["results"]] == ["pass"]
    assert "is not pinned by a lock" in done.stderr and "run `policy lock`" in done.stderr


def test_a_locked_pack_is_read_from_the_cache_without_the_network(
    policy, make_repo, released
) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    shutil.rmtree(released.bare)  # the repository is gone: nothing may be fetched
    done, report = eval_json(policy, repo, "--locked")
    assert done.exit_code == 1, done.stderr
    assert report["packs"][0]["version"] == "1.1.0"
    assert done.stderr == ""  # pinned: no warning


def test_a_locked_pack_missing_from_the_cache_is_fetched_by_its_tag(
    policy, make_repo, released
) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    shutil.rmtree(cache_dir("packs"))  # a fresh machine with the committed lock
    done, report = eval_json(policy, repo, "--locked")
    assert done.exit_code == 1, done.stderr
    assert report["packs"][0]["version"] == "1.1.0"
    commit = git(released.bare, "rev-parse", "v1.1.0^{commit}").strip()
    assert (cache_dir("packs") / commit / "packs%2Fbase" / "pack.yaml").is_file()


def test_a_changed_cache_is_an_input_error_naming_both_digests(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    locked = (repo / "rulepack.lock").read_text()
    expected = next(line.split('"')[1] for line in locked.splitlines() if "sha256:" in line)
    commit = git(released.bare, "rev-parse", "v1.1.0^{commit}").strip()
    cached = cache_dir("packs") / commit / "packs%2Fbase" / "pack.yaml"
    cached.write_text(cached.read_text().replace("README.md", "OTHER.md"))
    stderr = rejected(policy, repo)
    actual = folder_digest(cached.parent)
    assert stderr == (
        f"policy: .rulepack.yaml:2:5: error: remote pack 'base' ({released.url} v1.1.0): the "
        f"cached files in {cached.parent} have digest {actual}, but the lock says {expected} "
        "(a changed cache or lock file: delete the cached folder, or run `policy lock` if "
        "the lock is wrong)\n"
    )


def test_a_changed_lock_digest_is_an_input_error_after_a_fresh_fetch(
    policy, make_repo, released
) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    lock = repo / "rulepack.lock"
    text = lock.read_text()
    real = next(line.split('"')[1] for line in text.splitlines() if "sha256:" in line)
    forged = "sha256:" + "0" * 64
    lock.write_text(text.replace(real, forged))
    shutil.rmtree(cache_dir("packs"))
    stderr = rejected(policy, repo)
    assert f"the files of v1.1.0 have digest {real}, but the lock says {forged}" in stderr


def test_a_moved_tag_is_an_input_error(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    shutil.rmtree(cache_dir("packs"))
    git(released.work, "commit", "-q", "--allow-empty", "-m", "moved")
    git(released.work, "tag", "-f", "-a", "-m", "again", "v1.1.0")
    git(released.work, "push", "-q", "-f", str(released.bare), "refs/tags/v1.1.0")
    moved = git(released.bare, "rev-parse", "v1.1.0^{commit}").strip()
    stderr = rejected(policy, repo)
    assert f"tag v1.1.0 of {released.url} names commit {moved}, but rulepack.lock pins" in (stderr)


# -- bad input ------------------------------------------------------------------------


def test_an_unreachable_url_is_named_at_its_entry(policy, make_repo, tmp_path) -> None:
    url = (tmp_path / "nowhere.git").as_uri()
    repo = make_repo({".rulepack.yaml": config(url)})
    stderr = rejected(policy, repo)
    assert stderr.startswith(f"policy: .rulepack.yaml:2:5: error: cannot read the tags of {url}: ")
    assert stderr.count("\n") == 1


def test_a_range_no_tag_satisfies_lists_the_tags(policy, make_repo, released) -> None:
    git(released.work, "tag", "latest")
    git(released.work, "push", "-q", str(released.bare), "refs/tags/latest")
    repo = make_repo({".rulepack.yaml": config(released.url, version="^3.0")})
    assert rejected(policy, repo) == (
        f"policy: .rulepack.yaml:2:5: error: no tag of {released.url} satisfies ^3.0 for pack "
        "'base' (tags: v1.0.0, v1.1.0, v2.0.0)\n"
    )


def test_a_path_not_in_the_repository(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url, path="packs/nope")})
    assert rejected(policy, repo) == (
        f"policy: .rulepack.yaml:2:5: error: tag v1.1.0 of {released.url} has no folder "
        "'packs/nope' (path: is the folder holding the pack's pack.yaml)\n"
    )


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (
            {"packs/base/pack.yaml": remote_pack(version="1.1.0")},
            "the pack in packs/base in tag v1.2.0 of {url} declares version 1.1.0, not the "
            "tag's 1.2.0: a tag's pack must declare the tag's version",
        ),
        (
            {"packs/base/README.md": "no pack here"},
            "there is no pack.yaml in packs/base in tag v1.2.0 of {url} (path: is the folder "
            "holding the pack's pack.yaml)",
        ),
        (
            {"packs/base/pack.yaml": remote_pack("other", version="1.2.0")},
            "the pack in packs/base in tag v1.2.0 of {url} is named 'other', not 'base'",
        ),
    ],
    ids=["another-version", "no-pack-yaml", "another-name"],
)
def test_a_tag_whose_folder_is_not_the_pack_asked_for(
    policy, make_repo, pack_repository, files, reason
) -> None:
    repository = pack_repository()
    repository.release("v1.2.0", files)
    repo = make_repo({".rulepack.yaml": config(repository.url)})
    expected = reason.format(url=repository.url)
    assert rejected(policy, repo) == f"policy: .rulepack.yaml:2:5: error: {expected}\n"


@pytest.mark.parametrize(
    ("url", "path", "column", "message"),
    [
        (
            "http://example.com/p.git",
            "x",
            23,
            "git URL 'http://example.com/p.git': use an https://, ssh:// or file:// URL",
        ),
        (
            "https://example.com/p.git",
            "../up",
            75,
            "path '../up': give a POSIX folder relative to the repository",
        ),
    ],
)
def test_a_bad_url_or_path_is_located(policy, make_repo, url, path, column, message) -> None:
    repo = make_repo({".rulepack.yaml": config(url, path=path)})
    stderr = rejected(policy, repo)
    assert stderr == f"policy: .rulepack.yaml:2:{column}: error: {message}\n"


def test_remote_packs_extending_each_other_in_a_cycle(policy, make_repo, pack_repository) -> None:
    first, second = pack_repository(), pack_repository()
    extends_second = f'extends:\n  - {{pack: two, git: "{second.url}", version: "^1.0"}}\n'
    extends_first = f'extends:\n  - {{pack: one, git: "{first.url}", version: "^1.0"}}\n'
    first.release("v1.0.0", {"pack.yaml": remote_pack("one", head=extends_second)})
    second.release("v1.0.0", {"pack.yaml": remote_pack("two", head=extends_first, rules=" []\n")})
    repo = make_repo({".rulepack.yaml": config(first.url, path=".", name="one")})
    stderr = rejected(policy, repo)
    one, two = f"{first.url}@v1.0.0/pack.yaml", f"{second.url}@v1.0.0/pack.yaml"
    assert stderr == (f"policy: {two}:7:12: error: extends cycle: {one} -> {two} -> {one}\n")


def test_a_remote_pack_reads_only_its_own_folder(policy, make_repo, pack_repository) -> None:
    repository = pack_repository()
    files = {
        "packs/base/pack.yaml": remote_pack(head="extends:\n  - {pack: ../shared.yaml}\n"),
        "packs/shared.yaml": remote_pack("shared", rules=" []\n"),
    }
    repository.release("v1.0.0", files)
    repo = make_repo({".rulepack.yaml": config(repository.url)})
    assert rejected(policy, repo) == (
        f"policy: {repository.url}@v1.0.0/packs/base/pack.yaml:7:12: error: cannot read pack "
        f"{repository.url}@v1.0.0/packs/shared.yaml: outside the remote pack's folder\n"
    )


def test_an_invalid_lock_is_located(policy, make_repo, released) -> None:
    lock = "lockVersion: 1\npacks:\n  - pack: base\n    url: nope\n"
    repo = make_repo({".rulepack.yaml": config(released.url), "rulepack.lock": lock})
    stderr = rejected(policy, repo)
    missing = [f"'{key}' is a required property" for key in ("path", "tag", "commit", "sha256")]
    assert stderr.splitlines() == [
        *(f"policy: rulepack.lock:3:5: error: packs[0]: {m}" for m in missing),
        "policy: rulepack.lock:4:10: error: packs[0].url: 'nope' does not match "
        "'^(https|ssh|file)://\\\\S+$'",
    ]


def test_a_lock_that_is_not_yaml(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url), "rulepack.lock": "packs: [\n"})
    stderr = rejected(policy, repo)
    assert stderr.startswith("policy: rulepack.lock:2:1: error: not valid YAML: ")


# -- --locked -----------------------------------------------------------------------


def test_locked_without_a_lock_is_an_input_error(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert rejected(policy, repo, "--locked") == (
        "policy: .rulepack.yaml:2:5: error: --locked: rulepack.lock (there is none) does not "
        f"pin remote pack 'base' from {released.url} packs/base (^1.0): run `policy lock`\n"
    )


def test_locked_with_a_stale_lock_is_an_input_error(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    (repo / ".rulepack.yaml").write_text(config(released.url, version="^2.0"))
    assert rejected(policy, repo, "--locked") == (
        "policy: .rulepack.yaml:2:5: error: --locked: rulepack.lock does not pin remote pack "
        f"'base' from {released.url} packs/base (^2.0): run `policy lock`\n"
    )
    # without --locked the new range is resolved from the network, with a warning
    done, report = eval_json(policy, repo)
    assert report["packs"][0]["version"] == "2.0.0"
    assert "is not pinned by a lock" in done.stderr


def test_locked_with_an_entry_no_pack_uses(policy, make_repo, released, pack_repository) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    (repo / ".rulepack.yaml").write_text("packs: [production]\n")
    assert rejected(policy, repo, "--locked", "--no-commands") == (
        f"policy: error: --locked: rulepack.lock is stale: it pins {released.url} v1.1.0 "
        "(base), which no pack uses any more: run `policy lock`\n"
    )
    # a run of other packs than the config's leaves the pins alone
    chosen = policy("eval", repo, "--locked", "--pack", "production", "--no-commands")
    assert chosen.exit_code in (0, 1), chosen.stderr


# -- trust and snapshots ------------------------------------------------------------------

COMMAND_RULE = (
    "  - {id: runs, title: Runs, category: general, check: {command: {run: [git, --version]}}}\n"
)


def test_a_remote_pack_is_the_repositorys_and_runs_programs_only_when_trusted(
    policy, make_repo, pack_repository
) -> None:
    repository = pack_repository()
    repository.release("v1.0.0", {"packs/base/pack.yaml": remote_pack(rules=COMMAND_RULE)})
    repo = make_repo({".rulepack.yaml": config(repository.url)})
    assert policy("lock", repo).exit_code == 0
    _, report = eval_json(policy, repo)
    assert report["results"][0]["status"] == "skip"
    assert report["results"][0]["reason"] == (
        "not run: the pack comes from the repository (use --trust-repo)"
    )
    _, trusted = eval_json(policy, repo, "--trust-repo")
    assert trusted["results"][0]["status"] == "pass"


def test_a_repository_pack_extending_a_remote_pack(policy, make_repo, released) -> None:
    extends = (
        f'extends:\n  - {{pack: base, git: "{released.url}", version: "~1.0", path: packs/base}}\n'
    )
    own = remote_pack("own", head=extends, rules=" []\n")
    repo = make_repo({".rulepack.yaml": "packs: [packs/own.yaml]\n", "packs/own.yaml": own})
    locked = policy("lock", repo)
    assert locked.exit_code == 0, locked.stderr
    assert "locked base 1.0.0 (v1.0.0 " in locked.stdout
    done, report = eval_json(policy, repo, "--locked")
    assert done.exit_code == 1, done.stderr
    assert report["packs"][0]["name"] == "own"
    assert [r["rule"] for r in report["results"]] == ["readme"]


def test_staged_uses_the_staged_lock_and_fetches_nothing(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert rejected(policy, repo, "--staged") == (
        f"policy: .rulepack.yaml:2:5: error: --staged: remote pack 'base' from {released.url} "
        "packs/base (^1.0) is not pinned by the rulepack.lock of that snapshot, and only the "
        "working tree fetches: run `policy lock` and commit (or stage) rulepack.lock\n"
    )
    assert policy("lock", repo).exit_code == 0
    assert policy("eval", repo, "--staged").exit_code == 2  # the lock is not staged yet
    git(repo, "add", "rulepack.lock")
    _, report = eval_json(policy, repo, "--staged")
    assert report["packs"][0]["version"] == "1.1.0"


def test_a_ref_whose_locked_pack_is_not_cached_fetches_nothing(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    git(repo, "add", "rulepack.lock")
    git(repo, "commit", "-q", "-m", "lock")
    shutil.rmtree(cache_dir("packs"))
    assert rejected(policy, repo, "--ref", "HEAD") == (
        f"policy: .rulepack.yaml:2:5: error: remote pack 'base' ({released.url} v1.1.0) is not "
        "in the cache, and --ref HEAD fetches nothing: run `policy lock` in the working tree "
        "to fetch it\n"
    )
    assert not cache_dir("packs").exists()


# -- choosing a tag -----------------------------------------------------------------------

numbers = st.integers(0, 3).map(str)
releases = st.builds(lambda *parts: ".".join(parts), numbers, numbers, numbers)
prereleases = st.builds(lambda r, p: f"{r}-{p}", releases, st.sampled_from(["rc.1", "beta"]))
ranges = st.sampled_from(["*", "^1.0", "~1.2", ">=2.1.0", "<1", "1.x || 3.x", "^2.0.0-rc.1", "^9"])


@given(
    st.lists(st.tuples(releases | prereleases, st.booleans()), min_size=1, max_size=8),
    ranges,
)
def test_the_chosen_tag_is_what_node_semver_finds_highest(tagged, version_range) -> None:
    """The reference: node-semver's max_satisfying over the versions the tags name."""
    import nodesemver

    tags = {("v" if prefixed else "") + version: "0" * 40 for version, prefixed in tagged}
    versions = [t.removeprefix("v") for t in tags]
    tags["latest"] = "1" * 40  # a tag that names no version is never chosen
    best = nodesemver.max_satisfying(versions, version_range, False)
    request = RemoteRequest("base", "https://x.example/p.git", "", version_range)
    if best is None:
        with pytest.raises(InputError):
            highest_tag(tags, request)
    else:
        chosen = highest_tag(tags, request)
        assert chosen.removeprefix("v") == best
        assert chosen.startswith("v") or f"v{best}" not in tags  # v1.2.0 over 1.2.0
