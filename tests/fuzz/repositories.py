"""Hypothesis strategies for a repository's files: manifests the built-in packs read,
written well and badly, under ordinary and odd names, with symlinks.

`RepoFiles.write(root)` lays the files out in a folder; the test makes it a git
repository (tests/conftest.py `make_repo`) and commits it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

#: Names the built-in packs look for (so their rules have something to read).
KNOWN_NAMES = (
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
    "deny.toml",
    "Dockerfile",
    "docker/Containerfile",
    "k8s/deployment.yaml",
    "k8s/service.yml",
    "helm/app/Chart.yaml",
    "helm/app/values.yaml",
    "helm/app/templates/deployment.yaml",
    "package.json",
    ".github/workflows/ci.yml",
    "README.md",
    "LICENSE",
    "SECURITY.md",
    "src/main.rs",
    "tests/it.rs",
    "setup.cfg",
    "coverage.xml",
    "otel-collector.yaml",
    ".rulepack/packs/oss.yaml",
    "services/api/Cargo.toml",
)
#: Names a file system allows that a program may not expect.
ODD_NAMES = (
    "odd name.yaml",
    "ünïcödé.json",
    "\x1b[31mred\x1b[0m.yaml",
    "new\nline.yaml",
    "tab\there.toml",
    "-starts-with-dash.yaml",
    "*.yaml",
    "[x].json",
    "back\\slash.yaml",
    " lead.toml",
    "a/b/c/d/e/f/g/deep.yaml",
    "k8s/..yaml",
    "Dockerfile.\u202eexe",
    "x" * 200 + ".yaml",
)
NAMES = st.sampled_from(KNOWN_NAMES) | st.sampled_from(ODD_NAMES)

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(["1.75.0", "^1.2", ">=3.8.0 <5.0.0", "latest", "nginx:1.25", "1e400"])
)
#: Data shaped like the manifests the packs read, with random values in places.
DATA: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "kind",
                    "apiVersion",
                    "metadata",
                    "name",
                    "spec",
                    "replicas",
                    "template",
                    "containers",
                    "image",
                    "resources",
                    "limits",
                    "package",
                    "rust-version",
                    "version",
                    "dependencies",
                    "engines",
                    "scripts",
                    "on",
                    "jobs",
                    "steps",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
DEPLOYMENT: st.SearchStrategy[Any] = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["apps/v1", "v1", 3]),
        "kind": st.sampled_from(["Deployment", "StatefulSet", "Service", "Secret", "Pod"]),
        "metadata": st.fixed_dictionaries({"name": st.text(max_size=8)}),
        "spec": st.fixed_dictionaries(
            {"replicas": _SCALARS, "template": DATA},
        ),
    }
)


def _toml(data: Any, table: str = "") -> str:
    """A small TOML writer (scalars, arrays, tables) for generated data; bad values stay bad."""
    if not isinstance(data, dict):
        return f"value = {_toml_value(data)}\n"
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{json.dumps(str(key))} = {_toml_value(value)}")
    text = (f"[{table}]\n" if table and lines else "") + "".join(f"{line}\n" for line in lines)
    for key, value in tables:
        text += _toml(value, f"{table}.{json.dumps(str(key))}" if table else json.dumps(str(key)))
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return '""'
    if isinstance(value, int | float):
        return repr(value)  # inf and nan are TOML too
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
            + "}"
        )
    return json.dumps(str(value))


_DOCKERFILE_LINES = st.sampled_from(
    [
        "FROM rust:1.80 AS build",
        "FROM scratch",
        "FROM --platform=$BUILDPLATFORM alpine:3",
        "FROM",
        "USER app",
        "USER root",
        "USER 0:0",
        "RUN cargo build --release",
        "RUN <<EOF\necho hi\nEOF",
        "RUN echo \\\n  continued",
        "HEALTHCHECK CMD curl -f http://localhost/ || exit 1",
        "HEALTHCHECK NONE",
        "COPY --from=build /app /app",
        "ARG VERSION=1",
        "ENV A=1 B=2",
        "# syntax=docker/dockerfile:1",
        "# escape=`",
        "EXPOSE 8080",
        'ENTRYPOINT ["/app"',
        "\\",
        "ONBUILD ONBUILD RUN x",
    ]
)
#: Bytes no parser should choke on with a traceback.
_GARBAGE = st.sampled_from(
    [
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe\x00a",
        b"\xef\xbb\xbfkey: value\n",
        b"[" * 100_000,
        b"a = " + b"[" * 100_000,
        b"- " * 5_000 + b"x",
        b"{" * 3_000 + b"}" * 3_000,
        b"a: &a [*a]\n",
        b"a: &a x\nb: *a\n" + b"c: *b\n",
        b"!!python/object/apply:os.system ['true']\n",
        b"%YAML 1.1\n---\nyes: no\n",
        b"key: \x1b]0;title\x07\x1b[2J\n",
        b"x" * (1024 * 1024 + 1),
        b"a: b\n" * 20_000,
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
        b"[section\nkey",
        b'"unterminated',
        b"---\n...\n---\n",
    ]
) | st.binary(max_size=64)


@st.composite
def contents(draw: st.DrawFn, name: str) -> bytes:
    """The bytes of a file called `name`: its format well or badly written, or garbage."""
    if draw(st.integers(0, 3)) == 0:
        return draw(_GARBAGE)
    data = draw(DEPLOYMENT | DATA)
    base = os.path.basename(name)
    if base.endswith((".yaml", ".yml")):
        documents = [data, *draw(st.lists(DEPLOYMENT, max_size=2))]
        return yaml.safe_dump_all(documents, allow_unicode=True).encode("utf-8", "surrogatepass")
    if base.endswith(".json"):
        return json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if base.endswith((".toml", ".lock")):
        return _toml(data).encode("utf-8", "surrogatepass")
    if base.startswith(("Dockerfile", "Containerfile")):
        return "\n".join(draw(st.lists(_DOCKERFILE_LINES, max_size=8))).encode()
    return draw(st.text(max_size=80)).encode("utf-8", "surrogatepass")


SYMLINK_TARGETS = st.sampled_from(
    ["/etc/passwd", "/", "../outside", "../../..", "Cargo.toml", "k8s", "missing", "loop", "."]
)


@dataclass(frozen=True)
class RepoFiles:
    """Files (name -> bytes) and symlinks (name -> target) of a repository."""

    files: dict[str, bytes]
    symlinks: dict[str, str]

    def write(self, root: Path) -> None:
        """Lay the files and links out under `root` (a name that cannot be made is left out)."""
        for name, data in self.files.items():
            path = root / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            except OSError:  # a name used as a file and as a folder
                continue
        for name, target in self.symlinks.items():
            path = root / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.symlink_to(name if target == "loop" else target)
            except OSError:
                continue


@st.composite
def repo_files(draw: st.DrawFn, extra: dict[str, bytes] | None = None) -> RepoFiles:
    """A repository's files; `extra` is written over them (a config, say)."""
    names = draw(st.lists(NAMES, max_size=6, unique=True))
    files = {name: draw(contents(name)) for name in names}
    links = draw(
        st.dictionaries(
            st.sampled_from(["link", "k8s/link.yaml", "Cargo.toml", "sub"]),
            SYMLINK_TARGETS,
            max_size=2,
        )
    )
    links = {k: v for k, v in links.items() if k not in files}
    return RepoFiles({**files, **(extra or {})}, links)
