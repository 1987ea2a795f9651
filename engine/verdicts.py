"""Verdicts kept between runs: a rule that only reads files, run again over the same
files, gives the same outcome, so a second run reads it instead of judging.

An entry holds the outcomes of one snapshot (engine/entry_folder.py, in the user
cache folder's `verdicts/`), keyed by everything besides the rules that an
outcome depends on:

- the engine's code version (engine/code_version.py): no engine reads another's;
- the snapshot's fingerprint (`Snapshot.fingerprint`): its listing, each file's
  blob id (or, for a file git's index does not vouch for, its settled stat data),
  what is not read and why; a snapshot that cannot vouch for its files keeps nothing;
- the config's `exclude` globs.

Inside it, each outcome is kept by its rule's key: a digest of the rule's check, its
`when` and its `message` (`rule_key`), read field by field, so that editing a rule
misses and renaming its title does not. A rule whose check holds something that
key cannot be sure of (a `schema:` file beside the pack) is judged every run.

Only static rules are kept (no program, no network), and under `--no-commands`
the rules whose programs are then not run; only when they passed, failed, or
found nothing to judge, did not apply or ran no program because of
`--no-commands`. Never an error; nothing from a run in which a file or a test
report could not be read or a regex gave up (`EvaluationContext.unsettled`: an
outcome need not say it, as an `any` passing on another alternative does not)
or that read a file with other bytes than its fingerprint names
(`Snapshot.unchanged`); nor a `tests` check's outcome when reports come from
outside the snapshot (`--results`).
`RULEPACK_VERDICT_CACHE=0` turns the cache off.

A second store keeps each outcome for other snapshots with the same listing
(`verdicts/by-reads/`): the evaluation context notes the files whose contents a
rule reads (`EvaluationContext.reads`), and the outcome is kept with their paths
and a digest of their content ids, in an entry keyed by the code version, the
listing (every path, what is not read and why) and the config's `exclude`. A
later run over that listing reads the outcome when those files still have the
same content ids, which is what a commit's staged index usually is: a few files
changed, and every rule that does not read them is not judged again. A rule
that read a file without a content id (edited, untracked, a symlink in the
working tree) is kept only in the first store.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from engine import entry_folder
from engine.expressions import Expression
from engine.model.packs import Rule, walk
from engine.model.results import Outcome, RuleResult, SkipKind
from engine.snapshots.base import fingerprint_of

if TYPE_CHECKING:
    from engine.context import EvaluationContext, EvaluationOptions

T = TypeVar("T")

#: The cache folder's kind (engine/folders.py).
KIND = "verdicts"
#: The folder, inside the cache's, of the outcomes kept by the files their rule read.
READS_FOLDER = "by-reads"
#: Set to `0` to turn the cache off.
OFF_VARIABLE = "RULEPACK_VERDICT_CACHE"
#: Entries (snapshots) kept; past it, the least recently written go first.
MAX_ENTRIES = 1024
#: Outcomes an entry holds at most: past it, a run keeps only those of the rules it
#: asked about (the others: rules edited since, packs no longer run on this snapshot).
MAX_OUTCOMES = 1000
#: The skips that come from the files alone (others come from the run's options).
KEPT_SKIPS: frozenset[SkipKind | None] = frozenset({"not-applicable", "nothing-to-judge"})
#: Classes whose fields left out of comparison are worked out from the others (a
#: regex's pattern rewritten for the engine), so that reading the others is enough.
_DERIVED_FIELDS_ONLY = frozenset({"engine.regexes.Regex"})


class _Unsure(Exception):
    """A value `rule_key` cannot read with certainty: the rule is not kept."""


@dataclass(frozen=True)
class VerdictEntry:
    """The outcomes kept for one snapshot, by rule key."""

    outcomes: Mapping[str, Outcome]


@dataclass(frozen=True)
class ReadOutcome:
    """An outcome kept with the files its rule read, and a digest of their content ids."""

    paths: tuple[str, ...]
    contents: str
    outcome: Outcome


@dataclass(frozen=True)
class ReadsEntry:
    """The outcomes kept for one listing, by rule key."""

    outcomes: Mapping[str, ReadOutcome]


#: A dataclass's name and the fields its key reads, worked out once per type and run.
Shapes = dict[type, tuple[str, tuple[str, ...]]]


def rule_key(rule: Rule, shapes: Shapes | None = None) -> str | None:
    """A digest of everything of `rule` its outcome depends on besides the files (its
    check, `when` and `message`); None when a value in them cannot be read for sure.
    `shapes` carries what was learnt of the dataclasses from one rule to the next."""
    out: list[str] = []
    try:
        _write(
            ("rule-v1", rule.check, rule.when, rule.message), out, {} if shapes is None else shapes
        )
    except _Unsure:
        return None
    return hashlib.sha256("".join(out).encode("utf-8", "surrogateescape")).hexdigest()


def _write(value: Any, out: list[str], shapes: Shapes) -> None:
    """`value` as text that differs whenever it differs: its type, and each field."""
    shape = shapes.get(type(value))  # a dataclass met before (the branches go by type)
    if shape is None:
        if value is None or isinstance(value, (str, int, float, bool)):
            out.append(f"{type(value).__name__}:{value!r};")
            return
        if isinstance(value, Expression):
            out.append(f"expression:{value.text!r};")
            return
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            shape = shapes[type(value)] = _shape(value)
    if shape is not None:
        name, names = shape
        out.append(f"{name}(")
        for field_name in names:
            out.append(f"{field_name}=")
            _write(getattr(value, field_name), out, shapes)
        out.append(");")
    elif isinstance(value, (tuple, list)):
        out.append(f"{len(value)}[")
        for item in value:
            _write(item, out, shapes)
        out.append("];")
    elif isinstance(value, (frozenset, set)):
        written = sorted(_written(item, shapes) for item in value)
        out.append(f"{len(value)}{{{''.join(written)}}};")
    elif isinstance(value, Mapping):
        items = sorted(_written(k, shapes) + _written(v, shapes) for k, v in value.items())
        out.append(f"{len(items)}{{{''.join(items)}}};")
    else:
        raise _Unsure(type(value).__qualname__)


def _shape(value: Any) -> tuple[str, tuple[str, ...]]:
    """A dataclass's name and the fields compared; _Unsure when a field left out of
    equality may still change the outcome."""
    name = f"{type(value).__module__}.{type(value).__qualname__}"
    fields = dataclasses.fields(value)
    if name not in _DERIVED_FIELDS_ONLY and not all(f.compare for f in fields):
        raise _Unsure(name)
    return name, tuple(f.name for f in fields if f.compare)


def _written(value: Any, shapes: Shapes) -> str:
    out: list[str] = []
    _write(value, out, shapes)
    return "".join(out)


def keepable(rule: Rule, options: EvaluationOptions) -> bool:
    """Whether the rule's outcome depends on the snapshot's files alone: a static rule,
    or under `--no-commands` one whose programs are then not run (it is skipped, or its
    `when` or the file checks beside its programs decide)."""
    effects = rule.effects
    if "uses-network" in effects or ("runs-programs" in effects and not options.no_commands):
        return False
    if options.results:  # `--results`: a `tests` check reads files outside the snapshot
        checks = [rule.check] if rule.when is None else [rule.check, rule.when]
        return not any(c.kind == "tests" for check in checks for c in walk(check))
    return True


def _kept(result: RuleResult, no_commands: bool) -> Outcome | None:
    """The outcome to keep of a rule's result, or None when it may go otherwise next run."""
    if result.status not in ("pass", "fail", "skip"):
        return None
    kept_skips = KEPT_SKIPS | {"commands-disabled"} if no_commands else KEPT_SKIPS
    if result.status == "skip" and result.skip not in kept_skips:
        return None
    return Outcome(
        result.status, result.message, result.findings, result.notes, result.skip, result.tests
    )


