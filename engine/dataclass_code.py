"""The methods Python writes for dataclasses, compiled once and kept between runs.

For each dataclass, Python 3.11 writes the source of `__init__`,
`__repr__`, `__eq__`, `__hash__` and, for frozen ones, `__setattr__` and
`__delattr__`, and compile each when the class is defined. The engine defines
about a hundred small frozen dataclasses (the model is made of them), so a
`policy` run compiles some 550 functions before it reads a file: a fifth of
a small repository's run.

`install` (called by engine/launch.py before the engine is imported) makes
that compilation look each source text up first in a table of code objects
compiled by an earlier run, and `save` writes the table back when a run
compiled new ones. The source texts are the keys, so a code object is used
only for the very text it was compiled from: the classes are the same as
without the table, only defined faster. The table lives in the user cache
folder (`dataclass-code/`), which only the user can write, as with any cache
of theirs, named by the interpreter's bytecode version; a missing, corrupt or
foreign table is an empty one. On another Python nothing is installed: this
stands in for 3.11's `dataclasses._create_fn`, and later versions build their
methods differently.
"""

from __future__ import annotations

import dataclasses
import marshal
import sys
from dataclasses import MISSING
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

#: The cache folder's kind (engine/folders.py).
KIND = "dataclass-code"
#: The interpreters whose `dataclasses._create_fn` this module stands in for.
SUPPORTED = ((3, 11),)


class CodeTable:
    """Code objects by the source text they were compiled from; `new` holds those
    compiled in this process, `used` the texts this process asked for."""

    def __init__(self, known: dict[str, CodeType]) -> None:
        self.known = known
        self.new: dict[str, CodeType] = {}
        self.used: set[str] = set()

    def compiled(self, text: str) -> CodeType:
        self.used.add(text)
        code = self.known.get(text)
        if code is None:
            code = self.new[text] = compile(text, "<string>", "exec")
        return code

    def to_keep(self) -> dict[str, CodeType]:
        """What to write back: everything, unless most of it is no longer used (the
        classes of an engine since upgraded), then only what this run used."""
        kept = {**self.known, **self.new}
        if len(kept) > 2 * len(self.used):
            kept = {text: code for text, code in kept.items() if text in self.used}
        return kept


def table_file(folder: Path) -> Path:
    """Where the table of this interpreter's bytecode version is kept."""
    return folder / f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}.marshal"


def load(folder: Path) -> CodeTable:
    """The table kept in `folder`, or an empty one."""
    try:
        found = marshal.loads(table_file(folder).read_bytes())
    except Exception:  # missing, truncated or foreign: compiled again, never a failure
        return CodeTable({})
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, CodeType) for k, v in found.items()
    ):
        return CodeTable({})
    return CodeTable(found)


def install(table: CodeTable) -> bool:
    """Make dataclasses compile through `table`; whether it could (a supported Python)."""
    if sys.version_info[:2] not in SUPPORTED or not hasattr(dataclasses, "_create_fn"):
        return False

    # The same text as Python 3.11's dataclasses._create_fn writes, compiled through
    # the table.
    def create_fn(
        name: str,
        args: list[str],
        body: list[str],
        *,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        return_type: Any = MISSING,
    ) -> Any:
        if locals is None:
            locals = {}
        return_annotation = ""
        if return_type is not MISSING:
            locals["_return_type"] = return_type
            return_annotation = "->_return_type"
        indented = "\n".join(f"  {b}" for b in body)
        text = f" def {name}({','.join(args)}){return_annotation}:\n{indented}"
        text = f"def __create_fn__({', '.join(locals.keys())}):\n{text}\n return {name}"
        namespace: dict[str, Any] = {}
        exec(table.compiled(text), globals, namespace)
        return namespace["__create_fn__"](**locals)

    dataclasses._create_fn = create_fn
    return True


def save(table: CodeTable, folder: Path) -> None:
    """Write the table back when this run compiled new code; a folder that cannot be
    written keeps nothing."""
    if not table.new:
        return
    from engine.folders import file_written_whole

    try:
        file_written_whole(table_file(folder), marshal.dumps(table.to_keep()))
    except OSError:
        return
