"""`policy new NAME`: scaffold a custom pack that passes `policy test` as generated.

The scaffold is a pack folder with one rule, a README, and two fixture cases
that prove the rule both passing and failing, so a team starts from a pack
at 100% rule coverage and keeps it there as it adds rules.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine import __version__
from engine.errors import InputError
from engine.printable import echo

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

PACK = """\
apiVersion: rulepack/v1
name: {name}
version: 0.1.0
requires: ">={engine}"
description: Checks of the {name} team (edit me).
params:
  usage_heading: Usage
categories:
  - id: documentation
    title: Documentation
rules:
  - id: docs.readme-usage
    title: The README has a "{{{{ usage_heading }}}}" section
    category: documentation
    severity: warning
    tags: [repo]
    check:
      file:
        paths: ["README.md"]
        contains: "(?m)^#{{1,3}} +{{{{ usage_heading }}}}"
    remediation: >-
      Add a "## {{{{ usage_heading }}}}" section to README.md showing how to run the project.
    docs: https://www.makeareadme.com/
"""

README = """\
# Pack `{name}`

Checks of the {name} team, as a rulepack rule pack.

    policy eval --pack {name}/pack.yaml PATH/TO/REPO    # evaluate a repository
    policy test {name}                                  # run the fixtures below
    policy docs --pack {name}/pack.yaml                 # a Markdown reference

Every rule is proven by the fixtures in `tests/`: each folder there is one case,
with the repository in `repo/`, optional stub programs in `bin/` (put first on
PATH, so command rules do not depend on what the machine has installed), and
`expect.yaml` mapping rule ids to the status they must end in. `policy test`
builds each case as a git repository, evaluates the pack and reports every
mismatch, and the rules that no case sees passing, failing and (where a rule
has a condition under which it does not apply) skipping.

When you add a rule, add it to a case where it passes and one where it fails;
`policy test {name} --min-coverage 100` keeps that true in CI.

To find the pack by name (`policy eval --pack {name}`), put this folder in
`.rulepack/packs/` of your repository, and keep its fixtures out of your own
evaluation with `exclude: [".rulepack/packs/{name}/tests/**"]` in `.rulepack.yaml`.
"""

PASSES = """\
description: A README with a usage section.
rules:
  docs.readme-usage: pass
"""

FAILS = """\
description: A README without a usage section.
rules:
  docs.readme-usage: {status: fail, finding: "README.md"}
"""

GOOD_README = """\
# Example

## Usage

    make run
"""

BAD_README = """\
# Example

Nothing here says how to run it.
"""


def scaffold_files(name: str) -> dict[str, str]:
    """Relative path -> text of every file of a new pack called `name`."""
    values = {"name": name, "engine": __version__}
    return {
        "pack.yaml": PACK.format(**values),
        "README.md": README.format(**values),
        "tests/passes/expect.yaml": PASSES,
        "tests/passes/repo/README.md": GOOD_README,
        "tests/fails/expect.yaml": FAILS,
        "tests/fails/repo/README.md": BAD_README,
    }


def run(name: str, parent: Path) -> int:
    """Write the scaffold to `parent/name`; refuses to touch an existing folder."""
    if not _NAME.match(name):
        raise InputError(
            f"pack name {name!r}: use lower-case letters, digits and dashes (e.g. team-checks)"
        )
    target = parent / name
    if target.exists():
        raise InputError(f"{target} already exists; choose another name or --dir")
    for relative, text in scaffold_files(name).items():
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    echo(f"created pack {name} in {target}")
    echo(f"  policy test {target}                 # prove its rules with the fixtures")
    echo(f"  policy eval --pack {target / 'pack.yaml'} .   # evaluate a repository")
    return 0
