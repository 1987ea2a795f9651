"""`manifest` checks end to end: where, assert, each, expect, on_empty, parse errors, schema."""

from __future__ import annotations

import json

import pytest

DEPLOYMENTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          resources: {limits: {memory: 256Mi}}
        - name: sidecar
---
apiVersion: v1
kind: Service
metadata: {name: api}
---
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: main
"""


def findings(run, rule: str = "r") -> list[tuple[str | None, int | None, int | None, str]]:
    return [
        (f["path"], f["line"], f["document"], f["message"]) for f in run.result(rule)["findings"]
    ]


def manifest(**options: str) -> str:
    """A manifest check in flow YAML; values are written as given."""
    return "{manifest: {" + ", ".join(f"{k}: {v}" for k, v in options.items()) + "}}"


REPLICAS = manifest(
    files='["deploy/*.yaml"]',
    where="\"kind == 'Deployment'\"",
    **{"assert": '"spec.replicas >= `2`"'},
)


def test_multi_document_yaml_findings_name_the_values_document_and_line(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({"deploy/app.yaml": DEPLOYMENTS}), check_pack(REPLICAS))
    assert (run.exit_code, run.status()) == (1, "fail")
    # documents count from 1, the empty third one included; the line is the field's
    assert findings(run) == [
        ("deploy/app.yaml", 22, 4, "Deployment/worker: spec.replicas is 1, expected >= 2")
    ]


def test_where_selects_documents_and_a_pass_counts_them(evaluate, make_repo, check_pack) -> None:
    text = DEPLOYMENTS.replace("replicas: 1", "replicas: 2")
    run = evaluate(make_repo({"deploy/app.yaml": text}), check_pack(REPLICAS))
    assert (run.exit_code, run.status(), run.result()["message"]) == (0, "pass", "2 checked")


def test_a_missing_field_is_named_as_missing(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"deploy/a.yaml": "kind: Deployment\nmetadata: {name: x}\nspec: {}\n"})
    assert findings(evaluate(repo, check_pack(REPLICAS))) == [
        # replicas is missing: the line of `spec`, as deep as the path exists
        ("deploy/a.yaml", 3, 1, "Deployment/x: spec.replicas is missing, expected >= 2")
    ]


def test_assert_all_runs_once_on_every_selected_document(evaluate, make_repo, pack_text) -> None:
    repo = make_repo({"deploy/app.yaml": DEPLOYMENTS, "deploy/pdb.yaml": "kind: Service\n"})
    pack = pack_text("""\
        - id: pdb
          title: T
          category: general
          check:
            manifest:
              files: ["deploy/*.yaml"]
              assert_all: "length([?kind=='PodDisruptionBudget']) > `0`"
        - id: services
          title: T
          category: general
          check:
            manifest:
              files: ["deploy/*.yaml"]
              assert_all: "length([?kind=='Service']) == length([?kind=='Deployment'])"
    """)
    run = evaluate(repo, pack)
    assert findings(run, "pdb") == [
        (
            None,
            None,
            None,
            "across 4 document(s): `length([?kind=='PodDisruptionBudget']) > `0`` is false",
        )
    ]
    assert run.status("services") == "pass"


def test_each_gives_one_finding_per_element_naming_its_document(
    evaluate, make_repo, check_pack
) -> None:
    check = manifest(
        files='["deploy/*.yaml"]',
        where="\"kind == 'Deployment'\"",
        each='"spec.template.spec.containers[]"',
        **{"assert": "resources.limits.memory"},
    )
    run = evaluate(make_repo({"deploy/app.yaml": DEPLOYMENTS}), check_pack(check))
    assert findings(run) == [
        ("deploy/app.yaml", 11, 1, "Deployment/api[sidecar]: resources.limits.memory is missing"),
        ("deploy/app.yaml", 26, 4, "Deployment/worker[main]: resources.limits.memory is missing"),
    ]


def test_elements_each_builds_are_judged_and_named_at_the_document_line(
    evaluate, make_repo, check_pack
) -> None:
    rules = (
        "kind: PrometheusRule\nmetadata: {name: api}\nspec:\n  groups:\n    - rules:\n"
        "        - {alert: Down, annotations: {runbook_url: https://runbooks/down}}\n"
        "        - {alert: Slow, annotations: {summary: slow}}\n"
        "        - {record: 'job:rate'}\n"
    )
    check = manifest(
        files='["deploy/*.yaml"]',
        each='"spec.groups[].rules[] | [?alert].{name: alert, annotations: annotations}"',
        **{"assert": "annotations.runbook_url"},
    )
    run = evaluate(make_repo({"deploy/alerts.yaml": rules}), check_pack(check))
    assert findings(run) == [
        ("deploy/alerts.yaml", 1, 1, "PrometheusRule/api[Slow]: annotations.runbook_url is missing")
    ]


def test_expect_any_and_none(evaluate, make_repo, pack_text) -> None:
    repo = make_repo({"deploy/app.yaml": DEPLOYMENTS})
    pack = pack_text("""\
        - id: any-big
          title: T
          category: general
          check:
            manifest:
              {files: [deploy/app.yaml], where: spec, assert: "spec.replicas > `2`", expect: any}
        - id: any-huge
          title: T
          category: general
          check:
            manifest:
              {files: [deploy/app.yaml], where: spec, assert: "spec.replicas > `5`", expect: any}
        - id: none-single
          title: T
          category: general
          check:
            manifest:
              {files: [deploy/app.yaml], where: spec, assert: "spec.replicas == `1`", expect: none}
    """)
    run = evaluate(repo, pack)
    assert run.status("any-big") == "pass"
    assert findings(run, "any-huge") == [
        (None, None, None, "none of 2 subject(s) satisfies `spec.replicas > `5``")
    ]
    assert findings(run, "none-single") == [
        ("deploy/app.yaml", 22, 4, "Deployment/worker: `spec.replicas == `1`` holds")
    ]


def test_on_empty_skip_pass_and_fail(evaluate, make_repo, pack_text) -> None:
    repo = make_repo({"deploy/app.yaml": "kind: Service\n"})
    rules = ""
    for mode in ("skip", "pass", "fail"):
        rules += f"""\
