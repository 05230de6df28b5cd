"""SemEval-2025 Task 10 prediction files (subtasks 1, 2, 3).

* st1: ``id TAB mention TAB start TAB end TAB main_role TAB fine_role...`` with the
  task's *inclusive* end offset, one line per mention that has a main role.
* st2: ``id TAB narratives TAB subnarratives``; the coarse list is aligned position
  by position with the fine list (so it may repeat a narrative); a narrative
  without subnarrative is written ``<narrative>: Other``; none: ``Other TAB Other``.
* st3: ``id TAB explanation`` (tabs and line breaks turned into spaces).

Free text (mention text, labels, the explanation) never breaks a row: each tab or
line break becomes a space (st1 mention text keeps its length).  An article id with
a tab or a line break cannot be written (a changed id would not match the gold
file): the line functions raise :class:`ValueError` and the writer leaves the
article out with a warning.
"""

from __future__ import annotations

import re

from narrascope.doc import Article, Mention

OTHER = "Other"

#: A tab, anything ``str.splitlines`` breaks a line at, any other control character
#: (C0, DEL, C1: ESC sequences would restyle a terminal showing the file) and the bidi
#: controls that reorder displayed text.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")


def unsafe_id(art_id: str) -> bool:
    """Whether an article id holds a tab, a line break or another control character
    (it cannot go in a TSV row unchanged)."""
    return _BREAKS.search(art_id) is not None


def left_out_warning(art_id: str, where: str) -> str:
    """The warning for an article left out of ``where`` because :func:`unsafe_id` holds."""
    return (f"article id {art_id!r} contains a tab, a line break or a control character: "
            f"left out of the {where} (a changed id would not match the gold file)")


def _check_id(art_id: str) -> str:
    if unsafe_id(art_id):
        raise ValueError(f"article id {art_id!r} contains a tab or a line break; "
                         "it cannot be written to a SemEval TSV file")
    return art_id


def _field(s: str) -> str:
    """``s`` with each tab, line break or control character replaced by a space (same length)."""
    return _BREAKS.sub(" ", s)


def _clean(s: str) -> str:
    return " ".join(_field(s).split())


def coarse_of(fine: str) -> str:
    """``'URW: Discrediting Ukraine: Situation ...'`` -> ``'URW: Discrediting Ukraine'``."""
    parts = fine.split(": ")
    return ": ".join(parts[:2]) if len(parts) >= 3 else fine


def st1_lines(article: Article) -> list[str]:
    """One line per mention with a main role; with given mentions, exactly those, in order."""
    art_id = _check_id(article.id)
    rows: dict[tuple[int, int], str] = {}
    for ent in article.entities:
        for m in ent.mentions:
            main = m.main_role or ent.main_role
            if main is None or (m.start, m.end) in rows:
                continue
            fine = m.fine_roles if m.main_role is not None else (m.fine_roles or ent.fine_roles)
            cols = [art_id, _mention_text(m), str(m.start), str(m.end - 1), _field(main.label)]
            cols += [_field(f.label) for f in fine]
            rows[(m.start, m.end)] = "\t".join(cols)
    if article.given_mentions is not None:
        keys = [(g.start, g.end) for g in article.given_mentions]
        return [rows[k] for k in dict.fromkeys(keys) if k in rows]
    return [rows[k] for k in sorted(rows)]


def _mention_text(m: Mention) -> str:
    return _field(m.text)


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
    art_id = _check_id(article.id)
    coarse, fine = st2_pairs(article)
    return f"{art_id}\t{';'.join(map(_field, coarse))}\t{';'.join(map(_field, fine))}"


def st3_line(article: Article) -> str:
    art_id = _check_id(article.id)
    exp = article.narratives.explanation if article.narratives else None
    return f"{art_id}\t{_clean(exp.text) if exp else ''}"
