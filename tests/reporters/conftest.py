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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
