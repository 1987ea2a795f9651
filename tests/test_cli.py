"""The `policy` program itself: version, help, exit codes, and no traceback ever."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli import main
from engine import __version__
from tests.conftest import PACK_HEADER, ROOT

BROKEN = """\
apiVersion: rulepack/v1
name: broken
version: 1.0.0
categories:
  - {id: general, title: General}
rules:
  - {id: a, title: A, category: general, check: {file: {paths: ["../x"], contains: "("}}}
  - {id: a, title: B, category: general, check: {manifest: {files: [x], assert: "a =="}}}
"""


def test_version(policy) -> None:
    done = policy("--version")
    assert (done.exit_code, done.stdout) == (0, f"rulepack, version {__version__}\n")


def test_the_installed_program_answers_the_version_as_the_cli_does(policy, policy_exe) -> None:
    # engine/launch.py answers `--version` alone without loading click; its words must be
    # click's, and anything more still goes to the command line
    fast = subprocess.run([policy_exe, "--version"], capture_output=True, text=True)
    assert (fast.returncode, fast.stdout, fast.stderr) == (0, policy("--version").stdout, "")
    script = (
        "import sys\nsys.argv = ['policy', '--version']\nfrom engine.launch import main\n"
        "main()\nprint(sorted(m for m in ('click', 'rich', 'yaml') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr
    more = subprocess.run([policy_exe, "--version", "--bogus"], capture_output=True, text=True)
    assert (more.returncode, more.stdout) == (2, "")  # click's own answer to a bad option
    assert "No such option '--bogus'" in more.stderr


def test_help_lists_the_commands(policy) -> None:
    done = policy("--help")
    assert done.exit_code == 0
    for command in ("eval", "packs", "rules", "explain", "validate"):
        assert f"  {command}" in done.stdout


def test_the_version_imports_nothing_heavy() -> None:
    script = (
        "import sys\n"
        "sys.argv = ['policy', '--version']\n"
        "import cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['rich', 'jsonschema', 'git', 'wcmatch', 'jmespath', 'nodesemver', 'xmltodict',\n"
        "         'dockerfile']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr


def test_a_bad_pack_gives_one_line_per_problem_and_no_traceback(
    policy_exe, make_repo, write_pack
) -> None:
    pack = write_pack(BROKEN)
    done = subprocess.run(
        [policy_exe, "eval", "--pack", str(pack)],
        cwd=make_repo({}),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"policy: {pack}:7:65: error: rule a: glob '../x' leaves the snapshot root "
        "('..' is not allowed)",
        f"policy: {pack}:7:84: error: rule a: invalid regex '(': "
        "missing ), unterminated subpattern at position 0",
        f"policy: {pack}:8:10: error: rule a: duplicate rule id 'a' (first defined at {pack}:7:10)",
        f"policy: {pack}:8:81: error: rule a: invalid JMESPath `a ==`: "
        "the expression ends too early",
    ]


def test_wrong_input_of_every_command_exits_2_without_traceback(policy_exe, tmp_path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("apiVersion: rulepack/v1\nname: p\nversion: [\n")
    for args in (
        ["eval", "--pack", str(pack), str(tmp_path)],
        ["rules", "--pack", str(pack)],
        ["explain", "x", "--pack", str(pack)],
        ["validate", str(pack)],
        ["eval", "--pack", "no-such-pack", str(tmp_path)],
        ["eval", str(tmp_path / "missing")],
    ):
        done = subprocess.run([policy_exe, *args], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr, args
        assert len(done.stderr.splitlines()) == 1, (args, done.stderr)


def test_an_internal_error_is_one_line_and_exit_3(policy, make_repo, monkeypatch) -> None:
    from engine.commands import packs

    def crash(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(packs, "run", crash)
    monkeypatch.delenv("RULEPACK_DEBUG", raising=False)
    done = policy("packs", cwd=make_repo({}))
    assert (done.exit_code, done.stderr) == (
        3,
        "policy: internal error: RuntimeError: something broke "
        "(set RULEPACK_DEBUG=1 for the traceback)\n",
    )


def test_a_reader_that_stops_early_gets_no_traceback(policy_exe, tmp_path) -> None:
    """`policy docs | true`: the reader leaves before the 70 kB reference is written."""
    import subprocess

    pipeline = subprocess.run(
        f"'{policy_exe}' docs --pack production | true; echo \"${{PIPESTATUS[0]}}\"",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        executable="/bin/bash",
    )
    assert (pipeline.stdout, pipeline.stderr) == ("141\n", "")


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    """Every command of `policy`, with the words that name it."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_option_and_argument_says_what_it_does_and_its_default() -> None:
    for words, command in commands():
        for param in command.params:
            where = (words, param.name)
            if isinstance(param, click.Argument):  # click gives arguments no help of their own
                text = command.help or ""
                assert param.human_readable_name.strip("[]") in text, where
                assert param.required or "default" in text, where
                continue
            assert isinstance(param, click.Option)
            assert param.help, where
            if not param.is_flag:
                shown = param.show_default is True and param.default is not None
                assert shown or "Default: " in param.help, where


