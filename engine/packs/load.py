"""Loading packs: files -> located YAML -> an `extends` chain -> the model.

`PackLoader` finds a pack by name or path (packs/finder.py), reads each file
once (packs/layers.py), follows `extends` (detecting cycles and checking
version ranges), and hands the chain to packs/build.py, which applies params,
validates and builds the model. Every problem is located to its file, line
and column; any error-level problem makes the load an InputError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine import versions
from engine.errors import InputError, Location, Problem, YamlError
from engine.folders import cache_dir
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.model.packs import Pack
from engine.packs.finder import PackFile, PackFinder, is_file_spec, pack_file_from_disk
from engine.packs.layers import Layer
from engine.packs.remote import (
    ANY_VERSION,
    RemotePacks,
    RemoteRequest,
    entry_problems,
    request_of,
)
from engine.texts import BadText


@dataclass
class PackLoader:
    """Loads packs; collects problems from every file it reads.

    `validate_builtin` also schema-validates built-in packs (the test suite and
    `policy validate` do; a normal run trusts what shipped). `param_sites` says
    where each of `params` was set (a config's line); one not there came from
    `--param`. `remote` resolves `git:` packs (by default from the network,
    without a lock).
    """

    finder: PackFinder
    params: Mapping[str, Any] = field(default_factory=dict)
    validate_builtin: bool = False
    param_sites: Mapping[str, Location] = field(default_factory=dict)
    remote: RemotePacks = field(default_factory=RemotePacks)
    problems: list[Problem] = field(default_factory=list)
    _read: dict[str, Layer] = field(default_factory=dict)

    # -- public ----------------------------------------------------------------------

    def load(self, spec: str, version_range: str | None = None) -> Pack:
        """A pack by name (on the pack path) or by file path; raises InputError."""
        start = len(self.problems)  # finding a pack reads it: its problems count too
        pack_file = self._find(spec, version_range, None, None)
        return self._load(pack_file, start)

    def load_remote(self, request: RemoteRequest) -> Pack:
        """A remote pack (a `git:` entry of the repo config); raises InputError."""
        start = len(self.problems)
        return self._load(self.remote.pack_file(request), start)

    def load_file(self, pack_file: PackFile, version_range: str | None = None) -> Pack:
        """A pack from a known file; raises InputError on any error-level problem."""
        pack = self._load(pack_file, len(self.problems))
        if version_range is not None and not versions.text_satisfies(pack.version, version_range):
            raise InputError(
                f"pack {pack.name!r} at {pack_file.display} is version {pack.version}, "
                f"which does not satisfy {version_range}"
            )
        return pack

    def _load(self, pack_file: PackFile, start: int) -> Pack:
        from engine.packs import cache

        layer = self._layer(pack_file)
        chain = self._chain(layer, [])
        key = self._cache_key(chain)
        folder = cache_dir(cache.KIND)
        kept = cache.load(folder, key, cache.CachedPack)
        built_from = len(self.problems)
        if kept is not None:  # built by an earlier run from the same files and params
            self.problems.extend(kept.problems)
            pack = kept.pack
        else:
            from engine.packs.build import PackBuilder  # a cached pack needs no builder

            builder = PackBuilder(
                self.problems, self.params, self.validate_builtin, self.param_sites
            )
            pack = builder.build(chain)
        errors = [p for p in self.problems[start:] if p.level == "error"]
        if errors:
            raise InputError(sorted(errors, key=_problem_order))
        if kept is None and cache.keepable(pack):
            cache.store(folder, key, cache.CachedPack(pack, tuple(self.problems[built_from:])))
        return pack

    def _cache_key(self, chain: list[Layer]) -> str:
        from engine.code_version import code_version
        from engine.packs.cache import cache_key

        files = [(f"{layer.file.identity()}\0{layer.file.display}", layer.text) for layer in chain]
        return cache_key(
            files, self.params, self.param_sites, self.validate_builtin, code_version()
        )

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def files_on_disk(self) -> tuple[Path, ...]:
        """Every pack file read so far that is a file on disk (extended ones included)."""
        found = (layer.file.folder.disk_path(layer.file.path) for layer in self._read.values())
        return tuple(path for path in found if path is not None)

    # -- finding and reading -------------------------------------------------------------

    def _find(
        self, spec: str, version_range: str | None, origin: Layer | None, at: KeyPath | None
    ) -> PackFile:
        if is_file_spec(spec):
            candidates = [origin.file.sibling(spec) if origin else pack_file_from_disk(spec)]
        else:
            candidates = list(self.finder.candidates(spec))
        if not candidates:
            self._fail(origin, at, f"unknown pack {spec!r}" + self._known_hint())
        found_versions = []
        for candidate in candidates:
            layer = self._layer(candidate, origin, at)
            version = str(layer.data.get("version", ""))
            if version_range is None:
                return candidate
            if versions.text_satisfies(version, version_range):
                return candidate
            found_versions.append(f"{version} at {candidate.display}")
        self._fail(
            origin,
            at,
            f"no version of pack {spec!r} satisfies {version_range} "
            f"(found {', '.join(found_versions)})",
        )
        raise AssertionError  # unreachable: _fail raises

    def _known_hint(self) -> str:
        names = sorted({f.path.split("/")[0].rsplit(".", 1)[0] for f in self.finder.all_files()})
        return f" (available: {', '.join(names)})" if names else ""

    def _fail(self, origin: Layer | None, at: KeyPath | None, message: str) -> None:
        location = None
        if origin is not None and at is not None:
            position = origin.located.position(at)
            location = Location(origin.file.display, *(position or ()))
        raise InputError([*self._errors(), Problem(message, location)])

    def _errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def _layer(
        self, pack_file: PackFile, origin: Layer | None = None, at: KeyPath | None = None
    ) -> Layer:
        key = pack_file.identity()
        if key in self._read:
            return self._read[key]
        try:
            text = pack_file.read()
        except BadText as exc:
            where = Location(pack_file.display, exc.line, exc.column)
            raise InputError(
                [*self._errors(), Problem(f"not a pack: {exc.message}", where)]
            ) from None
        except OSError as exc:
            self._fail(origin, at, f"cannot read pack {pack_file.display}: {exc.strerror or exc}")
            raise AssertionError from None
        try:
            located = _located(text, pack_file.display)
        except YamlError as exc:
            raise InputError(
                [
                    *self._errors(),
                    Problem(
                        f"not valid YAML: {exc.message}",
                        Location(pack_file.display, exc.line, exc.column),
                    ),
                ]
            ) from None
        layer = Layer(pack_file, located, text)
        for dup_path, line, column in located.duplicates:
            self.problems.append(
                Problem(
                    f"duplicate key {dup_path[-1]!r} (YAML would silently keep the last one)",
                    Location(pack_file.display, line, column),
                    layer.rule_at(dup_path),
                )
            )
        for cut_path, (line, column) in located.comment_cuts.items():
            if _is_text(cut_path):
                self.problems.append(
                    Problem(
                        f"{cut_path[-1]} stops at ` #`: YAML reads the rest of the line as a "
                        "comment; quote the text (or move the comment to a line of its own)",
                        Location(pack_file.display, line, column),
                        layer.rule_at(cut_path),
                        "warning",
                    )
                )
        if not isinstance(located.data, dict):
            raise InputError(
                [
                    *self._errors(),
                    Problem(
                        "a pack is a YAML mapping with apiVersion, name, version and rules",
                        Location(pack_file.display, 1, 1),
                    ),
                ]
            )
        self._read[key] = layer
        return layer

    def _chain(
        self, layer: Layer, stack: list[str], origin: Layer | None = None, at: KeyPath = ()
    ) -> list[Layer]:
        """The layer and everything it extends, bases first, each once.

        `origin` and `at` name the `extends` entry that led here, so a cycle is
        reported where it closes.
        """
        identity = layer.file.identity()
        if identity in stack:
            cycle = " -> ".join([*(s.split(":", 1)[1] for s in stack), layer.file.display])
            self._fail(origin, at, f"extends cycle: {cycle}")
        chain: list[Layer] = []
        extends = layer.data.get("extends") or []
        for i, entry in enumerate(extends if isinstance(extends, list) else []):
            if not isinstance(entry, dict) or "pack" not in entry:
                continue  # the schema reports it
            at = ("extends", i, "pack")
            version_range = entry.get("version")
            if version_range is not None and versions.range_problem(str(version_range)):
                problem = versions.range_problem(str(version_range)) or ""
                self.problems.append(layer.problem(("extends", i, "version"), problem))
                version_range = None
            if "git" in entry:
                base_file = self._remote_base(layer, i, entry, version_range)
            else:
                base_file = self._find(str(entry["pack"]), version_range, layer, at)
            base_layer = self._layer(base_file, layer, at)
            for base in self._chain(base_layer, [*stack, identity], layer, at):
                if all(base is not known for known in chain):
                    chain.append(base)
        chain.append(layer)
        return chain

    def _remote_base(
        self, layer: Layer, i: int, entry: Mapping[str, Any], version_range: str | None
    ) -> PackFile:
        """The pack file a `git:` entry of `extends` names; its problems located there."""
        problems = [layer.problem(("extends", i, key), text) for key, text in entry_problems(entry)]
        if problems:
            raise InputError([*self._errors(), *problems])
        request = replace(request_of(entry), version=version_range or ANY_VERSION)
        try:
            return self.remote.pack_file(request)
        except InputError as exc:
            where = [layer.problem(("extends", i, "git"), p.message) for p in exc.problems]
            raise InputError([*self._errors(), *where]) from None


def _is_text(path: KeyPath) -> bool:
    """A title, description or remediation of the pack, a category or a rule."""
    if path[-1] not in ("title", "description", "remediation"):
        return False
    return len(path) == 1 or (len(path) == 3 and path[0] in ("categories", "rules"))


def _problem_order(problem: Problem) -> tuple[str, int, int]:
    where = problem.location
    if where is None:
        return ("", 0, 0)
    return (where.file, where.line or 0, where.column or 0)


def _located(text: str, display: str) -> LocatedData:
    """A pack file read with positions, kept between runs (raises YamlError)."""
    from engine.code_version import code_version
    from engine.packs import cache

    folder = cache_dir(cache.KIND)
    key = cache.file_key(display, text, code_version())
    kept = cache.load(folder, key, LocatedData)
    if kept is not None:
        return kept
    from engine.yaml_located import load_located  # only for a file not kept

    located = load_located(text, display)
    cache.store(folder, key, located)
    return located
