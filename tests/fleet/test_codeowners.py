"""The owner of `/` from CODEOWNERS: GitHub's file order, the last line covering every path."""

from __future__ import annotations

import pytest

from engine.fleet.codeowners import owner_of_root, root_owner
from engine.snapshots import open_snapshot


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("* @org/platform @sre\n", "@org/platform"),
        ("*.js @web\n/docs/ @writers\n", None),  # no line covers every path
        ("* @first\n/src/ @src\n* @last  # the last wins\n", "@last"),
        ("/** @deep\n", "@deep"),
        ("# * @commented\n", None),
        ("* @a\n*\n", None),  # a pattern without owners leaves it unowned
        ("", None),
    ],
)
def test_the_first_owner_of_the_last_line_covering_every_path(text, owner) -> None:
    assert owner_of_root(text) == owner


def test_github_s_order_of_files_decides_which_is_read(make_repo) -> None:
    repo = make_repo(
        {
            "CODEOWNERS": "* @root\n",
            ".github/CODEOWNERS": "* @github\n",
            "docs/CODEOWNERS": "* @d\n",
        }
    )
    snapshot = open_snapshot(repo, "HEAD")
    try:
        assert root_owner(snapshot) == "@github"
    finally:
        snapshot.close()


@pytest.mark.parametrize(
    ("content", "owner"),
    [
        (b"\xef\xbb\xbf* @with-bom\n", "@with-bom"),  # saved with a byte-order mark
        (b"* @caf\xe9\n", "@caf\ufffd"),  # not UTF-8: read with a replacement character
        (b"* @x\n\x00binary", None),  # a binary file owns nothing
    ],
)
def test_the_file_is_read_as_content_checks_read_text(make_repo, content, owner) -> None:
    snapshot = open_snapshot(make_repo({"CODEOWNERS": content}), "HEAD")
    try:
        assert root_owner(snapshot) == owner
    finally:
        snapshot.close()
