"""engine/git/blobs.py: the `git cat-file --batch` reader, against `git cat-file blob`."""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.git.blobs import BlobReader
from tests.conftest import git

#: Sizes around the reader's edges: empty, one byte, a line, past its 1 MiB chunk.
CONTENTS = [b"", b"x", b"line\n", b"\0binary\xff" * 100, b"y" * (1024 * 1024 + 7)]


@pytest.fixture(scope="module")
def blobs(tmp_path_factory) -> tuple[Path, list[str], dict[str, bytes]]:
    """A repository holding CONTENTS as blobs, their ids, and what `git cat-file blob` gives."""
    repo = tmp_path_factory.mktemp("blobs")
    git(repo, "init", "-q")
    ids = []
    for content in CONTENTS:
        done = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"], cwd=repo, input=content, capture_output=True
        )
        ids.append(done.stdout.decode().strip())
    shown = {
        object_id: subprocess.run(
            ["git", "cat-file", "blob", object_id], cwd=repo, capture_output=True, check=True
        ).stdout
        for object_id in ids
    }
    return repo, ids, shown


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    requests=st.lists(st.integers(0, len(CONTENTS) - 1), max_size=12),
    cap=st.sampled_from([0, 1, 5, 1000, 2 * 1024 * 1024]),
)
def test_every_way_of_reading_agrees_with_git(blobs, requests, cap) -> None:
    repo, ids, shown = blobs
    wanted = [ids[i] for i in requests]
    expected = [shown[o] if len(shown[o]) <= cap else len(shown[o]) for o in wanted]
    reader = BlobReader(repo)
    try:
        assert reader.read_many_capped(wanted, cap) == expected
        assert [reader.read_capped(o, cap) for o in wanted] == expected
        assert [reader.read(o) for o in wanted] == [shown[o] for o in wanted]
        assert [reader.size(o) for o in wanted] == [len(shown[o]) for o in wanted]
    finally:
        reader.close()


def test_a_missing_object_is_an_oserror_and_reading_goes_on(blobs) -> None:
    repo, ids, _ = blobs
    reader = BlobReader(repo)
    try:
        with pytest.raises(OSError) as missing:
            reader.read("0" * 40)
        assert missing.value.errno == errno.ENOENT
        assert missing.value.strerror == f"object {'0' * 40} cannot be read from git (missing)"
        assert reader.read(ids[2]) == b"line\n"
        reader.close()  # a read after close starts a new process
        assert reader.read(ids[1]) == b"x"
    finally:
        reader.close()
