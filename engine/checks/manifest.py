"""`manifest`: parse files and assert on their documents with JMESPath.

    manifest:
      files: ["deploy/**/*.yaml"]
      where: "kind == 'Deployment'"          # which documents are checked
      each: "spec.template.spec.containers[]" # optional: check elements instead
      assert: "resources.limits.memory"       # truthy = pass, per subject
      assert_all: "length([?kind=='PodDisruptionBudget']) > `0`"  # once, on all documents
      expect: all | any | none
      on_empty: skip | pass | fail
      on_parse_error: error | skip
      schema: deployment.schema.json

"No file matched" always skips the rule; `on_empty` decides what happens when
files matched but no document (or element) was selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.checks.subjects import Subject, element_label, field_facts, finding, label_of, pinpoint
from engine.context import EvaluationContext
from engine.expressions import Expression, ExpressionError, truthy
from engine.formats import FORMATS, ParseError, format_for
from engine.model.documents import KeyPath
from engine.model.messages import facts_of
from engine.model.packs import Check, Effect, FileSet
from engine.model.results import (
    Finding,
    Note,
    Outcome,
    errored,
    failed,
    failed_with,
    passed,
    skipped,
)
from engine.texts import DEFAULT_MAX_BYTES, MAX_BYTES_CAP

if TYPE_CHECKING:  # `schema:` checks only: jsonschema's referencing is loaded with them
    from engine.checks.manifest_schema import PackSchema

#: Findings of a rule pointed at their field's line; the rest keep the document's
#: first line (finding a line means parsing the file again, with positions).
MAX_PINPOINTED = 200


@dataclass(frozen=True)
class ManifestCheck(Check):
    kind: ClassVar[str] = "manifest"
    files: FileSet
    format: str | None = None  # None: by file name
    where: Expression | None = None
    each: Expression | None = None
    assertion: Expression | None = None
    assert_all: Expression | None = None
    expect: Literal["all", "any", "none"] = "all"
    on_empty: Literal["skip", "pass", "fail"] = "skip"
    on_parse_error: Literal["error", "skip"] = "error"
    schema: PackSchema | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def effects(self) -> frozenset[Effect]:
        return frozenset({"parses-files"})

    @property
    def can_skip(self) -> bool:
        return True  # no file matches, or (on_empty: skip) no document is selected

    def named_files(self) -> tuple[str, ...]:
        return self.files.named_paths()


def parse(raw: Any, path: KeyPath, reader: PackReader) -> ManifestCheck:
    raw = raw if isinstance(raw, Mapping) else {}
    files = reader.fileset(
        raw.get("files", []), raw.get("exclude"), (*path, "files"), (*path, "exclude")
    )
    if not any(key in raw for key in ("assert", "assert_all", "schema")):
        reader.problem(path, "a manifest check needs at least one of assert, assert_all, schema")
    format_name = raw.get("format")
    if format_name is not None and format_name not in FORMATS:
        reader.problem(
            (*path, "format"), f"unknown format {format_name!r} (one of: {', '.join(FORMATS)})"
        )

    def expression(key: str) -> Expression | None:
        return reader.expression(raw[key], (*path, key)) if key in raw else None

    schema = None
    if "schema" in raw:
        schema = _load_schema(str(raw["schema"]), (*path, "schema"), reader)
    return ManifestCheck(
        files=files,
        format=format_name,
        where=expression("where"),
        each=expression("each"),
        assertion=expression("assert"),
        assert_all=expression("assert_all"),
        expect=raw.get("expect", "all"),
        on_empty=raw.get("on_empty", "skip"),
        on_parse_error=raw.get("on_parse_error", "error"),
        schema=schema,
        max_bytes=int(reader.number(raw, "max_bytes", path, DEFAULT_MAX_BYTES, MAX_BYTES_CAP)),
    )


def _load_schema(relative: str, path: KeyPath, reader: PackReader) -> PackSchema | None:
    if reader.read_sibling is None:
        reader.problem(path, "schema files can only be used by packs read from a file")
        return None
    from engine.checks.manifest_schema import SchemaProblem, load_pack_schema

    try:
        return load_pack_schema(relative, reader.read_sibling)
    except SchemaProblem as exc:
        reader.problem(path, str(exc))
        return None


@dataclass(frozen=True)
class _Loaded:
    """Every document of a file set, read once per run and shared by its rules."""

    documents: tuple[Subject, ...]
    errors: tuple[tuple[str, ParseError], ...]
    notes: tuple[Note, ...]


def _load(check: ManifestCheck, context: EvaluationContext, paths: tuple[str, ...]) -> _Loaded:
    documents: list[Subject] = []
    errors: list[tuple[str, ParseError]] = []
    notes: list[Note] = []
    formats = [(path, check.format or format_for(path)) for path in paths]
    context.prefetch(formats, check.max_bytes)
    for path, format_name in formats:
        parsed = context.documents(path, format_name, check.max_bytes)
        if parsed.note is not None:
            notes.append(parsed.note)
        if parsed.error is not None:
            errors.append((path, parsed.error))
            continue
        documents.extend(
            Subject(path, doc.index, doc.line, label_of(doc.data), doc.data, format_name)
            for doc in parsed.documents
        )
    return _Loaded(tuple(documents), tuple(errors), tuple(notes))


def evaluate(check: ManifestCheck, context: EvaluationContext) -> Outcome:
    paths = context.select(check.files)
    notes: list[Note] = context.unreadable_notes(check.files)
    if not paths:
        return skipped(context.no_file_matches(check.files), notes)
    key = ("manifest", check.files, check.format, check.max_bytes)
    loaded = context.memo(key, lambda: _load(check, context, paths))
    notes.extend(loaded.notes)
    broken: list[Finding] = []
    for path, error in loaded.errors:
        if check.on_parse_error == "skip":
            where = f"line {error.line}: " if error.line else ""
            notes.append(Note(path, f"skipped, does not parse: {where}{error.message}"))
        else:
            broken.append(Finding(f"does not parse: {error.message}", path, error.line))
    if broken:
        first = broken[0]
        return errored(f"{first.path}:{first.line or '?'}: {first.message}", broken, notes)
    try:
        documents = loaded.documents
        if check.where is not None:
            selector = check.where
            documents = context.memo(
                (*key, "where", selector.text),
                lambda: tuple(d for d in loaded.documents if truthy(_search(selector, d))),
            )
        return _judge(check, context, documents, notes)
    except _DocumentError as exc:
        return errored(exc.finding.message, [exc.finding], notes)


class _DocumentError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _search(expression: Expression, subject: Subject) -> Any:
    try:
        return expression.search(subject.data)
    except ExpressionError as exc:
        where = f"{subject.path} document {subject.document}"
        raise _DocumentError(
            Finding(f"{where}: {exc}", subject.path, subject.line, subject.document)
        ) from None


def _judge(
    check: ManifestCheck,
    context: EvaluationContext,
    documents: tuple[Subject, ...],
    notes: list[Note],
) -> Outcome:
    """Judge the documents `where` selected (all of them when there is no `where`)."""
    subjects: Sequence[Subject] = documents
    if check.each is not None:
        elements: list[Subject] = []
        for doc in documents:
            items = _search(check.each, doc)
            if not isinstance(items, list):
                items = [] if items is None else [items]
            elements.extend(  # built directly: `replace` costs several times more
                Subject(
                    path=doc.path,
                    document=doc.document,
                    line=doc.line,
                    label=doc.label + element_label(item, i),
                    data=item,
                    format=doc.format,
                    element=i,
                    root=doc.data,
                )
                for i, item in enumerate(items)
            )
        subjects = elements
    if not subjects and check.assert_all is None:
        return _on_empty(check, notes)
    findings: list[Finding] = []
    if check.assertion is not None and subjects:
        focus = check.assertion.focus()
        for n, (subject, finding) in enumerate(_assert_each(check, check.assertion, subjects)):
            if n < MAX_PINPOINTED:
                finding = replace(finding, line=pinpoint(context, check.each, subject, focus))
            findings.append(finding)
    if check.schema is not None:
        from engine.checks.manifest_schema import SchemaProblem

        try:
            findings.extend(check.schema.findings(documents))
        except SchemaProblem as exc:
            return errored(str(exc), (), notes)
    if check.assert_all is not None:
        everything = [d.data for d in documents]
        try:
            result = check.assert_all.search(everything)
        except ExpressionError as exc:
            return errored(f"assert_all: {exc}", (), notes)
        if not truthy(result):
            findings.append(
                Finding(
                    f"across {len(everything)} document(s): {check.assert_all.explain(everything)}",
                    facts=facts_of(count=len(everything)),
                )
            )
    if findings:
        return failed_with(findings, notes)
    return passed(f"{len(subjects)} checked", notes)


def _on_empty(check: ManifestCheck, notes: list[Note]) -> Outcome:
    message = "no document selected" + (" (where: " + check.where.text + ")" if check.where else "")
    if check.on_empty == "pass":
        return passed(message, notes)
    if check.on_empty == "fail":
        return failed(message, [Finding(message, facts=facts_of(count=0))], notes)
    return skipped(message, notes)


def _assert_each(
    check: ManifestCheck, assertion: Expression, subjects: Sequence[Subject]
) -> list[tuple[Subject | None, Finding]]:
    verdicts = [(s, truthy(_search(assertion, s))) for s in subjects]
    focus = assertion.focus()
    if check.expect == "all":
        return [
            (s, finding(s, assertion.explain(s.data), **field_facts(s, focus)))
            for s, ok in verdicts
            if not ok
        ]
    if check.expect == "none":
        return [
            (s, finding(s, f"`{assertion.text}` holds", **field_facts(s, focus)))
            for s, ok in verdicts
            if ok
        ]
    if any(ok for _, ok in verdicts):
        return []
    message = f"none of {len(subjects)} subject(s) satisfies `{assertion.text}`"
    return [(None, Finding(message, facts=facts_of(count=len(subjects))))]


#: kind, name, namespace: the Kubernetes-style identity of the document; label: how
#: findings name it (`Deployment/api[web]`, else the file); document: its index;
#: element: with `each`, the element's name or index; field and value: what the
#: assertion reads (`spec.replicas`, 1) or where a schema error is; count: how
#: many documents `assert_all` or `expect: any` judged.
FACTS = ("kind", "name", "namespace", "label", "document", "element", "field", "value", "count")
KIND = CheckKind(ManifestCheck, parse, evaluate, FACTS)
