"""Where `policy eval` writes its reports: one evaluation, one or several formats.

`--format` takes one format or several separated by commas. `-o FILE` with
one format writes it to FILE; with several, `-o NAME` writes each to NAME plus
the format's suffix (`--format json,sarif -o report`: report.json and
report.sarif; the suffixes are in engine/reporters/__init__.py). `-o
FORMAT=FILE` (repeatable) names one format's file, and adds that format to the
run when `--format` does not list it. A format given no file goes to standard
output, and only one may. With no `--format`, the table is written, unless
every output is a `-o FORMAT=FILE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.reporters import REPORTERS


@dataclass(frozen=True)
class Output:
    """One report to write: its format, and its file (None: standard output)."""

    format: str
    path: Path | None = None


def parse_formats(text: str | None) -> tuple[str, ...]:
    """`json,sarif` -> ("json", "sarif"); () when no format is given."""
    if text is None or not text.strip():
        return ()
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",")))
    for name in names:
        if name not in REPORTERS:
            raise InputError(f"unknown format {name!r} (one of: {', '.join(REPORTERS)})")
    return names


def split_outputs(values: Iterable[str]) -> tuple[Path | None, tuple[tuple[str, Path], ...]]:
    """The `-o` values: the one plain FILE (or None) and the `FORMAT=FILE` ones.

    A value is `FORMAT=FILE` only when what comes before the first `=` is a format
    name: `-o a=b.json` is a file named `a=b.json`."""
    plain: Path | None = None
    named: dict[str, Path] = {}
    for value in values:
        name, equals, file = value.partition("=")
        if equals and name in REPORTERS:
            if not file:
                raise InputError(f"-o {value}: name the file after {name}=")
            if name in named:
                raise InputError(f"-o {name}=… is given twice; give each format one file")
            named[name] = Path(file)
        elif plain is not None:
            raise InputError(
                f"-o is given twice ({plain}, {value}); name each format's file with -o FORMAT=FILE"
            )
        else:
            plain = Path(value)
    return plain, tuple(named.items())


def plan_outputs(
    formats: tuple[str, ...], plain: Path | None, named: tuple[tuple[str, Path], ...]
) -> tuple[Output, ...]:
    """Each report to write and where; InputError when two go to one place."""
    files = dict(named)
    listed = formats or (("table",) if plain is not None or not files else ())
    several = len(set(listed) | set(files)) > 1
    outputs = []
    for name in dict.fromkeys([*listed, *files]):
        path = files.get(name)
        if path is None and plain is not None:
            path = plain.with_name(plain.name + REPORTERS[name].suffix) if several else plain
        outputs.append(Output(name, path))
    on_stdout = [o.format for o in outputs if o.path is None]
    if len(on_stdout) > 1:
        raise InputError(
            f"{' and '.join(on_stdout)} would both go to standard output; name a file for "
            "all but one with -o FORMAT=FILE, or give -o NAME for all"
        )
    seen: dict[Path, str] = {}
    for output in outputs:
        if output.path is None:
            continue
        key = Path(output.path).absolute()
        if key in seen:
            raise InputError(
                f"{seen[key]} and {output.format} would both be written to {output.path}"
            )
        seen[key] = output.format
    return tuple(outputs)
