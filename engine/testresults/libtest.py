"""libtest's JSON events: `cargo test -- -Z unstable-options --format json`, and
cargo-nextest's `--message-format libtest-json` (the same events, one test binary
after another).

One JSON object a line: `{"type": "suite", "event": "started", "test_count": 2}`,
`{"type": "test", "event": "ok" | "failed" | "ignored" | "timeout", "name": ...,
"exec_time": 0.01, "stdout": ...}`. A failed test's output (`stdout`, or
`message`) holds the panic: `thread 't' panicked at src/lib.rs:10:5:` then the
message, which is where its file, line and message come from. nextest names a
test `crate::binary$path::to::test`; the part before `$` is its class.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.testresults import Outcome, ReportError, TestCase, first_line

_EVENTS: dict[str, Outcome] = {
    "ok": "passed",
    "failed": "failed",
    "timeout": "failed",
    "ignored": "skipped",
}
_PANIC = re.compile(r"panicked at (?P<file>[^\s:]+):(?P<line>\d+):\d+:?\s*(?P<message>.*)")


def read(data: bytes) -> tuple[TestCase, ...]:
    """The test cases of a libtest or nextest JSON event stream."""
    cases: list[TestCase] = []
    seen_suite = False
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        event = _event(line, number)
        kind = event.get("type")
        if kind == "suite":
            seen_suite = True
        elif kind == "test":
            found = _case(event)
            if found is not None:
                cases.append(found)
        elif kind not in ("bench", "report"):
            raise ReportError(
                "not a test report this engine reads: JSON that is not libtest or nextest "
                f"events (a line whose type is {kind!r})",
                number,
                1,
            )
    if not seen_suite and not cases:
        raise ReportError("not a test report: JSON without libtest or nextest events", 1, 1)
    return tuple(cases)


def _event(line: str, number: int) -> dict[str, Any]:
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReportError(f"not valid JSON: {exc.msg}", number, exc.colno) from None
    if not isinstance(event, dict):
        raise ReportError(
            "not a test report: libtest and nextest write one JSON object a line", number, 1
        )
    return event


def panic_message(output: str) -> str:
    """The message of the first panic in a test's output; '' when it holds none."""
    panic = _PANIC.search(output)
    return panic.group("message").strip() if panic else ""


def _case(event: dict[str, Any]) -> TestCase | None:
    outcome = _EVENTS.get(str(event.get("event")))
    if outcome is None:  # `started`: the result follows
        return None
    full = str(event.get("name", ""))
    classname, _, name = full.rpartition("$")
    output = str(event.get("stdout") or event.get("message") or "")
    panic = _PANIC.search(output) if outcome == "failed" else None  # --show-output: any test
    message = ""
    if outcome == "failed":
        message = panic_message(output) or first_line(output)
        if event.get("event") == "timeout":
            message = message or "timed out"
    seconds = event.get("exec_time")
    return TestCase(
        name=name,
        classname=classname,
        outcome=outcome,
        seconds=float(seconds) if isinstance(seconds, int | float) else None,
        message=message or ("failed" if outcome == "failed" else ""),
        file=panic.group("file") if panic else None,
        line=int(panic.group("line")) if panic else None,
    )
