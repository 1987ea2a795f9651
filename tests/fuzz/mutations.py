"""Hypothesis strategies that break a YAML document a little: its data, then its text.

`mutated_data` deletes, replaces, duplicates and retypes nodes of the parsed
document and puts odd values in (NUL and escape characters, huge strings, deep
nesting, numbers out of range); `mutated_text` then breaks the YAML itself
(bytes inserted or cut, indentation, another encoding).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import strategies as st

Path = tuple[Any, ...]

ODD_STRINGS = (
    "",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://example.invalid\x07link",
    "\u202e\u2066",
    "\ufeff",
    "\x85",
    "é" * 3,
    "{{ missing }}",
    "{{ min_replicas }}",
    "{{",
    "..",
    "/etc/passwd",
    "../../outside",
    "x" * 100_000,
    "a b: c",
    "- x",
    "*",
    "**/*",
    "(a+)+$",
    "[",
    "!" * 3000,
    "(" * 3000,
    "`" + "1" * 500_000 + "`",
    "1e30",
    ".nan",
)
ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.sampled_from([None, True, False, 0, -1, 2**63, 1e30, float("inf"), float("nan"), [], {}]),
    st.integers(),
    st.text(max_size=8),
    st.integers(1, 150).map(lambda n: _nested(n)),
    st.integers(1, 40).map(lambda n: {"all": [_nested_check(n)]}),
)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _nested_check(depth: int) -> Any:
    check: Any = {"file": {"exists": "x"}}
    for i in range(depth):
        check = {"not": check} if i % 2 else {"all": [check]}
    return check


def nodes(data: Any, path: Path = ()) -> Iterator[Path]:
    """Every path to a node of `data` (the root too)."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from nodes(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from nodes(value, (*path, i))


def _get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _retyped(value: Any) -> Any:
    if isinstance(value, dict):
        return [[k, v] for k, v in value.items()]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, str):
        return [value]
    return str(value)


@st.composite
def mutated_data(draw: st.DrawFn, document: Any, max_mutations: int = 3) -> Any:
    """`document` (not changed) with a few of its nodes deleted, replaced, duplicated,
    retyped or given odd values."""
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = list(nodes(data))
        path = draw(st.sampled_from(paths))
        operation = draw(st.sampled_from(["delete", "replace", "duplicate", "retype", "odd"]))
        if not path:  # the root itself
            data = draw(ODD_VALUES) if operation in ("replace", "odd") else _retyped(data)
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        value = parent[key]
        if operation == "delete":
            del parent[key]
        elif operation == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(value))
            else:
                parent[f"{key}_{draw(st.sampled_from(['copy', '']))}"] = copy.deepcopy(value)
        elif operation == "retype":
            parent[key] = _retyped(value)
        elif operation == "odd" and isinstance(value, str):
            at = draw(st.integers(0, len(value)))
            parent[key] = value[:at] + draw(st.sampled_from(ODD_STRINGS)) + value[at:]
        else:
            parent[key] = draw(ODD_VALUES)
    return data


def dump(data: Any) -> str:
    """YAML text of `data`, as a person might write it (unicode kept, keys in order)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


#: Bytes that break YAML (or a decoder) when put in at a random place.
BREAKERS = (
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\t",
    b":",
    b": ",
    b"- ",
    b"\n  ",
    b"\n- ",
    b"{",
    b"[",
    b"'",
    b'"',
    b"&anchor ",
    b"*anchor",
    b"*undefined",
    b"<<: *x\n",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!binary ",
    b"? ",
    b"|\n",
    b"\n---\n",
    b"\n...\n",
    b"%YAML 1.1\n",
    b"\x1b[2J",
    b"\r",
    b"\xe2\x80\xa8",
    b"#",
)


@st.composite
def mutated_text(draw: st.DrawFn, text: str, max_mutations: int = 2) -> bytes:
    """The bytes of `text` with up to `max_mutations` breaks put in."""
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(0, max_mutations))):
        at = draw(st.integers(0, len(data)))
        operation = draw(
            st.sampled_from(["insert", "insert", "cut", "truncate", "repeat-line", "encode"])
        )
        if operation == "insert":
            data = data[:at] + draw(st.sampled_from(BREAKERS)) + data[at:]
        elif operation == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif operation == "truncate":
            data = data[:at]
        elif operation == "repeat-line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data = data[:end] + data[start:end] + data[end:]
        else:
            encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp500"]))
            data = data.decode("utf-8", "replace").encode(encoding, "replace")
    return data
