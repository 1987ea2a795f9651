"""What the text reporters say the same way: where a finding is, a rate, rules by category.

Kept free of any output syntax: each format escapes these strings its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from engine.model.results import Counts, Finding, Report, RuleResult, Status, count
from engine.model.severity import SEVERITIES, FailOn
from engine.model.waivers import Waiver, WaiverUse

if TYPE_CHECKING:  # a report of one run needs no diff model
    from engine.model.diff import Diff


def place(finding: Finding) -> str:
    """`path:line`, `path`, or "" when the finding names no file."""
    if not finding.path:
        return ""
    if finding.line:
        return f"{finding.path}:{finding.line}"
    if finding.document:
        return f"{finding.path} (document {finding.document})"
    return finding.path


def findings_to_show(result: RuleResult) -> tuple[Finding, ...]:
    """The findings worth a reader's attention: not known from a baseline (`--baseline`,
    `--new-since`), not covered by a waiver, and not already quoted by an error's cause."""
    cause = (result.reason or "") if result.status == "error" else ""
    return tuple(
        f
        for f in result.findings
        if f.baseline != "known" and f.waived is None and f.message not in cause
    )


def waived_text(waiver: Waiver) -> str:
    """`waived: REASON (OWNER, until DATE)`, as JUnit's `<skipped message>` says it."""
    return f"waived: {waiver.reason} ({waiver.owner}, until {waiver.expires.isoformat()})"


def waiver_state(use: WaiverUse) -> str:
    """`active`, `expired`, `unused`; against a base also `added` or `extended`."""
    return use.state + (f", {use.change}" if use.change in ("added", "extended") else "")


def waivers_section(report: Report | Diff) -> list[tuple[WaiverUse, str]]:
    """Every waiver of the run with one line about it, for a report's waivers section:
    `license (LICENSE*): active, until 2027-01-31 by @legal: REASON (SEC-1)`."""
    lines = []
    for use in report.waivers:
        waiver = use.waiver
        paths = f" ({', '.join(waiver.paths)})" if waiver.paths else ""
        ticket = f" ({waiver.ticket})" if waiver.ticket else ""
        text = (
            f"{waiver.rule}{paths}: {waiver_state(use)}, until {waiver.expires.isoformat()} "
            f"by {waiver.owner}: {waiver.reason}{ticket}"
        )
        lines.append((use, text))
    return lines


def count_cells(counts: Counts) -> list[str]:
    """A row of counts as table cells: total, passed, failed, skipped, errored, success rate."""
    numbers = (counts.total, counts.passed, counts.failed, counts.skipped, counts.errored)
    return [*(str(n) for n in numbers), rate_text(counts)]


def finding_items(
    result: RuleResult,
    limit: int,
    item: Callable[[str, str], str],
    more: Callable[[int], str],
) -> list[str]:
    """The findings a report lists for a result, at most `limit`, each written by
    `item(place, message)`; then `more(n)` for the `n` left out, if any."""
    shown = findings_to_show(result)
    items = [item(place(f), f.message) for f in shown[:limit]]
    if len(shown) > limit:
        items.append(more(len(shown) - limit))
    return items


def rate_text(counts: Counts) -> str:
    """The success rate with two decimals and a percent sign, or `n/a` when nothing was judged."""
    rate = counts.success_rate
    return "n/a" if rate is None else f"{rate:.2f}%"


def judged_text(counts: Counts) -> str:
    """How many rules were judged (passed, failed or errored) of how many: `1 of 9 judged`."""
    judged = counts.passed + counts.failed + counts.errored
    return f"{judged or 'none'} of {counts.total} judged"


def success_text(counts: Counts) -> str:
    """The success rate, saying of how many rules when some were not judged:
    `60.00%`, `100.00% (1 of 9 judged)`, `none of 8 judged`."""
    rate = counts.success_rate
    if rate is None:
        return judged_text(counts)
    if counts.skipped:
        return f"{rate:.2f}% ({judged_text(counts)})"
    return f"{rate:.2f}%"


_STATUS_RANK: dict[Status, int] = {"error": 0, "fail": 0, "waived": 1, "pass": 1, "skip": 2}


def severity_rank(result: RuleResult, fail_on: FailOn) -> tuple[int, bool, int]:
    """Sorts the most severe first: failures and errors, those that fail the run
    first, then by severity; then passes, then skips."""
    return (
        _STATUS_RANK[result.status],
        not result.fails_at(fail_on),
        SEVERITIES.index(result.severity),
    )


def most_severe_first(
    results: Iterable[RuleResult], fail_on: FailOn
) -> dict[str, list[RuleResult]]:
    """Results by category, the category of the most severe result first, and the most
    severe first within each (`severity_rank`; ties keep report order)."""
    groups = {
        category: sorted(found, key=lambda r: severity_rank(r, fail_on))
        for category, found in by_category(results).items()
    }
    return dict(sorted(groups.items(), key=lambda item: severity_rank(item[1][0], fail_on)))


