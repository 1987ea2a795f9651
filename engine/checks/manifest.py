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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.checks.subjects import Subject, element_label, field_facts, finding, label_of, pinpoint
from engine.context import EvaluationContext, ParsedFile
from engine.expressions import Expression, ExpressionError, truthy
from engine.formats import FORMATS, ParseError, format_for
from engine.kept_errors import raised_again, without_frames
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
    """`manifest`: JMESPath assertions over the documents of parsed files."""

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
class _Part:
    """What some files give a manifest check, before they are put together: all of
    a run's files at once, or one file (see `_parts`)."""

    notes: tuple[Note, ...] = ()  # texts not valid UTF-8, files not read (too big, binary)
    broken: tuple[tuple[str, ParseError], ...] = ()  # files that do not parse
    documents: tuple[Subject, ...] = ()  # the documents `where` selected
    subjects: int = 0  # how many were judged: those documents, or their `each` elements
    holds: bool = False  # some subject satisfies the assertion (for `expect: any`)
    failures: tuple[tuple[Subject, Finding], ...] = ()  # with `expect` all or none
    # An expression that cannot be evaluated here: the step it failed in (0 `where`,
    # 1 `each`, 2 `assert`, 3 making the findings, each done for every file before the
    # next) and its finding, or what else it raised (a fault of rulepack's, raised again
    # where it came first).
    problem: tuple[int, Finding | Exception] | None = None
    # The failures' findings pointed at their field's line, as far as worked out (one
    # tuple, replaced whole, so that threads sharing the part never see half of one):
    # a part kept across evaluations works them out once.
    _pinned: list[tuple[Finding, ...]] = field(
        default_factory=lambda: [()], compare=False, repr=False
    )

    def __reduce_ex__(self, protocol: Any) -> Any:
        # `_NOTHING` read back from a table kept between runs is `_NOTHING` again
        # (`_parts` leaves it out by identity)
        return "_NOTHING" if self is _NOTHING else super().__reduce_ex__(protocol)

    @property
    def settled(self) -> bool:
        """Whether the part is plain data that may be kept between runs: not when an
        expression raised something other than its error."""
        return self.problem is None or not isinstance(self.problem[1], Exception)

    def without_documents(self) -> _Part:
        """The part without the documents it judged, for a check that reads them only to
        judge them: what its outcome and findings' lines need, with the same `_pinned`
        (a line pinned later is pinned in both)."""
        if not (self.documents or self.failures):
            return self
        failures = tuple(
            (replace(subject, data=None, root=None), found) for subject, found in self.failures
        )
        # built directly: `replace` costs several times more, once per file of a large run
        return _Part(
            self.notes,
            self.broken,
            (),
            self.subjects,
            self.holds,
            failures,
            self.problem,
            self._pinned,
        )

    def pinpointed(
        self,
        context: EvaluationContext,
        each: Expression | None,
        focus: Sequence[str],
        count: int,
    ) -> list[Finding]:
        """The failures' findings, the first `count` pointed at their field's line (the
        rest keep the document's first line)."""
        pinned = self._pinned[0]
        if len(pinned) < count:
            todo = self.failures[len(pinned) : count]
            pinned += tuple(
                replace(found, line=pinpoint(context, each, subject, focus))
                for subject, found in todo
            )
            # Kept for the evaluations sharing the part only when the lines came from the
            # file's bytes (not when its text could not be read, or was found edited).
            paths = [subject.path for subject, _ in todo if subject is not None]
            ids = context.content_ids(paths)  # as listed: a shared part's were asked before
            if all(
                context.read_as_listed(path, found)
                for path, found in zip(paths, ids, strict=True)
                if found is not None
            ):
                self._pinned[0] = pinned
        return [*pinned[:count], *(found for _, found in self.failures[count:])]


_NOTHING = _Part()
_NO_FAILURES: tuple[tuple[Subject, Finding], ...] = ()

Chosen = tuple[Subject, ...] | Exception  # what `where` chose in a file, or its error
Loaded = tuple[ParsedFile, tuple[Subject, ...]]  # a file parsed, and its documents


