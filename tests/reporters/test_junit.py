"""`policy eval --format junit`: JUnit XML for CI test-report views."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from engine.reporters.junit import xml_text

PARSE_ERROR = (
    "deploy/broken.yaml:2: does not parse: while parsing a flow node, "
    "did not find expected node content"
)
TIME = re.compile(r'time="\d+\.\d{3}"')


def junit(policy, *args) -> tuple[int, str, ET.Element]:
    result = policy("eval", "--format", "junit", *args)
    return result.exit_code, result.stdout, ET.fromstring(result.stdout.encode("utf-8"))


def counts(element: ET.Element) -> tuple[str | None, ...]:
    return tuple(element.get(k) for k in ("tests", "failures", "errors", "skipped"))


def test_one_suite_per_category_with_its_counts(policy, sample) -> None:
    code, out, root = junit(policy, "--pack", sample.pack, sample.repo)
    assert code == 1
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="rulepack" ')
    assert root.tag == "testsuites"
    # only the error-severity failure and the error fail (the default --fail-on error)
    assert counts(root) == ("7", "1", "1", "1")
    suites = root.findall("testsuite")
    assert [(s.get("name"), counts(s)) for s in suites] == [
        ("Deployment", ("3", "1", "1", "0")),
        ("Security & <secrets>", ("2", "0", "0", "0")),
        ("Documentation", ("2", "0", "0", "1")),
    ]
    cases = [(c.get("classname"), c.get("name")) for s in suites for c in s.findall("testcase")]
    assert cases == [
        ("sample.deploy", "deploy.manifests"),
        ("sample.deploy", "deploy.service"),
        ("sample.deploy", "deploy.parses"),
        ("sample.security", "security.keys"),
        ("sample.security", "security.tokens"),
        ("sample.docs", "docs.readme"),
        ("sample.docs", "docs.changelog"),
    ]
    # seconds with three decimals on every suite and case, and on the whole
    for element in [root, *suites, *root.iter("testcase")]:
        assert re.fullmatch(r"\d+\.\d{3}", element.get("time") or ""), element.attrib


def test_failures_errors_and_skips_carry_what_a_reader_needs(policy, sample) -> None:
    _, _, root = junit(policy, "--pack", sample.pack, sample.repo)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases["deploy.manifests"]) == []  # passed: an empty test case

    (failure,) = cases["deploy.service"]
    assert failure.tag == "failure"
    assert failure.attrib == {
        "message": "Services are named | web: deploy/service.yaml:3: Service/a|b",
        "type": "error",
    }
    assert failure.text == (
        'deploy/service.yaml:3: Service/a|b\n<i>&%,:: metadata.name is "a|b\\n<i>&%,:", '
        'expected == "web"\n'
        "fix: Rename the Service | use web.\nSee <docs> & 100% of it.\n"
        "docs: https://example.com/naming?a=1&b=2"
    )
    # below --fail-on: a passing case with a note of what it found and why it passes
    (note,) = cases["security.keys"]
    assert note.tag == "system-out"
    assert note.text == (
        "warning: No private keys\nnotes/odd name|50%,x:y.pem: should not exist\n"
        "fix: Remove key files.\ndocs: see the wiki\ndoes not fail the run (below --fail-on error)"
    )
    (note,) = cases["security.tokens"]
    assert note.text == (
        "info: No tokens\nsecrets.txt:2: matches /token/\n"
        "does not fail the run (below --fail-on error)"
    )
    (note,) = cases["docs.readme"]
    assert note.text == (
        "warning: A README\nnone of README.md exists\n"
        "fix: Write a README.md.\ndoes not fail the run (below --fail-on error)"
    )

    (error,) = cases["deploy.parses"]
    assert error.tag == "error"
    assert error.attrib == {"message": PARSE_ERROR, "type": "error"}
    assert error.text == PARSE_ERROR

    (skipped,) = cases["docs.changelog"]
    assert skipped.tag == "skipped"
    assert skipped.attrib == {"message": "not applicable: none of CHANGELOG.md exists"}


def test_the_fail_on_level_decides_which_failures_fail_the_suite(policy, sample) -> None:
    code, _, root = junit(policy, "--pack", sample.pack, "--fail-on", "warning", sample.repo)
    assert code == 1
    assert counts(root) == ("7", "3", "1", "1")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert [(e.tag, e.get("type")) for e in cases["security.keys"]] == [("failure", "warning")]
    assert [e.tag for e in cases["security.tokens"]] == ["system-out"]

    code, _, root = junit(policy, "--pack", sample.pack, "--fail-on", "never", sample.repo)
    assert code == 0
    assert counts(root) == ("7", "0", "0", "1")  # the suite passes as the run does
    cases = {c.get("name"): c for c in root.iter("testcase")}
    (note,) = cases["deploy.parses"]
    assert note.text == f"could not be evaluated: {PARSE_ERROR}\n{PARSE_ERROR}\n" + (
        "does not fail the run (--fail-on never)"
    )
    assert (cases["deploy.service"][0].text or "").endswith(
        "does not fail the run (--fail-on never)"
    )


def test_markup_in_messages_is_escaped_not_interpreted(policy, sample) -> None:
    _, out, _ = junit(policy, "--pack", sample.pack, sample.repo)
    assert '<testsuite name="Security &amp; &lt;secrets&gt;"' in out
    assert "Service/a|b\n&lt;i&gt;&amp;%,::" in out
    assert "<i>" not in out


def test_characters_xml_cannot_hold_are_made_visible(policy, make_repo, write_pack) -> None:
    # YAML "\e" and "\x01" put ESC and SOH into the title, which lands in the failure message
    pack = write_pack(
        """\
        apiVersion: rulepack/v1
        name: ctl
        version: 1.0.0
        categories: [{id: c, title: "Bell\\a"}]
        rules:
          - id: c.readme
            title: "Red \\e[31m \\x01"
            category: c
            severity: error
            check: {file: {exists: [README.md]}}
        """
    )
    code, _, root = junit(policy, "--pack", pack, make_repo({"a.txt": "x"}))
    assert code == 1
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "Bell\\x07"
    (failure,) = root.iter("failure")
    assert failure.get("message") == "Red \\x1b[31m \\x01: none of README.md exists"


def test_junit_is_byte_identical_across_runs_apart_from_times(policy, sample) -> None:
    _, first, _ = junit(policy, "--pack", sample.pack, sample.repo)
    _, second, _ = junit(policy, "--pack", sample.pack, sample.repo)
    assert TIME.sub('time=""', first) == TIME.sub('time=""', second)
    assert len(TIME.findall(first)) == 1 + 3 + 7


def test_xml_text() -> None:
    assert xml_text("tab\tnew\nline\rok") == "tab\tnew\nline\nok"
    assert xml_text("nul\x00 esc\x1b del\x7f c1\x9b") == "nul\\x00 esc\\x1b del\\x7f c1\\x9b"
    assert xml_text("\ufffe\udc80😀") == "\ufffd\\x80😀"  # a byte that is not UTF-8


def test_a_large_repository_fails_the_suite_only_with_its_error_rules(large_run) -> None:
    from tests.reporters.conftest import LARGE_MANIFESTS

    root = ET.fromstring(large_run.read(".junit.xml").encode("utf-8"))
    assert counts(root) == ("14", "4", "0", "0")  # the four error-severity label rules
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failures = sorted(name for name, case in cases.items() if case.find("failure") is not None)
    assert failures == ["c0.label0", "c0.label3", "c0.label6", "c0.label9"]
    (failure,) = cases["c0.label0"]
    assert failure.get("type") == "error"
    assert (failure.text or "").count("\n") == LARGE_MANIFESTS + 1  # every finding, and the fix
    for name in ("c1.label1", "c2.label2", "c0.readme", "c1.latest"):
        (note,) = cases[name]
        assert note.tag == "system-out"
        assert (note.text or "").endswith("does not fail the run (below --fail-on error)")