def test_the_choices_come_from_the_reporters_and_the_fail_on_levels() -> None:
    from engine.model.severity import FAIL_ON_LEVELS
    from engine.reporters import REPORTERS

    options = {p.name: p for p in main.commands["eval"].params}
    assert options["format_name"].type.choices == tuple(REPORTERS)
    assert options["fail_on"].type.choices == FAIL_ON_LEVELS
    diff_options = {p.name: p for p in main.commands["diff"].params}
    assert diff_options["format_name"].type.choices == ("table", "json")
    assert diff_options["fail_on"].type.choices == FAIL_ON_LEVELS


def option_variables() -> dict[str, tuple[str, set[str]]]:
    """RULEPACK_* variable -> (the option it sets, the commands that read it)."""
    found: dict[str, tuple[str, set[str]]] = {}
    for words, command in commands():
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar:
                option, readers = found.setdefault(param.envvar, (param.opts[-1], set()))
                assert option == param.opts[-1], param.envvar
                readers.add(" ".join(words))
    return found


def test_the_readme_table_lists_every_option_variable() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Environment variables\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(RULEPACK_\w+)` \| `(--[\w-]+)`[^|]* \| ([^|]+) \|", section, re.M)
    table = {name: (option, set(readers.strip().split(", "))) for name, option, readers in rows}
    assert table == option_variables()


def test_help_shows_the_variables(policy) -> None:
    done = policy("eval", "--help")
    for variable in option_variables():
        assert f"[env var: {variable}" in " ".join(done.stdout.split()), variable


ENV_PACK = """\
params: {wanted: README.md}
rules:
  - {id: has-file, title: "Has {{ wanted }}", category: general, severity: warning,
     check: {file: {exists: ["{{ wanted }}"]}}}
  - {id: runs, title: Runs, category: general, check: {command: {run: ["true"]}}}
"""


@pytest.fixture
def env_pack(write_pack) -> Path:
    return write_pack(PACK_HEADER.replace("name: test", "name: env") + ENV_PACK)


@pytest.fixture
def env_repo(make_repo) -> Path:
    return make_repo({"docs/read me.md": "x"})


def report(done) -> dict:
    assert done.exit_code in (0, 1), done.stderr
    return json.loads(done.stdout)


def statuses(done) -> dict[str, str]:
    return {r["rule"]: r["status"] for r in report(done)["results"]}


def test_rulepack_pack_names_packs_as_shell_words(policy, env_repo, env_pack, write_pack) -> None:
    spaced = write_pack(
        check_pack_text("spaced"), name="pack.yaml", folder=env_pack.parent / "with space"
    )
    env = {"RULEPACK_PACK": f"{env_pack} '{spaced}'"}
    done = policy("eval", env_repo, "--format", "json", "--no-commands", env=env)
    assert [p["name"] for p in report(done)["packs"]] == ["env", "spaced"]
    alone = policy("eval", env_repo, "--format", "json", "--pack", spaced, env=env)
    assert [p["name"] for p in report(alone)["packs"]] == ["spaced"]


def check_pack_text(name: str) -> str:
    return PACK_HEADER.replace("name: test", f"name: {name}") + (
        "rules:\n  - {id: s, title: S, category: general, check: {file: {exists: ['**']}}}\n"
    )


def test_rulepack_format_picks_the_report(policy, env_repo, env_pack) -> None:
    env = {"RULEPACK_FORMAT": "json", "RULEPACK_PACK": str(env_pack)}
    done = policy("eval", env_repo, env=env)
    assert report(done)["packs"][0]["name"] == "env"
    markdown = policy("eval", env_repo, "--format", "markdown", env=env)
    assert markdown.stdout.startswith("## "), markdown.stdout[:200]


def test_rulepack_fail_on_wins_over_the_config_and_loses_to_the_option(
    policy, env_pack, make_repo
) -> None:
    repo = make_repo({".rulepack.yaml": "fail_on: never\n"})  # has-file fails, a warning
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_FORMAT": "json"}
    assert policy("eval", repo, env=env).exit_code == 0
    assert policy("eval", repo, env={**env, "RULEPACK_FAIL_ON": "warning"}).exit_code == 1
    done = policy("eval", repo, "--fail-on", "error", env={**env, "RULEPACK_FAIL_ON": "warning"})
    assert done.exit_code == 0
    bad = policy("eval", repo, env={**env, "RULEPACK_FAIL_ON": "critical"})
    assert bad.exit_code == 2
    assert bad.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--fail-on' (env var: 'RULEPACK_FAIL_ON'): "
        "'critical' is not one of 'error', 'warning', 'info', 'never'."
    )


def test_rulepack_config_names_the_config(policy, env_repo, env_pack, tmp_path) -> None:
    (tmp_path / "off.yaml").write_text("disable: [has-file]\n")
    (tmp_path / "on.yaml").write_text("{}\n")
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_CONFIG": str(tmp_path / "off.yaml")}
    done = policy("eval", env_repo, "--format", "json", "--no-commands", env=env)
    assert statuses(done)["has-file"] == "skip"
    done = policy("eval", env_repo, "--format", "json", "--config", tmp_path / "on.yaml", env=env)
    assert statuses(done)["has-file"] == "fail"


def test_rulepack_jobs_is_checked_like_the_option(policy, env_repo, env_pack) -> None:
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_JOBS": "0"}
    done = policy("eval", env_repo, env=env)
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--jobs' (env var: 'RULEPACK_JOBS'): "
        "0 is not in the range 1<=x<=64."
    )
    assert "Traceback" not in done.stderr
    assert policy("eval", env_repo, "--jobs", "2", "--format", "json", env=env).exit_code == 0
    assert (
        policy("eval", env_repo, "--format", "json", env={**env, "RULEPACK_JOBS": "64"}).exit_code
        == 0
    )


def test_rulepack_no_commands_skips_programs_unless_commands_is_given(
    policy, env_repo, env_pack
) -> None:
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_FORMAT": "json"}
    skipped = policy("eval", env_repo, env={**env, "RULEPACK_NO_COMMANDS": "1"})
    assert statuses(skipped)["runs"] == "skip"
    assert statuses(policy("eval", env_repo, env={**env, "RULEPACK_NO_COMMANDS": "0"}))["runs"] == (
        "pass"
    )
    forced = policy("eval", env_repo, "--commands", env={**env, "RULEPACK_NO_COMMANDS": "1"})
    assert statuses(forced)["runs"] == "pass"


def test_rulepack_param_sets_params_as_shell_words(policy, env_repo, env_pack) -> None:
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_FORMAT": "json"}
    done = policy("eval", env_repo, env={**env, "RULEPACK_PARAM": "'wanted=docs/read me.md'"})
    has_file = next(r for r in report(done)["results"] if r["rule"] == "has-file")
    assert (has_file["title"], has_file["status"]) == ("Has docs/read me.md", "pass")
    done = policy(
        "eval", env_repo, "--param", "wanted=nope", env={**env, "RULEPACK_PARAM": "wanted=x y=1"}
    )
    assert statuses(done)["has-file"] == "fail"  # the option wins: y=1 is not read either
    unclosed = policy("eval", env_repo, env={**env, "RULEPACK_PARAM": "'wanted=a"})
    assert unclosed.exit_code == 2
    assert unclosed.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--param' (env var: 'RULEPACK_PARAM'): "
        '"\'wanted=a": No closing quotation'
    )


def test_diff_reads_the_pack_but_not_the_report_format(policy, make_repo, env_pack) -> None:
    repo = make_repo({"README.md": "x"})
    env = {"RULEPACK_PACK": str(env_pack), "RULEPACK_FORMAT": "sarif", "RULEPACK_NO_COMMANDS": "1"}
    done = policy("diff", "HEAD", "-C", repo, env=env)
    assert (done.exit_code, done.stderr) == (0, "")
    assert done.stdout.startswith(f"rulepack {__version__} diff · HEAD (")
    as_json = policy("diff", "HEAD", "-C", repo, "--format", "json", env=env)
    rules = json.loads(as_json.stdout)["rules"]
    assert [(r["rule"], r["pack"], r["before"], r["after"]) for r in rules] == [
        ("has-file", "env", "pass", "pass"),
        ("runs", "env", "skip", "skip"),
    ]
