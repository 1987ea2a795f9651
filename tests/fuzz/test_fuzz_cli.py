"""Fuzz the real command line: whatever the pack, the config and the repository hold,
`policy eval` and `policy validate` exit 0, 1 or 2, never with a traceback, and an
exit 2 says what is wrong on located one-line messages (tests/fuzz/contract.py).

Inputs come from the schemas (tests/fuzz/schema_strategies.py), from mutations of
the built-in packs and of `policy init`'s config (tests/fuzz/mutations.py), and
from manifests and odd file names in a real git repository
(tests/fuzz/repositories.py). No generated pack runs an arbitrary program: its
commands are `true`, `false` and `echo`; every other run has `--no-commands`.

CI runs a fixed number of examples, the same ones every run (derandomized, no
example database), in about a minute in all. To look harder locally, set
RULEPACK_FUZZ_EXAMPLES to the number of examples per test; the examples are then
new on every run, and a failure prints the call that replays it and the
folders of its pack and repository. RULEPACK_DEBUG=1 lets an internal error
out with its traceback; RULEPACK_FUZZ_SHRINK=1 shrinks a failing example
(slowly: each try runs git and the CLI).

    RULEPACK_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/fuzz
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from engine.commands.init import TEMPLATE
from tests.conftest import ROOT, CliResult, git
from tests.fuzz import contract
from tests.fuzz.mutations import ODD_STRINGS, dump, mutated_data, mutated_text
from tests.fuzz.repositories import RepoFiles, contents, repo_files
from tests.fuzz.schema_strategies import SchemaStrategies

_LOCAL_EXAMPLES = os.environ.get("RULEPACK_FUZZ_EXAMPLES")
#: RULEPACK_DEBUG=1 lets an internal error out of the CLI with its traceback.
_ENV = {"RULEPACK_DEBUG": "1"} if os.environ.get("RULEPACK_DEBUG") else None


def fuzz(ci_examples: int) -> settings:
    """Hypothesis settings: `ci_examples` fixed examples, or RULEPACK_FUZZ_EXAMPLES new ones."""
    return settings(
        max_examples=int(_LOCAL_EXAMPLES) if _LOCAL_EXAMPLES else ci_examples,
        derandomize=not _LOCAL_EXAMPLES,
        database=None,
        deadline=None,  # one example runs git and the whole CLI: its time varies
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # make_repo makes a new folder per call
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
        print_blob=True,
        # Shrinking an example that runs git and the CLI takes minutes; the example
        # is printed and its folders stay in pytest's temporary folder.
        phases=[Phase.explicit, Phase.reuse, Phase.generate]
        + ([Phase.shrink] if os.environ.get("RULEPACK_FUZZ_SHRINK") else []),
    )


BUILTIN_PACKS = ("common", "oss", "production", "testing")
MODES = st.sampled_from([(), (), ("--staged",), ("--ref", "HEAD")])


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` nine times in ten, else `bad`: a pack with one mistake in ten values still loads
    now and then."""
    return st.integers(0, 9).flatmap(lambda i: bad if i == 0 else good)


# -- leaves of the generated documents: values that meet the repository -------------

