"""Pack regexes: the `regex` engine must read every pattern exactly as Python's `re` does.

`compile_regex` hands `regex` the tree `re` parsed, written out again; these
properties hold it to `re` on generated patterns (with the texts `regex`
alone would read differently: `{e<=1}`, `[[:alpha:]]`) and on every regex of
the built-in packs, over generated texts and the packs' own fixture files.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from engine import regexes
from engine.regexes import (
    MAX_GROUPS,
    MAX_NESTING,
    MAX_PATTERN_CHARS,
    RegexTimeout,
    compile_regex,
)
from engine.yaml_located import load_located

ROOT = Path(__file__).resolve().parent.parent
PACKS = sorted((ROOT / "rulepacks").glob("*/pack.yaml"))
REGEX_KEYS = {
    "contains",
    "not_contains",
    "stdout_matches",
    "stdout_not_matches",
    "stderr_matches",
    "stderr_not_matches",
    "error_matches",
    "pattern",
}


def _pack_regexes() -> list[str]:
    found: set[str] = set()

    def walk(value: Any, key: Any = None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and key in REGEX_KEYS:
            found.add(value)

    for pack in PACKS:
        walk(load_located(pack.read_text(encoding="utf-8"), str(pack)).data)
    return sorted(found)


BUILTIN = _pack_regexes()


def _with_re(pattern: str, text: str) -> list[tuple[Any, ...]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = re.compile(pattern)
    return [(m.span(), m.groups(), m.groupdict()) for m in compiled.finditer(text)]


def _with_engine(pattern: str, text: str) -> list[tuple[Any, ...]]:
    compiled = compile_regex(pattern).regex
    return [(m.span(), m.groups(), m.groupdict()) for m in compiled.finditer(text)]


# -- generated patterns ---------------------------------------------------------------

ALPHABET = "ab1 \n{}[]:e<=,-_|^$.ıİſKkSs"
atoms = st.one_of(
    st.sampled_from(list("ab1e:,=<-_ ")),
    st.sampled_from(["{", "}", "{e}", "{e<=1}", "{1,2}", "{,2}", "{2,}", "{}", "{ 1}", "{i}"]),
    st.sampled_from([r"\d", r"\w", r"\s", r"\W", r"\b", r"\B", r"\A", r"\Z", "^", "$", "."]),
    st.sampled_from(
        [r"\{", r"\[", r"\]", r"\-", r"\\", r"\n", r"\x41", r"\u0131", r"\N{LATIN SMALL LETTER A}"]
    ),
    st.sampled_from(
        [
            "[ab]",
            "[^a]",
            "[a-e]",
            "[[:alpha:]]",
            "[a&&b]",
            "[a--b]",
            "[\\]a]",
            "[-a]",
            "[a-]",
            "[\\w-]",
            "[ıi]",
            "[h-j]",
            "[R-T]",
        ]
    ),
    st.sampled_from(["i", "I", "ı", "İ", "ſ", "K", "k", "s", "S"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, min_size=1, max_size=4).map("".join),
        st.builds(lambda a, b: f"{a}|{b}", children, children),
        st.builds(
            lambda a, q: f"(?:{a}){q}",
            children,
            st.sampled_from(["*", "+", "?", "*?", "+?", "{2}", "{1,3}", "*+", "{0,}?"]),
        ),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda a: f"(?P<g>{a})(?P=g)", children),
        st.builds(lambda a: f"({a})\\1", children),
        # Not `(?a:...)`: re (3.11-3.13) checks a pattern's first set against Unicode
        # classes even when the set is inside `(?a:...)`, a quirk no other engine shares.
        st.builds(
            lambda f, a: f"(?{f}:{a})", st.sampled_from(["i", "s", "m", "-i", "i-s"]), children
        ),
        st.builds(lambda a: f"(?={a})", children),
        st.builds(lambda a: f"(?!{a})", children),
        st.builds(lambda a: f"(?>{a})", children),
        st.builds(lambda a, b: f"(a)?(?(1){a}|{b})", children, children),
    )


patterns = st.builds(
    lambda flags, body: flags + body,
    st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?x)", "(?a)", "(?im)", "(?ia)"]),
    st.recursive(atoms, _combine, max_leaves=8),
)
texts = st.text(alphabet=ALPHABET, max_size=30)


@settings(max_examples=1000, deadline=None)
@given(patterns, st.lists(texts, min_size=1, max_size=4))
@example("(?:(?P<g>(a)?(?(1)(?!a)|a))(?P=g))*", ["aa"])  # found by this test: now refused
def test_generated_patterns_are_read_as_re_reads_them(pattern: str, samples: list[str]) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error as exc:
        with pytest.raises(ValueError) as raised:
            compile_regex(pattern)
        assert str(raised.value).startswith(exc.msg)
        return
    except RecursionError:  # pragma: no cover - patterns here are shallow
        assume(False)
    try:
        compile_regex(pattern)
    except ValueError as refused:  # the one construct read two ways, refused at load
        assert "is inside group" in str(refused), (pattern, refused)
        return
    for text in samples:
        if _folds_a_backreference(pattern, text):
            continue
        assert _with_engine(pattern, text) == _with_re(pattern, text), (pattern, text)


def _folds_a_backreference(pattern: str, text: str) -> bool:
    """A backreference with case ignored, over a letter whose case `regex` folds by Unicode
    (`ſ` is `s`) and `re` by lower case only: the one difference, documented."""
    backreference = "(?P=" in pattern or "\\1" in pattern
    return "i" in pattern and backreference and any(c in text for c in "ſKıİ")


# -- the built-in packs' regexes --------------------------------------------------------


def test_the_built_in_packs_have_regexes_to_compare() -> None:
    assert len(BUILTIN) > 50
    assert all(compile_regex(pattern).warnings == () for pattern in BUILTIN)


def _pack_texts(pattern: str) -> st.SearchStrategy[str]:
    """Texts made of the pattern's own characters and words, which make it match."""
    words = [*re.findall(r"[A-Za-z_]+|.", pattern), "\n", " ", "\t", "1.2.3", "test", "\n  "]
    return st.lists(st.sampled_from(words), max_size=40).map("".join)