def evaluate(check: ManifestCheck, context: EvaluationContext) -> Outcome:
    paths = context.select(check.files)
    notes: list[Note] = context.unreadable_notes(check.files)
    if not paths:
        return skipped(context.no_file_matches(check.files), notes)
    formats = context.of_listing(
        ("manifest formats", check.files, check.format),
        lambda: tuple((path, check.format or format_for(path)) for path in paths),
    )
    return _combined(check, context, _parts(check, context, formats), notes)


def _parts(
    check: ManifestCheck, context: EvaluationContext, formats: Sequence[tuple[str, str]]
) -> list[_Part]:
    """The parts the check's files give, in order.

    In one evaluation that is one part for all the files. When the run shares
    its parse cache with other evaluations (a history's commits, `policy
    diff`'s two snapshots), it is one part per file, kept by the file's path
    and content: a file judged by an earlier evaluation is looked up instead of
    being judged again.
    """
    focus = check.assertion.focus() if check.assertion is not None else []
    # Parts whose documents nothing reads again (no `schema`, no `assert_all`) are small
    # once their documents are dropped: kept between runs too, from the second run over
    # a repository on (engine/kept_parts.py).
    lasting = check.schema is None and check.assert_all is None and context.parts_kept_before()
    shelf = context.file_parts(_part_key(check), [path for path, _ in formats], lasting)
    if shelf is None:
        key = (check.files, check.format, check.max_bytes)
        files = context.memo(
            ("manifest files", *key), lambda: _Files.load(context, formats, check.max_bytes)
        )
        if files.broken and check.on_parse_error == "error":
            return [_Part(files.notes, files.broken)]  # errors: nothing else is judged
        chosen: Chosen = files.documents
        if check.where is not None:
            where = check.where
            chosen = context.memo(  # the rules selecting with the same `where` share it
                ("manifest where", *key, where.text), lambda: _select(where, files.documents)
            )
        return [_part_of(check, focus, files.notes, files.broken, chosen)]
    parts: list[_Part | None] = shelf.kept()
    todo = [i for i, part in enumerate(parts) if part is None]
    if todo:
        tables = context.memo(("manifest tables", check.max_bytes), _Tables)
        files_todo = [formats[i] for i in todo]
        loaded = tables.load(context, files_todo, check.max_bytes)
        if check.where is not None:
            every = tables.select(check.where, files_todo, loaded)
        else:
            every = [documents for _, documents in loaded]
        made: list[tuple[int, _Part]] = []
        for i, (parsed, _), chosen in zip(todo, loaded, every, strict=True):
            if chosen or parsed.note is not None or parsed.error is not None:
                part = _file_part(check, focus, formats[i][0], parsed, chosen)
            else:  # most files of a large repository: nothing `where` selects
                part = _NOTHING
            parts[i] = part
            made.append((i, part))
        if lasting:
            shelf.keep((i, part.without_documents(), part.settled) for i, part in made)
        else:
            shelf.keep((i, part, True) for i, part in made)
    return [part for part in parts if part is not None and part is not _NOTHING]


def _part_key(check: ManifestCheck) -> tuple[Any, ...]:
    """Everything of the check a one-file `_Part` depends on, besides the file's path
    and bytes (its format is the check's, or follows from its path)."""
    texts = (e.text if e is not None else None for e in (check.where, check.each, check.assertion))
    return ("manifest", check.format, *texts, check.expect, check.max_bytes)


@dataclass(frozen=True)
class _Files:
    """A run's files of one file set, parsed: their notes, those that do not parse,
    and the documents of the others, in order."""

    notes: tuple[Note, ...]
    broken: tuple[tuple[str, ParseError], ...]
    documents: tuple[Subject, ...]

    @classmethod
    def load(
        cls, context: EvaluationContext, formats: Sequence[tuple[str, str]], max_bytes: int
    ) -> _Files:
        """The files parsed (in one batch, on several cores when it pays)."""
        notes: list[Note] = []
        broken: list[tuple[str, ParseError]] = []
        documents: list[Subject] = []
        context.prefetch(formats, max_bytes)
        for path, fmt in formats:
            parsed = context.documents(path, fmt, max_bytes)
            if parsed.note is not None:
                notes.append(parsed.note)
            if parsed.error is not None:
                broken.append((path, parsed.error))
                continue
            documents.extend(_subjects(path, fmt, parsed))
        return cls(tuple(notes), tuple(broken), tuple(documents))


