"""`message:` templates: findings in plain language, filled from each finding's facts."""

from __future__ import annotations

import os
import textwrap

DEPLOYMENTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - {name: web, image: "nginx:latest"}
        - {name: sidecar, image: "envoy:1.30"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  template:
    spec:
      containers: [{name: run, image: "worker:2"}]
"""


def findings(run, rule: str = "r") -> list[str]:
    return [
        f"{f.get('path')}:{f.get('line')}: {f['message']}" for f in run.result(rule)["findings"]
    ]


def manifest_rule(check: str) -> str:
    """A rule `r` whose check is the manifest mapping given (block YAML, 4-space indent)."""
    return "- id: r\n  title: T\n  category: general\n  check:\n    manifest:\n" + textwrap.indent(
        textwrap.dedent(check).strip("\n") + "\n", "      "
    )


def test_a_manifest_message_names_the_document_the_field_and_its_value(
    make_repo, evaluate, pack_text
) -> None:
    repo = make_repo({"deploy/app.yaml": DEPLOYMENTS})
    pack = pack_text(
        manifest_rule(
            """
            files: ["deploy/*.yaml"]
            where: "kind == 'Deployment'"
            assert: "spec.replicas >= `{{ min_replicas }}`"
            message: "{{ kind }} {{ name }} runs {{ value }} replica(s) ({{ field }});
              production needs {{ min_replicas }}"
            """
        ),
        head="params: {min_replicas: 2}\n",
    )
    run = evaluate(repo, pack)
    assert run.exit_code == 1, run.stderr
    assert run.status() == "fail"
    assert findings(run) == [
        "deploy/app.yaml:5: Deployment api runs 1 replica(s) (spec.replicas); production needs 2",
        "deploy/app.yaml:15: Deployment worker runs missing replica(s) (spec.replicas); "
        "production needs 2",
    ]
    assert run.result()["message"] == (
        "deploy/app.yaml:5: Deployment api runs 1 replica(s) (spec.replicas); production needs 2"
        " (and 1 more)"
    )


def test_each_element_and_namespace_and_the_engine_words_as_error(
    make_repo, evaluate, pack_text
) -> None:
    repo = make_repo({"deploy/app.yaml": DEPLOYMENTS})
    pack = pack_text(
        manifest_rule(
            """
            files: ["deploy/*.yaml"]
            each: "spec.template.spec.containers[]"
            assert: "!ends_with(image, ':latest')"
            message: "container {{ element }} of {{ namespace }}/{{ name }} ({{ label }}) uses
              a latest tag [{{ error }}]"
            """
        )
    )
    run = evaluate(repo, pack)
    assert findings(run) == [
        "deploy/app.yaml:9: container web of shop/api (Deployment/api[web]) uses a latest tag "
        "[Deployment/api[web]: `!ends_with(image, ':latest')` is false]"
    ]


def test_a_check_message_wins_over_the_rule_message_which_words_the_rest(
    make_repo, evaluate, pack_text
) -> None:
    repo = make_repo({"src/main.rs": "fn main() {}\n"})
    pack = pack_text(
        """
        - id: r
          title: T
          category: general
          message: "no {{ globs }} in the repository"
          check:
            all:
              - file: {exists: [README.md]}
              - file: {exists: [LICENSE], message: "add a LICENSE file"}
        """
    )
    run = evaluate(repo, pack)
    assert run.status() == "fail"
    assert [f["message"] for f in run.result()["findings"]] == [
        "no README.md in the repository",
        "add a LICENSE file",
    ]
    assert run.result()["message"] == "no README.md in the repository (and 1 more)"


def test_file_content_facts_path_line_and_match(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"config/app.env": "A=1\nTOKEN=abc123\n"})
    pack = check_pack(
        '{file: {paths: ["**/*.env"], not_contains: "TOKEN=\\\\w+",'
        ' message: "{{ path }} line {{ line }} commits a token ({{ match }})"}}'
    )
    run = evaluate(repo, pack)
    assert findings(run) == [
        "config/app.env:2: config/app.env line 2 commits a token (TOKEN=abc123)"
    ]


def test_command_facts(make_repo, evaluate, check_pack, tmp_path) -> None:
    repo = make_repo({"README.md": "x\n"})
    pack = check_pack(
        "{command: {shell: 'echo first; echo broken >&2; exit 3',"
        " message: '{{ command }} exited {{ exit_code }} (wanted {{ expected }}): {{ output }}'}}"
    )
    run = evaluate(repo, pack)
    assert [f["message"] for f in run.result()["findings"]] == [
        "/bin/sh -c echo first; echo broken >&2; exit 3 exited 3 (wanted 0): broken\nbroken"
    ]


def test_a_reworded_command_failure_keeps_the_output_it_quotes(
    make_repo, evaluate, check_pack
) -> None:
    repo = make_repo({"README.md": "x\n"})
    pack = check_pack(
        "{command: {shell: 'echo Diff in src/lib.rs:3; echo -a; echo +b; echo noise >&2; exit 1',"
        " evidence: stdout, message: 'rustfmt would reformat the code'}}"
    )
    run = evaluate(repo, pack)
    assert [f["message"] for f in run.result()["findings"]] == [
        "rustfmt would reformat the code\nDiff in src/lib.rs:3\n-a\n+b"
    ]
    assert run.result()["message"] == "rustfmt would reformat the code"


def test_a_missing_program_keeps_the_engines_words_under_a_message(
    make_repo, evaluate, check_pack
) -> None:
    repo = make_repo({"README.md": "x\n"})
    pack = check_pack(
        "{version: {command: [no-such-tool-here, --version], satisfies: '>=2', on_missing: fail,"
        " message: 'tool {{ version }} is older than {{ range }}'}}"
    )
    run = evaluate(repo, pack)
    assert run.status() == "fail"
    assert [f["message"] for f in run.result()["findings"]] == [
        "no-such-tool-here is not installed (not found on PATH)"
    ]


def test_version_facts(make_repo, evaluate, check_pack, tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "tool"
    tool.write_text("#!/bin/sh\necho tool 1.2.0\n")
    tool.chmod(0o755)
    repo = make_repo({"README.md": "x\n"})
    pack = check_pack(
        "{version: {command: [tool, --version], satisfies: '>=2',"
        " message: 'tool {{ version }} is older than {{ range }} ({{ source }})'}}"
    )
    run = evaluate(repo, pack, env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert [f["message"] for f in run.result()["findings"]] == [
        "tool 1.2.0 is older than >=2 (tool --version)"
    ]


def test_a_message_naming_an_unknown_fact_is_a_located_pack_error(
    make_repo, policy, write_pack, check_pack
) -> None:
    repo = make_repo({"README.md": "x\n"})
    pack = write_pack(check_pack('{file: {exists: [README.md], message: "{{ value }} is wrong"}}'))
    done = policy("eval", repo, "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"policy: {pack}:10:50: error: rule r: message names {{{{ value }}}}, which is not a "
        "fact of this check (facts: path, line, error, globs, folder, pattern, match)"
    )


def test_a_param_is_still_substituted_in_a_message_and_a_fact_name_is_left_for_the_finding(
    make_repo, evaluate, pack_text
) -> None:
    repo = make_repo({"README.md": "x\n"})
    pack = pack_text(
        textwrap.dedent(
            """
            - id: r
              title: T
              category: general
              message: "{{ globs }} is missing; {{ team }} owns it"
              check: {file: {exists: [LICENSE]}}
            """
        ),
        head="params: {team: platform, globs: ignored}\n",
    )
    run = evaluate(repo, pack)
    assert run.exit_code == 1, run.stderr
    assert [f["message"] for f in run.result()["findings"]] == [
        "LICENSE is missing; platform owns it"
    ]


def test_passing_skipped_and_errored_results_keep_their_own_words(
    make_repo, evaluate, check_pack
) -> None:
    repo = make_repo({"deploy/bad.yaml": "a: [\n"})
    pack = check_pack('{manifest: {files: ["deploy/*.yaml"], assert: "a", message: "never shown"}}')
    run = evaluate(repo, pack)
    assert run.status() == "error"
    assert "never shown" not in run.result()["message"]
    assert "never shown" not in str(run.result()["findings"])
