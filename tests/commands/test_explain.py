"""`policy explain RULE`: one rule in full, or a did-you-mean."""

from __future__ import annotations

PACK = """\
apiVersion: rulepack/v1
name: team
version: 1.0.0
params: {min: 2}
categories:
  - {id: ha, title: High availability}
rules:
  - id: ha.replicas-min
    title: Deployments run at least {{ min }} replicas
    category: ha
    severity: warning
    tags: [kubernetes]
    when: {file: {exists: ["k8s/**"]}}
    check:
      manifest:
        files: ["k8s/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `{{ min }}`"
    remediation: Set spec.replicas to {{ min }} or more.
    docs: https://example.invalid/replicas
"""


def test_a_rule_in_full(policy, write_pack) -> None:
    pack = write_pack(PACK)
    done = policy("explain", "ha.replicas-min", "--pack", pack, "--param", "min=3")
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [
        "ha.replicas-min: Deployments run at least 3 replicas",
        f"  pack:      team 1.0.0 ({pack}:8:9)",
        "  category:  High availability (ha)",
        "  severity:  warning",
        "  tags:      kubernetes",
        "",
        "when:",
        "  file:",
        "    exists:",
        "    - k8s/**",
        "",
        "check:",
        "  manifest:",
        "    files:",
        "    - k8s/*.yaml",
        "    where: kind == 'Deployment'",
        "    assert: spec.replicas >= `3`",
        "",
        "remediation:",
        "  Set spec.replicas to 3 or more.",
        "",
        "docs: https://example.invalid/replicas",
    ]


def test_an_unknown_rule_suggests_the_nearest(policy, write_pack) -> None:
    done = policy("explain", "ha.replica-min", "--pack", write_pack(PACK))
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: pack team has no rule 'ha.replica-min' (did you mean 'ha.replicas-min'?)\n",
    )


def test_an_unknown_rule_without_a_near_one(policy, write_pack) -> None:
    done = policy("explain", "zzz", "--pack", write_pack(PACK))
    assert (done.exit_code, done.stderr) == (2, "policy: error: pack team has no rule 'zzz'\n")


def test_a_builtin_rule(policy) -> None:
    done = policy("explain", "docs.readme")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("docs.readme: ")
    assert "  pack:      production " in done.stdout


def test_without_pack_the_rule_is_looked_up_in_every_pack(policy, tmp_path) -> None:
    done = policy("explain", "oss.license", cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("oss.license: A LICENSE file exists\n  pack:      oss ")


def test_without_pack_an_unknown_rule_suggests_the_closest(policy, tmp_path) -> None:
    done = policy("explain", "oss.licens", cwd=tmp_path)
    assert done.exit_code == 2
    assert done.stderr.startswith(
        "policy: error: no pack on the pack path has a rule 'oss.licens' "
        "(did you mean 'oss.license'"
    )
