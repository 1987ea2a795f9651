"""Draw docs/images/history.png: `policy history --format html` of a small service's
commits, as headless Chromium shows it (the README's picture of the chart).

    .venv/bin/python docs/images/make_history_png.py

The repository is made in a temp folder: each commit adds what the `production`
pack asks for, so the score and the level rise over time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reporters.chromium import Browser, find_chromium  # noqa: E402

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
        - name: web
          image: web:1.4.2
          resources:
            limits: {{cpu: 500m, memory: 256Mi}}
            requests: {{cpu: 100m, memory: 128Mi}}
          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /live, port: 8080}}}}
"""

#: (day, message, files) oldest first.
STEPS: list[tuple[str, str, dict[str, str]]] = [
    ("2024-05-01", "a service", {"README.md": "# web\n", "src/main.rs": "fn main() {}\n"}),
    ("2024-05-03", "container", {"Dockerfile": 'FROM rust:1.79\nCOPY . .\nCMD ["web"]\n'}),
    ("2024-05-06", "deploy", {"k8s/web.yaml": DEPLOYMENT.format(replicas=1)}),
    ("2024-05-09", "license", {"LICENSE": "Apache-2.0\n", "SECURITY.md": "# Security\n"}),
    ("2024-05-13", "two replicas", {"k8s/web.yaml": DEPLOYMENT.format(replicas=2)}),
    ("2024-05-16", "non-root", {"Dockerfile": 'FROM rust:1.79\nUSER app\nCMD ["web"]\n'}),
    ("2024-05-20", "changelog", {"CHANGELOG.md": "# Changes\n", "docs/deploy.md": "# Deploy\n"}),
    ("2024-05-24", "ci", {".github/workflows/ci.yml": "on: [push]\njobs: {}\n"}),
]


def make_repository(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for day, message, files in STEPS:
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        when = f"{day}T10:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.invalid"]
        subprocess.run([*git, "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-q", "-m", message], cwd=root, env=env, check=True)


def main() -> None:
    executable = find_chromium()
    if executable is None:
        raise SystemExit("no Chromium: install Debian's chromium")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        repo = folder / "web"
        make_repository(repo)
        page = folder / "history.html"
        policy = str(Path(sys.executable).parent / "policy")
        store = f"sqlite:///{folder / 'results.db'}"
        env = {**os.environ, "RULEPACK_CACHE_DIR": str(folder / "cache")}
        command = [policy, "history", str(repo), "--store", store, "--format", "html"]
        subprocess.run([*command, "-o", str(page)], check=True, env=env)
        browser = Browser.start(executable, folder / "profile", 1100, 800)
        try:
            shown = browser.open(page.as_uri())
            time.sleep(1)  # plotly draws after the load event
            (ROOT / "docs/images/history.png").write_bytes(shown.screenshot())
        finally:
            browser.close()


if __name__ == "__main__":
    main()