class Verdicts:
    """The verdicts kept for one snapshot (`key`, None when it cannot vouch for all its
    files), those kept for its listing by what each rule read, and those its evaluation
    adds to both."""

    def __init__(
        self, folder: Path, key: str | None, context: EvaluationContext, exclude: tuple[str, ...]
    ) -> None:
        self._folder = folder
        self._key = key
        self._context = context
        self._exclude = exclude
        self._options = context.options
        entry = entry_folder.load(folder, key, VerdictEntry) if key is not None else None
        self._outcomes: dict[str, Outcome] = dict(entry.outcomes) if entry is not None else {}
        self._added = False
        self._by_reads: dict[str, ReadOutcome] | None = None  # loaded on the first miss
        self._reads_key = ""  # the listing's entry, worked out when it is loaded
        self._reads_added = False
        self._read_sets: dict[frozenset[str], tuple[tuple[str, ...], str | None]] = {}
        self._rule_keys: dict[int, str | None] = {}
        self._shapes: Shapes = {}
        self._asked: set[str] = set()

    def _rule_key(self, rule: Rule) -> str | None:
        found = self._rule_keys.get(id(rule), "")
        if found == "":
            found = self._rule_keys[id(rule)] = (
                rule_key(rule, self._shapes) if keepable(rule, self._options) else None
            )
            if found is not None:
                self._asked.add(found)
        return found

    def get(self, rule: Rule) -> Outcome | None:
        """The outcome kept for `rule`: for this snapshot, or for its listing when the
        files the rule read then have the same content ids now; else None."""
        key = self._rule_key(rule)
        if key is None:
            return None
        found = self._outcomes.get(key)
        if found is None:
            kept = self._read_outcomes().get(key)
            if kept is not None and self._contents(kept.paths) == kept.contents:
                found = kept.outcome
                if self._key is not None:  # the next run over this snapshot finds it first
                    self._outcomes[key] = found
                    self._added = True
        return found

    def keep(self, rule: Rule, result: RuleResult, read: Collection[str]) -> None:
        """Keep the outcome `rule` just gave, if it may be kept; `read` are the files
        whose contents its evaluation read (`EvaluationContext.reads`)."""
        key = self._rule_key(rule)
        outcome = _kept(result, self._options.no_commands) if key is not None else None
        if key is None or outcome is None:
            return
        if self._key is not None:
            self._outcomes[key] = outcome
            self._added = True
        read = frozenset(read)
        found = self._read_sets.get(read)
        if found is None:  # rules reading the same files (a fileset's) share one digest
            paths = tuple(sorted(read))
            found = self._read_sets[read] = (paths, self._contents(paths))
        paths, contents = found
        if contents is not None:
            self._read_outcomes()[key] = ReadOutcome(paths, contents, outcome)
            self._reads_added = True

    def _contents(self, paths: tuple[str, ...]) -> str | None:
        """A digest of the content ids of `paths`; None when one has none."""
        ids = self._context.content_ids(paths)
        if None in ids:
            return None
        joined = "\0".join(cast(list[str], ids))
        return hashlib.sha256(joined.encode("ascii", "surrogateescape")).hexdigest()

    def _read_outcomes(self) -> dict[str, ReadOutcome]:
        if self._by_reads is None:
            snapshot = self._context.snapshot
            listing = fingerprint_of("listing", snapshot.files(), snapshot.unreadable())
            self._reads_key = _entry_key(listing, self._exclude)
            entry = entry_folder.load(self._folder / READS_FOLDER, self._reads_key, ReadsEntry)
            self._by_reads = dict(entry.outcomes) if entry is not None else {}
        return self._by_reads

    def save(self) -> None:
        """Write the entries the evaluation added to, when nothing unsettled it and no
        file changed while it read them."""
        context = self._context
        if not (self._added or self._reads_added):
            return
        if context.unsettled or not context.snapshot.unchanged():
            return
        if self._added and self._key is not None:
            outcomes = _bounded(self._outcomes, self._asked)
            entry_folder.store(self._folder, self._key, VerdictEntry(outcomes), MAX_ENTRIES)
        if self._reads_added and self._by_reads is not None:
            entry = ReadsEntry(_bounded(self._by_reads, self._asked))
            entry_folder.store(self._folder / READS_FOLDER, self._reads_key, entry, MAX_ENTRIES)


