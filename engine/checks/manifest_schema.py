"""`schema:` of a manifest check: a JSON Schema file of the pack, and the files it refers to.

A schema's `$ref`s reach only files of the pack's own folder (the folder of
the pack file): `defs.json#/$defs/port`, `../common.json` from a subfolder
while it stays inside. A `file://` or `http(s)://` URL, an absolute path and
a `..` that leaves the folder are pack errors, found when the pack is
loaded: every `$ref` of the schema, and of each file it reaches, is
resolved then, with a `referencing` registry whose retrieve function serves
nothing but the pack's files. Validation uses that registry alone, so no
check ever reads another file or reaches the network.

A `$ref` that cannot be resolved (no such file, a pointer to nothing) and a
chain of `$ref`s (or `allOf`, `anyOf`, ...) that comes back to where it
started without reaching into the document, which would never end, are
pack errors too.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from engine.checks.subjects import Subject, finding
from engine.model.results import Finding
from engine.texts import BadText

if TYPE_CHECKING:
    from referencing import Registry, Resource
    from referencing._core import Resolver
    from referencing.typing import URI

#: Where the pack's folder sits among URIs: `$ref`s resolve against it as against
#: any base URI, and only URIs under it are served. No real file has this path.
PACK_FOLDER = "file:///rulepack-pack-folder/"
#: Schema errors reported per document.
MAX_SCHEMA_ERRORS = 10
#: Keywords whose schemas apply to the same value (a `$ref` loop through them never ends).
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")


class SchemaProblem(Exception):
    """Why a schema cannot be used: one line, for a pack problem or a rule `error`."""


@dataclass(frozen=True)
class PackSchema:
    """A schema ready to validate with: its contents and every file it reaches."""

    path: str  # as the pack names it
    contents: Mapping[str, Any] = field(hash=False, compare=False)
    registry: Registry[Any] = field(hash=False, compare=False)

    def findings(self, documents: Sequence[Subject]) -> list[Finding]:
        """Where each document breaks the schema (MAX_SCHEMA_ERRORS each);
        SchemaProblem when the schema cannot be applied."""
        from jsonschema import validators
        from referencing.exceptions import Unresolvable

        validator = validators.validator_for(self.contents)(self.contents, registry=self.registry)
        found: list[Finding] = []
        try:
            for doc in documents:
                errors = sorted(
                    validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))
                )
                for error in errors[:MAX_SCHEMA_ERRORS]:
                    where = ".".join(str(p) for p in error.absolute_path) or "(document)"
                    found.append(
                        finding(doc, f"{where}: {error.message}", field=where, value=error.instance)
                    )
                if len(errors) > MAX_SCHEMA_ERRORS:
                    more = len(errors) - MAX_SCHEMA_ERRORS
                    found.append(finding(doc, f"{more} more schema errors"))
        except Unresolvable as exc:  # the load resolved every $ref it could see; not this one
            raise SchemaProblem(f"schema {self.path!r}: {exc.ref!r} cannot be resolved") from None
        except RecursionError:
            raise SchemaProblem(f"schema {self.path!r}: nested too deeply to apply") from None
        return found


def load_pack_schema(relative: str, read: Callable[[str], str]) -> PackSchema:
    """The schema at `relative` (a path in the pack's folder) with the files its `$ref`s
    reach, read by `read` (a path relative to the pack's folder); SchemaProblem naming
    what is wrong."""
    from jsonschema import validators
    from jsonschema.exceptions import SchemaError
    from jsonschema_specifications import REGISTRY as META_SCHEMAS
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT3, DRAFT4, DRAFT202012, specification_with

    path = _folder_path(relative)
    if path is None:
        raise SchemaProblem(f"schema {relative!r} must be a file in the pack's folder")
    contents = _read_json(path, read, f"schema {relative!r}")
    if not isinstance(contents, dict):
        raise SchemaProblem(f"schema {relative!r} must be a JSON object")
    try:
        validators.validator_for(contents).check_schema(contents)
    except SchemaError as exc:
        raise SchemaProblem(
            f"schema {relative!r} is not a valid JSON Schema: {exc.message}"
        ) from None
    except RecursionError:
        raise SchemaProblem(f"schema {relative!r} is nested too deeply") from None
    dialect = contents.get("$schema")
    specification = specification_with(
        dialect if isinstance(dialect, str) else "", default=DRAFT202012
    )
    # The schema's own URI is its place in the pack's folder, so relative $refs
    # resolve there (a relative `$id` of its own is taken relative to that).
    id_key = "id" if specification in (DRAFT3, DRAFT4) else "$id"
    own_id = contents.get(id_key)
    root_uri = PACK_FOLDER + quote(path)
    contents = {**contents, id_key: urljoin(root_uri, own_id if isinstance(own_id, str) else "")}
    loaded: dict[str, Resource[Any]] = {root_uri: specification.create_resource(contents)}

    def retrieve(uri: URI) -> Resource[Any]:
        if uri in loaded:
            return loaded[uri]
        where = _folder_path(_pack_relative(uri)) if uri.startswith(PACK_FOLDER) else None
        if where is None:
            raise _Refused(_outside(uri))
        data = _read_json(where, read, where, _Refused)
        loaded[uri] = Resource.from_contents(data, default_specification=specification)
        return loaded[uri]

    # The dialects' own meta-schemas (shipped with jsonschema) resolve as jsonschema resolves them.
    own: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs alias
    registry = META_SCHEMAS.combine(own)
    nodes: list[_Node] = []
    walked: set[str] = set()
    while len(walked) < len(loaded):
        uri = next(u for u in loaded if u not in walked)
        walked.add(uri)
        registry = registry.with_resources(loaded.items())
        shown = relative if uri == root_uri else _pack_relative(uri)
        for node in _subschemas(loaded[uri], registry.resolver(base_uri=uri), shown):
            nodes.append(node)
            _check_refs(node, relative)  # may retrieve more files: walked in turn
    _check_loops(nodes, relative)
    return PackSchema(relative, contents, registry.with_resources(loaded.items()).crawl())


class _Refused(Exception):
    """The retrieve function's refusal; referencing passes it on as the cause."""


def _folder_path(relative: str) -> str | None:
    """`relative` as a normal path inside the pack's folder; None when it leaves it."""
    if not relative or "\0" in relative or relative.startswith("/"):
        return None
    path = posixpath.normpath(relative)
    return None if path == ".." or path.startswith("../") or path == "." else path


def _pack_relative(uri: str) -> str:
    return unquote(urlsplit(uri).path.removeprefix(urlsplit(PACK_FOLDER).path))


def _outside(uri: str) -> str:
    """Why `uri` (not in the pack's folder) is not read."""
    scheme = urlsplit(uri).scheme
    if scheme in ("http", "https"):
        return "URLs are not fetched; only files of the pack's folder are read"
    if uri.startswith("file:///") and not uri.startswith(PACK_FOLDER):
        return "it leaves the pack's folder; only files of the pack's folder are read"
    return (
        f"{scheme or 'such'} references are not followed; only files of the pack's folder are read"
    )


def _read_json(
    path: str, read: Callable[[str], str], shown: str, refused: type[Exception] = SchemaProblem
) -> Any:
    try:
        text = read(path)
    except UnicodeDecodeError:
        raise refused(f"{shown}: not a UTF-8 text file") from None
    except BadText as exc:  # too large, or not UTF-8 text
        raise refused(f"{shown} cannot be read: {exc.message}") from None
    except OSError as exc:
        raise refused(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise refused(f"{shown} is not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise refused(f"{shown} is nested too deeply") from None


@dataclass(frozen=True)
class _Node:
    """A subschema of a loaded file, with the resolver its `$ref`s resolve with."""

    contents: Any
    resolver: Resolver[Any]
    file: str  # the file it is in, as messages name it


def _subschemas(resource: Resource[Any], resolver: Resolver[Any], file: str) -> Iterator[_Node]:
    """Every subschema of a file (itself included); without recursion, however deep."""
    pending = [(resource, resolver)]
    while pending:
        current, outer = pending.pop()
        inner = outer.in_subresource(current)
        yield _Node(current.contents, inner, file)
        pending.extend((sub, inner) for sub in current.subresources())


def _check_refs(node: _Node, schema: str) -> None:
    """Resolve each `$ref` of one subschema; SchemaProblem naming the first that fails."""
    from referencing.exceptions import NoSuchAnchor, PointerToNowhere, Unresolvable

    contents, resolver, file = node.contents, node.resolver, node.file
    if not isinstance(contents, Mapping):
        return
    for key in _REFS:
        ref = contents.get(key)
        if not isinstance(ref, str):
            continue
        try:
            resolver.lookup(ref)
        except PointerToNowhere:
            why = "it points to nothing"
        except NoSuchAnchor:
            why = "no such anchor"
        except Unresolvable as exc:
            why = _refusal(exc) or "it cannot be resolved"
        else:
            continue
        where = "" if file == schema else f" (in {file})"
        raise SchemaProblem(f"schema {schema!r}: {key} {ref!r}{where}: {why}")


def _refusal(exc: BaseException) -> str | None:
    """The retrieve function's reason, which referencing keeps as a cause of a cause."""
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, _Refused):
        cause = cause.__cause__
    return str(cause) if cause is not None else None


def _check_loops(nodes: list[_Node], schema: str) -> None:
    """SchemaProblem when `$ref`s (through allOf, anyOf, not, ...) lead from a subschema
    back to itself without reaching into the document: validating would never end."""
    resolvers = {id(node.contents): node.resolver for node in nodes}
    files = {id(node.contents): node.file for node in nodes}
    state: dict[int, str] = {}  # id of a subschema -> "open" while below it, then "done"
    for node in nodes:
        if not isinstance(node.contents, Mapping) or id(node.contents) in state:
            continue
        state[id(node.contents)] = "open"
        stack = [(node.contents, _in_place(node.contents, node.resolver))]
        while stack:
            contents, edges = stack[-1]
            step = next(edges, None)
            if step is None:
                state[id(stack.pop()[0])] = "done"
                continue
            target, found_with, how = step
            seen = state.get(id(target))
            if seen == "open":
                file = files.get(id(contents), schema)
                where = "" if file == schema else f" (in {file})"
                raise SchemaProblem(
                    f"schema {schema!r}: {how}{where} leads back to itself without "
                    "reaching into the document (validating would never end)"
                )
            if seen is None:
                state[id(target)] = "open"
                resolver = resolvers.get(id(target), found_with)
                stack.append((target, _in_place(target, resolver)))


def _in_place(
    contents: Mapping[str, Any], resolver: Resolver[Any]
) -> Iterator[tuple[Mapping[str, Any], Resolver[Any], str]]:
    """The subschemas applied to the same value as `contents`: (schema, a resolver for
    it, how it is reached: `$ref '#'`, `allOf`)."""
    from referencing.exceptions import Unresolvable

    subschemas: list[tuple[Any, str]] = [(contents.get(k), k) for k in _IN_PLACE_ONE]
    for key in _IN_PLACE_MANY:
        items = contents.get(key)
        subschemas += [(item, key) for item in items] if isinstance(items, list) else []
    dependent = contents.get("dependentSchemas")
    if isinstance(dependent, Mapping):
        subschemas += [(item, "dependentSchemas") for item in dependent.values()]
    for sub, key in subschemas:
        if isinstance(sub, Mapping):
            yield sub, resolver, key
    for key in _REFS:
        ref = contents.get(key)
        if isinstance(ref, str):
            try:
                resolved = resolver.lookup(ref)
            except Unresolvable:  # reported by _check_refs
                continue
            if isinstance(resolved.contents, Mapping):
                yield resolved.contents, resolved.resolver, f"{key} {ref!r}"
