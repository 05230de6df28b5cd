"""The article reader: every finding of an article highlighted over its text.

The text is cut at every span boundary (``narrascope.write.report.segments``, the
same sweep as the static report); each piece becomes a ``<mark>`` listing the
findings that cover it (``data-f``).  Every string that comes from the article (text,
labels, messages, ids) is escaped here or by Jinja's autoescaping; the page's
behaviour lives in ``static/reader.js`` (no inline script, no inline style), and the
details of a finding are reachable by click and keyboard (marks and side-list items
are focusable buttons), not only by hover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from narrascope.doc import Article, Entity, Label
from narrascope.write.report import Finding
from narrascope.write.report import render_text as render_report_text

#: Layer keys of the reader, in side-list order, with their names.
LAYERS: dict[str, str] = {
    "narr": "Narrative evidence",
    "ent": "Entity mentions (by role)",
    "tech": "Persuasion techniques",
    "fact": "Fact-check claims",
    "expl": "Explanation quotes",
    "date": "Date stated in the text",
}

NO_ROLE = "no role"


def css_token(s: str) -> str:
    """A safe CSS class name made from a label (labels are untrusted)."""
    return re.sub(r"[^a-z0-9_-]+", "-", s.lower()).strip("-") or "x"


@dataclass
class ReaderFinding:
    """One finding of the side list, with what the details panel shows."""

    fid: str
    layer: str
    label: str
    confidence: float | None
    source: str | None = None
    detail: str | None = None
    css: str = ""
    spans: list[dict[str, Any]] = field(default_factory=list)  # start, end, text, score, note
    extra: list[tuple[str, str]] = field(default_factory=list)  # (name, value) rows

    @property
    def layer_name(self) -> str:
        return LAYERS.get(self.layer, self.layer)


def _spans(ev: list[Any], n: int, note: str | None = None) -> list[dict[str, Any]]:
    return [
        {"start": e.start, "end": e.end, "text": e.text, "score": getattr(e, "score", None),
         "note": note}
        for e in ev if 0 <= e.start <= e.end <= n
    ]


def _label(fid: str, layer: str, lab: Label, n: int, **kw: Any) -> ReaderFinding:
    return ReaderFinding(fid, layer, lab.label, lab.confidence, source=lab.source,
                         spans=_spans(lab.evidence, n), **kw)


def _role_text(lab: Label | None, fine: list[Label]) -> str:
    if lab is None:
        return NO_ROLE
    out = f"{lab.label} ({lab.confidence:.2f})"
    if fine:
        out += ": " + ", ".join(f"{f.label} ({f.confidence:.2f})" for f in fine)
    return out


def _entity(fid: str, ent: Entity, n: int) -> ReaderFinding:
    role = ent.main_role.label if ent.main_role else NO_ROLE
    f = ReaderFinding(
        fid, "ent", ent.canonical, ent.main_role.confidence if ent.main_role else None,
        source=ent.main_role.source if ent.main_role else None, detail=ent.kind,
        css=css_token(f"role-{role}"),
    )
    f.extra.append(("main role", _role_text(ent.main_role, ent.fine_roles)))
    for m in ent.mentions:
        if not (0 <= m.start <= m.end <= n):
            continue
        own = m.main_role or ent.main_role
        note = f"{ent.canonical}: {_role_text(own, m.fine_roles if m.main_role else ent.fine_roles)}"
        how = ", ".join(x for x in (getattr(m, "source", None), getattr(m, "detail", None)) if x)
        if how:
            note += f" [{how}]"
        f.spans.append({"start": m.start, "end": m.end, "text": m.text, "score": None,
                        "note": note})
    return f


def collect(article: Article) -> list[ReaderFinding]:
    """Every finding of the article with its spans, in side-list order."""
    n = len(article.text)
    out: list[ReaderFinding] = []

    def nid() -> str:
        return f"f{len(out)}"

    nar = article.narratives
    if nar is not None:
        for lab in nar.narratives:
            out.append(_label(nid(), "narr", lab, n, detail="narrative"))
        for lab in nar.subnarratives:
            out.append(_label(nid(), "narr", lab, n, detail="subnarrative"))
    for ent in article.entities:
        out.append(_entity(nid(), ent, n))
    if article.techniques is not None:
        by_tech: dict[str, ReaderFinding] = {}
        for sp in article.techniques.spans:
            f = by_tech.get(sp.label)
            if f is None:
                f = ReaderFinding(nid(), "tech", sp.label, sp.confidence, source=sp.source)
                by_tech[sp.label] = f
                out.append(f)
            f.confidence = max(f.confidence or 0.0, sp.confidence)
            if 0 <= sp.start <= sp.end <= n:
                how = ", ".join(x for x in (sp.source, sp.detail, sp.voice) if x)
                f.spans.append({"start": sp.start, "end": sp.end, "text": sp.text,
                                "score": sp.confidence,
                                "note": f"{sp.label} ({sp.confidence:.2f}" + (f", {how})" if how else ")")})
            if sp.detail and sp.detail not in (f.detail or ""):
                f.detail = f"{f.detail}, {sp.detail}" if f.detail else sp.detail
    exp = nar.explanation if nar is not None else None
    if exp is not None:
        f = ReaderFinding(nid(), "expl", f"explanation: {exp.narrative}", None, detail=exp.text,
                          spans=_spans(exp.quotes, n))
        if exp.subnarrative:
            f.extra.append(("subnarrative", exp.subnarrative))
        out.append(f)
    for fc in article.fact_checks:
        f = ReaderFinding(nid(), "fact", f"{fc.label}: {fc.text}", fc.confidence, source=fc.source,
                          detail=fc.message, css=css_token(f"sev-{fc.severity}"))
        if 0 <= fc.start <= fc.end <= n:
            f.spans.append({"start": fc.start, "end": fc.end, "text": fc.text, "score": None,
                            "note": fc.message})
        f.extra += [("person", fc.person), ("office", fc.office), ("severity", fc.severity)]
        if fc.article_date:
            f.extra.append(("article date", f"{fc.article_date} ({fc.date_source or 'unknown source'})"))
        if fc.holder_on_date:
            f.extra.append(("holder on that date", fc.holder_on_date))
        for t in fc.terms:
            f.extra.append(("term", f"{t.holder}: {t.office} {t.start or '?'} - {t.end or 'now'}"
                            + (f" ({t.source})" if t.source else "")))
        out.append(f)
    de = article.date_evidence
    if de is not None and 0 <= de.start <= de.end <= n:
        out.append(ReaderFinding(nid(), "date", f"date: {article.date}", None, source="text",
                                 spans=_spans([de], n)))
    return out


def render_text(text: str, findings: list[ReaderFinding]) -> Markup:
    """The article text as escaped HTML with one ``<mark>`` per covered piece."""
    proxies = [
        Finding(f.fid, f.layer, f.label, f.confidence,
                [(s["start"], s["end"], s["score"], s["note"]) for s in f.spans], css=f.css)
        for f in findings
    ]
    return Markup(render_report_text(text, proxies, focusable=True))


def reader_context(article: Article, layers: set[str] | None = None) -> dict[str, Any]:
    """What the reader template needs: findings by layer, the highlighted text, meta rows."""
    findings = collect(article)
    by_layer = {k: [f for f in findings if f.layer == k] for k in LAYERS}
    shown = set(LAYERS) if layers is None else layers & set(LAYERS)
    meta: list[tuple[str, str]] = [
        ("date", f"{article.date} ({article.date_source or 'source unknown'})" if article.date
         else "unknown"),
    ]
    if article.source:
        meta.append(("outlet", article.source))
    if article.language:
        conf = f" ({article.language_confidence:.2f})" if article.language_confidence is not None else ""
        meta.append(("language", f"{article.language}{conf}"))
    if article.narratives is not None:
        d = article.narratives.domain
        meta.append(("domain", f"{d.label} ({d.confidence:.2f})"))
    if article.techniques is not None:
        meta.append(("technique density",
                     f"{article.techniques.density_per_1000_words:.1f} per 1000 words"))
    meta.append(("characters", f"{len(article.text):,}"))
    return {
        "article": article,
        "findings": findings,
        "by_layer": by_layer,
        "layers": LAYERS,
        "shown_layers": shown,
        "hidden_classes": " ".join(f"hide-{k}" for k in LAYERS if k not in shown),
        "text_html": render_text(article.text, findings),
        "meta": meta,
    }
