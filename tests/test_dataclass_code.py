"""Dataclass methods compiled through the kept table are the methods Python compiles."""

from __future__ import annotations

import dataclasses
import marshal
import sys
from pathlib import Path

import pytest

from engine import dataclass_code
from engine.dataclass_code import CodeTable, install, load, save, table_file

SOURCE = """
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Finding:
    message: str
    path: str | None = None
    line: int = 0
    facts: dict = field(default_factory=dict, compare=False)
"""

supported = pytest.mark.skipif(
    sys.version_info[:2] not in dataclass_code.SUPPORTED, reason="another Python's dataclasses"
)


def define() -> type:
    namespace: dict[str, object] = {"__name__": "sample"}
    # Compiled without this file's `annotations` future: the class's module is not imported.
    exec(compile(SOURCE, "<sample>", "exec", dont_inherit=True), namespace)
    return namespace["Finding"]  # type: ignore[return-value]


def behaviour(cls: type) -> tuple[object, ...]:
    a, b = cls("m", "p", 3), cls("m", "p", 3, {"x": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.line = 4  # type: ignore[attr-defined]
    return (repr(a), a == b, hash(a) == hash(b), a.facts, cls("m").line)


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put Python's own method compiler back after the test."""
    monkeypatch.setattr(dataclasses, "_create_fn", dataclasses._create_fn)


@supported
def test_a_class_defined_through_the_table_behaves_as_python_defines_it(restored) -> None:
    expected = behaviour(define())
    table = CodeTable({})
    assert install(table)
    assert behaviour(define()) == expected
    compiled = dict(table.new)
    assert len(compiled) == 6  # __init__, __repr__, __eq__, __hash__, __setattr__, __delattr__
    again = CodeTable(compiled)
    install(again)
    assert behaviour(define()) == expected
    assert again.new == {}  # nothing compiled the second time


def test_the_table_is_saved_and_read_back(tmp_path: Path) -> None:
    table = CodeTable({})
    table.compiled("x = 1")
    save(table, tmp_path)
    assert set(load(tmp_path).known) == {"x = 1"}
    assert table_file(tmp_path).name.startswith(sys.implementation.cache_tag)


@pytest.mark.parametrize("content", [b"\x00 not marshal", marshal.dumps(["a list"])])
def test_a_corrupt_or_foreign_table_is_an_empty_one(tmp_path: Path, content: bytes) -> None:
    table_file(tmp_path).write_bytes(content)
    assert load(tmp_path).known == {}


def test_a_run_that_compiles_nothing_new_writes_nothing(tmp_path: Path) -> None:
    save(CodeTable({"x = 1": compile("x = 1", "<string>", "exec")}), tmp_path)
    assert not table_file(tmp_path).exists()


def test_code_no_longer_used_is_dropped_once_it_is_most_of_the_table(tmp_path: Path) -> None:
    old = {f"x = {i}": compile(f"x = {i}", "<string>", "exec") for i in range(5)}
    table = CodeTable(old)
    table.compiled("x = 0")  # still used
    table.compiled("y = 1")  # new: the upgraded engine's
    save(table, tmp_path)
    assert set(load(tmp_path).known) == {"x = 0", "y = 1"}
    few = CodeTable({"x = 0": old["x = 0"], "x = 1": old["x = 1"]})
    few.compiled("x = 0")
    few.compiled("y = 1")
    save(few, tmp_path)
    assert set(load(tmp_path).known) == {"x = 0", "x = 1", "y = 1"}  # kept while not most
