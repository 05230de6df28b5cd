"""A self-contained HTML report: every finding highlighted over the article text.

One file, no network assets (inline CSS and JS).  The article text is hostile
input: every string from an article (text, id, title, labels, messages) goes
through :func:`html.escape`, and the page's only script is the fixed one below.
Overlapping spans are rendered by cutting the text at every span boundary into
segments; each segment lists the findings that cover it (``data-f``), so
clicking a finding in the side list highlights all of its evidence, and
hovering a segment shows its labels and confidences.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape
from typing import TextIO

from narrascope import __version__
from narrascope.doc import NOTICE, Article, Entity, Label, Mention
from narrascope.write.summary import NO_ROLE

LAYERS = {
    "narr": "narrative evidence",
    "ent": "entity mentions (by main role)",
    "tech": "persuasion techniques",
    "fact": "fact-check claims",
    "expl": "explanation quotes",
}


def esc(s: object) -> str:
    return escape(str(s), quote=True)


def css_token(s: str) -> str:
    """A safe CSS class name made from a label (labels are untrusted)."""
    return re.sub(r"[^a-z0-9_-]+", "-", s.lower()).strip("-") or "x"


@dataclass
class Finding:
    fid: str
    layer: str
    label: str
    confidence: float | None
    #: (start, end, score of this span, tooltip of this span or None)
    spans: list[tuple[int, int, float | None, str | None]] = field(default_factory=list)
    detail: str = ""
    css: str = ""

    @property
    def caption(self) -> str:
        conf = f" ({self.confidence:.2f})" if self.confidence is not None else ""
        return f"{self.label}{conf}"


def _label_finding(fid: str, layer: str, lab: Label, n: int) -> Finding:
    spans = [(e.start, e.end, e.score, None) for e in lab.evidence if e.end <= n]
    return Finding(fid, layer, lab.label, lab.confidence, spans, detail=lab.source or "")


def _mention_tip(ent: Entity, m: Mention) -> str:
    """Hover text of a mention: its own role when it has one, else the entity's."""
    role = m.main_role or ent.main_role
    if role is None:
        return f"{ent.canonical}: {NO_ROLE}"
    fine = ", ".join(f.label for f in (m.fine_roles if m.main_role else ent.fine_roles))
    return f"{ent.canonical}: {role.label} ({role.confidence:.2f})" + (f" - {fine}" if fine else "")


def _tip(f: Finding, score: float | None, note: str | None) -> str:
    """Hover text of one span: its own note, or the label with its confidence."""
    if note:
        return note
    if score is not None and f.confidence is not None and abs(score - f.confidence) > 0.005:
        return f"{f.caption}, this span {score:.2f}"
    return f.caption


def collect_findings(article: Article, prefix: str) -> list[Finding]:
    """Every finding of the article with its spans, in side-list order."""
    n = len(article.text)
    out: list[Finding] = []

    def nid() -> str:
        return f"{prefix}f{len(out)}"

    if article.narratives is not None:
        for lab in [*article.narratives.narratives, *article.narratives.subnarratives]:
            out.append(_label_finding(nid(), "narr", lab, n))
    for ent in article.entities:
        role = ent.main_role.label if ent.main_role else NO_ROLE
        conf = ent.main_role.confidence if ent.main_role else None
        fine = ", ".join(f.label for f in ent.fine_roles)
        spans = [(m.start, m.end, None, _mention_tip(ent, m)) for m in ent.mentions if m.end <= n]
        out.append(Finding(nid(), "ent", f"{ent.canonical}: {role}", conf, spans,
                           detail=fine, css=css_token(f"role-{role}")))
    if article.techniques is not None:
        by_tech: dict[str, Finding] = {}
        for sp in article.techniques.spans:
            f = by_tech.get(sp.label)
            if f is None:
                f = Finding(nid(), "tech", sp.label, sp.confidence)
                by_tech[sp.label] = f
                out.append(f)
            f.confidence = max(f.confidence or 0.0, sp.confidence)
            if sp.end <= n:
                tip = f"{sp.label} ({sp.confidence:.2f}, {sp.source}"
                tip += f": {sp.detail})" if sp.detail else ")"
                f.spans.append((sp.start, sp.end, sp.confidence, tip))
            if sp.detail and sp.detail not in f.detail:
                f.detail = f"{f.detail}, {sp.detail}".strip(", ")
    if article.narratives is not None:
        exp = article.narratives.explanation
        if exp is not None:
            out.append(Finding(nid(), "expl", f"explanation: {exp.narrative}", None,
                               [(q.start, q.end, None, None) for q in exp.quotes if q.end <= n],
                               detail=exp.text))
    for fc in article.fact_checks:
        out.append(Finding(nid(), "fact", f"{fc.label} ({fc.severity}): {fc.text}", None,
                           [(fc.start, fc.end, None, fc.message)] if fc.end <= n else [],
                           detail=fc.message))
    return out


