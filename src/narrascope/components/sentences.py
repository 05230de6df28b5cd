"""Sentence segmentation with character offsets (the first pipeline component).

A fast rule-based splitter: paragraphs (line breaks) always end a sentence;
inside a paragraph a sentence ends at ``.``, ``!``, ``?`` or ``…`` (optionally
followed by closing quotes/brackets) when the next token starts like a new
sentence and the word before is not a known abbreviation (``U.S.``, ``Mr.``,
``St.``, initials).  Lines that look like page clutter (bylines, photo
credits, "Watch:" captions, "Read more", lists of other headlines, share
buttons) are kept as sentences of kind ``boilerplate`` so their offsets are not
lost, but other components skip them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from narrascope.doc import Article, Sentence
from narrascope.registry import Component, registry

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "lt", "col", "maj", "capt",
    "sgt", "adm", "gov", "sen", "rep", "pres", "rev", "hon", "no", "vs", "etc", "inc",
    "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "fig", "approx", "est", "dept", "univ", "ave", "blvd", "mt",
    "u.s", "u.k", "u.n", "e.u", "u.s.a", "d.c", "a.m", "p.m", "e.g", "i.e", "cf", "al",
}

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
# a sentence end: terminal punctuation, optional closers, then whitespace.  Linear time:
# a match starts only where a run of punctuation starts (lookbehind) and the possessive
# quantifiers never give characters back, so 200,000 "?" are one failed attempt, not
# 200,000 attempts of 200,000 steps.
_END = re.compile(r"(?<![.!?…])[.!?…]++[" + re.escape(_CLOSERS) + r"]*+(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
#: How far back the word before a full stop is looked for (longer words: their end).
_WORD_WINDOW = 64
#: Longer lines are never page clutter (bylines, credits and captions are short); the
#: clutter patterns are not run on them, which keeps the check linear.
MAX_CLUTTER_LINE = 400

_BOILERPLATE = re.compile(
    r"""^\s*(?:
        (?:watch|video|photo|image|picture|credit|source|read\s+more|read\s+also|related|
           see\s+also|more\s+from|share|subscribe|follow\s+us|advertisement|sponsored|
           click\s+here|sign\s+up|copyright|©|all\s+rights\s+reserved|by)\b[^.!?]{0,200}$
      | (?:photo|image|picture)\s*:?.{0,160}(?:getty|reuters|ap\b|afp|shutterstock|epa|tass|ria)
      | .{0,80}\b(?:getty\s+images|/\s*reuters|/\s*ap\s+photo|/\s*afp)\b.{0,80}$
      | (?:tags?|topics?|categories)\s*:.*$
      | (?:https?://|www\.)\S+\s*$
      | \S+@\S+\.\w+\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_LEADING_LABEL = re.compile(r"^\s*(?:watch|video|read more|related|see also)\s*[:|-]", re.I)


def _is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_CLUTTER_LINE:
        return False
    if _LEADING_LABEL.match(stripped) or _BOILERPLATE.match(stripped):
        return True
    return False


def split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` (one paragraph) into sentence offsets."""
    spans: list[tuple[int, int]] = []
    seg_start = start
    for m in _END.finditer(text, start, end):
        cut = m.end()
        # next non-space character
        nxt = cut
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break
        following = text[nxt]
        if not (following.isupper() or following.isdigit() or following in _OPENERS
                or following in "-–—•*"):
            continue
        punct = text[m.start()]
        if punct == ".":
            wm = _WORD_BEFORE.search(text, max(seg_start, m.start() - _WORD_WINDOW), m.start())
            word = wm.group(1).lower().rstrip(".") if wm else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):  # U.S, e.g
                continue
        spans.append((seg_start, cut))
        seg_start = nxt
    spans.append((seg_start, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def segment(text: str, body_start: int = 0, title_end: int | None = None) -> list[tuple[int, int, str]]:
    """Return ``(start, end, kind)`` for every sentence of ``text`` from ``body_start``."""
    result: list[tuple[int, int, str]] = []
    pos = body_start
    n = len(text)
    for line in re.finditer(r"[^\r\n]+", text[body_start:]):
        ls, le = body_start + line.start(), body_start + line.end()
        pos = le
        if not text[ls:le].strip():
            continue
        if title_end is not None and ls < title_end:
            s, e = ls, min(le, title_end)
            while e > s and text[e - 1].isspace():
                e -= 1
            while s < e and text[s].isspace():
                s += 1
            if e > s:
                result.append((s, e, "title"))
            continue
        kind = "boilerplate" if _is_boilerplate(text[ls:le]) else "body"
        for s, e in split_paragraph(text, ls, le):
            result.append((s, e, kind))
    del pos, n
    return result


@registry.component("sentences", assigns=["sentences"])
class SentenceSplitter(Component):
    """Split the article into sentences with offsets; mark title and page clutter."""

    def __init__(self, name: str = "sentences", max_chars: int = 200_000) -> None:
        self.name = name
        self.max_chars = max_chars

    def __call__(self, article: Article) -> Article:
        text = article.text
        limit = len(text)
        if limit > self.max_chars:
            limit = self.max_chars
            article.warnings.append(
                f"article is {len(text)} characters; only the first {self.max_chars} "
                "were analysed"
            )
        title_end = None
        if article.title and text.startswith(article.title, article.body_start):
            title_end = article.body_start + len(article.title)
        spans = segment(text[:limit], article.body_start, title_end)
        article.sentences = [
            Sentence(start=s, end=e, text=text[s:e], index=i, kind=kind)  # type: ignore[arg-type]
            for i, (s, e, kind) in enumerate(spans)
        ]
        return article


def ensure_sentences(articles: Iterable[Article]) -> None:
    """Split the articles that have no sentences yet (a component used without the
    ``sentences`` component before it), with the component's defaults."""
    splitter: SentenceSplitter | None = None
    for art in articles:
        if not art.sentences:
            splitter = splitter or SentenceSplitter()
            splitter(art)
