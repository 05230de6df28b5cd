"""A bound on the output of one article, whatever its text.

Every span in a record carries its text, so a layer that copies a long sentence into
each of thousands of findings (a 50 KB article listing 3,000 names, each mention's
role evidence holding the whole list sentence) would make a record thousands of
times larger than the article.  :func:`bound_article` keeps the span text of a record
under ``max_chars`` (default :func:`record_limit`: 16 times the article's length plus
1,000,000), in steps, each with a warning in ``article.warnings``:

1. role evidence of each mention that is the mention's own sentence is dropped (the
   mention keeps ``sentence``, the index into ``article.sentences``);
2. all remaining evidence of mention roles is dropped;
3. the evidence of every other label is cut to its first :data:`KEEP_EVIDENCE` spans;
4. lists of findings are cut (entities and their mentions, technique spans, fact
   checks) to :data:`KEEP_ITEMS` each.

The text itself and the labels, offsets and confidences of what is kept are unchanged.
The JSONL reader accepts lines up to the same size, so a bounded record reads back.
"""

from __future__ import annotations

from narrascope.doc import Article, iter_spans

#: Evidence spans kept per label in step 3.
KEEP_EVIDENCE = 3
#: Items kept per list in step 4.
KEEP_ITEMS = 1000


def record_limit(article: Article) -> int:
    """Most characters of span text one record may hold (see the module doc)."""
    return 16 * len(article.text) + 1_000_000


def span_chars(article: Article) -> int:
    """Characters of all span texts of the record, the article text included."""
    return len(article.text) + sum(len(sp.text) for sp in iter_spans(article))


def bound_article(article: Article, max_chars: int | None = None) -> bool:
    """Shrink ``article``'s layers in place until the record is under the bound.

    Returns whether anything was dropped (then ``article.warnings`` says what).
    """
    limit = record_limit(article) if max_chars is None else max_chars
    if span_chars(article) <= limit:
        return False
    sentences = {s.index: (s.start, s.end) for s in article.sentences}
    for step in (_own_sentence_evidence, _mention_evidence, _label_evidence, _items):
        what = step(article, sentences)
        if what:
            article.warnings.append(
                f"output bounded: {what} (the record would hold over {limit} characters of "
                "span text)")
        if span_chars(article) <= limit:
            break
    return True


def _mention_labels(article: Article) -> list:
    return [lab for ent in article.entities for m in ent.mentions
            for lab in ([m.main_role] if m.main_role else []) + list(m.fine_roles)]


def _own_sentence_evidence(article: Article, sentences: dict[int, tuple[int, int]]) -> str:
    dropped = 0
    for ent in article.entities:
        for m in ent.mentions:
            own = sentences.get(m.sentence) if m.sentence is not None else None
            for lab in ([m.main_role] if m.main_role else []) + list(m.fine_roles):
                keep = [ev for ev in lab.evidence
                        if not ((own and (ev.start, ev.end) == own)
                                or (m.sentence is not None and ev.sentence == m.sentence))]
                dropped += len(lab.evidence) - len(keep)
                lab.evidence = keep
    return (f"{dropped} mention role evidence span(s) that repeat the mention's sentence left "
            "out (each mention names its sentence by index)") if dropped else ""


def _mention_evidence(article: Article, sentences: dict[int, tuple[int, int]]) -> str:
    dropped = 0
    for lab in _mention_labels(article):
        dropped += len(lab.evidence)
        lab.evidence = []
    return f"{dropped} more mention role evidence span(s) left out" if dropped else ""


def _label_evidence(article: Article, sentences: dict[int, tuple[int, int]]) -> str:
    dropped = 0
    labels = []
    for ent in article.entities:
        labels += ([ent.main_role] if ent.main_role else []) + list(ent.fine_roles)
    nar = article.narratives
    if nar is not None:
        labels += [nar.domain, *nar.narratives, *nar.subnarratives]
    if article.techniques is not None:
        labels += list(article.techniques.frames) + list(article.techniques.spans)
    labels += list(article.fact_checks)
    for lab in labels:
        ev = getattr(lab, "evidence", None)
        if ev and len(ev) > KEEP_EVIDENCE:
            dropped += len(ev) - KEEP_EVIDENCE
            lab.evidence = ev[:KEEP_EVIDENCE]
    return (f"{dropped} evidence span(s) beyond the first {KEEP_EVIDENCE} of each label left "
            "out") if dropped else ""


def _items(article: Article, sentences: dict[int, tuple[int, int]]) -> str:
    cut: list[str] = []
    if len(article.entities) > KEEP_ITEMS:
        cut.append(f"{len(article.entities) - KEEP_ITEMS} entities")
        article.entities = article.entities[:KEEP_ITEMS]
    extra = 0
    for ent in article.entities:
        if len(ent.mentions) > KEEP_ITEMS:
            extra += len(ent.mentions) - KEEP_ITEMS
            ent.mentions = ent.mentions[:KEEP_ITEMS]
    if extra:
        cut.append(f"{extra} mentions")
    tech = article.techniques
    if tech is not None and len(tech.spans) > KEEP_ITEMS:
        cut.append(f"{len(tech.spans) - KEEP_ITEMS} technique spans")
        tech.spans = tech.spans[:KEEP_ITEMS]
    if len(article.fact_checks) > KEEP_ITEMS:
        cut.append(f"{len(article.fact_checks) - KEEP_ITEMS} fact checks")
        article.fact_checks = article.fact_checks[:KEEP_ITEMS]
    return (", ".join(cut) + f" beyond the first {KEEP_ITEMS} left out") if cut else ""