def segments(n: int, findings: list[Finding]) -> list[tuple[int, int, list[tuple[Finding, str]]]]:
    """Cut ``[0, n)`` at every span boundary; each piece lists the findings covering it.

    A sweep over the boundaries keeps the set of open spans, so long articles with
    many spans stay fast (no span-by-segment product).
    """
    starts: dict[int, list[tuple[int, int]]] = {}
    ends: dict[int, list[tuple[int, int]]] = {}
    cuts = {0, n}
    for fi, f in enumerate(findings):
        for si, (s, e, _, _) in enumerate(f.spans):
            if s < e:
                cuts.update((s, e))
                starts.setdefault(s, []).append((fi, si))
                ends.setdefault(e, []).append((fi, si))
    bounds = sorted(cuts)
    active: set[tuple[int, int]] = set()
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        cover = []
        for fi, si in sorted(active):
            f = findings[fi]
            _, _, score, note = f.spans[si]
            cover.append((f, _tip(f, score, note)))
        out.append((a, b, cover))
    return out


def render_text(text: str, findings: list[Finding], focusable: bool = False) -> str:
    """``text`` as escaped HTML with one ``<mark>`` per piece that findings cover.

    ``focusable``: each mark also takes the keyboard focus (``tabindex``, ``role``) and
    carries its start offset (``data-s``), as the dashboard's reader wants.
    """
    parts: list[str] = []
    for a, b, cover in segments(len(text), findings):
        piece = esc(text[a:b])
        if not cover:
            parts.append(piece)
            continue
        ids: list[str] = []
        classes = {"hl"}
        tips: list[str] = []
        for f, tip in cover:
            if f.fid not in ids:
                ids.append(f.fid)
            classes.add(f.layer)
            if f.css:
                classes.add(f.css)
            if tip not in tips:
                tips.append(tip)
        focus = f'tabindex="0" role="button" data-s="{a}" ' if focusable else ""
        parts.append(
            f'<mark class="{esc(" ".join(sorted(classes)))}" data-f="{" ".join(ids)}" {focus}'
            f'title="{esc(chr(10).join(tips)).replace(chr(10), "&#10;")}">{piece}</mark>'
        )
    return "".join(parts)


def render_article(article: Article, index: int) -> str:
    prefix = f"a{index}"
    findings = collect_findings(article, prefix)
    when = f"date: {article.date or 'unknown'}"
    if article.date is not None and article.date_source in ("text", "option"):
        when += " (stated in the text)" if article.date_source == "text" else " (from --date)"
    meta = [when]
    if article.language:
        conf = f" ({article.language_confidence:.2f})" if article.language_confidence is not None else ""
        meta.append(f"language: {article.language}{conf}")
    if article.source:
        meta.append(f"source: {article.source}")
    if article.narratives is not None:
        d = article.narratives.domain
        meta.append(f"domain: {d.label} ({d.confidence:.2f})")
    if article.techniques is not None:
        meta.append(f"techniques: {article.techniques.density_per_1000_words:.1f} per 1000 words")
    if article.fact_checks:
        meta.append(f"fact-check findings: {len(article.fact_checks)}")
    head = f'<h2><span class="aid">{esc(article.id)}</span>'
    if article.title:
        head += f" &mdash; {esc(article.title)}"
    head += "</h2>"
    warn = "".join(f'<li>{esc(w)}</li>' for w in article.warnings)
    items: list[str] = []
    for layer, name in LAYERS.items():
        fs = [f for f in findings if f.layer == layer]
        if not fs:
            continue
        items.append(f'<h3>{esc(name)}</h3><ul class="flist">')
        for f in fs:
            detail = f'<div class="detail">{esc(f.detail)}</div>' if f.detail else ""
            nspans = f'<span class="count">{len(f.spans)} span(s)</span>' if f.spans else ""
            items.append(
                f'<li class="finding {layer} {esc(f.css)}" data-find="{f.fid}" tabindex="0">'
                f'<span class="swatch"></span>{esc(f.caption)} {nspans}{detail}</li>'
            )
        items.append("</ul>")
    if not items:
        items.append('<p class="none">No findings.</p>')
    return (
        f'<section class="article" id="{prefix}">{head}'
        f'<p class="meta">{esc(" | ".join(meta))}</p>'
        + (f'<ul class="warnings">{warn}</ul>' if warn else "")
        + f'<div class="cols"><div class="text">{render_text(article.text, findings)}</div>'
        f'<aside class="side">{"".join(items)}</aside></div></section>\n'
    )


CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,footer{padding:12px 24px;background:#fff;border-bottom:1px solid #ddd}
footer{border-top:1px solid #ddd}
.notice{background:#fff8d6;border:1px solid #e6d27a;padding:8px 12px;border-radius:4px}
.article{background:#fff;margin:16px 24px;padding:8px 20px;border:1px solid #ddd;border-radius:6px}
.meta{color:#555;font-size:13px}.warnings{color:#9a5b00;font-size:13px}
.cols{display:flex;gap:20px;align-items:flex-start}
.text{flex:3;white-space:pre-wrap;font-family:Georgia,serif}
.side{flex:2;font-size:13px;position:sticky;top:8px;max-height:90vh;overflow:auto}
.side h3{font-size:13px;margin:10px 0 4px;text-transform:uppercase;color:#666}
.flist{list-style:none;padding:0;margin:0}
.finding{padding:3px 6px;border-radius:3px;cursor:pointer;margin:1px 0}
.finding:hover,.finding:focus{background:#eef}.finding.active{background:#ffd27a}
.detail{color:#666;font-size:12px}.count{color:#888;font-size:11px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px;vertical-align:middle}
mark{background:none;color:inherit;cursor:help}
mark.narr{background:#fff2a8}.finding.narr .swatch{background:#fff2a8;border:1px solid #cb3}
mark.ent{font-weight:600}
mark.role-protagonist{color:#176b2c}mark.role-antagonist{color:#b3261e}
mark.role-innocent{color:#1f5fa8}mark.role-unassigned{color:#555}
.finding.role-protagonist .swatch{background:#176b2c}.finding.role-antagonist .swatch{background:#b3261e}
.finding.role-innocent .swatch{background:#1f5fa8}.finding.role-unassigned .swatch{background:#555}
mark.tech{border-bottom:2px dashed #7b3fb3}.finding.tech .swatch{border-bottom:2px dashed #7b3fb3}
mark.fact{outline:2px solid #d11;outline-offset:1px}.finding.fact .swatch{outline:2px solid #d11}
mark.expl{text-decoration:underline dotted #0a7}.finding.expl .swatch{background:#0a7}
mark.active{background:#ffb84d !important}
body.hide-narr mark.narr:not(.active){background:none}
body.hide-ent mark.ent:not(.active){font-weight:inherit;color:inherit}
body.hide-tech mark.tech{border-bottom:none}
body.hide-fact mark.fact{outline:none}
body.hide-expl mark.expl{text-decoration:none}
.toc a{margin-right:10px}
.aid{font-family:monospace}
"""

JS = """
(function(){
function clear(art){art.querySelectorAll('.active').forEach(function(x){x.classList.remove('active');});}
function has(el,id){return (' '+(el.getAttribute('data-f')||'')+' ').indexOf(' '+id+' ')>=0;}
function show(art,id){var first=null;
 art.querySelectorAll('mark').forEach(function(m){if(has(m,id)){m.classList.add('active');if(!first)first=m;}});
 art.querySelectorAll('[data-find]').forEach(function(li){if(li.getAttribute('data-find')===id)li.classList.add('active');});
 if(first)first.scrollIntoView({block:'nearest'});}
document.addEventListener('click',function(e){
 var li=e.target.closest('[data-find]');var art=e.target.closest('.article');if(!art)return;
 if(li){var on=!li.classList.contains('active');clear(art);if(on)show(art,li.getAttribute('data-find'));return;}
 var m=e.target.closest('mark');if(m){clear(art);(m.getAttribute('data-f')||'').split(' ').forEach(function(id){if(id)show(art,id);});}
});
document.addEventListener('keydown',function(e){if(e.key==='Enter'&&e.target.matches('[data-find]'))e.target.click();});
document.querySelectorAll('input[data-layer]').forEach(function(cb){cb.addEventListener('change',function(){
 document.body.classList.toggle('hide-'+cb.getAttribute('data-layer'),!cb.checked);});});
})();
"""


class ReportWriter:
    """Streams the report: header and notice, one section per article, index and script."""

    def __init__(self, fh: TextIO, title: str = "narrascope report") -> None:
        self.fh = fh
        self.toc: list[tuple[str, str]] = []
        toggles = "".join(
            f'<label><input type="checkbox" data-layer="{k}" checked> {esc(v)}</label> '
            for k, v in LAYERS.items()
        )
        fh.write(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n"
            f"<header><h1>{esc(title)}</h1>"
            f'<p class="notice"><strong>Note:</strong> {esc(NOTICE)}</p>'
            f'<p class="legend">Show: {toggles}</p>'
            "<p class=\"meta\">Click a finding to highlight its evidence; hover highlighted text "
            "for its labels and confidences.</p></header>\n"
        )

    def write(self, article: Article) -> None:
        index = len(self.toc)
        self.fh.write(render_article(article, index))
        self.toc.append((f"a{index}", article.id))

    def finish(self) -> None:
        links = "".join(f'<a href="#{aid}">{esc(name)}</a>' for aid, name in self.toc)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.fh.write(
            f'<footer><p class="toc">{len(self.toc)} article(s): {links}</p>'
            f'<p class="meta">narrascope {esc(__version__)}, {now}. {esc(NOTICE)}</p></footer>\n'
            f"<script>{JS}</script></body></html>\n"
        )
