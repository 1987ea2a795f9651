"""`policy new NAME`: a scaffold that validates, evaluates and passes its own fixtures."""

from __future__ import annotations

from pathlib import Path


def test_the_scaffold_passes_policy_test_at_full_coverage(policy, tmp_path: Path) -> None:
    done = policy("new", "team-checks", cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[0] == "created pack team-checks in team-checks"
    root = tmp_path / "team-checks"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "README.md",
        "pack.yaml",
        "tests/fails/expect.yaml",
        "tests/fails/repo/README.md",
        "tests/passes/expect.yaml",
        "tests/passes/repo/README.md",
    ]
    tested = policy("test", "team-checks", "--min-coverage", "100", cwd=tmp_path)
    assert tested.exit_code == 0, tested.stdout + tested.stderr
    assert (
        "coverage: 1 of 1 rule(s) seen passing, failing and, where they can, skipping (100%)"
        in tested.stdout
    )


def test_the_scaffold_validates_without_warnings_and_evaluates(
    policy, tmp_path: Path, make_repo
) -> None:
    policy("new", "team-checks", cwd=tmp_path)
    validated = policy("validate", tmp_path / "team-checks" / "pack.yaml")
    assert validated.exit_code == 0
    assert validated.stdout.endswith("1 file(s) checked: 0 error(s), 0 warning(s)\n")
    repo = make_repo({"README.md": "# Demo\n\n## Usage\n\n    make\n"})
    pack = tmp_path / "team-checks" / "pack.yaml"
    done = policy("eval", repo, "--pack", pack, "--format", "json")
    assert done.exit_code == 0
    assert '"rule": "docs.readme-usage"' in done.stdout
    assert '"status": "pass"' in done.stdout


def test_dir_chooses_the_parent_folder(policy, tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    done = policy("new", "mine", "--dir", tmp_path / "packs")
    assert done.exit_code == 0
    assert (
        (tmp_path / "packs" / "mine" / "pack.yaml")
        .read_text()
        .startswith("apiVersion: rulepack/v1\nname: mine\n")
    )


def test_an_existing_folder_is_never_overwritten(policy, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    done = policy("new", "mine", cwd=tmp_path)
    assert done.exit_code == 2
    assert done.stderr == "policy: error: mine already exists; choose another name or --dir\n"
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "mine" / "pack.yaml").exists()


def test_a_name_must_be_a_pack_name(policy, tmp_path: Path) -> None:
    done = policy("new", "Team Checks", cwd=tmp_path)
    assert done.exit_code == 2
    assert "pack name 'Team Checks': use lower-case letters, digits and dashes" in done.stderr
    assert list(tmp_path.iterdir()) == []
