"""The README's examples stay true: its pack validates, its config parses, its pre-commit
snippets name a release and the published hook, and each format's excerpt is what it writes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from engine import __version__
from engine.config import parse_config
from engine.reporters import REPORTERS
from tests.conftest import write_files

ROOT = Path(__file__).resolve().parent.parent


def section(heading: str) -> str:
    """The README's text under `## heading` or `### heading`, up to the next heading of that
    level or above (a `#` line inside a fenced block is not a heading)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines(keepends=True)
    titles = [f"{hashes} {heading}\n" for hashes in ("##", "###")]
    start = next(i for i, line in enumerate(lines) if line in titles)
    level = lines[start].index(" ")
    fenced = False
    for end in range(start + 1, len(lines)):
        fenced ^= lines[end].startswith("```")
        hashes = len(lines[end]) - len(lines[end].lstrip("#"))
        if not fenced and 2 <= hashes <= level and lines[end][hashes : hashes + 1] == " ":
            break
    else:
        end = len(lines)
    return "".join(lines[start + 1 : end])


def fenced_blocks(heading: str, language: str) -> list[str]:
    """The fenced blocks of `language` under a README heading."""
    found = re.findall(rf"^```{language}\n(.*?)^```", section(heading), re.S | re.M)
    assert found, f"no {language} block under '{heading}'"
    return found


def fenced(heading: str, language: str) -> str:
    """The first fenced block of `language` under a README heading."""
    return fenced_blocks(heading, language)[0]


def test_the_pack_in_one_page_is_valid(policy, tmp_path) -> None:
    pack = tmp_path / "my-service.yaml"
    pack.write_text(fenced("A pack in one page", "yaml"), encoding="utf-8")
    done = policy("validate", pack)
    assert (done.exit_code, done.stderr) == (0, "")
    assert done.stdout.endswith("1 file(s) checked: 0 error(s), 0 warning(s)\n")


def test_the_config_example_is_valid_and_names_real_rules(policy) -> None:
    config = parse_config(fenced("Repository config", "yaml"), "README.md")
    assert config.fail_on == "warning"
    rules = policy("rules", "--pack", "production", "--format", "json").stdout
    for rule_id, _ in config.disable:
        assert f'"id": "{rule_id}"' in rules
    for rule_id, _, _ in config.severity:
        assert f'"id": "{rule_id}"' in rules


def test_the_pre_commit_snippets_name_this_release_and_this_repository_s_hook() -> None:
    remote, local = (
        yaml.safe_load(block)["repos"] for block in fenced_blocks("The pre-commit hook", "yaml")
    )
    (ours,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    # the framework checks out `rev`: the release tag of this version (`git tag -a v0.1.0`)
    assert remote[0]["rev"] == f"v{__version__}"
    assert [hook["id"] for hook in remote[0]["hooks"]] == [ours["id"]] == ["policy"]
    # the `repo: local` form runs what the published hook runs, with the `policy` on PATH
    assert local[0]["repo"] == "local"
    (hook,) = local[0]["hooks"]
    assert hook["language"] == "system"
    same = ("id", "name", "entry", "pass_filenames", "always_run")
    assert {key: hook[key] for key in same} == {key: ours[key] for key in same}


# -- What each format looks like ----------------------------------------------------------

#: The README shows the run as made in a folder holding the pack and the repository.
SHOWN_ROOT = "/src/my-service"
#: What changes from one run to the next: durations.
VARYING = [
    (re.compile(r'"duration_ms": [0-9.]+'), '"duration_ms": 1.0'),
    (re.compile(r'time="[0-9.]+"'), 'time="0.001"'),
]


def excerpts() -> dict[str, str]:
    """Each format's excerpt in the README: the block after "`--format NAME`: ..."."""
    text = section("What each format looks like")
    found = re.finditer(r"^`--format (\w+)`[^\n]*\n\n```\w*\n(.*?)^```", text, re.M | re.S)
    return {match[1]: match[2] for match in found}


def steady(text: str) -> list[str]:
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text.splitlines()


def runs_of(excerpt: str) -> list[list[str]]:
    """The excerpt's runs of lines, split where a line is an ellipsis (…): lines left out."""
    runs: list[list[str]] = [[]]
    for line in steady(excerpt):
        if line.strip() == "…":
            runs.append([])
        else:
            runs[-1].append(line)
    return [run for run in runs if run]


@pytest.fixture
def example(tmp_path: Path, policy) -> Callable[[str], str]:
    """`policy eval --pack ./my-service.yaml --format F my-service`, as the README ran it."""
    (tmp_path / "my-service.yaml").write_text(fenced("A pack in one page", "yaml"))
    deployment = fenced("What each format looks like", "yaml")
    write_files(tmp_path / "my-service", {"k8s/web.yaml": deployment})

    def run(format_name: str) -> str:
        args = ("--pack", "./my-service.yaml", "--format", format_name, "my-service")
        done = policy("eval", *args, cwd=tmp_path)
        assert (done.exit_code, done.stderr) == (1, "")
        return done.stdout.replace(str(tmp_path / "my-service"), SHOWN_ROOT)

    return run


def test_every_format_has_an_excerpt() -> None:
    assert list(excerpts()) == list(REPORTERS)


@pytest.mark.parametrize("format_name", list(REPORTERS))
def test_each_excerpt_is_what_the_format_writes(example, format_name: str) -> None:
    output = example(format_name)
    lines = steady(output)
    start = 0
    for run in runs_of(excerpts()[format_name]):
        # each run of lines is in the output as it is, after the one before it
        found = next(
            (i for i in range(start, len(lines) - len(run) + 1) if lines[i : i + len(run)] == run),
            None,
        )
        assert found is not None, f"not in the output, in this order:\n{run}\n\noutput:\n{output}"
        start = found + len(run)


def test_the_waivers_example_parses_and_names_a_real_rule(policy) -> None:
    config = parse_config(fenced("Waivers", "yaml"), "README.md")
    assert [(w.rule, w.paths, w.owner, w.ticket) for w in config.waivers] == [
        ("sec.no-private-keys", ("tests/fixtures/**",), "@platform-team", "SEC-123")
    ]
    assert config.max_waiver_days == 180
    rules = policy("rules", "--pack", "production", "--format", "json").stdout
    assert '"id": "sec.no-private-keys"' in rules


def test_the_remote_pack_example_parses_and_locks_as_shown() -> None:
    from engine.commands.lock import pinned_line
    from engine.packs.lock import LockEntry

    heading = "Remote packs and the lock file"
    config = parse_config(fenced(heading, "yaml"), "README.md")
    url = "https://git.example.com/platform/policies.git"
    remote = [(p.spec, p.git, p.version, p.path) for p in config.packs if p.git]
    assert remote == [("production-plus", url, "^2.1", "packs/production-plus")]
    shown = fenced_blocks(heading, "text")[1].splitlines()[1]
    commit = "4f1c2a9e7b10" + "0" * 28
    entry = LockEntry("production-plus", url, "packs/production-plus", "v2.1.3", commit, "")
    assert shown == pinned_line(entry, ())
