"""`command`: run a program in the snapshot, check its exit code and output.

command:
  run: ["cargo", "clippy", "--", "-D", "warnings"]   # argv; no shell
  shell: "cargo fmt --check && cargo clippy"        # or: explicitly through /bin/sh
  exit_code: 0                                      # or a list
  stdout_matches / stdout_not_matches / stderr_matches / stderr_not_matches: regex
  timeout: 600
  cwd: "."
  env: {RUSTFLAGS: "-Dwarnings"}
  requires: ["cargo"]                               # missing -> skip
  on_missing: skip | fail
  evidence: stdout | stderr     # which output a failure quotes (default: stderr, else stdout)
  error_matches: "regex"        # a failure whose output matches could not be judged: `error`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from engine import process
from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.messages import facts_of
from engine.model.packs import Check, Effect
from engine.model.results import Finding, Note, Outcome, errored, failed, passed, skipped
from engine.regexes import Regex
from engine.snapshots.paths import folder_inside

DEFAULT_TIMEOUT = 600.0
#: The longest `timeout` a check may set, in seconds (the schemas say the same).
MAX_TIMEOUT = 86_400.0
#: The start of a skip reason that comes from the run's options, not from the repository.
COMMANDS_DISABLED = "commands are disabled (--no-commands)"
_STREAM_CHECKS = ("stdout_matches", "stdout_not_matches", "stderr_matches", "stderr_not_matches")


@dataclass(frozen=True)
class ProgramSpec:
    """How to start a program; shared by `command` and `version` checks."""

    argv: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    cwd: str = "."
    env: tuple[tuple[str, str], ...] = ()
    requires: tuple[str, ...] = ()
    on_missing: Literal["skip", "fail"] = "skip"

    @property
    def display(self) -> str:
        return " ".join(self.argv)


@dataclass(frozen=True)
class CommandCheck(Check):
    """`command`: a program's exit code and output."""

    kind: ClassVar[str] = "command"
    program: ProgramSpec
    exit_codes: tuple[int, ...] = (0,)
    output: tuple[tuple[str, Regex], ...] = ()  # (which check, regex)
    evidence: Literal["stdout", "stderr"] | None = None  # None: stderr, else stdout
    # Output that means the program could not do its job (the network is down):
    # such a failure says nothing about the repository, so the rule is `error`.
    error_matches: Regex | None = None

    @property
    def effects(self) -> frozenset[Effect]:
        return frozenset({"runs-programs"})

    @property
    def can_skip(self) -> bool:
        return self.program.on_missing == "skip"  # a required program is missing


def parse_program(
    raw: Mapping[str, Any], path: KeyPath, reader: PackReader, run_key: str = "run"
) -> ProgramSpec:
    """The program part of a check: argv or shell, timeout, cwd, env, requires."""
    if run_key in raw and "shell" in raw:
        reader.problem(path, f"use either `{run_key}` (argv) or `shell`, not both")
    if "shell" in raw:
        argv: tuple[str, ...] = ("/bin/sh", "-c", str(raw["shell"]))
    else:
        value = raw.get(run_key)
        if isinstance(value, str):
            reader.problem(
                (*path, run_key),
                f"`{run_key}` is an argv list; to run a shell "
                "command line, write it under `shell:`",
            )
            argv = (value,)
        else:
            argv = tuple(str(v) for v in (value or ()))
        if not argv:
            reader.problem(path, f"`{run_key}` needs at least the program name")
            argv = ("true",)
    env = raw.get("env") or {}
    spec = ProgramSpec(
        argv=argv,
        timeout=reader.number(raw, "timeout", path, DEFAULT_TIMEOUT, MAX_TIMEOUT),
        cwd=reader.relative_path(raw.get("cwd", "."), (*path, "cwd")),
        env=tuple(sorted((str(k), _env_value(v)) for k, v in env.items())),
        requires=tuple(str(t) for t in raw.get("requires", ())),
        on_missing=raw.get("on_missing", "skip"),
    )
    _check_strings(spec, raw, path, reader, run_key)
    return spec


def _check_strings(
    spec: ProgramSpec, raw: Mapping[str, Any], path: KeyPath, reader: PackReader, run_key: str
) -> None:
    """What no program can be given: a NUL in an argument, a variable name with `=`."""
    where = "shell" if "shell" in raw else run_key
    words: list[tuple[KeyPath, str]] = [
        ((*path, where, i) if where != "shell" else (*path, where), word)
        for i, word in enumerate(spec.argv[2:] if where == "shell" else spec.argv)
    ]
    words += [((*path, "requires", i), tool) for i, tool in enumerate(spec.requires)]
    words += [((*path, "cwd"), spec.cwd)]
    for name, value in spec.env:
        words.append(((*path, "env", name), value))
        if not name or "=" in name or "\0" in name:
            reader.problem(
                (*path, "env", name),
                f"environment variable name {name!r} must be non-empty, without `=` or NUL",
                key=True,
            )
    for at, word in words:
        if "\0" in word:
            reader.problem(at, f"{word!r} holds a NUL character, which no program can be given")