class _Tables:
    """One run's documents of each file and what each `where` selected of them, for
    parts made file by file, shared by the rules that read the same files."""

    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], Loaded] = {}
        self.selected: dict[str, dict[tuple[str, str], Chosen]] = {}

    def load(
        self, context: EvaluationContext, files: Sequence[tuple[str, str]], max_bytes: int
    ) -> list[Loaded]:
        """Each file parsed, with its documents; those not read yet are parsed in one
        batch (on several cores when it pays)."""
        known = self.documents
        missing = [item for item in files if item not in known]
        if missing:
            context.prefetch(missing, max_bytes)
            for path, fmt in missing:
                parsed = context.documents(path, fmt, max_bytes)
                known[path, fmt] = parsed, tuple(_subjects(path, fmt, parsed))
        return [known[item] for item in files]

    def select(
        self, where: Expression, files: Sequence[tuple[str, str]], loaded: Sequence[Loaded]
    ) -> list[Chosen]:
        """What `where` chose in each file."""
        table = self.selected.setdefault(where.text, {})
        chosen: list[Chosen] = []
        for item, (_, documents) in zip(files, loaded, strict=True):
            found = table.get(item)
            if found is None:
                found = table[item] = _select(where, documents)
            chosen.append(found)
        return chosen


def _subjects(path: str, fmt: str, parsed: ParsedFile) -> Iterator[Subject]:
    """The documents of a parsed file, as assertions judge them."""
    for doc in parsed.documents:
        yield Subject(path, doc.index, doc.line, label_of(doc.data), doc.data, fmt)


def _select(where: Expression, documents: Sequence[Subject]) -> Chosen:
    """The documents `where` selects, or what it raised on the first it could not be
    evaluated on."""
    try:
        return tuple(d for d in documents if truthy(_search(where, d)))
    except Exception as exc:  # kept, to be raised again only if it comes first (`_combined`)
        return exc


def _file_part(
    check: ManifestCheck, focus: Sequence[str], path: str, parsed: ParsedFile, chosen: Chosen
) -> _Part:
    """The part one file gives."""
    notes = (parsed.note,) if parsed.note else ()
    if parsed.error is not None:
        return _Part(notes, ((path, parsed.error),))
    if not notes and not isinstance(chosen, Exception) and not chosen:
        return _NOTHING
    return _part_of(check, focus, notes, (), chosen)


def _part_of(
    check: ManifestCheck,
    focus: Sequence[str],
    notes: tuple[Note, ...],
    broken: tuple[tuple[str, ParseError], ...],
    chosen: Chosen,
) -> _Part:
    """The part of files with these notes and broken files, whose documents `where`
    chose (or raised an error on), judged (`focus`: the fields the assertion reads)."""
    if isinstance(chosen, Exception):
        return _Part(notes, broken, problem=(0, _found(chosen)))
    documents = chosen
    step = 1
    try:
        subjects = _elements(check.each, documents) if check.each is not None else documents
        holds, failures = False, _NO_FAILURES
        if check.assertion is not None and subjects:
            step = 2
            verdicts = [(s, truthy(_search(check.assertion, s))) for s in subjects]
            step = 3  # findings are made once the assertion was evaluated on every subject
            holds, failures = _assert_each(check, check.assertion, focus, verdicts)
    except Exception as exc:  # kept, to be raised again only if it comes first (`_combined`)
        return _Part(notes, broken, problem=(step, _found(exc)))
    return _Part(notes, broken, documents, len(subjects), holds, failures)


def _found(exc: Exception) -> Finding | Exception:
    """An expression's error as its finding; anything else as it was raised, without
    the frames it was raised in (a part may be kept for a whole history)."""
    if isinstance(exc, _DocumentError):
        return exc.finding
    return without_frames(exc)


