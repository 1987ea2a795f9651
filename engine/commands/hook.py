"""`policy hook install|uninstall`: a git pre-commit hook that runs `policy eval --staged`.

The hook goes where git looks for hooks: `core.hooksPath` when the
configuration sets it (its value is read; nothing the repository names is
run), else the hooks folder shared by every linked worktree. A hook rulepack did not
write is never replaced without `--force`; when it is, it is kept beside ours
and put back by `uninstall`.

The hook passes `--trust-repo`: whoever installs it in a repository works in
that repository, so its own packs may run their programs there, as its build
scripts and tests do (SECURITY.md). The pre-commit framework's hook does not:
it runs in CI on others' branches too, so it trusts only when the user adds
`args: [--trust-repo]`.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from engine.errors import InputError
from engine.git.repository import hooks_path, locate
from engine.printable import echo

#: The line that marks a hook as ours, so that install and uninstall recognise it.
MARKER = "# rulepack pre-commit hook"
HOOK_NAME = "pre-commit"
#: A foreign hook replaced with --force is kept under this name.
KEPT_SUFFIX = ".before-rulepack"


def hook_script(policy: str) -> str:
    """The hook: evaluate what is being committed; a failing verdict stops the commit."""
    return (
        "#!/bin/sh\n"
        f"{MARKER}: written by `policy hook install`, removed by `policy hook uninstall`.\n"
        "# It evaluates the index (what this commit records), so unstaged edits never\n"
        "# change its verdict. Skip it once with `git commit --no-verify`.\n"
        "# --trust-repo: the repository's own packs may run their programs here.\n"
        f"policy={shlex.quote(policy)}\n"
        'if [ ! -x "$policy" ]; then policy=policy; fi\n'
        '"$policy" eval --staged --trust-repo\n'
        "status=$?\n"
        'if [ "$status" -ne 0 ]; then\n'
        '  echo "rulepack: commit refused (policy eval --staged exited $status);'
        ' fix what it reports, or skip the hook once with git commit --no-verify" >&2\n'
        "fi\n"
        'exit "$status"\n'
    )


def policy_program() -> str:
    """The `policy` program to record in the hook: the one running now when it can be found."""
    beside = Path(sys.executable).parent / "policy"
    return str(beside) if beside.is_file() else "policy"


def hooks_folder(path: Path) -> Path:
    """Where git runs hooks from for the repository holding `path`."""
    if not path.is_dir():
        raise InputError(f"{path}: not a folder")
    repository = locate(path.resolve())
    if repository is None:
        raise InputError(f"{path}: not inside a git repository")
    return hooks_path(repository)


def is_ours(hook: Path) -> bool:
    try:
        return MARKER in hook.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(path: Path, force: bool = False) -> int:
    """Write the pre-commit hook; refuse to replace a foreign one unless `force`."""
    hook = hooks_folder(path) / HOOK_NAME
    kept = hook.with_name(HOOK_NAME + KEPT_SUFFIX)
    if (hook.exists() or hook.is_symlink()) and not is_ours(hook):
        if not force:
            raise InputError(
                f"{hook} exists and was not written by rulepack; "
                "use --force to replace it (it is kept and restored by uninstall)"
            )
        os.replace(hook, kept)
        echo(f"policy: kept the previous hook as {kept}")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_script(policy_program()), encoding="utf-8")
    hook.chmod(0o755)
    echo(f"policy: installed the pre-commit hook at {hook}")
    return 0


def uninstall(path: Path) -> int:
    """Remove our pre-commit hook (and put back the one it replaced); leave others alone."""
    hook = hooks_folder(path) / HOOK_NAME
    kept = hook.with_name(HOOK_NAME + KEPT_SUFFIX)
    if not (hook.exists() or hook.is_symlink()):
        echo(f"policy: no pre-commit hook at {hook}; nothing to do")
        return 0
    if not is_ours(hook):
        raise InputError(f"{hook} was not written by rulepack; leaving it in place")
    hook.unlink()
    if kept.exists() or kept.is_symlink():
        os.replace(kept, hook)
        echo(f"policy: removed the rulepack hook and restored {hook}")
    else:
        echo(f"policy: removed the pre-commit hook at {hook}")
    return 0
