"""Several reports from one `policy eval`: `--format json,sarif -o report`, `-o FORMAT=FILE`,
and the GitHub job summary ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.commands.outputs import Output, plan_outputs, split_outputs
from engine.errors import InputError


@pytest.fixture
def counted(make_repo, write_pack, pack_text, tmp_path) -> tuple[Path, Path, Path]:
    """A repository, and a pack whose command rule adds a line to `runs` each time it runs
    (so a test can count evaluations) and whose file rule fails (no README.md)."""
    runs = tmp_path / "runs"
    pack = write_pack(
        pack_text(
            f"""\
            - id: counted
              title: Counted
              category: general
              check: {{command: {{run: [sh, -c, 'echo run >> "$0"', {str(runs)!r}]}}}}
            - id: readme
              title: A README
              category: general
              check: {{file: {{exists: [README.md]}}}}
            """
        )
    )
    return make_repo({"a.txt": "x\n"}), pack, runs


def test_several_formats_named_by_suffix_from_one_evaluation(policy, counted, tmp_path) -> None:
    repo, pack, runs = counted
    base = tmp_path / "out" / "report"
    base.parent.mkdir()
    done = policy("eval", repo, "--pack", pack, "--format", "json,sarif,junit", "-o", base)
    assert (done.exit_code, done.stdout, done.stderr) == (1, "", "")
    assert sorted(p.name for p in base.parent.iterdir()) == [
        "report.json",
        "report.junit.xml",
        "report.sarif",
    ]
    assert runs.read_text() == "run\n"  # one evaluation for the three
    report = json.loads((base.parent / "report.json").read_text())
    assert [(r["rule"], r["status"]) for r in report["results"]] == [
        ("counted", "pass"),
        ("readme", "fail"),
    ]
    sarif = json.loads((base.parent / "report.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["readme"]
    assert "<failure" in (base.parent / "report.junit.xml").read_text()


def test_format_equals_file_and_the_one_format_left_on_stdout(policy, counted, tmp_path) -> None:
    repo, pack, runs = counted
    sarif, junit = tmp_path / "scan.sarif", tmp_path / "tests.xml"
    done = policy(
        "eval", repo, "--pack", pack, "--format", "github", "-o", f"sarif={sarif}",
        "-o", f"junit={junit}",
    )  # fmt: skip
    assert done.exit_code == 1
    assert done.stdout.splitlines()[0].startswith("::error title=readme%3A A README::")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith('<?xml version="1.0"')
    assert runs.read_text() == "run\n"
    # with only FORMAT=FILE outputs nothing is written to standard output
    runs.unlink()
    done = policy("eval", repo, "--pack", pack, "-o", f"json={tmp_path / 'r.json'}")
    assert (done.exit_code, done.stdout) == (1, "")
    assert json.loads((tmp_path / "r.json").read_text())["results"][1]["status"] == "fail"


def test_every_output_is_checked_before_anything_runs(policy, counted, tmp_path) -> None:
    repo, pack, runs = counted
    cases = [
        (("--format", "json,sarif"), "json and sarif would both go to standard output; name a "
         "file for all but one with -o FORMAT=FILE, or give -o NAME for all"),
        (("--format", "json,sarif", "-o", f"{tmp_path}/none/r"),
         f"cannot write {tmp_path}/none/r.json: there is no folder {tmp_path}/none"),
        (("-o", f"json={pack}"), f"-o {pack} names a pack file this run reads; write the "
         "output to another file"),
        (("-o", "a.json", "-o", "b.json"), "-o is given twice (a.json, b.json); name each "
         "format's file with -o FORMAT=FILE"),
        (("-o", "json=x.json", "-o", "json=y.json"), "-o json=… is given twice; give each "
         "format one file"),
        (("-o", f"json={tmp_path}/same", "-o", f"sarif={tmp_path}/same"),
         f"json and sarif would both be written to {tmp_path}/same"),
        (("-o", "sarif="), "-o sarif=: name the file after sarif="),
        (("--format", "json,yaml"), "Error: Invalid value for '--format': 'yaml' is not one of "
         "table, json, markdown, sarif, junit, github, html"),
    ]  # fmt: skip
    for args, message in cases:
        done = policy("eval", repo, "--pack", pack, *args)
        assert done.exit_code == 2, args
        assert done.stderr.strip().splitlines()[-1].removeprefix("policy: error: ") == message
    assert not runs.exists()


def test_plan_names_each_file() -> None:
    report = Path("out/report")
    assert plan_outputs((), None, ()) == (Output("table"),)
    assert plan_outputs(("json",), report, ()) == (Output("json", report),)
    assert plan_outputs((), report, ()) == (Output("table", report),)
    assert plan_outputs(("table", "markdown", "html", "github"), report, ()) == (
        Output("table", Path("out/report.txt")),
        Output("markdown", Path("out/report.md")),
        Output("html", Path("out/report.html")),
        Output("github", Path("out/report.github.txt")),
    )
    # a FORMAT=FILE wins over the suffix, and adds its format
    assert plan_outputs(("json",), report, (("sarif", Path("s.sarif")),)) == (
        Output("json", Path("out/report.json")),
        Output("sarif", Path("s.sarif")),
    )
    assert plan_outputs(("table",), None, (("sarif", Path("s.sarif")),)) == (
        Output("table"),
        Output("sarif", Path("s.sarif")),
    )
    assert split_outputs(["a=b.json", "json=c.json"]) == (
        Path("a=b.json"),  # `a` is no format: a file name with an `=`
        (("json", Path("c.json")),),
    )
    with pytest.raises(InputError):
        plan_outputs(("json", "sarif"), None, ())


def test_github_appends_the_markdown_report_to_the_job_summary(policy, counted, tmp_path) -> None:
    repo, pack, _ = counted
    summary = tmp_path / "step_summary.md"
    summary.write_text("## Build\n\nok\n")  # what an earlier command of the step wrote
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    done = policy("eval", repo, "--pack", pack, "--format", "github", env=env)
    assert done.exit_code == 1
    markdown = policy("eval", repo, "--pack", pack, "--format", "markdown").stdout
    assert summary.read_text() == "## Build\n\nok\n\n" + markdown
    # --max-chars is the summary's budget too
    summary.write_text("")
    args = ("--format", "github", "--max-chars", "1000")
    assert policy("eval", repo, "--pack", pack, *args, env=env).exit_code == 1
    assert (
        summary.read_text()
        == policy(
            "eval", repo, "--pack", pack, "--format", "markdown", "--max-chars", "1000"
        ).stdout
    )
    # other formats leave it alone; a summary file that cannot be written is exit 2
    summary.write_text("")
    assert policy("eval", repo, "--pack", pack, "--format", "json", env=env).exit_code == 1
    assert summary.read_text() == ""
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "gone" / "summary.md")}
    done = policy("eval", repo, "--pack", pack, "--format", "github", env=env)
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: error: cannot write {tmp_path}/gone/summary.md: "
        f"there is no folder {tmp_path}/gone\n"
    )
