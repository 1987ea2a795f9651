"""Nothing a repository holds reaches a terminal, a log or an annotation raw.

A hostile repository names its files with escape sequences (CSI, an OSC 8
hyperlink, an OSC 52 clipboard write, an 8-bit CSI), BEL, backspaces, carriage
returns, a bidi override and newlines; its manifest quotes them; its program
prints them. Every format of `policy eval`, `policy diff`, `policy test`, the
listing commands and the `policy:` error lines are run through the real CLI,
and none may carry one of those characters raw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.printable import UNSAFE, json_safe, printable
from engine.reporters import DIFF_FORMATS, REPORTERS
from tests.conftest import ROOT, git

CSI = "\x1b[2J\x1b[31m"  # clear the screen, then red
OSC8 = "\x1b]8;;x\x1b\\click\x1b]8;;\x1b\\"  # a hyperlink hiding its target
OSC52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"  # writes the clipboard
C1_CSI = "\x9b31m"  # the 8-bit CSI
OTHERS = "bel\x07 bs\x08\x08 cr\rover rlo\u202eevil"

NAMES = {
    "escapes": f"n{CSI}{OSC8}{OSC52}{C1_CSI}.txt",
    "others": f"o {OTHERS}\n::set-env name=X::1.txt",
    "workflow": "a%0A::error::x.txt",
    "markdown": "a`b<img src=x onerror=alert(1)>.txt",
}
YAML_ESCAPES = '"w\\e[2J\\e]52;c;eA==\\a\\x9b1m\\r\\u202eb\\n::warning::x"'
PROGRAM = (
    "printf 'out \\033[2J\\033]52;c;eA==\\007 \\302\\2331m \\010\\015 \\342\\200\\256x\\n'; exit 1"
)

PACK = f"""\
apiVersion: rulepack/v1
name: hostile
version: 1.0.0
categories:
  - {{id: c, title: "Checks \\e[1m"}}
