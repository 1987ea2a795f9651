"""The lock file: what `lock_text` writes, YAML reads back as written; bad locks are located."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InputError
from engine.packs.lock import Lock, LockEntry, lock_text, parse_lock

HEX = "0123456789abcdef"

entries = st.builds(
    LockEntry,
    pack=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    url=st.text(min_size=1).map(lambda rest: "https://" + "".join(rest.split()) + "x"),
    path=st.text(),
    tag=st.from_regex(
        r"v?(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})", fullmatch=True
    ),
    commit=st.text(HEX, min_size=40, max_size=40),
    sha256=st.text(HEX, min_size=64, max_size=64).map(lambda hex_: f"sha256:{hex_}"),
)


def _no_surrogates(entry: LockEntry) -> bool:
    """Text a file can hold: YAML (and UTF-8) have no lone surrogates."""
    return all(not (0xD800 <= ord(c) <= 0xDFFF) for c in entry.url + entry.path)


@given(
    st.lists(entries.filter(_no_surrogates), max_size=4, unique_by=lambda e: (e.url, e.path, e.tag))
)
def test_what_lock_text_writes_yaml_reads_back(written: list[LockEntry]) -> None:
    text = lock_text(written)
    ordered = sorted(written, key=lambda e: (e.url, e.path, e.tag))
    # the reference: PyYAML reads the same values that rulepack's own reader does
    reference = yaml.safe_load(text)
    assert reference["lockVersion"] == 1
    assert [LockEntry(**item) for item in reference["packs"]] == ordered
    assert parse_lock(text, "rulepack.lock") == Lock("rulepack.lock", tuple(ordered))


def test_a_pin_given_twice_is_located() -> None:
    entry = LockEntry(
        "base", "https://x.example/p.git", "", "v1.0.0", "a" * 40, "sha256:" + "b" * 64
    )
    text = lock_text([entry]) + lock_text([entry]).split("packs:\n", 1)[1]
    with pytest.raises(InputError) as raised:
        parse_lock(text, "rulepack.lock")
    assert [str(p) for p in raised.value.problems] == [
        "rulepack.lock:12:5: error: https://x.example/p.git v1.0.0 is locked twice"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "rulepack.lock:1:1: error: an empty lock file: run `policy lock`"),
        ("lockVersion: 2\npacks: []\n", "rulepack.lock:1:14: error: lockVersion: 1 was expected"),
    ],
)
def test_a_lock_that_is_not_one(text: str, expected: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_lock(text, "rulepack.lock")
    assert [str(p) for p in raised.value.problems] == [expected]


def test_find_chooses_the_highest_pin_inside_the_range() -> None:
    def pin(tag: str, path: str = "") -> LockEntry:
        return LockEntry(
            "base", "https://x.example/p.git", path, tag, "a" * 40, "sha256:" + "b" * 64
        )

    lock = Lock("rulepack.lock", (pin("v1.0.0"), pin("1.4.0"), pin("v2.0.0"), pin("v1.9.0", "x")))
    assert lock.find("https://x.example/p.git", "", "^1.0") == pin("1.4.0")
    assert lock.find("https://x.example/p.git", "", ">=3") is None
    assert lock.find("https://x.example/p.git", "x", "*") == pin("v1.9.0", "x")
