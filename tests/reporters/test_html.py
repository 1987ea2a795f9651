"""`policy eval --format html`: one self-contained page with charts."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

#: Elements without an end tag (SVG shapes without children are self-closed: `<rect/>`).
VOID = frozenset({"meta", "br", "link", "img", "input"})
#: Elements that would fetch or run something from elsewhere.
FOREIGN = {"link", "img", "iframe", "object", "embed", "video", "audio", "source"}


class Page(HTMLParser):
    """Tags (with attributes), text, and whether every opened element was closed."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.mismatched.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return "".join(self.text)


def page(policy, *args) -> tuple[int, str, Page]:
    result = policy("eval", "--format", "html", *args)
    return result.exit_code, result.stdout, Page(result.stdout)


def test_the_page_is_self_contained_and_well_formed(policy, sample) -> None:
    code, out, html = page(policy, "--pack", sample.pack, sample.repo)
    assert code == 1
    assert out.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert html.mismatched == [] and html.open == []
    assert {tag for tag, _ in html.tags} & FOREIGN == set()
    assert "url(" not in out and "@import" not in out and "@font-face" not in out
    # one inline script, allowed by its hash alone: nothing else may run or be fetched
    assert html.all("script") == [{}]
    script = out.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    (policy_meta,) = [m for m in html.all("meta") if m.get("http-equiv")]
    assert policy_meta["content"] == (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    )
    assert len(html.all("style")) == 1
    # the links: the summary's to each category, and the rule's http(s) docs
    assert [a["href"] for a in html.all("a")] == [
        "#category-deploy",
        "#category-security",
        "#category-docs",
        "https://example.com/naming?a=1&b=2",
    ]
    assert [s.get("aria-label") for s in html.all("svg")] == [
        "1 passed, 4 failed, 1 errored, 1 skipped; success rate 16.67%",
        "Success rate per category",
    ]


def test_the_ring_draws_each_status_share_and_the_bars_each_category_rate(policy, sample) -> None:
    _, _, html = page(policy, "--pack", sample.pack, sample.repo)
    track, *rest = html.all("circle")
    assert "stroke-dasharray" not in track
    arcs = [(c["stroke"], c["stroke-dasharray"]) for c in rest]
    # shares of 7 rules: 1 passed, 4 failed, 1 errored, 1 skipped
    assert arcs == [
        ("#1a7f37", "14.286 85.714"),
        ("#cf222e", "57.143 42.857"),
        ("#8250df", "14.286 85.714"),
        ("#8c959f", "14.286 85.714"),
    ]
    offsets = [c["stroke-dashoffset"] for c in rest]  # each arc starts where the last ended
    assert offsets == ["25", "10.714", "-46.429", "-60.714"]
    # bars: background then value; Deployment's 33.33% of 320 px, the others 0%
    widths = [r["width"] for r in html.all("rect")]
    assert widths == ["320", "106.656", "320", "0", "320", "0"]


def test_report_text_is_escaped_and_failures_say_where_and_how_to_fix(policy, sample) -> None:
    _, out, html = page(policy, "--pack", sample.pack, sample.repo)
    assert "<secrets>" not in out and "&lt;secrets&gt;" in out
    assert {tag for tag, _ in html.tags}.isdisjoint({"i", "docs", "secrets"})
    text = html.plain
    assert "The run fails." in text
    assert "7 rules: 1 passed, 4 failed (1 error, 2 warning, 1 info), 1 skipped, 1 errored." in text
    assert "Security & <secrets> · 0.00%" in text
    assert 'deploy/service.yaml:3 Service/a|b<i>&%,:: metadata.name is "a|b\\n<i>&%,:"' in text
    assert "Fix: Rename the Service | use web.See <docs> & 100% of it." in text
    assert "notes/odd name|50%,x:y.pem should not exist" in text
    assert "Docs: see the wiki" in text
    assert (
        "Could not be evaluated: deploy/broken.yaml:2: does not parse: while parsing a flow node"
        in text
    )
    # each failed or errored rule is a card; passed and skipped rules are folded away
    cards = [d["id"] for d in html.all("div") if d.get("class") == "rule"]
    assert cards == [
        "rule-sample-deploy.service",
        "rule-sample-deploy.parses",
        "rule-sample-security.keys",
        "rule-sample-security.tokens",
        "rule-sample-docs.readme",
    ]
    assert "Passed (1)RuleTitleSeveritydeploy.manifestsManifests existerror" in text
    folded = "Skipped (1)RuleTitleReasondocs.changelogA changelog entry"
    assert folded + "not applicable: none of CHANGELOG.md exists" in text


def test_categories_fold_open_where_something_failed_and_the_summary_links_to_them(
    policy, sample
) -> None:
    _, _, html = page(policy, "--pack", sample.pack, sample.repo)
    categories = [d for d in html.all("details") if d.get("class") == "category"]
    assert [(d["id"], "open" in d) for d in categories] == [
        ("category-deploy", True),
        ("category-security", True),
        ("category-docs", True),
    ]
    inner = [d for d in html.all("details") if d.get("class") is None]
    assert inner == [{}, {}]  # Passed (1) and Skipped (1), closed
    _, _, passing = page(policy, "--pack", sample.pack, "--rule", "deploy.manifests", sample.repo)
    folds = [(d["id"], "open" in d) for d in passing.all("details") if d.get("class")]
    assert folds == [
        ("category-deploy", False),
        ("category-security", False),
        ("category-docs", False),
    ]


def test_code_spans_in_rule_text_are_code_and_the_rest_is_escaped(
    policy, make_repo, code_pack
) -> None:
    _, out, html = page(policy, "--pack", code_pack, make_repo({"a.txt": "x\n"}))
    assert (
        "<strong>Fix:</strong> Run <code>policy init &lt;dir&gt;</code> then "
        "<code>a `b` c</code>; keep `x &lt;b&gt;bold&lt;/b&gt; *y*</p>"
    ) in out
    assert "<code>r</code> Has <code>README.md</code> <span" in out
    assert "<li>no <code>README.md</code> (see <code>docs/</code>)</li>" in out
    assert {tag for tag, _ in html.tags}.isdisjoint({"b", "dir"})


def test_a_run_that_judged_nothing_says_n_a(policy, sample) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "html", "--rule", "docs.changelog")
    result = policy(*args, sample.repo)
    assert result.exit_code == 0
    html = Page(result.stdout)
    assert html.mismatched == []
    assert html.all("svg")[0]["aria-label"] == (
        "0 passed, 0 failed, 0 errored, 7 skipped; success rate n/a"
    )
    assert len(html.all("circle")) == 2  # the track, and the one arc of skipped rules
    assert "The run holds." in html.plain
    # per category: deploy 3, security 2, docs 1 (docs.changelog itself is not applicable)
    notes = [n for n in html.plain.split("Skipped") if "filtered out" in n]
    assert [n.split(" filtered out")[0][-1] for n in notes] == ["3", "2", "1"]
    assert "not applicable: none of CHANGELOG.md exists" in notes[-1]


def test_html_is_byte_identical_across_runs(policy, sample) -> None:
    _, first, _ = page(policy, "--pack", sample.pack, sample.repo)
    _, second, _ = page(policy, "--pack", sample.pack, sample.repo)
    assert first == second
