"""HTML report: self-contained, hostile text escaped, overlapping spans split into segments."""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.doc import Article, Entity, Label, Mention
from narrascope.write.report import Finding, ReportWriter, collect_findings, render_text, segments
from test_write import full_article

HOSTILE = "<script>alert(\"x\")</script> O'Brien & \"Co\" <img src=x onerror=alert(1)>\n\nBody."


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_text = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if dict(attrs).get("class") == "text":
            self._in_text += 1

    def handle_endtag(self, tag):
        pass

    def handle_data(self, data):
        self.text.append(data)


def render(*articles: Article) -> str:
    buf = io.StringIO()
    w = ReportWriter(buf, title="<b>t</b>")
    for a in articles:
        w.write(a)
    w.finish()
    return buf.getvalue()


def hostile_article() -> Article:
    a = Article(id='<script>bad("id")</script>', text=HOSTILE, title="<i>title</i>")
    s, e = 0, len("<script>alert(\"x\")</script>")
    lab = Label(label='Antagonist"><script>alert(2)</script>', confidence=0.9)
    a.entities = [Entity(canonical="<b>x</b>' onmouseover='alert(3)", main_role=lab,
                         mentions=[Mention(start=s, end=e, text=HOSTILE[s:e], label=HOSTILE[s:e], main_role=lab)])]
    a.warnings = ["<svg onload=alert(4)>"]
    return a


def test_hostile_text_is_escaped() -> None:
    html = render(hostile_article())
    assert html.count("<script>") == 1  # only the report's own script
    for bad in ("<img", "<svg", "<i>title", "<b>x</b>", "onerror=alert(1)>"):
        assert bad not in html
    p = Collector()
    p.feed(html)
    # no element besides the report's own carries event handlers
    assert not any(k.startswith("on") for _, attrs in p.tags for k in attrs)
    # the text shown is the article text, verbatim
    assert "".join(p.text).count("<script>alert(\"x\")</script> O'Brien & \"Co\"") == 1


def test_self_contained() -> None:
    html = render(full_article())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert "does not judge whether an article is true" in html  # the notice


def test_overlapping_spans_become_segments() -> None:
    f1 = Finding("f1", "narr", "N", 0.8, [(0, 10, 0.8, None)])
    f2 = Finding("f2", "tech", "T", 0.6, [(5, 15, 0.6, None)])
    segs = segments(20, [f1, f2])
    assert [(a, b, sorted(f.fid for f, _ in c)) for a, b, c in segs] == [
        (0, 5, ["f1"]), (5, 10, ["f1", "f2"]), (10, 15, ["f2"]), (15, 20, [])]
    html = render_text("abcdefghijklmnopqrst", [f1, f2])
    assert '<mark class="hl narr tech" data-f="f1 f2" title="N (0.80)&#10;T (0.60)">fghij</mark>' in html
    assert html.endswith("pqrst")
    assert re.sub(r"<[^>]+>", "", html) == "abcdefghijklmnopqrst"


def test_every_layer_is_linked_to_its_findings() -> None:
    a = full_article()
    findings = collect_findings(a, "a0")
    layers = {f.layer for f in findings}
    assert layers == {"narr", "ent", "tech", "fact", "expl"}
    html = render(a)
    for f in findings:
        assert f'data-find="{f.fid}"' in html  # side list entry
        if f.spans:
            assert re.search(rf'data-f="[^"]*\b{f.fid}\b[^"]*"', html)  # highlighted evidence
    assert "role-antagonist" in html
    p = Collector()
    p.feed(html)
    shown = "".join(p.text)
    assert a.text.replace("<script>alert('x')</script>", "") .split("The")[0] in shown


def test_hover_shows_span_level_roles_and_scores() -> None:
    html = render(full_article())
    assert "Volodymyr Zelensky: Antagonist (0.80) - Incompetent, Deceiver" in html  # mention's own
    assert "Volodymyr Zelensky: Antagonist (0.80) - Incompetent&#10;" in html or (
        "Volodymyr Zelensky: Antagonist (0.80) - Incompetent\"" in html)  # entity's, for the other
    assert "URW: Discrediting Ukraine (0.80), this span 0.90" in html
    assert "Loaded_Language (0.70, pattern: begged)" in html


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="ab<>&\"' \n", min_size=1, max_size=30).flatmap(
    lambda t: st.tuples(st.just(t), st.lists(
        st.tuples(st.integers(0, len(t)), st.integers(0, len(t))), max_size=6))))
def test_segments_cover_the_text_exactly_once(case: tuple[str, list[tuple[int, int]]]) -> None:
    text, raw = case
    findings = [Finding(f"f{i}", "tech", f"T{i}", 0.5, [(min(a, b), max(a, b), None, None)])
                for i, (a, b) in enumerate(raw)]
    segs = segments(len(text), findings)
    assert [a for a, _, _ in segs][0] == 0 and segs[-1][1] == len(text)
    for (_, b, _), (a2, _, _) in zip(segs, segs[1:], strict=False):
        assert b == a2  # contiguous, no overlap
    for a, b, cover in segs:
        expected = {f.fid for f in findings for s, e, _, _ in f.spans if s <= a and b <= e and s < e}
        assert {f.fid for f, _ in cover} == expected
    assert unescape(re.sub(r"<[^>]+>", "", render_text(text, findings))) == text
