"""REPOS.yaml through the real CLI: each mistake is one located line and exit 2, before any work."""

from __future__ import annotations

import pytest

from engine.fleet.repos import FleetEntry, parse_fleet


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "- {name: a, path: x}\n- {name: b, ref: main}\n",
            [
                "REPOS.yaml:2:3: error: repository b: give `path` (a repository on disk) or "
                "`url` (one to clone)"
            ],
        ),
        (
            "- name: a\n  path: x\n  url: file:///srv/a.git\n",
            ["REPOS.yaml:1:3: error: repository a: give `path` or `url`, not both"],
        ),
        (
            "- {path: x, colour: blue}\n",
            ["REPOS.yaml:1:13: error: unknown key 'colour' in [0]"],
        ),
        (
            "- {path: x, tags: core}\n",
            ["REPOS.yaml:1:19: error: [0].tags: 'core' is not of type 'array'"],
        ),
        (
            "- {path: x}\n- {path: y/x}\n",
            [
                "REPOS.yaml:2:3: error: repository x: the name is taken by entry 0 "
                "(give each a unique `name`)"
            ],
        ),
        (
            "repos: []\n",
            ["REPOS.yaml:1:1: error: (top level): {'repos': []} is not of type 'array'"],
        ),
        ("[]\n", ["REPOS.yaml:1:1: error: lists no repository"]),
        ("- {path: [\n", None),  # a YAML syntax error, located by the YAML reader
    ],
    ids=[
        "neither",
        "both",
        "unknown-key",
        "bad-type",
        "same-name",
        "not-a-list",
        "empty",
        "syntax",
    ],
)
def test_a_mistake_in_repos_yaml_is_located_and_exits_2(policy, tmp_path, text, said) -> None:
    (tmp_path / "REPOS.yaml").write_text(text)
    done = policy("fleet", "REPOS.yaml", cwd=tmp_path)
    assert (done.exit_code, done.stdout) == (2, "")
    lines = [line.removeprefix("policy: ") for line in done.stderr.splitlines()]
    if said is None:
        assert len(lines) == 1 and lines[0].startswith("REPOS.yaml:2:1: error: not valid YAML")
    else:
        assert lines == said


def test_a_missing_file_or_a_folder_without_repositories_is_an_input_error(
    policy, tmp_path
) -> None:
    done = policy("fleet", "nope.yaml", cwd=tmp_path)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: nope.yaml: no such file or folder\n",
    )
    (tmp_path / "empty").mkdir()
    done = policy("fleet", "empty", cwd=tmp_path)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: empty: no git repository directly inside this folder\n",
    )


def test_entries_take_defaults_and_paths_relative_to_the_file(tmp_path) -> None:
    text = (
        "- {path: mirrors/payments.git, owner: '@pay', tags: [core, pci]}\n"
        "- {url: 'git@git.example.com:org/search.git', ref: v2}\n"
        "- {name: docs, url: 'https://git.example.com/org/site/'}\n"
    )
    assert parse_fleet(text, "REPOS.yaml", tmp_path) == (
        FleetEntry(
            "payments",
            str(tmp_path / "mirrors/payments.git"),
            None,
            "HEAD",
            "@pay",
            ("core", "pci"),
        ),
        FleetEntry("search", None, "git@git.example.com:org/search.git", "v2"),
        FleetEntry("docs", None, "https://git.example.com/org/site/"),
    )


def test_the_readme_s_repos_yaml_reads_as_it_says(tmp_path) -> None:
    from tests.test_readme import fenced

    entries = parse_fleet(fenced("Fleets: many repositories on Dask", "yaml"), "R", tmp_path)
    assert [(e.name, e.path, e.url, e.ref, e.owner, e.tags) for e in entries] == [
        ("payments", "/srv/mirrors/payments.git", None, "main", "@team-payments", ("pci",)),
        ("search", None, "https://git.example.com/org/search.git", "HEAD", None, ("public",)),
        ("web", str(tmp_path / "../checkouts/web"), None, "HEAD", "@team-web", ()),
    ]