def _elements(each: Expression, documents: Sequence[Subject]) -> tuple[Subject, ...]:
    elements: list[Subject] = []
    for doc in documents:
        items = _search(each, doc)
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
    return tuple(elements)


def _assert_each(
    check: ManifestCheck,
    assertion: Expression,
    focus: Sequence[str],
    verdicts: Sequence[tuple[Subject, bool]],
) -> tuple[bool, tuple[tuple[Subject, Finding], ...]]:
    """Whether some subject satisfies the assertion (its verdict on each), and the
    findings `expect` all or none makes of them."""
    if check.expect == "all":
        failing = [s for s, ok in verdicts if not ok]
        explain = assertion.explain
        return len(failing) < len(verdicts), tuple(
            (s, finding(s, explain(s.data), **field_facts(s, focus))) for s in failing
        )
    if check.expect == "none":
        message = f"`{assertion.text}` holds"
        holding = [s for s, ok in verdicts if ok]
        return bool(holding), tuple(
            (s, finding(s, message, **field_facts(s, focus))) for s in holding
        )
    return any(ok for _, ok in verdicts), ()


def _combined(
    check: ManifestCheck, context: EvaluationContext, parts: Sequence[_Part], notes: list[Note]
) -> Outcome:
    """The check's outcome from its files' parts, as if it had judged all their
    documents at once: each step over every file before the next step."""
    for part in parts:
        notes.extend(part.notes)
    broken: list[Finding] = []
    for path, error in (found for part in parts for found in part.broken):
        if check.on_parse_error == "skip":
            where = f"line {error.line}: " if error.line else ""
            notes.append(Note(path, f"skipped, does not parse: {where}{error.message}"))
        else:
            broken.append(Finding(f"does not parse: {error.message}", path, error.line))
    if broken:
        first = broken[0]
        return errored(f"{first.path}:{first.line or '?'}: {first.message}", broken, notes)
    problems = [part.problem for part in parts if part.problem is not None]
    if problems:
        _, problem = min(problems, key=lambda found: found[0])  # the first of the first step
        if isinstance(problem, Exception):
            raise raised_again(problem)
        return errored(problem.message, [problem], notes)
    subjects = sum(part.subjects for part in parts)
    if not subjects and check.assert_all is None:
        return _on_empty(check, notes)
    findings: list[Finding] = []
    if check.assertion is not None and subjects:
        focus = check.assertion.focus()
        if check.expect == "any":
            if not any(part.holds for part in parts):
                message = f"none of {subjects} subject(s) satisfies `{check.assertion.text}`"
                findings.append(Finding(message, facts=facts_of(count=subjects)))
        else:
            for part in parts:
                if part.failures:  # most parts of a history's commits have none
                    pinned = max(0, min(len(part.failures), MAX_PINPOINTED - len(findings)))
                    findings.extend(part.pinpointed(context, check.each, focus, pinned))
    documents = (
        [d for part in parts for d in part.documents] if check.schema or check.assert_all else []
    )
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
    return passed(f"{subjects} checked", notes)


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


def _on_empty(check: ManifestCheck, notes: list[Note]) -> Outcome:
    message = "no document selected" + (" (where: " + check.where.text + ")" if check.where else "")
    if check.on_empty == "pass":
        return passed(message, notes)
    if check.on_empty == "fail":
        return failed(message, [Finding(message, facts=facts_of(count=0))], notes)
    return skipped(message, notes)


#: kind, name, namespace: the Kubernetes-style identity of the document; label: how
#: findings name it (`Deployment/api[web]`, else the file); document: its index;
#: element: with `each`, the element's name or index; field and value: what the
#: assertion reads (`spec.replicas`, 1) or where a schema error is; count: how
#: many documents `assert_all` or `expect: any` judged.
FACTS = ("kind", "name", "namespace", "label", "document", "element", "field", "value", "count")
KIND = CheckKind(ManifestCheck, parse, evaluate, FACTS)