@pytest.mark.parametrize("pattern", BUILTIN)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_built_in_regexes_match_as_re_does(pattern: str, data: st.DataObject) -> None:
    text = data.draw(_pack_texts(pattern))
    assert _with_engine(pattern, text) == _with_re(pattern, text)


FIXTURE_FILES = sorted(
    path
    for path in (ROOT / "rulepacks").glob("*/tests/**/*")
    if path.is_file() and path.stat().st_size < 200_000
)


def test_built_in_regexes_match_the_fixture_files_as_re_does() -> None:
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in FIXTURE_FILES]
    assert len(texts) > 50
    for pattern in BUILTIN:
        by_re = re.compile(pattern)
        by_engine = compile_regex(pattern).regex
        for text in texts:
            expected = [(m.span(), m.groups()) for m in by_re.finditer(text)]
            assert [(m.span(), m.groups()) for m in by_engine.finditer(text)] == expected


# -- bounds ----------------------------------------------------------------------------


def test_a_search_that_backtracks_without_end_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexes, "TIME_LIMIT", 0.2)
    regex = compile_regex("(a|aa)+$").regex
    with pytest.raises(RegexTimeout) as raised:
        regex.search("a" * 65 + "!")
    assert str(raised.value) == (
        "regex /(a|aa)+$/ gave up after 0.2 s: it backtracks too much on this "
        "text (avoid a repeat inside a repeat, such as (a+)+ or (a|aa)*)"
    )
    with pytest.raises(RegexTimeout):
        list(regex.finditer("a" * 65 + "!"))


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "a" * (MAX_PATTERN_CHARS + 1),
            f"is 4,097 characters long; a regex may have at most {MAX_PATTERN_CHARS:,}",
        ),
        ("(a)" * (MAX_GROUPS + 1), f"has 101 groups; a regex may have at most {MAX_GROUPS}"),
        ("(" * 1000 + ")" * 1000, f"nests more than {MAX_NESTING} levels deep"),
        ("(?:a|(b" * 60 + "))" * 60, f"nests more than {MAX_NESTING} levels deep"),
        ("(a", "missing ), unterminated subpattern at position 0"),
    ],
)
def test_patterns_past_the_bounds_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        compile_regex(pattern)
    assert str(raised.value) == message


def test_a_set_python_warns_about_is_a_warning_not_a_different_reading() -> None:
    compiled = compile_regex("[[:alpha:]]")
    assert compiled.warnings == (
        "Possible nested set at position 1 (a later Python may read it differently; "
        "escape `[`, `&`, `-`, `|` or `~` inside a set with a backslash)",
    )
    assert compiled.regex.search("x") is None  # re reads a set of `[:alph` then `]`
    match = compiled.regex.search("a]")
    assert match is not None and match.group(0) == "a]"


def test_a_condition_inside_the_group_it_tests_is_refused() -> None:
    # Found by the property above: on "aa", re keeps g="a" from the first repeat, regex "".
    with pytest.raises(ValueError, match=r"the condition \(\?\(1\)\.\.\.\) is inside group 1"):
        compile_regex("(?:(?P<g>(a)?(?(1)(?!a)|a))(?P=g))*")
    # The same condition outside the group runs as re runs it
    assert compile_regex("(?:(a)?(?(1)(?!a)|a))*").regex.search("aa").span() == (0, 2)
