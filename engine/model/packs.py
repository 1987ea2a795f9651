"""The loaded pack model: what a rule pack means once it has been read.

Everything here is immutable. The loader (packs/load.py) builds it from YAML;
the evaluator reads it. Check kinds define their own check classes in
`engine/checks/`, all subclasses of `Check`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from engine.errors import Location
from engine.model.levels import Level
from engine.model.messages import MessageTemplate
from engine.model.severity import Severity


@dataclass(frozen=True)
class FileSet:
    """Globs that select files of a snapshot: any `include`, minus any `exclude`."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def describe(self) -> str:
        """The include globs as messages name them: `**/*.yaml, **/*.yml`."""
        return ", ".join(self.include) or "(no globs)"

    def named_paths(self) -> tuple[str, ...]:
        """The include globs that name one path outright (braces expanded), in order."""
        from engine.globs import literal_paths

        return literal_paths(self.include)


#: What a check does besides reading files: start a program, parse manifests (which
#: the evaluator does first, on several cores), talk to the network.
Effect = Literal["runs-programs", "parses-files", "uses-network"]
#: Effects that reach outside the snapshot's files: a rule with none of them is static.
OUTSIDE_EFFECTS: frozenset[Effect] = frozenset({"runs-programs", "uses-network"})
#: The tag the engine gives every static rule (`--tag static`); a pack cannot write it.
STATIC_TAG = "static"


@dataclass(frozen=True)
class Check:
    """Base of every check kind; `kind` is its key in a pack (`file`, `manifest`, ...)."""

    kind: ClassVar[str] = ""
    # `message:` of the check: how its findings read (None: the engine's own words)
    message: MessageTemplate | None = field(default=None, kw_only=True)

    def children(self) -> tuple[Check, ...]:
        """Sub-checks of a combinator; leaf checks have none."""
        return ()

    @property
    def effects(self) -> frozenset[Effect]:
        """What evaluating this check does besides reading the snapshot's files: the
        evaluator schedules by it, and `--no-commands` skips what runs programs."""
        return frozenset(effect for child in self.children() for effect in child.effects)

    def named_files(self) -> tuple[str, ...]:
        """The files the check names outright (no glob), its sub-checks' in order: what a
        report points at when a finding has no place (a required file that is missing)."""
        return tuple(name for child in self.children() for name in child.named_files())

    @property
    def can_skip(self) -> bool:
        """Whether the check can end `skip` on its own (nothing to judge, a missing tool),
        apart from run options such as --no-commands; `policy test` wants such skips proven."""
        return any(child.can_skip for child in self.children())


def walk(check: Check) -> Iterator[Check]:
    """A check and all its sub-checks, depth first."""
    yield check
    for child in check.children():
        yield from walk(child)


@dataclass(frozen=True)
class Category:
    """A category of a pack, which its rules name."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Rule:
    """A rule of a built pack: its check, its `when`, and what reports say of it."""

    id: str
    title: str
    category: str
    severity: Severity
    check: Check
    pack: str
    location: Location
    when: Check | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    remediation: str = ""
    docs: str = ""
    enabled: bool = True
    disabled_by: str = ""  # why the rule is off, when `enabled` is false
    message: MessageTemplate | None = None  # how findings read, where the check does not say
    # A condition (reading files only) under which the repository chooses the programs
    # the rule runs: without --trust-repo the rule is then skipped instead.
    untrusted_when: Check | None = None
    level: str | None = None  # its maturity level (the pack's lowest by default; None: no levels)
    weight: int = 1  # how much it counts in the score
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def effects(self) -> frozenset[Effect]:
        """The effects of the rule's check and of its `when`."""
        when = self.when.effects if self.when is not None else frozenset()
        return self.check.effects | when

    @property
    def runs_commands(self) -> bool:
        """Whether the rule runs a program (so `--no-commands` skips it)."""
        return "runs-programs" in self.effects

    @property
    def static(self) -> bool:
        """Whether the rule only reads the snapshot's files: no program, no network.

        Derived from its checks, never from what the pack says about it."""
        return not self.effects & OUTSIDE_EFFECTS

    @property
    def selection_tags(self) -> tuple[str, ...]:
        """The tags `--tag` matches: the pack's own, and `static` when the rule is static."""
        return (*self.tags, STATIC_TAG) if self.static else self.tags

    @property
    def can_skip(self) -> bool:
        """Whether the rule has a skip condition: a `when`, or a check that can skip.

        (Not `untrusted_when`: that skip comes from the run's trust, not from the rule.)"""
        return self.when is not None or self.check.can_skip


@dataclass(frozen=True)
class Pack:
    """A resolved pack: its own rules after those it extends, overrides applied."""

    name: str
    version: str
    source: str  # "builtin", "file", "path" (found on RULEPACK_PATH) or "repo"
    path: str
    description: str = ""
    requires: str = ""
    categories: tuple[Category, ...] = ()
    levels: tuple[Level, ...] = ()  # maturity levels, lowest first (cumulative)
    rules: tuple[Rule, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    extends: tuple[str, ...] = ()  # names of the packs it extends, nearest first
    # The pack file's own `filesets` and `conditions` as written (not inherited, params
    # not substituted): what its reference (`policy docs`) shows.
    definitions: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Whether a file of its `extends` chain was read from the evaluated repository: then
    # the whole pack is the repository's, and runs programs only with --trust-repo.
    from_repository: bool = False
    # files_digest (engine/packs/digest.py) of every file the pack was loaded from: its
    # `extends` chain and the JSON Schemas its checks read; "" for a pack too broken to build.
    digest: str = ""

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)