TEXT = mostly(st.text(max_size=12), st.sampled_from(ODD_STRINGS[:14]))
GLOBS = mostly(
    st.sampled_from(
        [
            "**/*.yaml",
            "**/*.{yml,yaml}",
            "*.json",
            "Cargo.toml",
            "**/Cargo.toml",
            "Dockerfile",
            "k8s/**",
            "**",
            "*",
            "helm/*/Chart.yaml",
            "src/**/*.rs",
            "README*",
            "link",
            "[x].json",
        ]
    ),
    st.sampled_from(["[", "{a,b", "../x", "/abs", "a//b", "**/../x", "\x00", "{{ p1 }}", "a\\"])
    | st.text(max_size=6, min_size=1),
)
REGEXES = mostly(
    st.sampled_from(["name", "^FROM", r"\d+\.\d+", "(?i)license", "(?m)^USER", "x{0,3}", ""]),
    st.sampled_from(
        [
            "(",
            "(a+)+$",
            "(?P<x>",
            "x{1000000}",
            "[[:alpha:]]",
            "\\",
            "(a)" * 2000,
            r"\p{L}",
            "(?<=a+)b",
            "{{ p1 }}",
        ]
    ),
)
JMESPATHS = mostly(
    st.sampled_from(
        [
            "kind",
            "kind == 'Deployment'",
            "spec.replicas >= `2`",
            "length(@) > `0`",
            "spec.template.spec.containers[]",
            'package."rust-version"',
            "@",
            "keys(@)",
            "contains(keys(@), 'spec')",
            "!(metadata.name)",
            "[?kind=='Service']",
            "max_by(@, &replicas)",
            "to_number(spec.replicas) > `1`",
            "spec.replicas >= {{ p1 }}",
            "length(@)",
            "sort(@)",
            "starts_with(name, 'x')",
            "*",
            "a || b",
        ]
    ),
    st.sampled_from(
        [
            "[",
            "!" * 2000,
            "(" * 2000,
            "`",
            "a.",
            "foo(",
            "`" + "1" * 200_000 + "`",
            "'{{ p1 }}'",
            "\x00",
        ]
    )
    | st.text(alphabet="ab.[]()*@&|!=<>`'\" ", max_size=10),
)
PROGRAMS = st.sampled_from(
    [
        ["true"],
        ["false"],
        ["echo", "1.2.3"],
        ["echo", "{{ p1 }}"],
        ["true", "\x00"],
        ["definitely-not-installed"],
        ["/nonexistent/x"],
    ]
)
SHELLS = st.sampled_from(["true", "false", "echo 1.80.0", "echo {{ p1 }}", "true\x00", ""])
PARAM_NAMES = st.sampled_from(["p1", "p2", "min_replicas", "rust_min_version", "bad-name", "_"])
SCALARS = st.sampled_from([None, True, 0, -1, 2, 1.5, 1e30, "2", "x", "", "1.75.0", "^1"]) | TEXT
PARAMS = mostly(
    st.fixed_dictionaries({"p1": SCALARS}, optional={"p2": st.lists(SCALARS, max_size=2)}),
    st.dictionaries(PARAM_NAMES, SCALARS | st.lists(SCALARS, max_size=2), max_size=3),
)
#: `--param` values, typed as YAML scalars; a placeholder filled with one stays a value.
PARAM_OPTIONS = st.one_of(
    st.just([]),
    st.lists(
        st.sampled_from(["p1=5", "p1=x", "p1=", "p1", "=x", "p2=[1, 2]", "p1=\x00", "p1='a\"b"])
        | st.sampled_from(["p1=" + "9" * 5000, "p1={a: [", "p1=1e999", "p1=.nan", "nope=1"]),
        min_size=1,
        max_size=2,
    ),
)
RULE_IDS = mostly(st.sampled_from(["r", "s", "a.b-c"]), st.sampled_from(["R", "", "x y", "9"]))
CATEGORY_IDS = mostly(st.sampled_from(["general", "other"]), st.sampled_from(["Gen", ""]))
ENV = st.dictionaries(
    st.sampled_from(["FOO", "BAR_2", "LANG", "A=B", "X\x00Y", "", "é"]),
    st.text(max_size=5) | st.integers() | st.booleans() | st.just("a\x00b"),
    max_size=2,
)

