"""SemEval-2025 Task 10 prediction files (subtasks 1, 2, 3).

* st1: ``id TAB mention TAB start TAB end TAB main_role TAB fine_role...`` with the
  task's *inclusive* end offset, one line per mention that has a main role.
* st2: ``id TAB narratives TAB subnarratives``; the coarse list is aligned position
  by position with the fine list (so it may repeat a narrative); a narrative
  without subnarrative is written ``<narrative>: Other``; none: ``Other TAB Other``.
* st3: ``id TAB explanation`` (tabs and line breaks turned into spaces).
"""

from __future__ import annotations

from narrascope.doc import Article, Mention

OTHER = "Other"


def _clean(s: str) -> str:
    return " ".join(s.replace("\t", " ").split())


def coarse_of(fine: str) -> str:
    """``'URW: Discrediting Ukraine: Situation ...'`` -> ``'URW: Discrediting Ukraine'``."""
    parts = fine.split(": ")
    return ": ".join(parts[:2]) if len(parts) >= 3 else fine


def st1_lines(article: Article) -> list[str]:
    """One line per mention with a main role; with given mentions, exactly those, in order."""
    rows: dict[tuple[int, int], str] = {}
    for ent in article.entities:
        for m in ent.mentions:
            main = m.main_role or ent.main_role
            if main is None or (m.start, m.end) in rows:
                continue
            fine = m.fine_roles if m.main_role is not None else (m.fine_roles or ent.fine_roles)
            cols = [article.id, _mention_text(m), str(m.start), str(m.end - 1), main.label]
            cols += [f.label for f in fine]
            rows[(m.start, m.end)] = "\t".join(cols)
    if article.given_mentions is not None:
        keys = [(g.start, g.end) for g in article.given_mentions]
        return [rows[k] for k in dict.fromkeys(keys) if k in rows]
    return [rows[k] for k in sorted(rows)]


def _mention_text(m: Mention) -> str:
    return m.text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def st2_pairs(article: Article) -> tuple[list[str], list[str]]:
    """Aligned (coarse, fine) label lists of an article."""
    coarse: list[str] = []
    fine: list[str] = []
    nar = article.narratives
    if nar is not None:
        for sub in nar.subnarratives:
            c = coarse_of(sub.label)
            if c == sub.label:  # a bare narrative given as a fine label
                fine.append(f"{c}: {OTHER}")
            else:
                fine.append(sub.label)
            coarse.append(c)
        for n in nar.narratives:
            if n.label not in coarse and n.label != OTHER:
                coarse.append(n.label)
                fine.append(f"{n.label}: {OTHER}")
    if not coarse:
        return [OTHER], [OTHER]
    return coarse, fine


def st2_line(article: Article) -> str:
    coarse, fine = st2_pairs(article)
    return f"{article.id}\t{';'.join(coarse)}\t{';'.join(fine)}"


def st3_line(article: Article) -> str:
    exp = article.techniques.explanation if article.techniques else None
    return f"{article.id}\t{_clean(exp.text) if exp else ''}"
