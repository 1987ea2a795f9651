"""What the store keeps of one run: built from a Report, read back as the same record."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.model.results import Report


@dataclass(frozen=True)
class Repository:
    """Who a run is of: its name (the remote's last path part, else its folder's name) and
    its remote URL when it has one."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class PackDigest:
    name: str
    version: str
    digest: str
    levels: tuple[str, ...] = ()  # the pack's level ids, lowest first


@dataclass(frozen=True)
class RuleRecord:
    """One rule's outcome in a stored run."""

    pack: str
    rule: str
    category: str
    status: str
    findings: int


@dataclass(frozen=True)
class RunRecord:
    """One run as the store keeps it (`id` is None until it is recorded)."""

    repository: Repository
    commit: str | None
    commit_date: datetime | None
    snapshot_kind: str
    ref: str | None
    tool_version: str
    packs: tuple[PackDigest, ...]
    # the JSON report's summary: counts, success rate and score overall and per
    # category, failures by severity, levels per pack
    summary: dict[str, Any]
    rules: tuple[RuleRecord, ...]
    fleet_run: str | None = None  # tags the runs of one `policy fleet` run
    # what else decided the results: commands on or off, params and selection given on the
    # command line (see `settings_of`); runs are reused only under the same settings
    settings: str = ""
    id: int | None = None
    recorded_at: datetime | None = field(default=None, compare=False)

    @property
    def pack_key(self) -> str:
        """The packs by digest, in order: runs with the same key judged by the same packs."""
        return pack_key((p.name, p.digest) for p in self.packs)

    @property
    def score(self) -> float | None:
        found = self.summary.get("score")
        return float(found) if found is not None else None


def pack_key(packs: Iterable[tuple[str, str]]) -> str:
    """(name, digest) of packs, in order, as one string the store compares."""
    return " ".join(f"{name}@{digest}" for name, digest in packs)


def run_record(
    report: Report,
    repository: Repository,
    commit_date: datetime | None = None,
    fleet_run: str | None = None,
    settings: str = "",
) -> RunRecord:
    """The record of `report`, a run over `repository` (its commit made at `commit_date`)."""
    from engine.model.serialize import summary_to_data

    return RunRecord(
        repository=repository,
        commit=report.snapshot.commit,
        commit_date=commit_date,
        snapshot_kind=report.snapshot.kind,
        ref=report.snapshot.ref,
        tool_version=report.tool_version,
        packs=tuple(PackDigest(p.name, p.version, p.digest, p.level_ids) for p in report.packs),
        summary=summary_to_data(report.summary),
        rules=tuple(
            RuleRecord(r.pack, r.rule, r.category, r.status, len(r.findings))
            for r in report.results
        ),
        fleet_run=fleet_run,
        settings=settings,
    )


def settings_of(
    no_commands: bool,
    params: tuple[str, ...] = (),
    selection: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> str:
    """The settings of a run as the store compares them: `commands=off param=k=v rule=x`."""
    words = [f"commands={'off' if no_commands else 'on'}"]
    words += [f"param={p}" for p in sorted(params)]
    words += [f"{kind}={value}" for kind, values in selection for value in sorted(values)]
    return " ".join(words)


def repository_of(root: Path) -> Repository:
    """The identity of the repository at `root`: named after its `origin` remote (else its
    only remote), else after its folder (a bare `payments.git` is `payments`)."""
    from engine.git.runner import run

    listed = run(["config", "--get-regexp", r"^remote\..*\.url$"], root)
    urls: dict[str, str] = {}
    for line in listed.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        urls.setdefault(key.removeprefix("remote.").removesuffix(".url"), value)
    url = urls.get("origin") or next(iter(urls.values()), None)
    return Repository(name=_name_from(url) if url else _folder_name(root), url=url)


def _name_from(url: str) -> str:
    """`payments` of `git@host:team/payments.git`, `https://host/team/payments/`, `/srv/x.git`."""
    tail = posixpath.basename(url.rstrip("/").replace(":", "/"))
    return tail.removesuffix(".git") or url


def _folder_name(root: Path) -> str:
    name = root.resolve().name
    return name.removesuffix(".git") if name != ".git" else root.resolve().parent.name
