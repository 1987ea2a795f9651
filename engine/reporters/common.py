"""What the text reporters say the same way: where a finding is, a rate, rules by category.

Kept free of any output syntax: each format escapes these strings its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from engine.model.results import Counts, Finding, Report, RuleResult, Status, count


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
    `--new-since`), and not already quoted by an error's cause."""
    cause = (result.reason or "") if result.status == "error" else ""
    return tuple(f for f in result.findings if f.baseline != "known" and f.message not in cause)


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
    `1 passed`, `2 failed (1 error, 0 warning, 1 info)`, `1 skipped`, `1 errored`."""
    severities = ", ".join(f"{by_severity.get(level, 0)} {level}" for level in by_severity)
    return [
        (f"{counts.total} rules", None),
        (f"{counts.passed} passed", "pass"),
        (f"{counts.failed} failed ({severities})", "fail"),
        (f"{counts.skipped} skipped", "skip"),
        (f"{counts.errored} errored", "error"),
    ]


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
