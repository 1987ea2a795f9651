"""Message templates: a failure written in plain language, filled from each finding.

A check (or a rule) may say how its findings read:

    message: "{{ label }} runs {{ value }} replica(s); production needs at least 2"

`{{ name }}` is filled, per finding, from the finding's *facts*: what the check
kind knows about the place it fell short (the file, the document's kind and
name, the field an assertion reads and its value, a program's exit code...).
Every kind offers `path`, `line` and `error` (the engine's own wording of the
finding); each kind adds its own (`FACTS` in its module). A pack parameter is
substituted at load time as everywhere else, except that a fact's name always
means the fact inside a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from engine.model.results import Finding, Outcome, summarize_findings

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: Facts every finding has, whatever its check kind.
COMMON_FACTS: tuple[str, ...] = ("path", "line", "error")


def placeholders(text: str) -> list[str]:
    """The names a template uses, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def fact_text(value: Any) -> str:
    """A value as a message shows it: text as it is, anything else as JSON, shortened."""
    import json

    if isinstance(value, str):
        text = value
    elif value is None:
        text = "null"
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    text = text.splitlines()[0] if text else ""
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class MessageTemplate:
    """A `message:` of a check or rule, with the facts it may name."""

    text: str

    def problem(self, facts: Iterable[str]) -> str | None:
        """Why the template names something no finding of its check has; None if fine."""
        known = (*COMMON_FACTS, *facts)
        unknown = [name for name in placeholders(self.text) if name not in known]
        if not unknown:
            return None
        return (
            f"message names {{{{ {unknown[0]} }}}}, which is not a fact of this check "
            f"(facts: {', '.join(dict.fromkeys(known))})"
        )

    def render(self, finding: Finding) -> Finding:
        """The finding reworded by the template; facts it lacks read as empty.

        The template replaces the engine's sentence (the first line). What a
        failed program printed, quoted below it, stays: a rustfmt diff is the
        finding's evidence, which no one-line fact can carry.
        """
        sentence, _, evidence = finding.message.partition("\n")
        facts: dict[str, str] = {
            "path": finding.path or "",
            "line": str(finding.line) if finding.line is not None else "",
            "error": sentence,
            **finding.facts,
        }
        text = " ".join(PLACEHOLDER.sub(lambda m: facts.get(m.group(1), ""), self.text).split())
        return replace(finding, message=f"{text}\n{evidence}" if evidence else text, worded=True)


def reword(outcome: Outcome, template: MessageTemplate | None) -> Outcome:
    """A failed outcome's findings in the template's words (findings already reworded by a
    more specific template keep theirs); the outcome's message sums up the new findings."""
    if template is None or outcome.status != "fail" or not outcome.findings:
        return outcome
    findings: Sequence[Finding] = [f if f.worded else template.render(f) for f in outcome.findings]
    return replace(outcome, message=summarize_findings(findings), findings=tuple(findings))


def facts_of(**values: Any) -> Mapping[str, str]:
    """Facts for a finding, each value as a message shows it; None values are left out."""
    return {name: fact_text(value) for name, value in values.items() if value is not None}
