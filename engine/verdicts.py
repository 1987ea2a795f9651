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
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import entry_folder
from engine.expressions import Expression
from engine.model.packs import Rule, walk
from engine.model.results import Outcome, RuleResult, SkipKind

if TYPE_CHECKING:
    from engine.context import EvaluationContext, EvaluationOptions

#: The cache folder's kind (engine/folders.py).
KIND = "verdicts"
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
    """The verdicts kept for one snapshot, and those its evaluation adds."""

    def __init__(self, folder: Path, key: str, options: EvaluationOptions) -> None:
        self._folder = folder
        self._key = key
        self._options = options
        entry = entry_folder.load(folder, key, VerdictEntry)
        self._outcomes: dict[str, Outcome] = dict(entry.outcomes) if entry is not None else {}
        self._added = False
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
        """The outcome kept for `rule`, or None."""
        key = self._rule_key(rule)
        return self._outcomes.get(key) if key is not None else None

    def keep(self, rule: Rule, result: RuleResult) -> None:
        """Keep the outcome `rule` just gave, if it may be kept."""
        key = self._rule_key(rule)
        outcome = _kept(result, self._options.no_commands) if key is not None else None
        if key is not None and outcome is not None:
            self._outcomes[key] = outcome
            self._added = True

    def save(self, context: EvaluationContext) -> None:
        """Write the entry, when the evaluation added to it, nothing unsettled it and no
        file changed while it read them."""
        if self._added and not context.unsettled and context.snapshot.unchanged():
            outcomes = self._outcomes
            if len(outcomes) > MAX_OUTCOMES:
                outcomes = {key: found for key, found in outcomes.items() if key in self._asked}
            entry_folder.store(self._folder, self._key, VerdictEntry(outcomes), MAX_ENTRIES)


def verdict_folder(environ: Mapping[str, str]) -> Path | None:
    """Where verdicts are kept, or None when the environment turns the cache off."""
    if environ.get(OFF_VARIABLE, "").strip() == "0":
        return None
    from engine.folders import cache_dir

    return cache_dir(KIND)


def open_verdicts(
    folder: Path, context: EvaluationContext, exclude: tuple[str, ...]
) -> Verdicts | None:
    """The verdicts kept for the context's snapshot; None when it cannot vouch for its files."""
    fingerprint = context.snapshot.fingerprint()
    if fingerprint is None:
        return None
    from engine.code_version import code_version

    inputs = repr((code_version(), fingerprint, exclude))
    key = hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()
    return Verdicts(folder, key, context.options)
