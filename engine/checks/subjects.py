"""What a manifest check judges: documents, or their elements with `each`, and how a
finding names one (`Deployment/api[web]`), what a `message:` may say of it, and the
line it points at."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.context import EvaluationContext
from engine.errors import YamlError
from engine.expressions import Expression, ExpressionError
from engine.model.messages import facts_of
from engine.model.results import Finding

if TYPE_CHECKING:  # the YAML reader is imported only when a finding wants its line
    from engine.yaml_located import LinedDocument


@dataclass(frozen=True)
class Subject:
    """A document, or one element of it with `each`, that an assertion judges."""

    path: str
    document: int
    line: int
    label: str
    data: Any
    format: str = ""
    element: int | None = None  # with `each`: the element's index in what `each` returned
    root: Any = None  # with `each`: the document the element belongs to


def label_of(data: Any) -> str:
    """How a finding names a document: `Deployment/api` for Kubernetes objects."""
    if isinstance(data, Mapping):
        kind = data.get("kind")
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        if isinstance(kind, str) and isinstance(name, str):
            return f"{kind}/{name}"
        if isinstance(kind, str):
            return kind
    return ""


def element_label(data: Any, index: int) -> str:
    """How a finding names an element of `each`: `[web]` by its name, else `[2]`."""
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        return f"[{data['name']}]"
    return f"[{index}]"


def finding(subject: Subject, message: str, **extra: Any) -> Finding:
    """A finding about `subject`, named by its label, with its facts (and `extra` ones)."""
    prefix = f"{subject.label}: " if subject.label else ""
    return Finding(
        prefix + message,
        subject.path,
        subject.line,
        subject.document,
        facts=subject_facts(subject, extra),
    )


def subject_facts(subject: Subject, extra: Mapping[str, Any]) -> Mapping[str, str]:
    """What a `message:` can say about a subject: the document's kind, name and namespace,
    its label, the element (with `each`), and what the check adds (field, value, ...)."""
    document = subject.root if subject.element is not None else subject.data
    metadata = document.get("metadata") if isinstance(document, Mapping) else None
    metadata = metadata if isinstance(metadata, Mapping) else {}
    kind = document.get("kind") if isinstance(document, Mapping) else None
    element = None
    if subject.element is not None:
        data = subject.data
        name = data.get("name") if isinstance(data, Mapping) else None
        element = name if isinstance(name, str) else subject.element
    return facts_of(
        kind=kind if isinstance(kind, str) else None,
        name=metadata.get("name") if isinstance(metadata.get("name"), str) else None,
        namespace=(
            metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else None
        ),
        label=subject.label or subject.path,
        document=subject.document,
        element=element,
        **extra,
    )


def field_facts(subject: Subject, focus: Sequence[str]) -> dict[str, Any]:
    """`field` (the path an assertion reads) and its `value` in the subject."""
    if not focus:
        return {}
    value = subject.data
    for key in focus:
        value = value.get(key) if isinstance(value, Mapping) else None
    return {"field": ".".join(focus), "value": "missing" if value is None else value}


def pinpoint(
    context: EvaluationContext,
    each: Expression | None,
    subject: Subject | None,
    focus: Sequence[str],
) -> int | None:
    """The line a finding is about: the failing element, then the field the assertion
    reads, as deep as it exists; the document's first line when nothing closer is known.

    Lines come from building the file again with positions, which is done only for
    files with findings (YAML only; other formats keep the document's line).
    """
    if subject is None:
        return None
    if subject.format != "yaml":
        return subject.line
    path = subject.path
    lined = context.from_content(path, "lined", lambda: _lined(context, path))
    document = lined.get(subject.document)
    if document is None:
        return subject.line
    node, line = document.data, subject.line
    if subject.element is not None and each is not None:
        try:
            items = each.search(node)
        except ExpressionError:
            return line
        items = items if isinstance(items, list) else [items]
        if subject.element >= len(items):
            return line
        node = items[subject.element]
        line = document.line(node) or line
    for key in focus:
        # An element `each` builds ({name: alert, ...}) is not a node of the
        # file: it has no lines, so the finding keeps the closest one known.
        key_line = document.key_line(node, key) if isinstance(node, dict) else None
        if key_line is None:
            break
        line = key_line
        node = node[key]
    return line


def _lined(context: EvaluationContext, path: str) -> dict[int, LinedDocument]:
    text = context.text(path).text
    try:
        from engine.yaml_located import load_lined_documents  # only for findings

        return load_lined_documents(text) if text is not None else {}
    except YamlError:
        return {}