rules:
  - id: no-txt
    title: "No text files \\e]0;title\\a"
    category: c
    check: {{file: {{absent: ['**/*.txt']}}}}
    remediation: "remove them \\e[2J"
  - id: name
    title: Service name
    category: c
    check: {{manifest: {{files: [svc.yaml], assert: "metadata.name == 'web'"}}}}
  - id: program
    title: Program
    category: c
    check: {{command: {{shell: '{PROGRAM.replace("'", "''")}'}}}}
"""


def raw(text: str) -> list[str]:
    """The unsafe characters `text` holds raw (there must be none)."""
    return UNSAFE.findall(text)


@pytest.fixture
def hostile(make_repo: Callable[..., Path], write_pack: Callable[..., Path]) -> tuple[Path, Path]:
    files: dict[str, str | bytes | None] = {name: "x\n" for name in NAMES.values()}
    files["svc.yaml"] = f"kind: Service\nmetadata: {{name: {YAML_ESCAPES}}}\n"
    return make_repo(files), write_pack(PACK)


@pytest.mark.parametrize("format_name", list(REPORTERS))
def test_no_format_writes_a_control_character_of_the_repository_raw(
    policy, hostile, format_name
) -> None:
    repo, pack = hostile
    done = policy("eval", repo, "--pack", pack, "--format", format_name)
    assert done.exit_code == 1, done.stderr
    assert (raw(done.stdout), raw(done.stderr)) == ([], [])


def test_the_table_shows_the_escapes_as_text(policy, hostile) -> None:
    repo, pack = hostile
    out = policy("eval", repo, "--pack", pack).stdout
    assert "  ✗ fail   no-txt  No text files \\x1b]0;title\\x07  [error]" in out
    assert f"• {printable(NAMES['escapes'])}" in out
    assert "• n\\x1b[2J\\x1b[31m\\x1b]8;;x\\x1b\\click\\x1b]8;;\\x1b\\\\x1b]52;c;" in out
    assert "• o bel\\x07 bs\\x08\\x08 cr\\rover rlo\\u202eevil\\n::set-env name=X::1.txt" in out
    assert "Checks \\x1b[1m" in out
    # the program's output keeps its lines; a carriage return starts one too
    assert "out \\x1b[2J\\x1b]52;c;eA==\\x07 \\x9b1m \\x08" in out


def test_github_annotations_are_one_line_each_and_start_no_command_of_their_own(
    policy, hostile
) -> None:
    repo, pack = hostile
    lines = policy("eval", repo, "--pack", pack, "--format", "github").stdout.splitlines()
    files = [re.search(r"file=([^,]*)", line) for line in lines]
    shown = sorted(m[1] for m in files if m)
    assert shown == sorted(
        [
            "a%250A%3A%3Aerror%3A%3Ax.txt",
            "a`b<img src=x onerror=alert(1)>.txt",
            "n\\x1b[2J\\x1b[31m\\x1b]8;;x\\x1b\\click\\x1b]8;;\\x1b\\\\x1b]52;c;Y3VybCBldmlsIHwgc2g="
            "\\x07\\x9b31m.txt",
            "o bel\\x07 bs\\x08\\x08 cr\\rover rlo\\u202eevil\\n%3A%3Aset-env name=X%3A%3A1.txt",
            "svc.yaml",
        ]
    )
    assert len(lines) == 7  # 4 files, the name, the program, the summary
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == ["::error"] * 6
    assert lines[-1].startswith("rulepack: 3 rules")


def test_markdown_keeps_a_file_name_with_backticks_and_html_inside_its_code_span(
    policy, hostile
) -> None:
    repo, pack = hostile
    out = policy("eval", repo, "--pack", pack, "--format", "markdown").stdout
    assert "- ``a`b<img src=x onerror=alert(1)>.txt`` " in out
    assert "- `o bel\\x07 bs\\x08\\x08 cr\\rover rlo\\u202eevil\\n::set-env name=X::1.txt` " in out
    assert "- exit code 1 (expected 0)<br>out \\\\x1b\\[2J" in out  # text: its backslash escaped


def test_json_keeps_the_data_exact(policy, hostile) -> None:
    """Escaped for the terminal as `\\uNNNN`, the names read back as the repository has them."""
    repo, pack = hostile
    done = policy("eval", repo, "--pack", pack, "--format", "json")
    report = json.loads(done.stdout)
    paths = {f["path"] for r in report["results"] for f in r["findings"] if f["path"]}
    assert paths == {*NAMES.values(), "svc.yaml"}
    assert "\\u009b31m" in done.stdout


def test_policy_diff_shows_new_findings_printable(policy, make_repo, write_pack) -> None:
    repo = make_repo({"README.md": "x\n"})
    (repo / NAMES["escapes"]).write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"add {CSI}")
    pack = write_pack(PACK.split("  - id: name")[0])
    for format_name in DIFF_FORMATS:
        done = policy("diff", "HEAD~1", "HEAD", "-C", repo, "--pack", pack, "--format", format_name)
        assert done.exit_code == 1, done.stderr
        assert (raw(done.stdout), raw(done.stderr)) == ([], [])
    table = policy("diff", "HEAD~1", "HEAD", "-C", repo, "--pack", pack).stdout
    assert f"      + {printable(NAMES['escapes'])}: " in table


def test_policy_test_shows_a_mismatch_printable(policy, tmp_path) -> None:
    folder = tmp_path / "hostile"
    (folder / "tests/case/repo").mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.split("  - id: name")[0])
    (folder / "tests/case/expect.yaml").write_text(
        'description: "\\e]52;c;eA==\\a"\nrules: {no-txt: pass}\n'
    )
    (folder / "tests/case/repo" / NAMES["escapes"]).write_text("x\n")
    done = policy("test", folder)
    assert done.exit_code == 1, done.stderr
    assert (raw(done.stdout), raw(done.stderr)) == ([], [])
    assert f"          - {printable(NAMES['escapes'])}: " in done.stdout


def test_listing_commands_show_a_repository_pack_printable(policy, hostile) -> None:
    _, pack = hostile
    for args in (("rules", "--pack", pack), ("explain", "no-txt", "--pack", pack)):
        done = policy(*args)
        assert done.exit_code == 0, done.stderr
        assert (raw(done.stdout), raw(done.stderr)) == ([], [])
    assert "No text files \\x1b]0;title\\x07" in policy("rules", "--pack", pack).stdout


def test_an_input_error_is_one_printable_line(policy, make_repo, write_pack) -> None:
    """A pack file named with escapes and a newline, which does not parse."""
    pack = write_pack("rules: [\n", name=f"p{CSI}\n{OSC52}.yaml")
    for args in (("eval", make_repo({}), "--pack", pack), ("validate", pack)):
        done = policy(*args)
        assert done.exit_code == 2
        assert raw(done.stderr) == []
        assert len(done.stderr.splitlines()) == 1
        assert "p\\x1b[2J\\x1b[31m\\n\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07.yaml:" in done.stderr


def test_every_command_prints_through_printable() -> None:
    """The one way out for a command's text is `echo` (or a reporter): no other print."""
    sources = [ROOT / "cli.py", *sorted((ROOT / "engine").rglob("*.py"))]
    allowed = {ROOT / "engine/printable.py", ROOT / "engine/schemagen.py"}  # a build tool
    direct = re.compile(r"\bclick\.echo\(|(?<![\w.])print\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        if path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if direct.search(line)
    ]
    assert found == []


@given(st.text())
def test_printable_leaves_nothing_unsafe(text: str) -> None:
    shown = printable(text)
    assert raw(shown) == []
    one_line = printable(text, newlines=False)
    assert raw(one_line) == [] and "\n" not in one_line


@given(st.text(alphabet=st.characters(blacklist_characters="\r", blacklist_categories=["Cs"])))
def test_printable_changes_only_the_unsafe_characters(text: str) -> None:
    if not UNSAFE.search(text):
        assert printable(text) == text


@given(
    st.recursive(
        st.text() | st.integers(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    )
)
def test_json_safe_reads_back_as_the_same_data(data: object) -> None:
    """Against the json module itself: the escaped document is the same data."""
    document = json_safe(json.dumps(data, ensure_ascii=False))
    assert raw(document) == []
    assert json.loads(document) == data