def verdict_text(report: Report) -> str:
    """The run's result in one line: `FAIL · 2 rules fail the run at --fail-on error:
    ha.replicas-min, sec.keys` (naming three at most) or `PASS · nothing fails ...`."""
    verdict = report.verdict
    at = f"at --fail-on {verdict.fail_on}"
    known = report.baseline.known_results if report.baseline is not None else 0
    tail = f" ({known} known from the baseline do not count)" if known else ""
    if not verdict.fails:
        return f"PASS · nothing fails the run {at}{tail}"
    grouped = most_severe_first(verdict.failing, verdict.fail_on).values()
    failing = [result for results in grouped for result in results]  # as the table lists them
    names = ", ".join(r.rule for r in failing[:3])
    if len(failing) > 3:
        names += f" and {len(failing) - 3} more"
    rules = "1 rule fails" if len(failing) == 1 else f"{len(failing)} rules fail"
    return f"FAIL · {rules} the run {at}: {names}{tail}"


def by_category(results: Iterable[RuleResult]) -> dict[str, list[RuleResult]]:
    """Results grouped by category id, categories and rules in report order."""
    groups: dict[str, list[RuleResult]] = {}
    for result in results:
        groups.setdefault(result.category, []).append(result)
    return groups


def is_filtered_out(result: RuleResult) -> bool:
    """Whether a rule was skipped only because the command line selected other rules."""
    return result.skip == "filtered-out"


def summary_parts(counts: Counts, by_severity: dict[str, int]) -> list[tuple[str, Status | None]]:
    """The summary as parts, each with the status it counts (for colour): `5 rules`,
    `1 passed`, `2 failed (1 error, 0 warning, 1 info)`, `1 skipped`, `1 errored`
    (and `1 waived` when a rule is)."""
    severities = ", ".join(f"{by_severity.get(level, 0)} {level}" for level in by_severity)
    parts: list[tuple[str, Status | None]] = [
        (f"{counts.total} rules", None),
        (f"{counts.passed} passed", "pass"),
        (f"{counts.failed} failed ({severities})", "fail"),
        (f"{counts.skipped} skipped", "skip"),
        (f"{counts.errored} errored", "error"),
    ]
    if counts.waived:  # only runs with waivers say it
        parts.append((f"{counts.waived} waived", "waived"))
    return parts


def summary_line(counts: Counts, by_severity: dict[str, int]) -> str:
    """`5 rules: 1 passed, 2 failed (1 error, 0 warning, 1 info), 1 skipped, 1 errored`."""
    total, *parts = summary_parts(counts, by_severity)
    return f"{total[0]}: " + ", ".join(text for text, _ in parts)


#: Blocking rules a level line names; the rest are counted.
MAX_BLOCKING = 10


def levels_lines(
    report: Report, text: Callable[[str], str], rule: Callable[[str], str]
) -> list[str]:
    """One line per pack that declares levels, for the top of a report: the level reached,
    the pack's score, and what the next level needs, most severe first.

    `production: level Bronze · score 82.50% · Silver needs 2 rules: ha.replicas-min (error),
    mon.alert-rules (warning)`; then `· below the required Silver` when `--min-level` is
    not met. `text` escapes the report's words for the format, `rule` writes a rule id.
    """
    lines = []
    short = dict(report.verdict.short_of)
    for pack in report.packs:
        found = report.summary.levels.get(pack.name)
        if found is None:
            continue
        results = [r for r in report.results if r.pack == pack.name]
        level = pack.level_title(found.achieved) if found.achieved else "none"
        score = count(results).score
        parts = [
            f"{text(pack.name)}: level {text(level)}",
            f"score {'n/a' if score is None else f'{score:.2f}%'}",
        ]
        if found.next is None:
            parts.append("the top level")
        else:
            by_id = {r.rule: r for r in results}
            blocking = [by_id[rule_id] for rule_id in found.blocking]
            named = [
                f"{rule(r.rule)} ({r.severity}{', errored' if r.status == 'error' else ''})"
                for r in blocking[:MAX_BLOCKING]
            ]
            if len(blocking) > MAX_BLOCKING:
                named.append(f"… and {len(blocking) - MAX_BLOCKING} more")
            noun = "rule" if len(blocking) == 1 else "rules"
            parts.append(
                f"{text(pack.level_title(found.next))} needs {len(blocking)} {noun}: "
                + ", ".join(named)
            )
        if pack.name in short:
            parts.append(f"below the required {text(pack.level_title(short[pack.name]))}")
        lines.append(" · ".join(parts))
    return lines
