"""Waivers: read from the repo config (or its `waivers_file`), checked, applied to a run.

Reading (`read_waivers`, `read_waivers_file`) checks what one entry can say
about itself: a real date, a non-blank reason and owner, globs that stay in
the snapshot. What needs the packs and the date of the run is checked once
they are known (`waiver_problems`): the rule exists, the expiry is within
`max_waiver_days`. `apply_waivers` then turns the failures that live waivers
cover into `waived` and judges every waiver `active`, `expired` or `unused`.

"Today" is never read here: it is passed in (`--today`, RULEPACK_TODAY, else
the local date), so a run and its tests are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from engine.errors import InputError, Location, Problem, did_you_mean
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.model.results import Note, Report, RuleResult
from engine.model.waivers import EXPIRES_SOON_DAYS, Waiver, WaiverState, WaiverUse

#: `max_waiver_days` when the config does not say.
DEFAULT_MAX_WAIVER_DAYS = 365


def parse_date(text: str) -> date | None:
    """A `YYYY-MM-DD` date, or None when `text` is not one (2027-02-30, 2027-3-1)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_waivers(located: LocatedData, at: KeyPath) -> tuple[list[Waiver], list[Problem]]:
    """The waiver entries of the (schema-valid) list at `at` in `located`, and the problems
    of entries that are not well formed."""
    from engine.globs import glob_problem

    entries = located.data
    for key in at:
        entries = entries[key]
    waivers: list[Waiver] = []
    problems: list[Problem] = []

    def where(*path: Any) -> Location:
        position = located.position((*at, *path))
        return Location(located.file, *(position or ()))

    for i, entry in enumerate(entries or ()):
        found = []
        for key in ("reason", "owner"):
            if not entry[key].strip():
                found.append(Problem(f"waiver {key} may not be blank", where(i, key)))
        expires = parse_date(entry["expires"])
        if expires is None:
            found.append(
                Problem(
                    f"expires {entry['expires']!r} is not a date (YYYY-MM-DD)", where(i, "expires")
                )
            )
        for j, glob in enumerate(entry.get("paths") or ()):
            reason = glob_problem(glob)
            if reason:
                found.append(Problem(reason, where(i, "paths", j)))
        problems += found
        if found or expires is None:
            continue
        waivers.append(
            Waiver(
                rule=entry["rule"],
                reason=entry["reason"].strip(),
                owner=entry["owner"].strip(),
                expires=expires,
                paths=tuple(entry.get("paths") or ()),
                ticket=entry.get("ticket"),
                at=where(i),
                rule_at=where(i, "rule"),
                expires_at=where(i, "expires"),
            )
        )
    return waivers, problems


def read_waivers_file(text: str, file: str) -> list[Waiver]:
    """The waivers of a `waivers_file` (a YAML list of entries); InputError, located, when
    it is not one."""
    from engine.schemas import schema_problems
    from engine.yaml_located import load_input  # only when there is a waivers file

    located, problems = load_input(text, file)
    if not isinstance(located.data, list):
        data = located.data
        found = "nothing" if data is None else "a mapping" if isinstance(data, dict) else "a value"
        position = located.position(())
        raise InputError(
            Problem(
                f"a waivers file holds a YAML list of waivers (found {found})",
                Location(file, *(position or (1, 1))),
            )
        )
    # Validated as the config's `waivers` list, so that both say the same things.
    wrapped = LocatedData(
        file,
        {"waivers": located.data},
        {("waivers", *path): at for path, at in located.positions.items()},
        {("waivers", *path): at for path, at in located.key_positions.items()},
    )
    problems += [problem for _, problem in schema_problems(wrapped, "config")]
    if problems:
        raise InputError(problems)
    waivers, problems = read_waivers(wrapped, ("waivers",))
    if problems:
        raise InputError(problems)
    return waivers


def waiver_problems(
    waivers: Sequence[Waiver], rule_ids: Iterable[str], today: date, max_days: int
) -> list[Problem]:
    """Waivers that name no rule of the evaluated packs, or expire later than `max_days`
    from `today`. A past date is no problem: that waiver is expired."""
    known = sorted(set(rule_ids))
    problems = []
    for waiver in waivers:
        if waiver.rule not in known:
            hint = did_you_mean(waiver.rule, known)
            problems.append(
                Problem(
                    f"unknown rule {waiver.rule!r} in waivers: no evaluated pack has it{hint}",
                    waiver.rule_at or waiver.at,
                )
            )
        days = (waiver.expires - today).days
        if days > max_days:
            problems.append(
                Problem(
                    f"waiver of {waiver.rule} expires {waiver.expires.isoformat()}, {days} days "
                    f"from today ({today.isoformat()}); max_waiver_days is {max_days}",
                    waiver.expires_at or waiver.at,
                )
            )
    return problems


