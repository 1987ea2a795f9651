"""Parameters are values through the real CLI: typed like their defaults, never code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.checks import KINDS
from engine.packs.params import FORMATS, field_kind

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
"""
HOSTILE = "5` || `true"


def test_a_config_param_cannot_turn_ha_replicas_min_into_a_pass(policy, make_repo) -> None:
    repo = make_repo(
        {
            "deploy/k8s/api.yaml": DEPLOYMENT,
            ".rulepack.yaml": f'params:\n  min_replicas: "{HOSTILE}"\n',
        }
    )
    done = policy("eval", repo, "--no-commands")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:3: error: parameter 'min_replicas' must be a number like "
        f"its default 2 (pack production), not a string '{HOSTILE}'\n",
    )


def _replicas_min(policy, repo: Path, *args: str) -> str:
    done = policy("eval", repo, "--no-commands", "--format", "json", *args)
    assert done.exit_code in (0, 1), done.stderr
    (result,) = [r for r in json.loads(done.stdout)["results"] if r["rule"] == "ha.replicas-min"]
    return str(result["status"])


def test_a_number_from_the_config_still_sets_the_minimum(policy, make_repo) -> None:
    files = {"deploy/k8s/api.yaml": DEPLOYMENT}
    assert _replicas_min(policy, make_repo(files)) == "fail"
    files[".rulepack.yaml"] = "params: {min_replicas: 1}\n"
    assert _replicas_min(policy, make_repo(files)) == "pass"


def test_a_param_option_of_the_wrong_type_is_an_input_error(policy, make_repo) -> None:
    repo = make_repo({"deploy/k8s/api.yaml": DEPLOYMENT})
    done = policy("eval", repo, "--no-commands", "--param", f"min_replicas={HOSTILE}")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --param min_replicas: must be a number like its default 2 "
        f"(pack production), not a string '{HOSTILE}'\n",
    )


def test_a_param_option_overrides_a_config_value_of_the_wrong_type(policy, make_repo) -> None:
    repo = make_repo(
        {"deploy/k8s/api.yaml": DEPLOYMENT, ".rulepack.yaml": 'params: {min_replicas: "x"}\n'}
    )
    assert _replicas_min(policy, repo, "--param", "min_replicas=1") == "pass"


NAMED = """\
- id: r
  title: T
  category: general
  check:
    manifest:
      files: [a.json]
      assert: "{where}"
"""


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("name == '{{ expected }}'", "x' || 'true"),
        ("name == `{{ expected }}`", "x` || `true"),
        ('name == \\"{{ expected }}\\"', 'x" || "true'),
        ("name == {{ expected }}", "x || `true`"),
    ],
)
def test_a_string_param_stays_one_value_in_jmespath(
    evaluate, make_repo, pack_text, where: str, value: str
) -> None:
    pack = pack_text(NAMED.format(where=where), "params: {expected: api}\n")
    document = {"a.json": '{"name": "api", "api": "api", "x": "x"}'}
    assert evaluate(make_repo(document), pack).status() == "pass"
    config = {".rulepack.yaml": f"params: {{expected: {json.dumps(value)}}}\n"}
    run = evaluate(make_repo({**document, **config}), pack)
    assert run.status() == "fail", run.result()


def test_a_backslash_before_a_placeholder_is_located(policy, make_repo, write_pack, pack_text):
    pack = write_pack(pack_text(NAMED.format(where='\\"a\\\\{{ x }}\\"'), "params: {x: y}\n"))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:14:17: error: rule r: a `\\` right before {{{{ x }}}} would escape "
        "the value's first character\n",
    )


def _argv_file(tmp_path: Path) -> Path:
    return tmp_path / "received"


