"""`--format junit`: JUnit XML, for the test-report views of CI systems.

One `<testsuite>` per category, one `<testcase>` per rule. Categories, not
packs, are the suites: a pack is usually one flat list of dozens of rules,
while categories are how the report already groups and counts them, and CI
views show suites as the groups to open. A case is named by its rule id (what
`--rule` selects and what stays the same from run to run, so CI history lines
up) with `classname` `<pack>.<category>`.

`fail` -> `<failure type=severity>`, `error` -> `<error>`, `skip` ->
`<skipped message=reason>`; findings, remediation and docs go in the element
text. With `--baseline` or `--new-since`, a result known from the baseline
does not fail the run, so it is `<skipped message="known: in the baseline">`
and counted as skipped, and known findings of a new result are left out.
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

from engine.model.results import Report, RuleResult
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


def _counts_attributes(element: ET.Element, results: list[RuleResult]) -> None:
    statuses = ["skip" if _known(r) or r.status == "waived" else r.status for r in results]
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


def _testcase(suite: ET.Element, result: RuleResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": xml_text(result.rule),
            "classname": xml_text(f"{result.pack}.{result.category}"),
            "time": seconds(result.duration_ms),
        },
    )
    if _known(result):
        ET.SubElement(case, "skipped", {"message": "known: in the baseline"})
    elif result.status == "fail":
        message = f"{result.title}: {result.message}" if result.message else result.title
        failure = ET.SubElement(
            case, "failure", {"message": xml_text(message), "type": result.severity}
        )
        failure.text = _details(result)
    elif result.status == "error":
        error = ET.SubElement(
            case, "error", {"message": xml_text(result.reason or result.message), "type": "error"}
        )
        error.text = _details(result) or None
    elif result.status == "skip":
        ET.SubElement(case, "skipped", {"message": xml_text(result.reason or "")})
    elif result.status == "waived" and result.waived is not None:
        ET.SubElement(case, "skipped", {"message": xml_text(waived_text(result.waived))})


def to_element(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element."""
    root = ET.Element("testsuites", {"name": "rulepack"})
    _counts_attributes(root, list(report.results))
    for category_id, results in by_category(report.results).items():
        suite = ET.SubElement(
            root, "testsuite", {"name": xml_text(report.category_title(category_id))}
        )
        _counts_attributes(suite, results)
        for result in results:
            _testcase(suite, result)
    return root


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    root = to_element(report)
    ET.indent(root, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