# -- applying waivers to a run ------------------------------------------------------


def _waive(result: RuleResult, live: Sequence[Waiver], used: set[int]) -> RuleResult:
    """`result` with what `live` (its rule's live waivers) cover marked; `used` gets the
    index (in `live`) of each waiver that covered something. A waiver with `paths`
    covers the findings whose file matches one of its globs."""
    from engine.globs import GlobSet

    whole = next((i for i, w in enumerate(live) if not w.paths), None)
    if whole is not None:
        used.add(whole)
        waiver = live[whole]
        findings = tuple(replace(f, waived=waiver) for f in result.findings)
        return replace(result, status="waived", findings=findings, waived=waiver)
    globs = [GlobSet.compile(w.paths) for w in live]  # once per result, not per finding
    marked = []
    for finding in result.findings:
        path = finding.path
        index = next((i for i, g in enumerate(globs) if path and g.matches(path)), None)
        if index is not None:
            used.add(index)
            finding = replace(finding, waived=live[index])
        marked.append(finding)
    findings = tuple(marked)
    if findings and all(f.waived is not None for f in findings):
        return replace(result, status="waived", findings=findings, waived=findings[0].waived)
    return replace(result, findings=findings)


def _notes(result: RuleResult, waivers: Sequence[Waiver], today: date) -> list[Note]:
    """What the waivers of a result's rule say on it: expired, or expiring soon."""
    notes = []
    for waiver in waivers:
        if waiver.expired_on(today):
            notes.append(
                Note(
                    waiver.at.file,
                    f"waiver expired on {waiver.expires.isoformat()} "
                    f"({waiver.owner}, {waiver.reason})",
                    waiver=True,
                )
            )
        elif waiver == result.waived or any(f.waived == waiver for f in result.findings):
            days = (waiver.expires - today).days
            if days <= EXPIRES_SOON_DAYS:
                unit = "day" if days == 1 else "days"
                notes.append(Note(waiver.at.file, f"waiver expires in {days} {unit}", waiver=True))
    return notes


def apply_waivers(
    report: Report, waivers: Sequence[Waiver], today: date, *, strict: bool = False
) -> Report:
    """The report with the failures live waivers cover waived, notes on the results of
    expired and soon-expiring waivers, and every waiver's state (`strict`: unused and
    expired waivers fail the run)."""
    by_rule: dict[str, list[int]] = {}
    for i, waiver in enumerate(waivers):
        by_rule.setdefault(waiver.rule, []).append(i)
    used: set[int] = set()
    results = []
    for result in report.results:
        indexes = by_rule.get(result.rule, [])
        live = [i for i in indexes if not waivers[i].expired_on(today)]
        if result.status == "fail" and live:
            covered: set[int] = set()
            result = _waive(result, [waivers[i] for i in live], covered)
            used |= {live[i] for i in covered}
        notes = _notes(result, [waivers[i] for i in indexes], today)
        results.append(replace(result, notes=(*result.notes, *notes)) if notes else result)
    uses = []
    for i, waiver in enumerate(waivers):
        state: WaiverState = (
            "expired" if waiver.expired_on(today) else "active" if i in used else "unused"
        )
        uses.append(WaiverUse(waiver, state))
    return replace(report, results=tuple(results), waivers=tuple(uses), strict_waivers=strict)


# -- against a base: `policy diff`, `eval --new-since` ---------------------------------


def changed_since(uses: Sequence[WaiverUse], base: Sequence[Waiver]) -> tuple[WaiverUse, ...]:
    """`uses` marked `added` (no waiver of the base has its rule and paths), `extended` (the
    base's expired earlier) or `unchanged`."""
    latest: dict[tuple[str, tuple[str, ...]], date] = {}
    for waiver in base:
        known = latest.get(waiver.identity)
        latest[waiver.identity] = waiver.expires if known is None else max(known, waiver.expires)
    marked = []
    for use in uses:
        before = latest.get(use.waiver.identity)
        if before is None:
            marked.append(replace(use, change="added"))
        elif use.waiver.expires > before:
            marked.append(replace(use, change="extended", previous_expires=before))
        else:
            marked.append(replace(use, change="unchanged"))
    return tuple(marked)
