"""One repository and pack that give every status a reporter must render.

Rules, in pack order (category, severity -> status):
- deploy.manifests  (deploy, error)   -> pass
- deploy.service    (deploy, error)   -> fail: one finding whose message holds a
  newline, `|`, `<i>`, `&`, `%`, `,` and `:` (from the Service's name)
- security.keys     (security, warning) -> fail: a file named `odd name|50%,x:y.pem`
- security.tokens   (security, info)  -> fail: `secrets.txt:2`
- docs.readme       (docs, warning)   -> fail without a file (README.md is missing)
- docs.changelog    (docs, info)      -> skip (not applicable)
- deploy.parses     (deploy, error)   -> error (broken.yaml:2 does not parse)
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SAMPLE_FILES: dict[str, str | bytes | None] = {
    "deploy/service.yaml": 'kind: Service\nmetadata:\n  name: "a|b\\n<i>&%,:"\n',
    "deploy/broken.yaml": "a: [\n",
    "notes/odd name|50%,x:y.pem": "key\n",
    "secrets.txt": "hello\napi token here\n",
}

SAMPLE_PACK = """\
apiVersion: rulepack/v1
name: sample
version: 1.2.0
requires: ">=0.1.0"
categories:
  - {id: deploy, title: Deployment}
  - {id: security, title: "Security & <secrets>"}
  - {id: docs, title: Documentation}
rules:
  - id: deploy.manifests
    title: Manifests exist
    category: deploy
    severity: error
    check: {file: {exists: ["deploy/*.yaml"]}}
  - id: deploy.service
    title: "Services are named | web"
    category: deploy
    severity: error
    check:
      manifest:
        files: ["deploy/service.yaml"]
        assert: "metadata.name == 'web'"
    remediation: "Rename the Service | use web.\\nSee <docs> & 100% of it."
    docs: https://example.com/naming?a=1&b=2
  - id: security.keys
    title: No private keys
    category: security
    severity: warning
    check: {file: {absent: ["**/*.pem"]}}
    remediation: Remove key files.
    docs: see the wiki
  - id: security.tokens
    title: No tokens
    category: security
    severity: info
    check: {file: {paths: ["secrets.txt"], not_contains: "token"}}
  - id: docs.readme
    title: A README
    category: docs
    severity: warning
    check: {file: {exists: ["README.md"]}}
    remediation: Write a README.md.
  - id: docs.changelog
    title: A changelog entry
    category: docs
    severity: info
    when: {file: {exists: ["CHANGELOG.md"]}}
    check: {file: {paths: ["CHANGELOG.md"], contains: "##"}}
  - id: deploy.parses
    title: Manifests parse
    category: deploy
    severity: error
    check: {manifest: {files: ["deploy/broken.yaml"], assert: "a"}}
"""

#: The Service name as the manifest check reports it.
SERVICE_FINDING = 'Service/a|b\n<i>&%,:: metadata.name is "a|b\\n<i>&%,:", expected == "web"'
#: Why deploy.parses is an error.
PARSE_ERROR = "does not parse: while parsing a flow node, did not find expected node content"


@dataclass(frozen=True)
class Sample:
    repo: Path
    pack: Path
    commit: str


@pytest.fixture
def sample(make_repo: Callable[..., Path], write_pack: Callable[..., Path]) -> Sample:
    """The sample repository (committed) and pack."""
    repo = make_repo(SAMPLE_FILES)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    return Sample(repo, write_pack(SAMPLE_PACK), commit)


#: A failing rule whose title, finding and remediation hold code spans, beside text that
#: must stay text (`<b>`, `*y*`, a backtick without its pair).
CODE_RULE = """\
- id: r
  title: Has `README.md`
  category: general
  severity: error
  check: {file: {exists: ["README.md"], message: "no `README.md` (see `docs/`)"}}
  remediation: "Run `policy init <dir>` then ``a `b` c``; keep `x <b>bold</b> *y*"
