"""The `policy` program itself: version, help, exit codes, and no traceback ever."""

from __future__ import annotations

import subprocess
import sys

import click

from cli import main
from engine import __version__

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
    from engine.reporters import REPORTERS
    from engine.results import FAIL_ON_LEVELS

    options = {p.name: p for p in main.commands["eval"].params}
    assert options["format_name"].type.choices == tuple(REPORTERS)
    assert options["fail_on"].type.choices == FAIL_ON_LEVELS
    diff_options = {p.name: p for p in main.commands["diff"].params}
    assert diff_options["format_name"].type.choices == ("table", "json")
    assert diff_options["fail_on"].type.choices == FAIL_ON_LEVELS