def _bounded(outcomes: dict[str, T], asked: set[str]) -> dict[str, T]:
    """`outcomes`, or past MAX_OUTCOMES only those of the rules this run asked about."""
    if len(outcomes) > MAX_OUTCOMES:
        return {key: found for key, found in outcomes.items() if key in asked}
    return outcomes


def verdict_folder(environ: Mapping[str, str]) -> Path | None:
    """Where verdicts are kept, or None when the environment turns the cache off."""
    if environ.get(OFF_VARIABLE, "").strip() == "0":
        return None
    from engine.folders import cache_dir

    return cache_dir(KIND)


def open_verdicts(folder: Path, context: EvaluationContext, exclude: tuple[str, ...]) -> Verdicts:
    """The verdicts kept for the context's snapshot (none by the snapshot while it cannot
    vouch for all its files: then only those kept for its listing by what rules read)."""
    fingerprint = context.snapshot.fingerprint()
    key = _entry_key(fingerprint, exclude) if fingerprint is not None else None
    return Verdicts(folder, key, context, exclude)


def _entry_key(fingerprint: str, exclude: tuple[str, ...]) -> str:
    """An entry's key: the code version, a snapshot's (or listing's) fingerprint and the
    config's `exclude`."""
    from engine.code_version import code_version

    inputs = repr((code_version(), fingerprint, exclude))
    return hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()