PACK_LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "format:python-regex": REGEXES,
    "format:jmespath": JMESPATHS,
    "format:argv": PROGRAMS,
    "format:shell-command": SHELLS,
    "$defs:glob": GLOBS,
    "$defs:params": PARAMS,
    "root.params": PARAMS,
    "root.name": mostly(st.sampled_from(["fuzz", "production"]), st.just("Not A Name")),
    "root.version": mostly(st.just("1.0.0"), st.sampled_from(["1.0", "x", "", "1.0.0-rc.1"])),
    "root.requires": mostly(st.just(">=0.1.0"), st.sampled_from([">=99", "nonsense", "^"])),
    "root.extends.pack": mostly(
        st.sampled_from(["common", "./other.yaml"]),
        st.sampled_from(["missing", "pack.yaml", "fuzz", "../x.yaml"]),
    ),
    "root.extends.version": mostly(st.just("^1.0"), st.sampled_from([">=0", "x", "", "<0"])),
    "id": RULE_IDS,
    "root.categories.id": CATEGORY_IDS,
    "category": CATEGORY_IDS,
    "rule": RULE_IDS,
    "condition": mostly(st.sampled_from(["c1", "c2"]), st.just("missing")),
    "conditions[key]": st.sampled_from(["c1", "c2"]),
    "fileset": mostly(st.sampled_from(["fs1", "fs2"]), st.just("missing")),
    "filesets[key]": st.sampled_from(["fs1", "fs2"]),
    "in_each": mostly(st.sampled_from(["services/*", "*", "k8s"]), st.sampled_from(["..", "/"])),
    "max_bytes": mostly(st.sampled_from([1, 10, 1024, 2**20, 2**30]), st.integers()),
    "schema": mostly(
        st.just("schema.json"),
        st.sampled_from(
            ["bad.json", "loop.json", "outside.json", "missing.json", "../x.json", "/etc/passwd"]
        ),
    ),
    "cwd": mostly(
        st.sampled_from([".", "k8s", "sub", "link"]),
        st.sampled_from(["missing", "..", "/", "a\x00b", "Cargo.toml"]),
    ),
    "env": ENV,
    "timeout": mostly(st.sampled_from([0.5, 5, 600, 86400]), st.floats(allow_nan=True)),
    "exit_code": st.integers(-2, 256) | st.lists(st.integers(-2, 256), min_size=1, max_size=2),
    "commandCheck.requires": st.lists(
        st.sampled_from(["true", "sh", "not-installed-xyz"]), max_size=2
    ),
    "versionCheck.requires": st.lists(st.sampled_from(["echo", "not-installed-xyz"]), max_size=2),
    "satisfies": mostly(
        st.sampled_from([">=1.0", "^1.75", "1.x", "*", ">=1 <2 || 3"]),
        st.sampled_from(["nonsense", ">=", "{{ p1 }}", "1" * 300]),
    ),
    "tags": st.lists(st.sampled_from(["repo", "env", "static", "Bad Tag"]), max_size=2),
    "message": mostly(
        st.sampled_from(["{{ path }} is wrong", "line {{ line }}", "{{ nope }}"]), TEXT
    ),
}
PACKS = SchemaStrategies(
    json.loads((ROOT / "schemas/rulepack.schema.json").read_text()),
    PACK_LEAVES,
    exclusive={
        "fileCheck": (("exists", "absent", "paths"),),
        "commandCheck": (("run", "shell"),),
        "versionCheck": (("command", "shell", "file", "files"), ("satisfies", "satisfies_from")),
    },
    text=TEXT,
)
CONFIG_LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "root.packs": st.lists(
        st.sampled_from(
            [
                "production",
                "common",
                "oss",
                "testing",
                "./policy/pack.yaml",
                "policy",
                "missing",
                "/etc/passwd",
                "../x.yaml",
                ".rulepack.yaml",
            ]
        )
        | st.fixed_dictionaries(
            {
                "pack": st.sampled_from(["common", "oss"]),
                "version": st.sampled_from(["^1.0", ">=2", "nonsense", ""]),
            }
        ),
        max_size=2,
    ),
    "root.params": PARAMS,
    "root.disable": st.lists(st.sampled_from(["ha.replicas-min", "nope", "r", ""]), max_size=2),
    "root.severity": st.dictionaries(
        st.sampled_from(["ha.replicas-min", "nope"]), st.sampled_from(["error", "info", "fatal"])
    ),
    "root.pack_path": st.lists(
        st.sampled_from([".", "policy", "..", "/etc", "missing"]), max_size=2
    ),
    "root.exclude": st.lists(GLOBS, max_size=2),
}
CONFIGS = SchemaStrategies(
    json.loads((ROOT / "schemas/config.schema.json").read_text()), CONFIG_LEAVES, text=TEXT
)

