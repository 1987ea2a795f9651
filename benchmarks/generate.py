"""Generate synthetic monorepos for the benchmarks: 1k, 10k or 100k files.

Each repository is a git repository of `services/<name>/` sub-projects, each
with Kubernetes manifests (multi-document YAML), a Dockerfile, one of
Cargo.toml / package.json / pyproject.toml, sources, tests and docs, so that
file rules, manifest rules and globs do realistic work. The content is a pure
function of the file count: the same command gives the same repository.

    python benchmarks/generate.py 10000 [--out benchmarks/.repos]
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

FILES_PER_SERVICE = 20

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      securityContext: {{runAsNonRoot: true}}
      containers:
        - name: {name}
          image: registry.example.com/{name}:{version}
          ports: [{{containerPort: 8080}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /live, port: 8080}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  minAvailable: 1
  selector:
    matchLabels: {{app: {name}}}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 10
"""

CONFIG = """\
server:
  port: 8080
  tls: {{enabled: true}}
telemetry:
  otlp: {{endpoint: "http://collector:4317"}}
  service_name: {name}
"""

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM rust:1.80-slim AS build
WORKDIR /src
COPY . .
RUN cargo build --release
FROM gcr.io/distroless/cc-debian12
COPY --from=build /src/target/release/{name} /app
USER 65532
HEALTHCHECK CMD ["/app", "--health"]
ENTRYPOINT ["/app"]
"""

CARGO = """\
[package]
name = "{name}"
version = "0.{i}.0"
edition = "2021"
rust-version = "1.75"
license = "Apache-2.0"

[dependencies]
tokio = {{ version = "1", features = ["full"] }}

[profile.release]
lto = true
codegen-units = 1
"""

PACKAGE_JSON = """\
{{"name": "{name}", "version": "1.{i}.0", "engines": {{"node": ">=20"}},
 "scripts": {{"test": "node --test"}}, "license": "MIT"}}
"""

PYPROJECT = """\
[project]
name = "{name}"
version = "0.{i}.0"
requires-python = ">=3.11"
license = "MIT"
"""


def service_files(i: int) -> dict[str, str]:
    """The files of service number `i` (always FILES_PER_SERVICE of them)."""
    name = f"svc-{i:05d}"
    kind = i % 3
    files = {
        "README.md": f"# {name}\n\nQuick start: `make run`.\n",
        "Dockerfile": DOCKERFILE.format(name=name),
        "k8s/deployment.yaml": DEPLOYMENT.format(name=name, replicas=1 + i % 3, version=f"1.{i}"),
        "k8s/service.yaml": SERVICE.format(name=name),
        "k8s/hpa.yaml": HPA.format(name=name),
        "config/app.yaml": CONFIG.format(name=name),
        "docs/api.md": f"# {name} API\n\nGET /v1/items\n",
    }
    if kind == 0:
        files["Cargo.toml"] = CARGO.format(name=name, i=i)
        sources = [f"src/mod_{n}.rs" for n in range(9)] + ["src/main.rs"]
        body = "//! {name}\npub fn handler_{n}() -> u32 {{ {n} }}\n"
    elif kind == 1:
        files["package.json"] = PACKAGE_JSON.format(name=name, i=i)
        sources = [f"src/mod_{n}.js" for n in range(9)] + ["src/index.js"]
        body = "// {name}\nexport const handler{n} = () => {n};\n"
    else:
        files["pyproject.toml"] = PYPROJECT.format(name=name, i=i)
        sources = [f"src/mod_{n}.py" for n in range(9)] + ["src/__init__.py"]
        body = '"""{name}."""\n\n\ndef handler_{n}():\n    return {n}\n'
    for n, path in enumerate(sources):
        files[path] = body.format(name=name, n=n)
    for n in range(FILES_PER_SERVICE - len(files)):
        files[f"tests/test_{n}.txt"] = f"test {n} of {name}\n"
    assert len(files) == FILES_PER_SERVICE
    return files


def generate(count: int, out: Path) -> Path:
    """Create (once) the repository with about `count` files; returns its path."""
    root = out / f"repo-{count}"
    if (root / ".git").is_dir():
        _refresh(root)
        return root
    root.mkdir(parents=True, exist_ok=True)
    top = {
        "README.md": "# Monorepo\n",
        "LICENSE": "Apache-2.0\n",
        ".gitignore": "target/\nnode_modules/\n",
        ".github/workflows/ci.yml": (
            "on: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: []}\n"
        ),
    }
    for path, text in top.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    for i in range((count - len(top)) // FILES_PER_SERVICE):
        base = root / "services" / f"svc-{i:05d}"
        for path, text in service_files(i).items():
            target = base / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    _commit(root)
    return root


def _refresh(root: Path) -> None:
    """Bring the index's file stats up to date: a copied or touched repository would
    otherwise look edited everywhere to git (and to the working-tree snapshot)."""
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root, check=False)


def _commit(root: Path) -> None:
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "synthetic"], cwd=root, check=True)


#: Files of the small repository besides one service's: what a Rust crate carries.
RUST_SERVICE_TOP = {
    "LICENSE": "Apache-2.0\n",
    ".gitignore": "target/\n",
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: []}\n",
    "Cargo.lock": "version = 3\n",
    "CHANGELOG.md": "# Changes\n",
    "SECURITY.md": "# Security\n\nMail security@example.invalid.\n",
    ".editorconfig": "root = true\n",
    "rust-toolchain.toml": '[toolchain]\nchannel = "1.79"\n',
}
RUST_SERVICE_FILES = 40


def generate_rust_service(out: Path) -> Path:
    """Create (once) a small Rust service of RUST_SERVICE_FILES files: the repository
    the start-up figures are measured on."""
    root = out / "rust-service"
    if (root / ".git").is_dir():
        _refresh(root)
        return root
    files = {**service_files(0), **RUST_SERVICE_TOP}
    for n in range(RUST_SERVICE_FILES - len(files)):
        files[f"src/extra_{n}.rs"] = f"pub fn extra_{n}() -> u32 {{ {n} }}\n"
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    _commit(root)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of files (1000, 10000, 100000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / ".repos")
    args = parser.parse_args()
    print(generate(args.count, args.out))


if __name__ == "__main__":
    main()
