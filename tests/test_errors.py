"""Problems: one line each, however long the values they quote."""

from __future__ import annotations

from engine.errors import MAX_MESSAGE_CHARS, Location, Problem, bounded


def test_a_long_value_is_cut_keeping_both_ends_and_its_length() -> None:
    problem = Problem(f"unknown pack {'x' * 1000!r}", Location("c.yaml", 1, 9))
    assert str(problem) == (
        "c.yaml:1:9: error: unknown pack '" + "x" * 59 + "…(1,002 characters)…" + "x" * 19 + "'"
    )


def test_a_message_is_one_line() -> None:
    assert bounded("while scanning\n  in <string>\r\nline 2") == "while scanning in <string> line 2"


def test_many_short_words_are_cut_in_the_middle() -> None:
    text = bounded("a " * 5000)
    assert len(text) < MAX_MESSAGE_CHARS
    assert text.startswith("a a a ") and "…(10,000 characters)…" in text


def test_short_messages_are_left_as_they_are() -> None:
    assert bounded("rule r: timeout: 0 is less than the minimum of 0") == (
        "rule r: timeout: 0 is less than the minimum of 0"
    )


def test_a_huge_ref_is_cut_in_the_message(policy, make_repo) -> None:
    repo = make_repo({"a": "x"})
    done = policy("eval", repo, "--ref", "a" * 130_000)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --ref " + "a" * 60 + "…(130,001 characters)…" + "a" * 19 + ": unknown "
        f"ref in {repo.resolve()}\n",
    )
