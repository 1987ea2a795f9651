"""engine/git/worktree_files.py: reading `git ls-files -z -s -v`, by slicing where every
record is a plain one, proven against a field-by-field reading of every record."""

from __future__ import annotations

import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.git.worktree_files import TrackedFiles
from tests.conftest import git

TAGS = ["H", "H", "H", "S", "h", "M"]
MODES = ["100644", "100644", "100755", "100664", "120000", "160000"]
#: Characters that look like the listing's own separators inside a path.
PATH_ALPHABET = "ab/. \t0123H"


def reference(output: str) -> tuple[list[str], dict[str, str], set[str], dict[str, str]]:
    """Paths, special modes, unchecked paths and blob ids, reading each record's fields."""
    modes: dict[str, str] = {}
    unchecked: set[str] = set()
    ids: dict[str, str] = {}
    for record in output.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        tag, mode, blob_id, _stage = meta.split(" ")
        modes[path] = mode
        if tag != "H":
            unchecked.add(path)
        elif mode.startswith("100"):
            ids[path] = blob_id
    special = {p: m for p, m in modes.items() if not m.startswith("100")}
    return list(modes), special, unchecked, ids


record = st.tuples(
    st.sampled_from(TAGS),
    st.sampled_from(MODES),
    st.sampled_from("0123"),
    st.text(PATH_ALPHABET, min_size=1, max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(
    records=st.lists(record, max_size=8, unique_by=lambda r: r[3]),  # as in an index
    width=st.sampled_from([40, 64]),
    plain=st.booleans(),
)
@example(records=[("H", "100644", "0", "a 1\tb")], width=40, plain=False)
@example(records=[("H", "100644", "1", "a"), ("H", "100644", "2", "a")], width=40, plain=False)
@example(records=[("H", "100644", "1", "a"), ("H", "100644", "3", "a")], width=64, plain=False)
def test_the_listing_reads_as_record_by_record(records, width: int, plain: bool) -> None:
    if plain:  # most listings: looked-at regular files at stage 0, the sliced reading
        records = [("H", mode[:3] + "644", "0", path) for _tag, mode, _stage, path in records]
    output = "".join(
        f"{tag} {mode} {str(i % 10) * width} {stage}\t{path}\0"
        for i, (tag, mode, stage, path) in enumerate(records)
    )
    paths, special, unchecked, ids = reference(output)

    tracked = TrackedFiles(output)

    assert tracked.paths == paths
    assert tracked.special_modes == special
    assert tracked.unchecked == unchecked
    assert tracked.blob_ids() == ids


def test_a_real_listing_names_each_file_by_its_blob(make_repo) -> None:
    repo = make_repo({"a.txt": "one\n", "sub dir/b\tc.yaml": "two\n", "run.sh": "#!/bin/sh\n"})
    os.symlink("a.txt", repo / "link")
    git(repo, "add", "link")
    git(repo, "update-index", "--assume-unchanged", "run.sh")

    tracked = TrackedFiles(git(repo, "ls-files", "-z", "-s", "-v"))

    assert tracked.paths == ["a.txt", "link", "run.sh", "sub dir/b\tc.yaml"]
    assert tracked.special_modes == {"link": "120000"}
    assert tracked.unchecked == {"run.sh"}
    assert tracked.blob_ids() == {
        "a.txt": git(repo, "rev-parse", ":a.txt").strip(),
        "sub dir/b\tc.yaml": git(repo, "rev-parse", ":sub dir/b\tc.yaml").strip(),
    }
