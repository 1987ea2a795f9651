"""The digest of pack files: equal for equal files, different for any change."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.packs.digest import files_digest

FILES = [("pack.yaml", b"name: a\n"), ("schemas/s.json", b"{}")]


def test_the_digest_is_a_sha256_that_ignores_the_order_given() -> None:
    digest = files_digest(FILES)
    assert digest.startswith("sha256:") and len(digest) == len("sha256:") + 64
    assert files_digest(reversed(FILES)) == digest


def test_contents_paths_and_boundaries_all_count() -> None:
    digest = files_digest(FILES)
    assert files_digest([("pack.yaml", b"name: b\n"), FILES[1]]) != digest
    assert files_digest([("pack.yml", b"name: a\n"), FILES[1]]) != digest
    # The same bytes split differently between two files
    assert files_digest([("a", b"xy"), ("b", b"")]) != files_digest([("a", b"x"), ("b", b"y")])
    assert files_digest([]) == "sha256:" + hashlib.sha256(b"rulepack-files-v1\0").hexdigest()


def test_a_path_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'pack\.yaml' is given twice"):
        files_digest([("pack.yaml", b"1"), ("pack.yaml", b"2")])


@given(
    st.dictionaries(st.text(min_size=1, max_size=8), st.binary(max_size=16), max_size=5),
    st.dictionaries(st.text(min_size=1, max_size=8), st.binary(max_size=16), max_size=5),
)
def test_equal_digests_mean_equal_file_sets(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert (files_digest(a.items()) == files_digest(b.items())) == (a == b)