#: Files beside a generated pack that its `extends:` and `schema:` may name.
PACK_NEIGHBOURS = {
    "other.yaml": "apiVersion: rulepack/v1\nname: other\nversion: 1.0.0\n"
    "categories: [{id: general, title: G}]\n"
    "rules: [{id: o, title: O, category: general, check: {file: {exists: '*'}}}]\n",
    "schema.json": json.dumps(
        {"$defs": {"n": {"type": "integer"}}, "properties": {"replicas": {"$ref": "#/$defs/n"}}}
    ),
    "bad.json": "{not json",
    "loop.json": json.dumps({"$ref": "loop.json"}),
    "outside.json": json.dumps({"$ref": "file:///etc/passwd"}),
}


@st.composite
def generated_packs(draw: st.DrawFn) -> Any:
    """A pack from the schema; usually with the categories and conditions its rules name."""
    pack = draw(PACKS.document())
    rules = pack.get("rules")
    if isinstance(rules, list) and draw(mostly(st.just(True), st.just(False))):
        named = {r.get("category") for r in rules if isinstance(r.get("category"), str)}
        known = {c.get("id") for c in pack.get("categories") or []}
        pack["categories"] = [
            *(pack.get("categories") or []),
            *({"id": c, "title": c} for c in sorted(named - known)),
        ]
    return pack


@st.composite
def pack_texts(draw: st.DrawFn, document: st.SearchStrategy[Any]) -> bytes:
    """YAML (or JSON, also YAML) of a document, now and then with its text broken."""
    data = draw(document)
    text = json.dumps(data) if draw(st.integers(0, 4)) == 0 else dump(data)
    broken = draw(st.integers(0, 3)) == 0
    return draw(mutated_text(text, max_mutations=1)) if broken else text.encode()


@cache
def builtin(name: str) -> tuple[str, Any]:
    text = (ROOT / "rulepacks" / name / "pack.yaml").read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


@st.composite
def mutated_builtin_packs(draw: st.DrawFn) -> bytes:
    """A built-in pack with its data or its text (comments and all) broken a little."""
    text, data = builtin(draw(st.sampled_from(BUILTIN_PACKS)))
    if draw(st.booleans()):
        text = dump(draw(mutated_data(data)))
        if draw(st.booleans()):
            return text.encode()
    return draw(mutated_text(text))


# -- running the CLI ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bench:
    """What an example needs: the in-process CLI, real git repositories, new folders."""

    policy: Callable[..., CliResult]
    make_repo: Callable[..., Path]
    tmp_path: Path
    counter: Iterator[int] = field(default_factory=itertools.count)

    def folder(self) -> Path:
        """A new empty folder."""
        path = self.tmp_path / f"example{next(self.counter)}"
        path.mkdir()
        return path

    def repo(self, files: RepoFiles) -> Path:
        """A git repository holding `files`, all committed."""
        root = self.make_repo(commit=False)
        files.write(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "fuzz")
        return root

    def run(self, folder: Path, repo: Path, *args: str | Path) -> CliResult:
        """`policy ARGS` in `folder`; an internal error under RULEPACK_DEBUG names the folders.

        The exit codes are counted (pytest --hypothesis-show-statistics shows how many
        examples reached an evaluation)."""
        try:
            done = self.policy(*args, cwd=folder, env=_ENV)
        except Exception as exc:
            exc.add_note(f"pack folder: {folder}\nrepository: {repo}")
            raise
        event(f"{args[0]} exit", done.exit_code)
        return done

    def eval_and_validate(
        self, repo: Path, pack: Path, *args: str
    ) -> tuple[list[contract.ProblemLine], CliResult]:
        """`policy eval` with `pack`, and `policy validate` on it; both keep the contract."""
        folder = pack.parent
        known = known_files(folder, repo, ROOT)
        done = self.run(folder, repo, "eval", repo, "--pack", pack, "--format", "json", *args)
        problems = within(folder, repo, contract.check_eval, done, known)
        validated = self.run(folder, repo, "validate", pack)
        within(folder, repo, contract.check_validate, validated, known)
        return problems, validated


@pytest.fixture
def bench(
    policy: Callable[..., CliResult], make_repo: Callable[..., Path], tmp_path: Path
) -> Bench:
    return Bench(policy, make_repo, tmp_path)


def known_files(*folders: Path) -> Callable[[str], bool]:
    """Whether a message's FILE is a file the run could have read (in one of `folders`)."""

    def known(name: str) -> bool:
        return any((folder / name).exists() or (folder / name).is_symlink() for folder in folders)

    return known