def _received(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\0")[:-1]


WORD = "$(touch {marker}); touch {marker} `touch {marker}`\ntouch {marker} '\" x"


def _hostile_config(tmp_path: Path) -> tuple[dict[str, str], str, Path]:
    marker = tmp_path / "marker"
    word = WORD.format(marker=marker)
    config = json.dumps({"params": {"word": word, "words": ["a b", word, "c"]}})
    return {".rulepack.yaml": config + "\n"}, word, marker


def test_a_config_param_in_the_shell_of_a_trusted_pack_runs_nothing(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    out = _argv_file(tmp_path)
    shell = (
        "printf '%s\\\\0' {{ word }} \\\"x{{ word }}\\\" 'y{{ word }}' {{ words }} > \\\"$OUT\\\""
    )
    pack = check_pack(
        f'{{command: {{shell: "{shell}", env: {{OUT: "{out}"}}}}}}',
        "params: {word: hello, words: [a]}\n",
    )
    config, word, marker = _hostile_config(tmp_path)
    run = evaluate(make_repo(config), pack)  # a pack named on the command line is trusted
    assert run.status() == "pass", run.result()
    assert _received(out) == [word, f"x{word}", f"y{word}", "a b", word, "c"]
    assert not marker.exists()


def test_a_config_param_in_argv_is_one_argument(evaluate, make_repo, check_pack, tmp_path) -> None:
    out = _argv_file(tmp_path)
    script = '\'printf "%s\\0" "$@" > "$OUT"\''
    argv = f"[sh, -c, {script}, sh, '{{{{ word }}}}', '--w={{{{ word }}}}', '{{{{ words }}}}']"
    pack = check_pack(
        f'{{command: {{run: {argv}, env: {{OUT: "{out}"}}}}}}',
        "params: {word: hello, words: [a]}\n",
    )
    config, word, marker = _hostile_config(tmp_path)
    run = evaluate(make_repo(config), pack)
    assert run.status() == "pass", run.result()
    assert _received(out) == [word, f"--w={word}", "a b", word, "c"]
    assert not marker.exists()


def test_the_program_to_run_cannot_be_a_parameter(policy, make_repo, write_pack, check_pack):
    pack = write_pack(
        check_pack("{command: {run: ['{{ tool }}', --version]}}", "params: {tool: x}\n")
    )
    done = policy("eval", make_repo({}), "--pack", pack)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:11:29: error: rule r: the program to run cannot come from a "
        "parameter (whoever sets it would choose what runs); name the program and pass the "
        "parameter as an argument\n",
    )


def test_a_param_in_a_regex_matches_its_text_literally(evaluate, make_repo, check_pack) -> None:
    pack = check_pack(
        '{file: {paths: [README.md], contains: "(?m)^## {{ heading }}$"}}',
        "params: {heading: Usage}\n",
    )
    readme = {"README.md": "# x\n\n## Usage\n\n## C++ (advanced)\n"}
    assert evaluate(make_repo(readme), pack).status() == "pass"
    run = evaluate(make_repo(readme), pack, "--param", "heading=a|.*")
    assert run.status() == "fail"
    assert evaluate(make_repo(readme), pack, "--param", "heading=C++ (advanced)").status() == (
        "pass"
    )


def test_a_whole_placeholder_still_keeps_its_type_in_a_number(evaluate, make_repo, check_pack):
    pack = check_pack("{command: {run: ['true'], timeout: '{{ limit }}'}}", "params: {limit: 5}\n")
    assert evaluate(make_repo({}), pack).status() == "pass"


# -- where the kinds of fields come from ---------------------------------------------------


def test_every_format_a_check_kind_declares_is_a_known_field_kind() -> None:
    def formats(schema: object) -> list[str]:
        if isinstance(schema, dict):
            own = [schema["format"]] if isinstance(schema.get("format"), str) else []
            return own + [f for value in schema.values() for f in formats(value)]
        if isinstance(schema, list):
            return [f for item in schema for f in formats(item)]
        return []

    declared = {f for kind in KINDS.values() for f in formats(kind.schema)}
    assert declared == set(FORMATS)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (("rules", 3, "check", "manifest", "assert"), "jmespath"),
        (("rules", 0, "when", "manifest", "where"), "jmespath"),
        (("rules", 0, "check", "all", 1, "not", "manifest", "each"), "jmespath"),
        (("rules", 0, "check", "version", "satisfies_from", "query"), "jmespath"),
        (("conditions", "c", "version", "query"), "jmespath"),
        (("rules", 0, "check", "command", "shell"), "shell"),
        (("rules", 0, "check", "any", 0, "version", "shell"), "shell"),
        (("rules", 0, "check", "command", "run"), "argv"),
        (("rules", 0, "check", "version", "command"), "argv"),
        (("rules", 0, "check", "file", "contains"), "regex"),
        (("rules", 0, "check", "command", "stderr_not_matches"), "regex"),
        (("rules", 0, "check", "version", "pattern"), "regex"),
        (("rules", 0, "check", "version", "satisfies"), "text"),
        (("rules", 0, "check", "file", "exists", 0), "text"),
        (("rules", 0, "check", "manifest", "message"), "text"),
        (("rules", 0, "title"), "text"),
        (("filesets", "k8s", "include", 0), "text"),
    ],
)
def test_the_kind_of_a_field_comes_from_the_pack_schema(path, kind) -> None:
    assert field_kind(path) == kind
