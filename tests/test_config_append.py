"""engine/config_append.py against the YAML loader: whatever the values and the layout, the
text it appends reads back as the entry, and the rest of the file reads as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import parse_config
from engine.config_append import append_waiver, scalar
from engine.yaml_located import load_located

LAYOUTS = [
    "",
    "packs: [production]",
    "# a comment\npacks: [production]  # after\n",
    "waivers:\n  - {rule: a, reason: r, owner: o, expires: 2027-01-01}  # one\n"
    "# tail\nfail_on: info\n",
    "waivers:\n- rule: a\n  reason: |\n    two\n    lines\n  owner: o\n  expires: 2027-01-01\n",
    "waivers: []\nexclude: [x/**]\n",
    "waivers: [{rule: a, reason: r, owner: o, expires: 2027-01-01}]\n",
    "fail_on: warning\r\nwaivers:\r\n  - {rule: a, reason: r, owner: o, expires: 2027-01-01}\r\n",
]
# What the config accepts: text that is not blank, without the characters YAML refuses.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"),
    min_size=1,
).filter(lambda t: t.strip() == t and t)


def shared_start(a: str, b: str) -> int:
    """How many characters `a` and `b` share at their start."""
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_scalar_reads_back_as_the_same_text(value: str) -> None:
    assert load_located(f"key: {scalar(value)}\n", "x").data == {"key": value}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(LAYOUTS),
    TEXT,
    TEXT,
    st.none() | TEXT,
    st.lists(st.sampled_from(["tests/**", "a b/*.pem", "{x,y}/**"]), max_size=2),
)
def test_an_appended_waiver_reads_back_and_leaves_the_rest(
    layout: str, reason: str, owner: str, ticket: str | None, paths: list[str]
) -> None:
    entry: dict[str, object] = {"rule": "sec.keys"}
    if paths:
        entry["paths"] = paths
    entry.update(reason=reason, owner=owner, expires="2027-03-31")
    if ticket is not None:
        entry["ticket"] = ticket
    updated = append_waiver(layout, entry, top_level_list=False)
    before, after = (load_located(t, "x").data or {} for t in (layout, updated))
    assert {k: v for k, v in after.items() if k != "waivers"} == {
        k: v for k, v in before.items() if k != "waivers"
    }
    assert after["waivers"][:-1] == (before.get("waivers") or [])
    assert after["waivers"][-1] == entry
    last = parse_config(updated, "x").waivers[-1]
    assert (last.reason, last.owner, last.ticket, list(last.paths)) == (
        reason,
        owner,
        ticket,
        paths,
    )
    # Only inserted: the text before and after the new entry is the layout's.
    kept = shared_start(layout, updated)
    kept += shared_start(layout[kept:][::-1], updated[kept:][::-1])
    assert kept >= len(layout.rstrip("\r\n"))