def within(folder: Path, repo: Path, check: Callable[..., Any], *args: Any) -> Any:
    """`check(*args)`, its failure naming the pack's folder and the repository."""
    try:
        return check(*args)
    except AssertionError as exc:
        exc.add_note(f"pack folder: {folder}\nrepository: {repo}")
        raise


def write_pack(folder: Path, text: bytes, neighbours: bool = True) -> Path:
    """`folder`/pack.yaml holding `text`, with the files its `extends:` and `schema:` name."""
    if neighbours:
        for name, content in PACK_NEIGHBOURS.items():
            (folder / name).write_text(content)
    path = folder / "pack.yaml"
    path.write_bytes(text)
    return path


@st.composite
def configs(draw: st.DrawFn) -> bytes:
    """A repository config: from the schema, or `policy init`'s template broken a little."""
    if draw(st.booleans()):
        return draw(pack_texts(CONFIGS.document()))
    template = TEMPLATE.format(packs="  - production\n  - oss\n")
    data = yaml.safe_load(template)
    if draw(st.booleans()):
        return draw(mutated_text(template))
    return dump(draw(mutated_data(data))).encode()


# -- the properties --------------------------------------------------------------------


@fuzz(ci_examples=100)
@given(data=st.data())
def test_generated_packs_keep_the_contract(data: st.DataObject, bench: Bench) -> None:
    pack = write_pack(bench.folder(), data.draw(pack_texts(generated_packs())))
    repo = bench.repo(data.draw(repo_files()))
    # the generated programs are harmless (true, false, echo): they may run
    commands = data.draw(st.sampled_from([(), ("--no-commands",)]))
    params = [arg for item in data.draw(PARAM_OPTIONS) for arg in ("--param", item)]
    problems, validated = bench.eval_and_validate(repo, pack, *data.draw(MODES), *commands, *params)
    if not params:  # eval and validate agree on the pack (nor has the repository a config)
        pack_errors = [p for p in problems if p.level == "error" and p.file == pack.name]
        assert bool(pack_errors) == (validated.exit_code == 2), (problems, validated.stderr)


@fuzz(ci_examples=60)
@given(data=st.data())
def test_mutated_builtin_packs_keep_the_contract(data: st.DataObject, bench: Bench) -> None:
    pack = write_pack(bench.folder(), data.draw(mutated_builtin_packs()), neighbours=False)
    repo = bench.repo(data.draw(repo_files()))
    bench.eval_and_validate(repo, pack, *data.draw(MODES), "--no-commands")


@fuzz(ci_examples=80)
@given(data=st.data())
def test_repository_configs_keep_the_contract(data: st.DataObject, bench: Bench) -> None:
    config = data.draw(configs())
    own_pack = {"policy/pack.yaml": data.draw(contents("policy/pack.yaml"))}
    files = data.draw(repo_files(own_pack))
    folder = bench.folder()
    if data.draw(st.booleans()):
        (folder / "config.yaml").write_bytes(config)
        where: tuple[str, ...] = ("--config", "config.yaml")
    else:
        files.files[".rulepack.yaml"] = config
        where = ()
    repo = bench.repo(files)
    done = bench.run(
        folder, repo, "eval", repo, "--format", "json", "--no-commands", *where, *data.draw(MODES)
    )
    within(folder, repo, contract.check_eval, done, known_files(folder, repo, ROOT))


@fuzz(ci_examples=80)
@given(data=st.data())
def test_repository_files_keep_the_contract(data: st.DataObject, bench: Bench) -> None:
    files = data.draw(repo_files())
    for _ in range(2):  # more files than the other tests write
        more = data.draw(repo_files())
        files.files.update(more.files)
        files.symlinks.update(more.symlinks)
    repo = bench.repo(files)
    pack = data.draw(st.sampled_from(BUILTIN_PACKS))
    done = bench.run(
        repo,
        repo,
        "eval",
        repo,
        "--pack",
        pack,
        "--format",
        "json",
        "--no-commands",
        *data.draw(MODES),
    )
    within(repo, repo, contract.check_eval, done, known_files(repo, ROOT))
    assert done.exit_code in (0, 1), done.stderr  # the repository's files are never an input error
