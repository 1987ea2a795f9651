"""`--format junit`: JUnit XML, for the test-report views of CI systems.

One `<testsuite>` per category, one `<testcase>` per rule. Categories, not
packs, are the suites: a pack is usually one flat list of dozens of rules,
while categories are how the report already groups and counts them, and CI
views show suites as the groups to open. A case is named by its rule id (what
`--rule` selects and what stays the same from run to run, so CI history lines
up) with `classname` `<pack>.<category>`.

A case fails exactly when its result fails the run, so the CI view and the
exit code agree: a failure at or above `--fail-on` (`error` by default) is
`<failure type=severity>`, a rule that could not be evaluated `<error>`. A
failure below it (a `warning` or `info` rule, by default) does not fail the
suite: the case passes, and a `<system-out>` note says what it found and why
it does not fail. `skip` -> `<skipped message=reason>`. Findings, remediation
and docs go in the element text. With `--baseline` or `--new-since`, a result
known from the baseline does not fail the run, so it is
`<skipped message="known: in the baseline">` and counted as skipped, and
known findings of a new result are left out.
A waived rule is `<skipped message="waived: REASON (OWNER, until DATE)">`,
counted as skipped; findings a waiver covers are left out of a failure.
`time` (seconds) is written because CI views expect it and use it to point
at slow rules (command rules can take minutes); it is the only part
that varies between runs, like `duration_ms` in the JSON report. No
`timestamp` or `hostname`: they would make the same run differ byte-wise.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from engine.model.results import Report, RuleResult, Status
from engine.model.severity import FailOn
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.common import by_category, place, waived_text

# XML 1.0 forbids most control characters (even as references) and lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` shown `printable`, and the characters XML 1.0 cannot carry besides as U+FFFD."""
    return _NOT_XML.sub("\ufffd", printable(value))


def seconds(duration_ms: float) -> str:
    return f"{duration_ms / 1000:.3f}"


def _known(result: RuleResult) -> bool:
    """A failed or errored result the baseline already had: it does not fail the run."""
    return result.baseline == "known"


def _case_status(result: RuleResult, fail_on: FailOn) -> Status:
    """What the case shows: `fail` or `error` only when the result fails the run, `skip`
    for skipped and known results, `pass` otherwise (a note tells a failure below
    --fail-on)."""
    if _known(result) or result.status in ("skip", "waived"):
        return "skip"
    return result.status if result.fails_at(fail_on) else "pass"


def _counts_attributes(element: ET.Element, results: list[RuleResult], fail_on: FailOn) -> None:
    statuses = [_case_status(r, fail_on) for r in results]
    element.set("tests", str(len(results)))
    element.set("failures", str(statuses.count("fail")))
    element.set("errors", str(statuses.count("error")))
    element.set("skipped", str(statuses.count("skip")))
    element.set("time", seconds(sum(r.duration_ms for r in results)))


def _details(result: RuleResult) -> str:
    lines = []
    for finding in (f for f in result.findings if f.baseline != "known" and f.waived is None):
        where = place(finding)
        lines.append(f"{where}: {finding.message}" if where else finding.message)
    if result.status == "fail":
        if not result.findings and result.message:
            lines.append(result.message)
        if result.remediation.strip():
            lines.append(f"fix: {result.remediation.strip()}")
        if result.docs:
            lines.append(f"docs: {result.docs}")
    return xml_text("\n".join(lines))


def _failure_message(result: RuleResult) -> str:
    return f"{result.title}: {result.message}" if result.message else result.title


def _note(result: RuleResult, fail_on: FailOn) -> str:
    """The `<system-out>` of a result that fell short without failing the run."""
    if result.status == "fail":
        head = f"{result.severity}: {result.title}"  # the details say what it found
    else:  # an error fails every run but one at --fail-on never
        head = f"could not be evaluated: {result.reason or result.message}"
    below = "--fail-on never" if fail_on == "never" else f"below --fail-on {fail_on}"
    why = f"does not fail the run ({below})"
    return xml_text("\n".join(part for part in (head, _details(result), why) if part))


def _testcase(suite: ET.Element, result: RuleResult, fail_on: FailOn) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": xml_text(result.rule),
            "classname": xml_text(f"{result.pack}.{result.category}"),
            "time": seconds(result.duration_ms),
        },
    )
    shown = _case_status(result, fail_on)
    if _known(result):
        ET.SubElement(case, "skipped", {"message": "known: in the baseline"})
    elif shown == "fail":
        attributes = {"message": xml_text(_failure_message(result)), "type": result.severity}
        ET.SubElement(case, "failure", attributes).text = _details(result)
    elif shown == "error":
        attributes = {"message": xml_text(result.reason or result.message), "type": "error"}
        ET.SubElement(case, "error", attributes).text = _details(result) or None
    elif result.status == "waived" and result.waived is not None:
        ET.SubElement(case, "skipped", {"message": xml_text(waived_text(result.waived))})
    elif shown == "skip":
        ET.SubElement(case, "skipped", {"message": xml_text(result.reason or "")})
    elif result.status in ("fail", "error"):  # fell short, below --fail-on
        ET.SubElement(case, "system-out").text = _note(result, fail_on)


def to_element(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element."""
    fail_on = report.fail_on
    root = ET.Element("testsuites", {"name": "rulepack"})
    _counts_attributes(root, list(report.results), fail_on)
    for category_id, results in by_category(report.results).items():
        suite = ET.SubElement(
            root, "testsuite", {"name": xml_text(report.category_title(category_id))}
        )
        _counts_attributes(suite, results, fail_on)
        for result in results:
            _testcase(suite, result, fail_on)
    return root


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    root = to_element(report)
    ET.indent(root, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
