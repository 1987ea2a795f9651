"""Integers longer than Python converts: a located parse error in every format.

Python refuses to read a decimal integer of more than `sys.get_int_max_str_digits()`
digits (4,300 unless set otherwise; the conversion takes quadratic time), with a
ValueError that says nowhere where the number is. YAML, JSON and TOML documents,
packs and configs report such a number at its line and column instead.
"""

from __future__ import annotations

import re
import sys


def message(digits: int) -> str:
    """What is wrong with an integer of `digits` digits."""
    return f"an integer of {digits:,} digits (at most {sys.get_int_max_str_digits():,} are read)"


def find(text: str) -> tuple[str, int, int] | None:
    """The message, line and column of the first run of digits in `text` too long to
    convert; None when there is none (the ValueError had another cause)."""
    limit = sys.get_int_max_str_digits()
    found = re.search(f"[0-9]{{{limit + 1},}}", text) if limit else None
    if found is None:
        return None
    start = found.start()
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return message(found.end() - start), line, column