"""


@pytest.fixture
def code_pack(write_pack: Callable[..., Path], pack_text: Callable[..., str]) -> Path:
    """A pack of CODE_RULE alone."""
    return write_pack(pack_text(CODE_RULE))


# -- a large repository: what the CI formats must keep within their platforms' limits -----

#: Deployments in the large repository; every one fails every label rule.
LARGE_MANIFESTS = 2_000
#: Label rules, severities in turn error, warning, info: each has LARGE_MANIFESTS findings.
LARGE_LABEL_RULES = 12
SEVERITY_CYCLE = ("error", "warning", "info")


def large_pack() -> str:
    """The pack of the large repository: the label rules, a README rule (a finding with
    no file), and a rule finding `latest` in every manifest."""
    rules = [
        f"""\
  - id: c{i % 3}.label{i}
    title: Deployments carry the label l{i}
    category: c{i % 3}
    severity: {SEVERITY_CYCLE[i % 3]}
    check: {{manifest: {{files: ["deploy/**/*.yaml"], assert: "metadata.labels.l{i}"}}}}
    remediation: Add the label l{i} to every Deployment.
    docs: https://example.com/rules/label{i}
"""
        for i in range(LARGE_LABEL_RULES)
    ]
    return (
        "apiVersion: rulepack/v1\nname: large\nversion: 1.0.0\ncategories:\n"
        + "".join(f"  - {{id: c{i}, title: Category {i}}}\n" for i in range(3))
        + "rules:\n"
        + "".join(rules)
        + """\
  - id: c0.readme
    title: A README
    category: c0
    severity: warning
    check: {file: {exists: [README.md]}}
  - id: c1.latest
    title: No latest tags
    category: c1
    severity: info
    check: {file: {paths: ["deploy/**/*.yaml"], not_contains: "latest"}}
"""
    )


def large_manifest(i: int) -> str:
    # long names: twenty findings of each rule no longer fit a pull-request comment
    name = f"app-{i}-" + "x" * 240
    return (
        f"kind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n"
        "  template:\n    spec:\n      containers:\n        - {name: c, image: 'app:latest'}\n"
    )


@dataclass(frozen=True)
class LargeRun:
    """One `policy eval --format markdown,github,sarif,junit -o report` of the large
    repository, with a GitHub job summary that an earlier step had written to."""

    exit_code: int
    folder: Path
    summary: Path

    def read(self, suffix: str) -> str:
        return (self.folder / f"report{suffix}").read_text(encoding="utf-8")


#: What the job summary held before rulepack appended to it.
EARLIER_SUMMARY = "## Build\n\nok\n"


@pytest.fixture(scope="session")
def large_run(tmp_path_factory: pytest.TempPathFactory, policy_exe: str) -> LargeRun:
    """The large repository (a real git repository), evaluated once for every CI format."""
    import os

    root = tmp_path_factory.mktemp("large")
    repo = root / "repo"
    for i in range(LARGE_MANIFESTS):
        path = repo / "deploy" / f"team{i // 100:02d}" / f"app{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(large_manifest(i), encoding="utf-8")
    (root / "large.yaml").write_text(large_pack(), encoding="utf-8")
    gitconfig = root / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Test\n\temail = test@example.invalid\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RULEPACK_", "GIT_"))}
    env.update(GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1")
    # Set up before any test's own isolation: the run's caches stay out of the user's too.
    env.update(RULEPACK_CACHE_DIR=str(root / "cache"), RULEPACK_DATA_DIR=str(root / "data"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    out = root / "out"
    out.mkdir()
    summary = root / "step_summary.md"
    summary.write_text(EARLIER_SUMMARY, encoding="utf-8")
    done = subprocess.run(
        [policy_exe, "eval", str(repo), "--pack", str(root / "large.yaml"),
         "--format", "markdown,github,sarif,junit", "-o", str(out / "report")],
        env={**env, "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.stderr == ""
    return LargeRun(done.returncode, out, summary)


#: The browser window the HTML pages are loaded in.
WIDTH, HEIGHT = 1600, 1000


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium (tests/reporters/chromium.py), one per test module."""
    from tests.reporters.chromium import Browser, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium to load the page in: install Debian's `chromium` (.ci/run does)")
    started = Browser.start(executable, tmp_path_factory.mktemp("profile"), WIDTH, HEIGHT)
    yield started
    started.close()