def _env_value(value: Any) -> str:
    """An environment value as the pack wrote it: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(raw: Any, path: KeyPath, reader: PackReader) -> CommandCheck:
    raw = raw if isinstance(raw, Mapping) else {}
    codes = raw.get("exit_code", 0)
    return CommandCheck(
        program=parse_program(raw, path, reader),
        exit_codes=tuple(codes) if isinstance(codes, list) else (int(codes),),
        output=tuple(
            (key, reader.regex(raw[key], (*path, key))) for key in _STREAM_CHECKS if key in raw
        ),
        evidence=raw.get("evidence"),
        error_matches=(
            reader.regex(raw["error_matches"], (*path, "error_matches"))
            if "error_matches" in raw
            else None
        ),
    )


def run_program(spec: ProgramSpec, context: EvaluationContext) -> process.ProcessResult | Outcome:
    """Run the program, or the outcome that replaces running it (disabled, missing tool)."""
    if context.options.no_commands:
        return skipped(f"{COMMANDS_DISABLED}: {spec.display}", kind="commands-disabled")
    # The inherited PATH keeps absolute folders only; a pack's own `env` is its choice.
    environ = {**process.absolute_path_only(context.options.environ), **dict(spec.env)}
    try:
        workdir = context.workdir()
    except OSError as exc:  # a blob git cannot read (a partial clone fetches nothing)
        return errored(f"the snapshot cannot be written to a folder: {exc.strerror or exc}")
    cwd = folder_inside(workdir, spec.cwd)
    if isinstance(cwd, str):
        return errored(f"cwd {spec.cwd!r} {cwd}")
    tools = (*spec.requires, spec.argv[0])
    missing = [t for t in tools if process.find_program(t, cwd, environ) is None]
    if missing:
        message = f"{missing[0]} is not installed (not found on PATH)"
        if spec.on_missing == "fail":
            # Already plain language: a `message:` written for the program's
            # verdict (its version, its exit code) would only garble it.
            finding = Finding(message, facts=facts_of(command=spec.display), worded=True)
            return failed(message, [finding])
        return skipped(message, kind="missing-program")
    try:
        result = process.run(spec.argv, cwd, environ, spec.timeout, context.running)
    except OSError as exc:
        return errored(f"cannot run {spec.argv[0]}: {exc.strerror or exc}")
    if result.timed_out:
        return errored(f"timed out after {spec.timeout:g}s: {spec.display}")
    return result


def evaluate(check: CommandCheck, context: EvaluationContext) -> Outcome:
    result = run_program(check.program, context)
    if isinstance(result, Outcome):
        return result
    # What a `--ref`/`--staged` folder lacks (entries named `..`, `.git`), said where it matters.
    unwritten = [
        Note(u.path, f"not written to the command's folder: {u.reason}")
        for u in context.snapshot.not_written()
    ]
    return _judged(check, result).with_notes(unwritten)


def _judged(check: CommandCheck, result: process.ProcessResult) -> Outcome:
    """The verdict on a program that ran: its exit code and output checks."""
    findings: list[Finding] = []
    if result.exit_code not in check.exit_codes:
        expected = " or ".join(str(c) for c in check.exit_codes)
        output = _evidence(check, result)
        detail = f"\n{output}" if output else ""
        facts = facts_of(
            command=check.program.display,
            exit_code=result.exit_code,
            expected=expected,
            output=output.splitlines()[-1] if output else None,
        )
        findings.append(
            Finding(f"exit code {result.exit_code} (expected {expected}){detail}", facts=facts)
        )
    for key, regex in check.output:
        stream = result.stdout if key.startswith("stdout") else result.stderr
        found = regex.search(stream)
        name = key.split("_", 1)[0]
        if key.endswith("_not_matches") and found:
            line = stream.count("\n", 0, found.start()) + 1
            facts = facts_of(
                command=check.program.display, stream=name, match=found.group(0), line=line
            )
            findings.append(
                Finding(
                    f"{name} line {line} matches /{regex.pattern}/: {found.group(0)[:200]}",
                    facts=facts,
                )
            )
        elif key.endswith("_matches") and not key.endswith("_not_matches") and not found:
            facts = facts_of(command=check.program.display, stream=name, pattern=regex.pattern)
            findings.append(Finding(f"{name} does not match /{regex.pattern}/", facts=facts))
    if findings and check.error_matches is not None:
        cause = _matching_line(check.error_matches, result.stderr + "\n" + result.stdout)
        if cause is not None:
            return errored(f"{check.program.display} could not be judged: {cause}")
    if findings:
        return failed(f"{check.program.display}: {findings[0].message.splitlines()[0]}", findings)
    return passed(f"{check.program.display} exited {result.exit_code}")


def _evidence(check: CommandCheck, result: process.ProcessResult) -> str:
    """The output a failure quotes: the stream the check names, else stderr, else stdout."""
    if check.evidence == "stdout":
        return process.tail(result.stdout)
    if check.evidence == "stderr":
        return process.tail(result.stderr)
    return process.tail(result.stderr) or process.tail(result.stdout)


def _matching_line(regex: Regex, text: str) -> str | None:
    """The whole line where `regex` first matches, trimmed and shortened; None if it does not."""
    found = regex.search(text)
    if found is None:
        return None
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    line = text[start : end if end >= 0 else len(text)].strip()
    return line if len(line) <= 200 else line[:197] + "..."


#: command: the program as written; exit_code and expected; output: the last line it
#: printed; stream: stdout or stderr, with the `match` or `pattern` of an output check.
FACTS = ("command", "exit_code", "expected", "output", "stream", "match", "pattern")
KIND = CheckKind(CommandCheck, parse, evaluate, FACTS)
