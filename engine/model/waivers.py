"""Waivers: governed, expiring exceptions to rules, and what a run made of each.

A `Waiver` is one entry of the repo config's `waivers` (or of its
`waivers_file`); engine/waivers.py reads them and applies them to a run's
results. A waived finding or result carries the waiver that covers it; the
report lists every waiver with its `WaiverState` in this run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from engine.errors import Location

#: active: it covered a failing rule or finding; expired: its date has passed, so it
#: covers nothing; unused: it is live but nothing in this run needed it.
WaiverState = Literal["active", "expired", "unused"]
#: Against a base (`policy diff`, `eval --new-since`): a waiver the base did not have,
#: one the base had with an earlier expiry, or one it had as it is.
WaiverChange = Literal["added", "extended", "unchanged"]
#: A waiver that expires within this many days adds a note to the results it covers.
EXPIRES_SOON_DAYS = 14


@dataclass(frozen=True)
class Waiver:
    """One waiver entry: a rule (and optionally path globs) excused until `expires`."""

    rule: str
    reason: str
    owner: str
    expires: date
    paths: tuple[str, ...] = ()  # none: the whole rule
    ticket: str | None = None
    at: Location = field(default_factory=lambda: Location(".rulepack.yaml"))  # the entry's place
    # Where its `rule` and `expires` values are, for the problems found once packs are loaded.
    rule_at: Location | None = field(default=None, compare=False, repr=False)
    expires_at: Location | None = field(default=None, compare=False, repr=False)

    @property
    def identity(self) -> tuple[str, tuple[str, ...]]:
        """What makes two waivers (of two versions of a config) the same exception."""
        return (self.rule, tuple(sorted(self.paths)))

    @property
    def where(self) -> str:
        """`file:line` of the entry."""
        return str(Location(self.at.file, self.at.line))

    def expired_on(self, today: date) -> bool:
        """Whether it no longer applies: a waiver holds through its `expires` day."""
        return self.expires < today


@dataclass(frozen=True)
class WaiverUse:
    """A waiver as a run judged it: its state, and how it changed against a base."""

    waiver: Waiver
    state: WaiverState
    change: WaiverChange | None = None  # only against a base (`--new-since`)
    previous_expires: date | None = None  # on `extended`: the base's expiry
