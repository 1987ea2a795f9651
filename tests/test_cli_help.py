"""`--help` of every command: each option explained, descriptions whole, eval's examples real."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click
import pytest

from cli import EVAL_EPILOG, main
from tests.conftest import ROOT


def commands(
    command: click.Command = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree under `command`, with the words that call it."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from commands(sub, (*path, name))


COMMANDS = list(commands())
NAMES = [" ".join(("policy", *path)) for path, _ in COMMANDS]


def first_sentence(command: click.Command) -> str:
    return " ".join((command.help or "").split("\n\n")[0].split()).split(". ")[0].rstrip(".") + "."


def test_the_tree_is_walked() -> None:
    assert {"policy eval", "policy diff", "policy hook install", "policy hook uninstall"} <= set(
        NAMES
    )


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=NAMES)
def test_every_option_has_help_text(path, command) -> None:
    ctx = click.Context(command, info_name="policy")
    options = [p for p in command.get_params(ctx) if isinstance(p, click.Option)]
    assert "--help" in [o for p in options for o in p.opts]
    silent = [p.opts for p in options if not (p.help or "").strip()]
    assert silent == []


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=NAMES)
def test_every_argument_is_explained_in_the_description(path, command) -> None:
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    for argument in arguments:
        name = (argument.metavar or argument.name or "").strip("[]").upper()
        assert re.search(rf"\b{re.escape(name)}\b", command.help or ""), name


@pytest.mark.parametrize(("path", "command"), COMMANDS[1:], ids=NAMES[1:])
def test_the_short_description_is_a_whole_sentence(path, command) -> None:
    # click cuts a command's description in a listing to 45 characters by default
    # (`policy` itself is never listed)
    assert command.get_short_help_str(limit=45) == first_sentence(command)


@pytest.mark.parametrize("group", [(), ("hook",)], ids=["policy", "policy hook"])
def test_listings_show_every_description_whole(policy, group) -> None:
    done = policy(*group, "--help", env={"COLUMNS": "80"})
    listed = done.stdout.split("\nCommands:\n", 1)[1].splitlines()
    subcommands = sorted((p, c) for p, c in COMMANDS if p[:-1] == group and len(p) > len(group))
    width = max(len(p[-1]) for p, _ in subcommands)
    assert listed == [f"  {p[-1]:<{width}}  {first_sentence(c)}" for p, c in subcommands]


def test_eval_help_ends_with_examples_and_exit_codes(policy) -> None:
    done = policy("eval", "--help", env={"COLUMNS": "80"})
    assert done.exit_code == 0
    epilog = done.stdout.split("\n  Examples:\n", 1)[1]
    assert "\n  Exit codes:\n" in epilog
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    assert "    policy eval --staged              what `git commit` would record" in epilog


def epilog_section(title: str) -> list[str]:
    section = EVAL_EPILOG.split(f"{title}:\n\n\b\n", 1)[1].split("\n\n", 1)[0]
    return section.splitlines()


def test_every_example_is_a_command_line_eval_accepts() -> None:
    examples = [line.split("  ")[1] for line in epilog_section("Examples") if "policy" in line]
    assert len(examples) == 6
    eval_command = main.commands["eval"]
    for example in examples:
        words = shlex.split(example)
        assert words[:2] == ["policy", "eval"]
        with eval_command.make_context("eval", words[2:]) as ctx:  # raises on a bad option
            assert ctx.params["path"].name in (".", "")


def test_the_exit_codes_are_those_of_the_readme() -> None:
    listed = {
        code.strip()
        for line in epilog_section("Exit codes")
        if line[2:3].isdigit()
        for code in line.split("  ")[1].split(",")
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes\n", 1)[1].strip().split("\n\n", 1)[0]
    documented = {
        code.strip() for row in table.splitlines()[2:] for code in row.split("|")[1].split(",")
    }
    assert listed == documented == {"0", "1", "2", "3", "130", "143", "129", "141"}
