"""What every history format says of a point the same way: its date, id, level, changes."""

from __future__ import annotations

from collections.abc import Sequence

from engine.history.model import Change, History, Point

#: Eight heights, lowest first: a score of 0 is the lowest, 100 the highest.
SPARKS = "▁▂▃▄▅▆▇█"
#: Changed rules named per commit; the rest are counted.
MAX_CHANGES = 3


def short_id(point: Point) -> str:
    return point.commit[:12] if point.commit else "-"


def day(point: Point) -> str:
    return point.date.strftime("%Y-%m-%d %H:%M") if point.date else "-"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def level_text(point: Point) -> str:
    """`silver`, or `production: silver, testing: none` for several packs."""
    if not point.levels:
        return "-"
    if len(point.levels) == 1:
        return next(iter(point.levels.values())) or "none"
    return ", ".join(f"{pack}: {level or 'none'}" for pack, level in point.levels.items())


def change_text(change: Change) -> str:
    return f"{change.rule} {change.before or 'new'}→{change.after or 'gone'}"


def changes_text(point: Point, history: History) -> str:
    """The rules whose status changed since the commit before, a few by name."""
    if point is history.points[-1]:
        return "(first)"
    if not point.changes:
        return ""
    named = ", ".join(change_text(c) for c in point.changes[:MAX_CHANGES])
    rest = len(point.changes) - MAX_CHANGES
    return named + (f" (and {rest} more)" if rest > 0 else "")


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value (0-100), a space where there is none."""
    top = len(SPARKS) - 1
    return "".join(
        " " if v is None else SPARKS[round(max(0.0, min(100.0, v)) / 100 * top)] for v in values
    )


def category_lines(history: History) -> list[tuple[str, str, float | None]]:
    """(category, sparkline oldest to newest, latest score) for each category."""
    oldest_first = list(reversed(history.points))
    lines = []
    for category in history.categories:
        values = [p.categories.get(category) for p in oldest_first]
        lines.append((category, sparkline(values), oldest_first[-1].categories.get(category)))
    return lines


def title(history: History) -> str:
    branch = f" ({history.branch})" if history.branch else ""
    count = len(history.points)
    return f"{history.repository.name}{branch}: {count} commit{'s' if count != 1 else ''}"
