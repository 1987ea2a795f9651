"""`policy eval --format github`: workflow-command annotations for GitHub Actions."""

from __future__ import annotations

from engine.reporters.github import command, escape_data, escape_property

EXPECTED = [
    "::error file=deploy/service.yaml,line=3,title=deploy.service%3A Services are named | web"
    '::Service/a|b%0A<i>&%25,:: metadata.name is "a|b\\n<i>&%25,:", expected == "web"'
    "%0Afix: Rename the Service | use web.%0ASee <docs> & 100%25 of it."
    "%0Adocs: https://example.com/naming?a=1&b=2",
    "::error file=deploy/broken.yaml,line=2,title=deploy.parses%3A could not be evaluated"
    "::does not parse: while parsing a flow node, did not find expected node content",
    "::warning file=notes/odd name|50%25%2Cx%3Ay.pem,title=security.keys%3A No private keys"
    "::should not exist%0Afix: Remove key files.%0Adocs: see the wiki",
    "::warning title=docs.readme%3A A README::none of README.md exists%0Afix: Write a README.md.",
    "::notice file=secrets.txt,line=2,title=security.tokens%3A No tokens::matches /token/",
    "rulepack: 7 rules: 1 passed, 4 failed (1 error, 2 warning, 1 info), 1 skipped, 1 errored; "
    "success rate 16.67%",
]


def test_one_annotation_per_finding_most_severe_first_then_a_summary(policy, sample) -> None:
    result = policy("eval", "--pack", sample.pack, "--format", "github", sample.repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == EXPECTED
    assert result.stdout.endswith("%\n")


def test_at_most_max_annotations_of_each_kind_and_a_notice_counting_the_rest(
    policy, sample
) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "github", sample.repo)
    result = policy(*args, "--max-annotations", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        EXPECTED[0],  # deploy.service: the first error in report order
        EXPECTED[2],  # security.keys: the first warning
        EXPECTED[4],  # security.tokens: the only notice
        "::notice title=rulepack%3A 2 more annotations::2 annotations left out (1 error, "
        "1 warning): at most 1 of each kind are shown (--max-annotations). "
        "Every finding: the job summary, or --format json.",
        EXPECTED[-1],
    ]
    # RULEPACK_MAX_ANNOTATIONS sets it too; 0 leaves only the notice and the summary
    result = policy(*args, env={"RULEPACK_MAX_ANNOTATIONS": "0"})
    assert result.stdout.splitlines()[0] == (
        "::notice title=rulepack%3A 5 more annotations::5 annotations left out (2 error, "
        "2 warning, 1 notice): at most 0 of each kind are shown (--max-annotations). "
        "Every finding: the job summary, or --format json."
    )
    assert len(result.stdout.splitlines()) == 2


def test_a_finding_cannot_start_a_workflow_command_of_its_own(
    policy, make_repo, write_pack
) -> None:
    name = "x\\n::add-mask::y\\r\\n::stop-commands::z"  # YAML escapes: a real CR LF
    repo = make_repo({"svc.yaml": f'kind: Service\nmetadata: {{name: "{name}"}}\n'})
    pack = write_pack(
        """\
        apiVersion: rulepack/v1
        name: inject
        version: 1.0.0
        categories: [{id: c, title: C}]
        rules:
          - id: c.name
            title: Name
            category: c
            severity: warning
            check: {manifest: {files: [svc.yaml], assert: "metadata.name == 'web'"}}
        """
    )
    result = policy("eval", "--pack", pack, "--format", "github", repo)
    assert result.exit_code == 0  # a warning, default --fail-on error
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=svc.yaml,line=2,title=c.name%3A Name::Service/x%0A")
    assert "%0A::add-mask::y%0A::stop-commands::z" in lines[0]  # CR LF: a line break
    assert lines[1].startswith("rulepack: 1 rules: 0 passed, 1 failed")


def test_a_clean_run_prints_only_the_summary(policy, sample) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "github", "--rule", "deploy.manifests")
    result = policy(*args, sample.repo)
    assert result.exit_code == 0
    assert result.stdout == (
        "rulepack: 7 rules: 1 passed, 0 failed (0 error, 0 warning, 0 info), 6 skipped, "
        "0 errored; success rate 100.00%\n"
    )


def test_escaping_follows_the_runner() -> None:
    # `%` first, so an escape already in the text is not read back as a newline
    assert escape_data("100% %0A\r\n") == "100%25 %250A%0D%0A"
    assert escape_data("a:b,c") == "a:b,c"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("notice", {}, "hi") == "::notice::hi"
    assert (
        command("error", {"file": "a,b.txt", "line": "3"}, "x")
        == "::error file=a%2Cb.txt,line=3::x"
    )


def test_a_large_repository_gets_ten_annotations_of_each_kind_and_one_notice(
    large_run,
) -> None:
    from tests.reporters.conftest import LARGE_MANIFESTS

    lines = large_run.read(".github.txt").splitlines()
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines[:-1]]
    assert kinds == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 11
    # most severe first, each kind in report order: the first label rule of each severity
    assert lines[0].startswith("::error file=deploy/team00/app0.yaml,line=2,title=c0.label0%3A")
    assert lines[10].startswith("::warning file=deploy/team00/app0.yaml,line=2,title=c1.label1")
    # the four error rules' findings, the warnings' (and the README), the infos' (and `latest`)
    errors, warnings, notices = 4 * LARGE_MANIFESTS, 4 * LARGE_MANIFESTS + 1, 5 * LARGE_MANIFESTS
    left_out = errors + warnings + notices - 30
    assert lines[-2] == (
        f"::notice title=rulepack%3A {left_out} more annotations::{left_out:,} annotations "
        f"left out ({errors - 10:,} error, {warnings - 10:,} warning, {notices - 10:,} "
        "notice): at most 10 of each kind are shown (--max-annotations). Every finding: the "
        "job summary, or --format json."
    )
    assert lines[-1].startswith("rulepack: 14 rules: 0 passed, 14 failed")