- id: {mode}
  title: T
  category: general
  check:
    manifest: {{files: [deploy/app.yaml], where: "kind == 'Job'", assert: a, on_empty: {mode}}}
"""
    rules += """\
- id: default
  title: T
  category: general
  check: {manifest: {files: [deploy/app.yaml], where: "kind == 'Job'", assert: a}}
"""
    run = evaluate(repo, pack_text(rules))
    message = "no document selected (where: kind == 'Job')"
    assert [(r["rule"], r["status"], r["message"]) for r in run.report["results"]] == [
        ("skip", "skip", message),
        ("pass", "pass", message),
        ("fail", "fail", message),
        ("default", "skip", message),
    ]
    assert run.result("skip")["reason"] == message
    assert run.exit_code == 1


def test_no_file_matched_skips_even_with_on_empty_fail(evaluate, make_repo, check_pack) -> None:
    check = manifest(files='["k8s/**/*.yaml"]', on_empty="fail", **{"assert": "a"})
    run = evaluate(make_repo({"README.md": "x"}), check_pack(check))
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "no file matches k8s/**/*.yaml",
    )


def test_the_skip_names_the_excludes_that_left_files_out(evaluate, make_repo, check_pack) -> None:
    globs = {"files": '["k8s/**/*.yaml"]', "exclude": '["**/templates/**", "**/crds/**"]'}
    check = manifest(**globs, **{"assert": "a"})
    files = {f"k8s/templates/{name}.yaml": "a: 1\n" for name in ("a", "b", "c")}
    files |= {"vendor/k8s/x.yaml": "a: 1\n", "k8s/vendor/y.yaml": "a: 1\n"}
    repo = make_repo({**files, ".rulepack.yaml": "exclude: ['k8s/vendor/**']\n"})
    run = evaluate(repo, check_pack(check))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        "no file matches k8s/**/*.yaml (3 files left out by exclude: **/templates/**; "
        "1 file left out by the config's exclude: k8s/vendor/**)",
    )


def test_each_on_documents_without_elements_is_empty(evaluate, make_repo, check_pack) -> None:
    check = manifest(files="[a.yaml]", each='"items[]"', on_empty="fail", **{"assert": "ok"})
    run = evaluate(make_repo({"a.yaml": "items: []\n"}), check_pack(check))
    assert (run.status(), run.result()["message"]) == ("fail", "no document selected")


def test_a_broken_manifest_errors_its_rule_and_others_go_on(evaluate, make_repo, pack_text) -> None:
    repo = make_repo(
        {
            "deploy/good.yaml": "kind: Deployment\nspec: {replicas: 3}\n",
            "deploy/bad.yaml": "kind: Deployment\nspec: [unclosed\n",
            "Cargo.toml": '[package]\nname = "x"\n',
        }
    )
    pack = pack_text("""\
        - id: replicas
          title: T
          category: general
          check: {manifest: {files: ["deploy/*.yaml"], assert: "spec.replicas >= `2`"}}
        - id: tolerant
          title: T
          category: general
          check:
            manifest:
              {files: ["deploy/*.yaml"], assert: "spec.replicas >= `2`", on_parse_error: skip}
        - id: cargo
          title: T
          category: general
          check: {manifest: {files: [Cargo.toml], assert: package.name}}
    """)
    run = evaluate(repo, pack)
    assert run.exit_code == 1
    replicas = run.result("replicas")
    assert replicas["status"] == "error"
    assert replicas["reason"] == (
        "deploy/bad.yaml:3: does not parse: while parsing a flow sequence, "
        "did not find expected ',' or ']'"
    )
    assert findings(run, "replicas") == [
        (
            "deploy/bad.yaml",
            3,
            None,
            "does not parse: while parsing a flow sequence, did not find expected ',' or ']'",
        )
    ]
    tolerant = run.result("tolerant")
    assert tolerant["status"] == "pass"
    assert tolerant["notes"] == [
        {
            "path": "deploy/bad.yaml",
            "message": "skipped, does not parse: line 3: while parsing a flow sequence, "
            "did not find expected ',' or ']'",
        }
    ]
    assert run.status("cargo") == "pass"


def test_an_error_status_fails_the_run_unless_fail_on_never(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"a.json": "{not json"})
    pack = check_pack(manifest(files="[a.json]", **{"assert": "a"}), severity="info")
    assert evaluate(repo, pack).exit_code == 1
    assert evaluate(repo, pack, "--fail-on", "never").exit_code == 0


def test_a_run_time_type_error_is_an_error_naming_file_and_document(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"deploy/a.yaml": "spec: {replicas: 3}\n---\nspec: {replicas: two}\n"})
    run = evaluate(
        repo, check_pack(manifest(files='["deploy/*.yaml"]', **{"assert": '"spec.replicas > `1`"'}))
    )
    assert (run.exit_code, run.status()) == (1, "error")
    assert run.result()["reason"] == (
        "deploy/a.yaml document 2: `spec.replicas > `1`` cannot be evaluated here: "
        "'>' not supported between instances of 'str' and 'int'"
    )
    assert findings(run)[0][:3] == ("deploy/a.yaml", 3, 2)


def test_a_function_type_error_in_where_is_an_error(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.json": '{"items": 3}'})
    run = evaluate(
        repo,
        check_pack(manifest(files="[a.json]", where='"length(items) > `0`"', **{"assert": "a"})),
    )
    assert run.status() == "error"
    assert run.result()["reason"].startswith(
        "a.json document 1: `length(items) > `0`` cannot be evaluated here: In function length()"
    )


def test_a_type_error_in_assert_all_is_an_error(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"a.json": '{"n": 1}'})
    run = evaluate(
        repo, check_pack(manifest(files="[a.json]", assert_all='"length(@[0].n) > `0`"'))
    )
    assert run.status() == "error"
    assert run.result()["reason"].startswith(
        "assert_all: `length(@[0].n) > `0`` cannot be evaluated"
    )


def test_yaml_12_booleans_keep_on_as_a_key(evaluate, make_repo, pack_text) -> None:
    workflow = "name: ci\non:\n  push: {branches: [main]}\njobs: {}\nmode: 0444\nyes: no\n"
    repo = make_repo({".github/workflows/ci.yml": workflow})
    pack = pack_text("""\
        - id: on
          title: T
          category: general
          check:
            manifest: {files: [".github/workflows/*.yml"], assert: "on.push.branches[0] == 'main'"}
        - id: octal
          title: T
          category: general
          check:
            manifest: {files: [".github/workflows/*.yml"], assert: "mode == `444` && yes == 'no'"}
    """)
    run = evaluate(repo, pack)
    assert (run.status("on"), run.status("octal")) == ("pass", "pass")


def test_an_alias_bomb_is_bounded_and_errors(evaluate, make_repo, check_pack) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        prev, cur = chr(ord("a") + i), chr(ord("b") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    repo = make_repo({"bomb.yaml": "\n".join(lines) + "\n", "fine.yaml": "a: 1\n"})
    run = evaluate(repo, check_pack(manifest(files='["*.yaml"]', **{"assert": "a"})))
    assert run.status() == "error"
    assert run.result()["reason"] == (
        "bomb.yaml:7: does not parse: document expands to more than 1,000,000 nodes through aliases"
    )


def test_an_alias_inside_its_own_node_errors_at_the_alias(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"loop.yaml": "a: 1\n---\nb: &b\n  c: [1, *b]\n", "fine.yaml": "a: 1\n"})
    run = evaluate(repo, check_pack(manifest(files='["*.yaml"]', **{"assert": "a"})))
    assert run.status() == "error"
    assert run.result()["reason"] == (
        "loop.yaml:4: does not parse: alias *b is inside the node it refers to (a loop)"
    )


def test_merge_keys_inside_merged_mappings_are_resolved(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {
            "values.yaml": "base: &base {replicas: 2, image: app}\n"
            "web: &web {<<: *base, port: 80}\n"
            "api: {<<: *web, port: 8080}\n"
        }
    )
    check = manifest(
        files="[values.yaml]",
        **{"assert": "\"api == {replicas: `2`, image: 'app', port: `8080`}\""},
    )
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_schema_next_to_the_pack(evaluate, make_repo, check_pack, write_pack) -> None:
    schema = {
        "type": "object",
        "required": ["spec"],
        "properties": {"spec": {"properties": {"replicas": {"type": "integer", "minimum": 2}}}},
    }
    pack = write_pack(check_pack(manifest(files='["deploy/*.yaml"]', schema="schemas/deploy.json")))
    (pack.parent / "schemas").mkdir()
    (pack.parent / "schemas" / "deploy.json").write_text(json.dumps(schema))
    repo = make_repo(
        {
            "deploy/a.yaml": "kind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1}\n",
            "deploy/b.yaml": "kind: Deployment\nmetadata: {name: b}\n",
            "deploy/c.yaml": "kind: Deployment\nmetadata: {name: c}\nspec: {replicas: 4}\n",
        }
    )
    run = evaluate(repo, pack)
    assert run.status() == "fail"
    assert findings(run) == [
        ("deploy/a.yaml", 1, 1, "Deployment/a: spec.replicas: 1 is less than the minimum of 2"),
        ("deploy/b.yaml", 1, 1, "Deployment/b: (document): 'spec' is a required property"),
    ]


def test_a_missing_schema_file_is_a_pack_error(policy, make_repo, check_pack, write_pack) -> None:
    text = check_pack(manifest(files='["*.yaml"]', schema="nope.json"))
    pack = write_pack(text)
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    line = text.count("\n", 0, text.index("nope.json")) + 1
    column = text.index("nope.json") - text.rfind("\n", 0, text.index("nope.json"))
    assert done.stderr == (
        f"policy: {pack}:{line}:{column}: error: rule r: cannot read schema 'nope.json': "
        "No such file or directory\n"
    )


def test_an_invalid_schema_is_a_pack_error(policy, make_repo, check_pack, write_pack) -> None:
    pack = write_pack(check_pack(manifest(files='["*.yaml"]', schema="s.json")))
    (pack.parent / "s.json").write_text('{"type": 12}')
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.endswith(
        "error: rule r: schema 's.json' is not a valid JSON Schema: 12 is not valid under any "
        "of the given schemas\n"
    )


def test_a_manifest_check_needs_something_to_assert(
    policy, make_repo, check_pack, write_pack
) -> None:
    pack = write_pack(check_pack(manifest(files='["*.yaml"]', where="a")))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.endswith(
        "error: rule r: a manifest check needs at least one of assert, assert_all, schema\n"
    )


def test_a_file_over_the_cap_is_noted_not_parsed(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"big.json": '{"a": "' + "x" * 100 + '"}', "small.json": '{"a": 1}'})
    run = evaluate(
        repo, check_pack(manifest(files='["*.json"]', max_bytes="50", **{"assert": "a"}))
    )
    assert run.status() == "pass"
    assert run.result()["notes"] == [
        {"path": "big.json", "message": "not read: 109 bytes is over the 50-byte cap"}
    ]


def test_each_file_is_parsed_once_whatever_the_rules(
    evaluate, make_repo, pack_text, monkeypatch
) -> None:
    from engine.formats import yaml as yaml_format

    calls: list[int] = []
    original = yaml_format.parse

    def counting(text: str):
        calls.append(1)
        return original(text)

    monkeypatch.setattr(yaml_format, "parse", counting)
    repo = make_repo({"deploy/app.yaml": DEPLOYMENTS})
    rules = "".join(
        f"- {{id: r{i}, title: T, category: general, "
        f"check: {{manifest: {{files: ['deploy/*.yaml'], assert: kind}}}}}}\n"
        for i in range(3)
    )
    rules += (
        "- {id: other, title: T, category: general,"
        " check: {manifest: {files: ['**/*.yaml'], where: spec, assert: spec}}}\n"
    )
    run = evaluate(repo, pack_text(rules))
    assert [r["status"] for r in run.report["results"]] == ["pass"] * 4
    assert len(calls) == 1


def test_findings_point_at_the_field_line_of_the_first_few_hundred(
    evaluate, make_repo, check_pack
) -> None:
    """Beyond MAX_PINPOINTED findings a rule keeps the document's first line (cheaper)."""
    from engine.checks.manifest import MAX_PINPOINTED

    docs = "---\n".join(
        f"kind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  replicas: 1\n"
        for i in range(MAX_PINPOINTED + 2)
    )
    run = evaluate(make_repo({"deploy/many.yaml": docs}), check_pack(REPLICAS))
    lines = [line for _, line, _, _ in findings(run)]
    assert len(lines) == MAX_PINPOINTED + 2
    assert lines[0] == 4 and lines[1] == 9  # `replicas:` of documents 1 and 2
    assert lines[-1] == 5 * (MAX_PINPOINTED + 1) + 1  # where the last document starts


# -- JMESPath bounds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "@ == `[" + ",".join(["1"] * 5000) + "]`",
            "]`` at column 6: a literal of 10,001 characters; a literal may have at most 8,192",
        ),
        (
            "a" * 20_000,
            "aaa` is 20,000 characters long; an expression may have at most 16,384",
        ),
        ("(" * 3000 + "a" + ")" * 3000, "nests more than 50 levels deep"),
        ("!" * 3000 + "a", "nests more than 50 levels deep"),
        ("!" * 60 + "a", "nests more than 50 levels deep"),
    ],
)
def test_an_expression_past_the_bounds_is_a_located_pack_error(
    policy, make_repo, check_pack, write_pack, expression, message
) -> None:
    pack = write_pack(check_pack(f"{{manifest: {{files: [a.json], assert: '{expression}'}}}}"))
    done = policy("eval", make_repo({"a.json": "{}"}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"policy: {pack}:10:49: error: rule r: ")
    assert done.stderr.endswith(f"{message}\n")
    assert done.stderr.count("\n") == 1 and len(done.stderr) < 400
