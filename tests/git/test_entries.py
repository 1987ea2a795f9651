"""engine/git/entries.py: records of `git ls-tree -z` / `git ls-files -s -z`, decoded at
once, read as each record decoded on its own reads."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from engine.git.entries import GitEntry, parse_entries
from engine.git.repository import index_entries


def one_by_one(output: bytes) -> list[tuple[str, list[str]]]:
    """Each record's path decoded by itself (surrogate escapes for bytes that are not
    UTF-8), its fields as ASCII."""
    found = []
    for record in output.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            found.append((path.decode("utf-8", "surrogateescape"), meta.decode("ascii").split(" ")))
    return found


#: Bytes of paths: UTF-8 lead and continuation bytes, tabs, and plain ones (no NUL).
path_bytes = st.binary(min_size=1, max_size=8).map(lambda b: b.replace(b"\0", b"a"))


@given(
    st.lists(
        st.tuples(
            st.sampled_from([b"100644", b"120000", b"160000"]), st.sampled_from(b"0123"), path_bytes
        ),
        max_size=6,
    )
)
@example([(b"100644", ord("0"), "é".encode()[:1]), (b"100644", ord("0"), "é".encode()[1:])])
def test_a_listing_reads_as_its_records_one_by_one(records) -> None:
    output = b"".join(
        mode + b" " + b"f" * 40 + b" " + bytes([stage]) + b"\t" + path + b"\0"
        for mode, stage, path in records
    )
    assert list(parse_entries(output)) == one_by_one(output)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["100644", "100755", "120000", "160000"]),
            st.sampled_from("0123"),
            st.text("ab \t/0123\u00e9", min_size=1, max_size=8),
        ),
        max_size=6,
    ),
    st.sampled_from([40, 64]),  # SHA-1 or SHA-256 repositories
)
def test_the_index_reads_at_fixed_offsets_as_field_by_field(records, width: int) -> None:
    listed = "".join(
        f"{mode} {str(i % 10) * width} {stage}\t{path}\0"
        for i, (mode, stage, path) in enumerate(records)
    )
    expected = [
        (path, GitEntry(mode, object_id), stage)
        for path, (mode, object_id, stage) in parse_entries(listed.encode("utf-8"))
    ]
    assert index_entries(listed) == expected
