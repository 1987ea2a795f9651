"""`policy diff BASE [HEAD]`: what got better or worse between two snapshots.

Both snapshots are evaluated with the same options and by the same rules:
the packs and config as HEAD has them (the working tree when HEAD is not
given, the index with `--staged`). A rule added or tightened in HEAD is thus
also applied to BASE, so every difference reported comes from the files.
Findings are matched by rule, path and message (engine/baseline.py); the
diff is rendered by the reporter of `--format` (engine/reporters/).

Exit status 1 only when something got worse at or above `--fail-on`: a rule
that fails or errors now and did not, or a failing rule with new findings.
HEAD's waivers apply to both; those HEAD adds or extends (against BASE's own
config) are listed, so a reviewer sees every new exception.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from engine import __version__
from engine.baseline import compare, records
from engine.commands.eval import check_output, inputs_of, stdout_is_terminal, write_output
from engine.config import base_waivers
from engine.errors import InputError
from engine.model.diff import Diff
from engine.parse_cache import closing_cache
from engine.reporters import DIFF_FORMATS, ReportOptions, diff_reporter
from engine.runs import EvalRequest, evaluate_workspace, load_workspace, shared_parse_cache
from engine.snapshots import open_snapshot
from engine.waivers import changed_since


@dataclass(frozen=True)
class DiffRequest:
    base: str  # a ref
    head: str | None = None  # a ref; None: the working tree, or the index with --staged
    evaluation: EvalRequest = field(default_factory=EvalRequest)  # path, packs, output…


def run(request: DiffRequest) -> int:
    """Evaluate BASE and HEAD, write what changed, return 1 when something got worse."""
    options = request.evaluation
    format_name = options.format or "table"
    if format_name not in DIFF_FORMATS:
        raise InputError(
            f"diff: unknown format {format_name!r} (one of: {', '.join(DIFF_FORMATS)})"
        )
    if request.head is not None and options.staged:
        raise InputError("diff: give HEAD or --staged, not both")
    with ExitStack() as stack:
        head = open_snapshot(options.path, request.head, options.staged, ref_option="HEAD")
        stack.callback(head.close)
        base = open_snapshot(options.path, request.base, ref_option="BASE")
        stack.callback(base.close)
        workspace, fail_on = load_workspace(head, options)
        check_output(options.output, inputs_of(workspace, options))
        # Both snapshots through one parse cache: the blobs they share are parsed once.
        cache = stack.enter_context(closing_cache(shared_parse_cache()))
        after = evaluate_workspace(
            workspace, head, options, fail_on, format_name=format_name, parse_cache=cache
        )
        before = evaluate_workspace(
            workspace, base, options, fail_on, format_name=format_name, parse_cache=cache
        )
        waivers = changed_since(after.waivers, base_waivers(base, options.config))
    changes = compare(records(before.results), records(after.results))
    new_waivers = tuple(use for use in waivers if use.change != "unchanged")
    diff = Diff(__version__, before.snapshot, after.snapshot, fail_on, tuple(changes), new_waivers)
    render = diff_reporter(format_name)
    color = options.output is None and stdout_is_terminal()
    shown = ReportOptions(color=color, show=options.show)
    write_output(lambda out: render(diff, out, shown), options.output)
    return 1 if diff.got_worse else 0
