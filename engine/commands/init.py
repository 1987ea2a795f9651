"""`policy init`: write a starting `.rulepack.yaml` for a repository."""

from __future__ import annotations

from pathlib import Path

from engine.config import CONFIG_NAME, parse_config
from engine.errors import InputError
from engine.printable import echo

TEMPLATE = """\
# rulepack repository config: `policy eval` reads it from the snapshot root.
# Every key is optional; command-line options win over it.
# Reference: schemas/config.schema.json

# Packs evaluated when --pack is not given: names on the pack path, or files
# relative to this folder (e.g. ./policy/our-rules.yaml).
packs:
{packs}
# Values for pack parameters ({{{{ name }}}} in packs); --param KEY=VALUE wins.
params: {{}}

# Lowest severity of a failed rule that fails the run: error | warning | info | never
fail_on: error
# The maturity level each pack must reach, whatever fail_on says (--min-level wins):
# min_level: {{production: silver}}

# Rules to turn off (reported as skipped), and severities to change.
disable: []
severity: {{}}

# Files that are not part of the snapshot for any rule (vendored code, fixtures).
exclude: []

# Folders searched for packs by name, before .rulepack/packs/, RULEPACK_PATH
# and the built-in packs.
pack_path: []

# Expiring exceptions, each with a reason and an owner; `policy waive RULE
# --reason R --owner O --days N` adds one, so nobody writes a date by hand.
# waivers:
#   - {{rule: sec.no-private-keys, paths: ["tests/fixtures/**"], reason: Test keys,
#      owner: "@platform-team", expires: 2027-03-31, ticket: SEC-123}}
"""


def suggested_packs(root: Path) -> list[str]:
    """production always; testing when the repository has tests; oss when it has a LICENSE."""
    packs = ["production"]
    if any((root / name).exists() for name in ("tests", "test", "spec", "__tests__")):
        packs.append("testing")
    if any(root.glob("LICENSE*")) or any(root.glob("COPYING*")):
        packs.append("oss")
    return packs


def run(path: Path, force: bool) -> int:
    target = path / CONFIG_NAME
    if not path.is_dir():
        raise InputError(f"{path}: not a folder")
    if target.exists() and not force:
        raise InputError(f"{target} already exists (use --force to replace it)")
    packs = "".join(f"  - {name}\n" for name in suggested_packs(path))
    text = TEMPLATE.format(packs=packs)
    parse_config(text, str(target))  # what we write must be a valid config
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:  # `policy init /proc`, a read-only folder
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    echo(f"wrote {target}; run `policy eval` to evaluate {', '.join(suggested_packs(path))}")
    return 0
