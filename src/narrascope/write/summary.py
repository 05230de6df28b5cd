"""Short summaries of an analysed article, shared by the CSV, table and HTML writers."""

from __future__ import annotations

from dataclasses import dataclass, field

from narrascope.doc import Article, Label

ROLES = ("Protagonist", "Antagonist", "Innocent")


#: How an entity mentioned without a confident framing is listed.
NO_ROLE = "No clear role"

def fmt_label(label: Label) -> str:
    return f"{label.label} ({label.confidence:.2f})"


@dataclass
class Summary:
    domain: Label | None = None
    narratives: list[Label] = field(default_factory=list)
    subnarratives: list[Label] = field(default_factory=list)
    entities_by_role: dict[str, list[str]] = field(default_factory=dict)
    technique_count: int = 0
    technique_density: float | None = None
    top_techniques: list[tuple[str, int]] = field(default_factory=list)
    fact_checks: list[str] = field(default_factory=list)
    explanation: str | None = None


def summarize(article: Article, top: int = 3) -> Summary:
    s = Summary()
    if article.narratives is not None:
        s.domain = article.narratives.domain
        s.narratives = sorted(article.narratives.narratives, key=lambda x: -x.confidence)[:top]
        s.subnarratives = sorted(article.narratives.subnarratives, key=lambda x: -x.confidence)[:top]
    for ent in sorted(article.entities, key=lambda e: -len(e.mentions)):
        role = ent.main_role.label if ent.main_role else NO_ROLE
        s.entities_by_role.setdefault(role, []).append(ent.canonical)
    if article.techniques is not None:
        t = article.techniques
        s.technique_count = len(t.spans)
        s.technique_density = t.density_per_1000_words
        counts = sorted(((k, v.count) for k, v in t.profile.items() if v.count), key=lambda kv: -kv[1])
        s.top_techniques = counts[:top]
    if article.narratives is not None and article.narratives.explanation is not None:
        s.explanation = article.narratives.explanation.text
    counts: dict[str, int] = {}
    for fc in article.fact_checks:  # the same claim repeated in the text: one line, counted
        counts[fc.message] = counts.get(fc.message, 0) + 1
    s.fact_checks = [m if n == 1 else f"{m} (x{n})" for m, n in counts.items()]
    return s
